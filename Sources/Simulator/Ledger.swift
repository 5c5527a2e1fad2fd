import Compiler
import Hardware

/// The actions the simulator records, per unit (Accelergy style: the simulator counts, one
/// energy table prices). Timing reads the same records: a task's duration is a function of the
/// actions it records (`Executor.cost`), so timing and energy cannot disagree about an action.
public enum Action: Int, CaseIterable, Sendable {
    /// Physical tile reads (row group x converted bit-plane or pass, every slice at once), and
    /// the arrays they read (a row tile's column tiles).
    case tileReads, arrayReads
    /// Rows driven, summed over reads and arrays.
    case rowActivations
    /// Word-line switch-matrix toggles (one per driven row and read) and column-mux selections
    /// (one per conversion: the mux puts a column, or a differential pair, on its ADC).
    case switchMatrixToggles, columnMuxSelections
    /// Weight cells on driven rows, summed over reads.
    case cellReads
    /// Sum over read cells of input amplitude x conductance x read pulse (uS ns): x V^2 is fJ.
    case cellMicrosiemensNanoseconds
    case adcConversions
    case shiftAdds
    /// Buffer traffic in bytes, and in accesses of `chip.bufferAccessBytes` (priced).
    case bufferReadBytes, bufferWriteBytes, bufferReadAccesses, bufferWriteAccesses
    /// Bytes through a link port, bytes x mesh hops, and bits x mm of wire (H-tree or bus) of
    /// what leaves tiles and of a layer's inputs.
    case linkBytes, linkByteHops, linkBitMillimeters, inputLinkBitMillimeters
    case hostBytes
    /// Row-tile partial sums added in a processing element's adder tree, or by the layer's
    /// digital unit; other digital operations (bias, ReLU, normalisation, ...).
    case adderTreeAdds, accumulations, digitalOperations
    /// The learning core's events.
    case coreSourceEvents, coreTagMatches, coreSynapticOperations, coreNeuronUpdates, coreHops, coreWinnerTakeAllSteps

    public var name: String {
        switch self {
        case .tileReads: return "tile_reads"
        case .arrayReads: return "array_reads"
        case .rowActivations: return "row_activations"
        case .switchMatrixToggles: return "switch_matrix_toggles"
        case .columnMuxSelections: return "column_mux_selections"
        case .cellReads: return "cell_reads"
        case .cellMicrosiemensNanoseconds: return "cell_uS_ns"
        case .adcConversions: return "adc_conversions"
        case .shiftAdds: return "shift_adds"
        case .bufferReadBytes: return "buffer_read_bytes"
        case .bufferWriteBytes: return "buffer_write_bytes"
        case .bufferReadAccesses: return "buffer_read_accesses"
        case .bufferWriteAccesses: return "buffer_write_accesses"
        case .linkBytes: return "link_bytes"
        case .linkByteHops: return "link_byte_hops"
        case .linkBitMillimeters: return "link_bit_mm"
        case .inputLinkBitMillimeters: return "input_link_bit_mm"
        case .adderTreeAdds: return "adder_tree_adds"
        case .hostBytes: return "host_bytes"
        case .accumulations: return "accumulations"
        case .digitalOperations: return "digital_operations"
        case .coreSourceEvents: return "core_source_events"
        case .coreTagMatches: return "core_tag_matches"
        case .coreSynapticOperations: return "core_synaptic_operations"
        case .coreNeuronUpdates: return "core_neuron_updates"
        case .coreHops: return "core_hops"
        case .coreWinnerTakeAllSteps: return "core_winner_take_all_steps"
        }
    }
}

/// Counts of every action, indexed by `Action`.
public struct ActionRecord: Equatable, Sendable {
    public var counts = [Double](repeating: 0, count: Action.allCases.count)
    public init() {}
    public subscript(_ a: Action) -> Double {
        get { counts[a.rawValue] }
        set { counts[a.rawValue] = newValue }
    }
    public static func += (a: inout ActionRecord, b: ActionRecord) {
        for k in a.counts.indices { a.counts[k] += b.counts[k] }
    }

