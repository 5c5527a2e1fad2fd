import Compiler
import Hardware
import Numerics

/// Runs the config's task graph on the event engine: every stage of every inference becomes a
/// task whose duration is a function of the actions it records (`cost`), and those records are
/// the ledger that energy is priced from.
///
/// Durations, in ticks of the engine's one clock (a picosecond; a clocked unit's tasks take whole
/// cycles, rounded up from ns):
/// - host link: bytes x `timing.networkNanosecondsPerByte`;
/// - buffer: (accesses read + written, each `chip.bufferAccessBytes` wide) x `timing.bufferNanosecondsPerAccess`;
/// - link: bytes x `timing.networkNanosecondsPerByte` holding the port, then the farthest hops x
///   `timing.networkHopNanoseconds` (mesh) or the longest wire x `timing.wireNanosecondsPerMillimeter`
///   (H-tree) of delay (the port is free, the data still travels);
/// - adder trees: the busiest processing element's inputs arriving (its bytes x
///   `timing.networkNanosecondsPerByte` and the farthest hop or wire delay), then its levels x
///   `timing.adderTreeLevelNanoseconds`;
/// - row tile: its physical reads x `HardwareModel.tileReadNanoseconds` of its busiest ADC's
///   conversions, plus one shift-add;
/// - digital unit: ceil(operations / lanes) x `timing.normalizationOperationNanoseconds`;
/// - read-out (HFF): expanded per sample into the learning core's events (`CoreProgram`), each a
///   task on the core's units, asynchronous (its nanoseconds to the nearest picosecond), released
///   over the core's mesh a hop delay after the task that sent it.
struct Executor {
    let graph: TaskGraph
    let model: HardwareModel
    let template: EventEngine.Template
    /// [pass][layer]: samples x row groups (a conv layer: samples x output rows x row groups,
    /// each the sum over the row's positions).
    let activity: [[[GroupActivity]]]
    let groupCount: [Int]
    /// Per layer: activity records per sample (a conv layer's output rows, else 1).
    let streams: [Int]
    let core: LearningCore.Inference?

    init(config: HardwareConfig, model: HardwareModel, activity: [[[GroupActivity]]], core: LearningCore.Inference?) {
        graph = config.taskGraph
        self.model = model
        self.activity = activity
        self.core = core
        groupCount = config.layers.map { ($0.inputs + model.array.rowsPerRead - 1) / model.array.rowsPerRead }
        streams = config.layers.map { $0.conv?.convOutput.height ?? 1 }
        template = EventEngine.Template(dependsOn: graph.stages.map(\.dependsOn), final: graph.final, units: graph.units.count,
                                        gate: graph.stages.map { $0.entersLayer ?? -1 }, handoff: graph.stages.map { $0.handsOffLayer ?? -1 },
                                        exit: graph.stages.map { $0.exitsLayer ?? -1 },
                                        capacity: graph.layerPlaces(config.layers))
    }

