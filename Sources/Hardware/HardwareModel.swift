import Foundation

/// The cost side of a hardware description, parsed once into typed parts: what the compiler's
/// task graph and the simulator's timing and energy read (the functional models, `CrossbarLayer`,
/// `DeviceModel` and `LearningCore`, read their own keys when a chip is programmed).
///
/// Units are in the names. Times are nanoseconds, energies picojoules unless a name says
/// otherwise; one clock cycle is 1 / `technology.clockGigahertz` ns.
public struct HardwareModel: Sendable, Equatable {
    /// The node and supply voltage are informational (the per-action figures are given at them).
    public struct Technology: Sendable, Equatable {
        public var clockGigahertz: Double
    }

    /// The memory cell and how it is read: a read cell dissipates V^2 G t (fJ = V^2 uS ns).
    public struct Cell: Sendable, Equatable {
        public var readVolts: Double
        public var readPulseNanoseconds: Double
        public var conductanceMinMicrosiemens: Double
        public var conductanceMaxMicrosiemens: Double
        public var bitsPerCell: Int
    }

    public enum WeightEncoding: String, Sendable { case differential, offset }
    public enum DACScheme: String, Sendable { case bitSerial = "bit-serial", multiBit = "multi-bit" }
    public enum InputScaling: String, Sendable { case perSample = "per-sample", calibrated }

    /// The array (subarray) and its periphery: row drivers, column mux, ADCs, shift-add.
    public struct Array: Sendable, Equatable {
        public var rows: Int
        public var columns: Int
        public var rowsPerRead: Int
        public var weightBits: Int
        public var weightSlices: Int
        public var weightEncoding: WeightEncoding
        public var rowDriveSettleNanoseconds: Double
        public var rowDriverFemtojoules: Double
        /// The word-line switch matrix per driven row, the column mux per selection.
        public var switchMatrixFemtojoules: Double
        public var columnMuxFemtojoules: Double
        /// The switch matrix's row registers, per row of an array and read, driven or not.
        public var rowRegisterFemtojoules: Double
    }

    public struct DAC: Sendable, Equatable {
        public var inputBits: Int
        public var scheme: DACScheme
        public var inputScaling: InputScaling
        /// Input bit-planes read one after another (bit-serial) or 1.
        public var planes: Int { scheme == .bitSerial ? inputBits : 1 }
        /// Bytes one input code takes in a buffer or on a link.
        public var bytesPerInput: Int { (inputBits + 7) / 8 }
    }

    public struct ADC: Sendable, Equatable {
        public var bits: Int
        /// Physical columns multiplexed onto one ADC.
        public var columnsPerADC: Int
        /// Time of one conversion at `bits` (`HardwareDescription.adcConversionNanoseconds`).
        public var conversionNanoseconds: Double
        public var sampleAndHold: Bool
        /// Energy of one conversion at `bits`, scaled from the reference resolution.
        public var conversionPicojoules: Double
        /// ADCs of one array.
        public var perArray: Int
    }

    public enum InputDelivery: String, Sendable { case broadcast, unicast }
    public enum UnusedSites: String, Sendable { case powerGated = "power-gated", leaking }
    public enum Topology: String, Sendable {
        case mesh, hTree = "h-tree", bus
        /// Whether transfers run on repeated wire (priced per bit and mm), not through routers.
        public var isWire: Bool { self != .mesh }
    }
    public enum Reduction: String, Sendable { case hub, adderTree = "adder-tree" }

    public struct Chip: Sendable, Equatable {
        public var tileSites: Int
        public var tileSitesPerRow: Int
        public var tilesPerADC: Int
        public var accumulatorBits: Int
        public var inputDelivery: InputDelivery
        /// How data travels between sites, and where row-tile partial sums are added.
        public var interconnect: Topology
        public var partialSumReduction: Reduction
        public var layerBufferInferences: Int
        public var hostInputBits: Int
        public var hostResultBytes: Int
        public var unusedTileSites: UnusedSites
        /// Used units between tasks: leaking, or power-gated (leak only while busy).
        public var idleUnits: UnusedSites
        public var tileSquareMillimeters: Double
        public var learningCoreSquareMillimeters: Double
        /// Distance between neighbouring sites: the square root of a site's area (0: not given).
        public var sitePitchMillimeters: Double { tileSquareMillimeters.squareRoot() }
        /// Bytes of a partial sum at `accumulatorBits`.
        public var accumulatorBytes: Int { (accumulatorBits + 7) / 8 }
    }