    /// Adds the learning core's counts of one event.
    public mutating func add(_ c: CoreCounts) {
        counts[Action.coreSourceEvents.rawValue] += Double(c.sourceEvents)
        counts[Action.coreTagMatches.rawValue] += Double(c.tagMatches)
        counts[Action.coreSynapticOperations.rawValue] += Double(c.synapticOperations)
        counts[Action.coreNeuronUpdates.rawValue] += Double(c.neuronUpdates)
        counts[Action.coreHops.rawValue] += Double(c.hops)
        counts[Action.coreWinnerTakeAllSteps.rawValue] += Double(c.winnerTakeAllSteps)
    }
}

/// Energy categories of the report, in this order.
public enum Component: String, CaseIterable, Sendable {
    case adc, array, dac, switchesAndMux, digital, network, host, buffers, learningCore, `static`

    /// The sum of a breakdown in the fixed order of the cases (never a dictionary's order, which
    /// changes from run to run and would change the last bits of the sum).
    public static func total(_ e: [Component: Double], excluding: Component? = nil) -> Double {
        allCases.reduce(0) { $1 == excluding ? $0 : $0 + (e[$1] ?? 0) }
    }

    public var meaning: String {
        switch self {
        case .adc: return "ADC conversions"
        case .array: return "cell reads: readVolts^2 x conductance x pulse"
        case .dac: return "row drivers and DACs"
        case .switchesAndMux: return "word-line switch matrix and column mux"
        case .digital: return "shift-add, adder trees, row-tile accumulation, bias/ReLU/normalisation, goodness, argmax"
        case .network: return "interconnect: bytes x mesh hops or switching bits x mm of H-tree or bus wire, of inputs, partial sums and activations"
        case .host: return "bytes between the host and the chip"
        case .buffers: return "buffer reads and writes"
        case .learningCore: return "the learning core's events (read-out)"
        case .static: return "leakage power x time of every powered unit"
        }
    }
}

/// The ledger of a run: per unit of the task graph, its actions and its busy and stall time
/// (ticks of the engine's clock, picoseconds).
public struct Ledger: Sendable {
    public var actions: [ActionRecord]
    public var busyTicks: [Int64]
    public var stallTicks: [Int64]
    /// The most tasks that waited in a unit's queue at once.
    public var maxQueue: [Int]
    /// The ticks the units were powered (the run's span) and the inferences it holds.
    public var spanTicks: Int64 = 0
    public var inferences = 0

    public init(units: Int) {
        actions = [ActionRecord](repeating: ActionRecord(), count: units)
        busyTicks = [Int64](repeating: 0, count: units)
        stallTicks = busyTicks
        maxQueue = [Int](repeating: 0, count: units)
    }

    public static func += (a: inout Ledger, b: Ledger) {
        for u in a.actions.indices {
            a.actions[u] += b.actions[u]
            a.busyTicks[u] += b.busyTicks[u]
            a.stallTicks[u] += b.stallTicks[u]
            a.maxQueue[u] = max(a.maxQueue[u], b.maxQueue[u])
        }
        a.spanTicks += b.spanTicks
        a.inferences += b.inferences
    }
}

/// The energy table: one price per action, from the hardware model (pJ per action), and the
/// leakage power of each unit.
public struct EnergyTable: Sendable {
    public let prices: [(Component, Double)]
    public let model: HardwareModel