    /// Stage s of inference i: its duration and delay (ticks) and its actions (the read-out's are
    /// its expansion's: `coreExpansion`).
    func cost(stage s: TaskGraph.Stage, sample i: Int) -> (duration: Int64, delay: Int64, record: ActionRecord) {
        var r = ActionRecord()
        let a = s.actions
        switch s.kind {
        case .hostInput, .result:
            r[.hostBytes] = Double(a.hostBytes)
            r[.bufferWriteBytes] = Double(a.bufferWriteBytes)
            return (model.clockTicks(Double(a.hostBytes) * model.interconnect.nanosecondsPerByte), 0, r)
        case .overlay, .inputBuffer, .partialBuffer, .lineBuffer:
            r[.bufferReadBytes] = Double(a.bufferReadBytes)
            r[.bufferWriteBytes] = Double(a.bufferWriteBytes)
            r[.bufferReadAccesses] = Double(a.bufferReadAccesses)
            r[.bufferWriteAccesses] = Double(a.bufferWriteAccesses)
            return (model.clockTicks(Double(a.bufferReadAccesses + a.bufferWriteAccesses) * model.buffers.nanosecondsPerAccess), 0, r)
        case .distribute, .gather, .activations:
            r[.linkBytes] = Double(a.linkBytes)
            r[.linkByteHops] = Double(a.linkByteHops)
            // A layer's inputs toggle their wires at one rate, what leaves tiles at another.
            r[s.kind == .distribute ? .inputLinkBitMillimeters : .linkBitMillimeters] = a.linkBitMillimeters
            return (model.clockTicks(Double(a.linkBytes) * model.interconnect.nanosecondsPerByte), model.clockTicks(travelNanoseconds(a)), r)
        case .reduce:
            // The other row tiles' partial sums arrive (each element on its own wires), then
            // the trees add them.
            r[.adderTreeAdds] = Double(a.adderTreeAdds)
            r[.linkBytes] = Double(a.linkBytes)
            r[.linkByteHops] = Double(a.linkByteHops)
            r[.linkBitMillimeters] = a.linkBitMillimeters
            let arrive = Double(a.peakPortBytes) * model.interconnect.nanosecondsPerByte + travelNanoseconds(a)
            return (model.clockTicks(arrive + Double(a.adderTreeLevels) * model.digital.adderTreeLevelNanoseconds), 0, r)
        case .tileReads:
            let t = s.tileRead!, l = s.layer!
            var reads = 0, rows = 0
            var conductance = 0.0
            let g = groupCount[l]
            let act = activity[s.pass ?? 0][l]
            let base = (i * streams[l] + (s.outputRow ?? 0)) * g
            for k in t.groups[0]..<t.groups[1] {
                let x = act[base + k]
                reads += Int(x.reads); rows += Int(x.rowActivations); conductance += Double(x.conductanceMicrosiemens)
            }
            // Every array of the row tile drives its own copy of each row (word line, driver,
            // switch matrix), and clocks its switch matrix's row registers once per read.
            r[.tileReads] = Double(reads)
            r[.arrayReads] = Double(reads * t.arrays)
            r[.rowActivations] = Double(rows * t.arrays)
            r[.switchMatrixToggles] = Double(rows * t.arrays)
            r[.columnMuxSelections] = Double(reads * t.conversionsPerRead)
            r[.cellReads] = Double(rows * t.cellsPerRow)
            r[.cellMicrosiemensNanoseconds] = conductance * model.cell.readPulseNanoseconds
            r[.adcConversions] = Double(reads * t.conversionsPerRead)
            r[.shiftAdds] = Double(reads * t.shiftAddsPerRead)
            let ns = reads > 0 ? Double(reads) * model.tileReadNanoseconds(conversionsPerADC: t.conversionsPerADC) + model.digital.shiftAddNanoseconds : 0
            return (model.clockTicks(ns), 0, r)
        case .inputScaling, .accumulateFinish, .goodness, .argmax, .pool:
            r[.accumulations] = Double(a.accumulations)
            r[.digitalOperations] = Double(a.operations)
            let steps = (Double(a.accumulations + a.operations) / Double(model.digital.lanes)).rounded(.up)
            return (model.clockTicks(steps * model.digital.operationNanoseconds), 0, r)
        case .readout:
            return (0, 0, r)
        }
    }

    /// How long a transfer's data travels after leaving its port: the farthest hops (mesh) or
    /// the longest wire (H-tree).
    func travelNanoseconds(_ a: TaskGraph.Actions) -> Double {
        Double(a.linkHops) * model.interconnect.hopNanoseconds + a.linkMillimeters * model.interconnect.wireNanosecondsPerMillimeter
    }

    /// The read-out of inference i as the core's events: the engine's expansion of `stage`, and
    /// the program it came from (its tasks' actions and names).
    func coreExpansion(stage: Int, sample i: Int) -> (EventEngine.Expansion, CoreProgram)? {
        guard let core, let u = graph.learningCore else { return nil }
        let program = core.program(sample: i)
        let cores = Int32(u.cores.count)
        let x = EventEngine.Expansion(program, anchor: stage, ticks: model.ticks) {
            Int32($0 < cores ? u.cores[Int($0)] : $0 == cores ? u.winnerTakeAll : u.source)
        }
        return (x, program)
    }

    /// Inference i's read-out as core events (nil without a learning core): what `admit` takes.
    typealias CoreWork = (EventEngine.Expansion, CoreProgram)
    func coreWork(_ i: Int) -> CoreWork? {
        guard let s = graph.stages.first(where: { $0.kind == .readout }) else { return nil }
        return coreExpansion(stage: s.index, sample: i)
    }

    /// Admits inference i, its read-out expanded into `work` (built when nil); with `record`,
    /// records its actions per unit in `ledger`.
    func admit(_ i: Int, to engine: inout EventEngine, ledger: inout Ledger, record recording: Bool, work: CoreWork? = nil) {
        let n = graph.stages.count
        var durations = [Int64](repeating: 0, count: n), delays = durations
        var units = [Int32](repeating: -1, count: n)
        var expansion: EventEngine.Expansion?
        for s in graph.stages {
            if s.kind == .readout, let (x, program) = work ?? coreExpansion(stage: s.index, sample: i) {
                expansion = x
                if recording { record(program, units: x.units, into: &ledger) }
                continue
            }
            let (d, delay, record) = cost(stage: s, sample: i)
            let u = s.units[i % s.units.count]
            durations[s.index] = d; delays[s.index] = delay; units[s.index] = Int32(u)
            if recording { ledger.actions[u] += record }
        }
        engine.admit(sample: i, durations: durations, delays: delays, units: units, expansion: expansion)
    }

    /// The core program's actions, each on the unit of the task that performed it.
    func record(_ program: CoreProgram, units: [Int32], into ledger: inout Ledger) {
        for (k, t) in program.tasks.enumerated() {
            let c = t.counts
            ledger.actions[Int(units[k])].add(c)
        }
    }