    /// Buffers are accessed a word of `accessBytes` at a time.
    public struct Buffers: Sendable, Equatable {
        public var accessBytes: Int
        public var readPicojoulesPerAccess: Double
        public var writePicojoulesPerAccess: Double
        public var nanosecondsPerAccess: Double
        /// Accesses of a transfer of `bytes`: ceil(bytes / accessBytes).
        @inlinable public func accesses(_ bytes: Int) -> Int { (bytes + accessBytes - 1) / accessBytes }
    }

    public struct Interconnect: Sendable, Equatable {
        public var hopPicojoulesPerByte: Double
        public var hostPicojoulesPerByte: Double
        public var nanosecondsPerByte: Double
        public var hopNanoseconds: Double
        /// The repeated wire of an H-tree or bus: energy per switching bit and mm, delay per mm,
        /// and the shares of input and output bits that switch.
        public var wirePicojoulesPerBitMillimeter: Double
        public var wireNanosecondsPerMillimeter: Double
        public var inputWireToggleFraction: Double
        public var outputWireToggleFraction: Double
    }

    /// A layer's digital unit (accumulation, bias, ReLU, normalisation) and the tiles' shift-add.
    public struct Digital: Sendable, Equatable {
        public var lanes: Int
        public var operationNanoseconds: Double
        public var operationPicojoules: Double
        public var accumulatePicojoules: Double
        public var shiftAddPicojoules: Double
        public var shiftAddNanoseconds: Double
        /// A processing element's adder tree: one addition, one level.
        public var adderTreeAddPicojoules: Double
        public var adderTreeLevelNanoseconds: Double
    }

    /// Static power. A tile's is the sum of its components' leaking gates (`leakage.*`, in
    /// minimum-inverter equivalents) x one gate's off-current at the node and flavour x the supply,
    /// plus the lumped `energy.staticMilliwattsPerTile`.
    public struct Leakage: Sendable, Equatable {
        /// One tile's static power, mW: `Σ tileComponents`.
        public var tileMilliwatts: Double
        public var learningCoreMilliwatts: Double
        /// One tile's static power by component, mW, in a fixed order: switchMatrices, columnMux,
        /// adc, shiftAdd, periphery (gates x one inverter's leakage power), lumped.
        public var tileComponents: [Share]

        public struct Share: Sendable, Equatable {
            public var component: String
            public var milliwatts: Double
        }

        init(_ d: HardwareDescription) {
            func n(_ k: String) -> Double { d.number(k) }
            let flavour = LogicTechnology.Flavour(rawValue: d.choice("technology.logicTransistors"))!
            let entry = LogicTechnology.entry(nodeNanometers: n("technology.nodeNanometers"), flavour: flavour)
            let volts = n("technology.supplyVolts")
            // One minimum inverter's leakage power, mW (0 when the node has no entry: then no
            // gates are counted, which the description's consistency check enforces).
            let gate = entry.map { LogicTechnology.inverterLeakageAmperes($0) * volts * 1000 } ?? 0
            let lines = n("crossbar.rows") + n("crossbar.columns")
            let adcsPerTile = (n("crossbar.columns") / n("crossbar.adc.columnsPerADC")).rounded(.up) / n("chip.tilesPerADC")
            let gates = [("switchMatrices", n("leakage.switchMatrixGatesPerLine") * lines),
                         ("columnMux", n("leakage.columnMuxGatesPerTile")),
                         ("adc", n("leakage.gatesPerADC") * adcsPerTile),
                         ("shiftAdd", n("leakage.shiftAddGatesPerADC") * adcsPerTile),
                         ("periphery", n("leakage.peripheryGatesPerTile"))]
            let shares = gates.map { Share(component: $0.0, milliwatts: $0.1 * gate) }
                + [Share(component: "lumped", milliwatts: n("energy.staticMilliwattsPerTile"))]
            tileComponents = shares
            tileMilliwatts = shares.reduce(0) { $0 + $1.milliwatts }
            learningCoreMilliwatts = n("learningCore.energy.staticMilliwattsPerCore")
        }
    }