    public init(_ h: HardwareModel) {
        model = h
        let c = h.learningCore
        var p = [(Component, Double)](repeating: (.digital, 0), count: Action.allCases.count)
        func set(_ a: Action, _ component: Component, _ picojoules: Double) { p[a.rawValue] = (component, picojoules) }
        set(.tileReads, .array, 0)
        set(.arrayReads, .switchesAndMux, Double(h.array.rows) * h.array.rowRegisterFemtojoules / 1000)
        set(.rowActivations, .dac, h.array.rowDriverFemtojoules / 1000)
        set(.switchMatrixToggles, .switchesAndMux, h.array.switchMatrixFemtojoules / 1000)
        set(.columnMuxSelections, .switchesAndMux, h.array.columnMuxFemtojoules / 1000)
        set(.cellReads, .array, 0)
        set(.cellMicrosiemensNanoseconds, .array, h.cell.readVolts * h.cell.readVolts / 1000)  // V^2 uS ns = fJ
        set(.adcConversions, .adc, h.adc.conversionPicojoules)
        set(.shiftAdds, .digital, h.digital.shiftAddPicojoules)
        set(.bufferReadBytes, .buffers, 0)
        set(.bufferWriteBytes, .buffers, 0)
        set(.bufferReadAccesses, .buffers, h.buffers.readPicojoulesPerAccess)
        set(.bufferWriteAccesses, .buffers, h.buffers.writePicojoulesPerAccess)
        set(.linkBytes, .network, 0)
        set(.linkByteHops, .network, h.interconnect.hopPicojoulesPerByte)
        set(.linkBitMillimeters, .network, h.interconnect.wirePicojoulesPerBitMillimeter * h.interconnect.outputWireToggleFraction)
        set(.inputLinkBitMillimeters, .network, h.interconnect.wirePicojoulesPerBitMillimeter * h.interconnect.inputWireToggleFraction)
        set(.adderTreeAdds, .digital, h.digital.adderTreeAddPicojoules)
        set(.hostBytes, .host, h.interconnect.hostPicojoulesPerByte)
        set(.accumulations, .digital, h.digital.accumulatePicojoules)
        set(.digitalOperations, .digital, h.digital.operationPicojoules)
        set(.coreSourceEvents, .learningCore, 0)
        set(.coreTagMatches, .learningCore, c.tagMatchPicojoules)
        set(.coreSynapticOperations, .learningCore, c.synapticOperationPicojoules)
        set(.coreNeuronUpdates, .learningCore, c.neuronUpdatePicojoules)
        set(.coreHops, .learningCore, c.hopPicojoules)
        set(.coreWinnerTakeAllSteps, .learningCore, c.winnerTakeAllStepPicojoules)
        prices = p
    }

    /// Dynamic energy of `record`, pJ by component.
    public func price(_ record: ActionRecord) -> [Component: Double] {
        var e = [Component: Double]()
        for a in Action.allCases {
            let (component, pJ) = prices[a.rawValue]
            if pJ != 0 && record[a] != 0 { e[component, default: 0] += record[a] * pJ }
        }
        return e
    }

    /// Leakage power of a unit of `graph` while powered, mW.
    public func leakageMilliwatts(_ unit: TaskGraph.Unit) -> Double {
        Double(unit.tiles) * model.leakage.tileMilliwatts + Double(unit.cores) * model.leakage.learningCoreMilliwatts
    }

    /// Leakage of the tile sites that hold no tile: zero when they are power-gated.
    public func unusedSitesMilliwatts(usedTiles: Int) -> Double {
        model.chip.unusedTileSites == .leaking ? Double(max(0, model.chip.tileSites - usedTiles)) * model.leakage.tileMilliwatts : 0
    }

    /// Static pJ of `unit`: its leakage over the whole span, or only over its busy ticks when
    /// idle units are power-gated (`chip.idleUnits`).
    public func staticPicojoules(_ unit: TaskGraph.Unit, busyTicks: Int64, spanTicks: Int64) -> Double {
        staticPicojoules(milliwatts: leakageMilliwatts(unit), ticks: gatesIdleUnits ? busyTicks : spanTicks)
    }

    /// Whether a used unit leaks only while a task holds it.
    public var gatesIdleUnits: Bool { model.chip.idleUnits == .powerGated }

    /// pJ of `milliwatts` over `ticks` (mW x ns = pJ).
    public func staticPicojoules(milliwatts: Double, ticks: Int64) -> Double {
        milliwatts * model.nanoseconds(ticks: ticks)
    }
}