    /// Inference i alone on an idle chip: its latency in ticks.
    func unloadedLatency(_ i: Int, work: CoreWork? = nil) -> Int64 {
        var engine = EventEngine(template: template)
        return unloadedLatency(i, work: work, on: &engine)
    }

    /// The same on `engine`, which must be idle: an idle engine at time t runs an inference as
    /// a fresh one would at 0, shifted by t (nothing held, nothing queued, ties still in order),
    /// so one engine serves every inference in turn without allocating again.
    func unloadedLatency(_ i: Int, work: CoreWork? = nil, on engine: inout EventEngine) -> Int64 {
        unloadedTimes(i, work: work, on: &engine).all
    }

    /// Inference i alone on the idle `engine`: ticks to its last task, and to the end of its
    /// last crossbar-layer stage (the read-out on the learning core left out).
    func unloadedTimes(_ i: Int, work: CoreWork? = nil, on engine: inout EventEngine) -> (all: Int64, layers: Int64) {
        let admitted = engine.now
        var none = Ledger(units: 0)
        admit(i, to: &engine, ledger: &none, record: false, work: work)
        var end = admitted, layers = admitted
        while let c = engine.next() {
            end = c.end
            if c.stage < graph.stages.count, graph.stages[c.stage].layer != nil { layers = max(layers, c.end) }
        }
        return (end - admitted, layers - admitted)
    }

    /// Every inference 0..<n alone, one after another on one idle engine: latencies in ticks.
    func unloadedLatencies(samples n: Int) -> [(all: Int64, layers: Int64)] {
        var engine = EventEngine(template: template)
        return (0..<n).map { unloadedTimes($0, on: &engine) }
    }

    /// What a loaded run measured.
    struct Loaded {
        var ledger: Ledger
        /// Per inference: ticks from admission to its last task.
        var latencies: [Int64]
        /// Completion times in order.
        var completions: [Int64]
        var makespan: Int64
        /// Every task of the first `traceSamples` inferences, and of any other that ran on a
        /// unit while they were in flight.
        var traced: [EventEngine.Completion]
        /// Whether `traced` stopped at `Trace.maxCompletions` (the trace then says it is cut).
        var tracedTruncated = false
        /// Per layer: the most inferences (FF: passes) its buffers held at once, and the ticks
        /// passes waited at its gate for a place.
        var layerMaxHeld: [Int]
        var layerWaitTicks: [Int64]
    }

    /// Inferences 0..<n, at most `inFlight` at once: the next is admitted when one completes.
    /// `work(i)` hands over inference i's read-out when another thread built it (in order).
    func loaded(samples n: Int, inFlight: Int, traceSamples: Int, work: ((Int) -> CoreWork?)? = nil) -> Loaded {
        var engine = EventEngine(template: template)
        var ledger = Ledger(units: graph.units.count)
        var admitted = [Int64](repeating: 0, count: n), latencies = admitted
        var completions = [Int64]()
        completions.reserveCapacity(n)
        var traced = [EventEngine.Completion]()
        var traceEnd = Int64.max, tracedDone = 0, truncated = false
        var next = 0
        do {
            while next < min(n, inFlight) { admitted[next] = 0; admit(next, to: &engine, ledger: &ledger, record: true, work: work?(next)); next += 1 }
            while let c = engine.next() {
                if c.start < traceEnd && (c.sample < traceSamples || c.end > c.start) && traceSamples > 0 {
                    if traced.count < Trace.maxCompletions { traced.append(c) } else { truncated = true }
                }
                guard c.stage == graph.final else { continue }
                latencies[c.sample] = c.end - admitted[c.sample]
                completions.append(c.end)
                if c.sample < traceSamples {
                    tracedDone += 1
                    if tracedDone == traceSamples { traceEnd = c.end }
                }
                if next < n {
                    admitted[next] = engine.now
                    admit(next, to: &engine, ledger: &ledger, record: true, work: work?(next))
                    next += 1
                }
            }
        }
        let makespan = completions.last ?? 0
        ledger.busyTicks = engine.unitBusy
        ledger.stallTicks = engine.unitStalls
        ledger.maxQueue = engine.unitMaxQueue
        ledger.spanTicks = makespan
        ledger.inferences = n
        traced = traced.filter { $0.start < traceEnd && ($0.sample < traceSamples || $0.end > $0.start) }
        return Loaded(ledger: ledger, latencies: latencies, completions: completions, makespan: makespan, traced: traced,
                      tracedTruncated: truncated, layerMaxHeld: engine.placeMaxHeld, layerWaitTicks: engine.placeWaits)
    }
}

extension Executor.Loaded {
    /// Inferences per tick at steady state: completions between the first and last tenth of the
    /// run over the time between them (fill and drain left out); the whole run when it is short.
    var steadyStateInferencesPerTick: Double {
        let n = completions.count
        let a = n / 10, b = n - 1 - n / 10
        if n >= 20, completions[b] > completions[a] { return Double(b - a) / Double(completions[b] - completions[a]) }
        return makespan > 0 ? Double(n) / Double(makespan) : 0
    }
}