    public var technology: Technology
    public var cell: Cell
    public var array: Array
    public var dac: DAC
    public var adc: ADC
    public var chip: Chip
    public var buffers: Buffers
    public var interconnect: Interconnect
    public var digital: Digital
    public var leakage: Leakage
    public var learningCore: CoreParameters

    public init(_ d: HardwareDescription) {
        func n(_ k: String) -> Double { d.number(k) }
        func i(_ k: String) -> Int { d.integer(k) }
        technology = Technology(clockGigahertz: n("technology.clockGigahertz"))
        cell = Cell(readVolts: n("crossbar.readVolts"), readPulseNanoseconds: d.readPulseNanoseconds,
                    conductanceMinMicrosiemens: n("crossbar.conductanceMinMicrosiemens"),
                    conductanceMaxMicrosiemens: n("crossbar.conductanceMaxMicrosiemens"), bitsPerCell: i("crossbar.bitsPerCell"))
        array = Array(rows: i("crossbar.rows"), columns: i("crossbar.columns"), rowsPerRead: i("crossbar.rowsPerRead"),
                      weightBits: i("crossbar.weightBits"), weightSlices: d.weightSlices,
                      weightEncoding: WeightEncoding(rawValue: d.choice("crossbar.weightEncoding"))!,
                      rowDriveSettleNanoseconds: n("timing.rowDriveSettleNanoseconds"), rowDriverFemtojoules: d.rowDriverFemtojoules,
                      switchMatrixFemtojoules: n("energy.switchMatrixFemtojoules"), columnMuxFemtojoules: n("energy.columnMuxFemtojoules"),
                      rowRegisterFemtojoules: n("energy.rowRegisterFemtojoules"))
        dac = DAC(inputBits: i("crossbar.dac.inputBits"), scheme: DACScheme(rawValue: d.choice("crossbar.dac.scheme"))!,
                  inputScaling: InputScaling(rawValue: d.choice("crossbar.dac.inputScaling"))!)
        adc = ADC(bits: i("crossbar.adc.bits"), columnsPerADC: i("crossbar.adc.columnsPerADC"),
                  conversionNanoseconds: d.adcConversionNanoseconds, sampleAndHold: d.flag("crossbar.adc.sampleAndHold"),
                  conversionPicojoules: d.adcConversionPicojoules,
                  perArray: (i("crossbar.columns") + i("crossbar.adc.columnsPerADC") - 1) / i("crossbar.adc.columnsPerADC"))
        chip = Chip(tileSites: i("chip.tileSites"), tileSitesPerRow: i("chip.tileSitesPerRow"), tilesPerADC: i("chip.tilesPerADC"),
                    accumulatorBits: i("chip.accumulatorBits"), inputDelivery: InputDelivery(rawValue: d.choice("chip.inputDelivery"))!,
                    interconnect: Topology(rawValue: d.choice("chip.interconnect"))!,
                    partialSumReduction: Reduction(rawValue: d.choice("chip.partialSumReduction"))!,
                    layerBufferInferences: i("chip.layerBufferInferences"),
                    hostInputBits: i("chip.hostInputBits"), hostResultBytes: i("chip.hostResultBytes"),
                    unusedTileSites: UnusedSites(rawValue: d.choice("chip.unusedTileSites"))!,
                    idleUnits: UnusedSites(rawValue: d.choice("chip.idleUnits"))!,
                    tileSquareMillimeters: n("area.tileSquareMillimeters"), learningCoreSquareMillimeters: n("area.learningCoreSquareMillimeters"))
        buffers = Buffers(accessBytes: i("chip.bufferAccessBytes"), readPicojoulesPerAccess: n("energy.bufferReadPicojoulesPerAccess"),
                          writePicojoulesPerAccess: n("energy.bufferWritePicojoulesPerAccess"), nanosecondsPerAccess: n("timing.bufferNanosecondsPerAccess"))
        interconnect = Interconnect(hopPicojoulesPerByte: n("energy.networkHopPicojoulesPerByte"), hostPicojoulesPerByte: n("energy.hostPicojoulesPerByte"),
                                    nanosecondsPerByte: n("timing.networkNanosecondsPerByte"), hopNanoseconds: n("timing.networkHopNanoseconds"),
                                    wirePicojoulesPerBitMillimeter: n("energy.wirePicojoulesPerBitMillimeter"),
                                    wireNanosecondsPerMillimeter: n("timing.wireNanosecondsPerMillimeter"),
                                    inputWireToggleFraction: n("energy.inputWireToggleFraction"),
                                    outputWireToggleFraction: n("energy.outputWireToggleFraction"))
        digital = Digital(lanes: i("chip.digitalLanes"), operationNanoseconds: n("timing.normalizationOperationNanoseconds"),
                          operationPicojoules: n("energy.normalizationOperationPicojoules"), accumulatePicojoules: n("energy.accumulatePicojoules"),
                          shiftAddPicojoules: n("energy.shiftAddPicojoules"), shiftAddNanoseconds: n("timing.shiftAddNanoseconds"),
                          adderTreeAddPicojoules: n("energy.adderTreeAddPicojoules"), adderTreeLevelNanoseconds: n("timing.adderTreeLevelNanoseconds"))
        leakage = Leakage(d)
        learningCore = CoreParameters(d)
    }

    /// Whole cycles covering `nanoseconds` (rounded up): a clocked unit's time.
    @inlinable public func cycles(_ nanoseconds: Double) -> Int64 { Int64((nanoseconds * technology.clockGigahertz).rounded(.up)) }

    /// The simulator's one time base: ticks of a picosecond. A clocked unit's task takes whole
    /// cycles (`clockTicks`); the learning core is asynchronous (DYNAP-SE2 has no clock), so its
    /// tasks take their nanoseconds to the nearest picosecond (`ticks`).
    public static let ticksPerNanosecond = 1000.0
    /// Ticks of one clock cycle (1000 / clockGigahertz, to the nearest picosecond).
    @inlinable public var ticksPerCycle: Int64 { Int64((HardwareModel.ticksPerNanosecond / technology.clockGigahertz).rounded()) }
    @inlinable public func clockTicks(_ nanoseconds: Double) -> Int64 { cycles(nanoseconds) * ticksPerCycle }
    @inlinable public func ticks(_ nanoseconds: Double) -> Int64 { Int64((nanoseconds * HardwareModel.ticksPerNanosecond).rounded()) }
    /// Cycles of `ticks`, and nanoseconds.
    @inlinable public func cycles(ticks: Int64) -> Double { Double(ticks) / Double(ticksPerCycle) }
    @inlinable public func nanoseconds(ticks: Int64) -> Double { Double(ticks) / HardwareModel.ticksPerNanosecond }

    /// Nanoseconds of one tile's physical read (one row group and one input bit-plane or
    /// multi-bit pass, every weight slice) when each of its ADCs converts `steps` times (its
    /// column-mux steps, times the tiles sharing the bank): the rows are driven and settle, then
    /// per mux step the read pulse and a conversion. With sample-and-hold a conversion overlaps
    /// the next step's pulse:
    ///
    ///     settle + pulse + (steps - 1) max(pulse, convert) + convert     (sample-and-hold)
    ///     settle + steps (pulse + convert)                                (otherwise)
    public func tileReadNanoseconds(conversionsPerADC steps: Int) -> Double {
        guard steps > 0 else { return 0 }
        let pulse = cell.readPulseNanoseconds, convert = adc.conversionNanoseconds, s = Double(steps)
        if adc.sampleAndHold { return array.rowDriveSettleNanoseconds + pulse + (s - 1) * max(pulse, convert) + convert }
        return array.rowDriveSettleNanoseconds + s * (pulse + convert)
    }
}
