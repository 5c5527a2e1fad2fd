import Foundation
import Compiler
import Hardware
import HFF
import Numerics

/// Choices of one simulation run.
public struct RunOptions: Sendable {
    public var chipSeeds = 1
    /// The first chip instance's seed: chips firstChipSeed...firstChipSeed + chipSeeds - 1.
    public var firstChipSeed = 1
    /// Overrides `noise.drift.timeSinceProgrammingSeconds` when set.
    public var timeSinceProgrammingSeconds: Double?
    /// Samples whose events go into the Chrome trace.
    public var traceSamples = 4
    /// Inferences in flight at once in the loaded run (admission control); nil:
    /// `defaultInFlight`.
    public var inFlight: Int?
    public init() {}

    /// Enough inferences to fill every layer's buffers (`chip.layerBufferInferences` places per
    /// layer replica, each holding one pass), plus one at the host and one on the read-out.
    public static func defaultInFlight(_ config: HardwareConfig) -> Int {
        let places = config.taskGraph.layerPlaces(config.layers).reduce(0, +), passes = config.model.passes
        return (places + passes - 1) / passes + 2
    }
}

/// The outcome of `hffsim run`.
public struct RunResult {
    public var samples: Int
    public var floatAccuracy: Double
    public var hardwareAccuracy: [Double]
    public var agreement: [Double]
    /// Per chip, per crossbar layer: the global drift compensation factor it applied (1 without
    /// `noise.drift.globalCompensation`), as aihwkit reports its tiles' alpha.
    public var driftCompensation: [[Double]]
    /// The task graph's units and the ledger summed over every chip's loaded run (`inferences`
    /// of them): actions, busy and stall cycles per unit; energy is these priced by `table`.
    public var units: [TaskGraph.Unit]
    public var ledger: Ledger
    public var table: EnergyTable
    /// Unused tile sites' leakage (mW; 0 when power-gated).
    public var unusedSitesMilliwatts: Double
    public var inferences: Int
    /// Latency of one inference alone on an idle chip (batch 1): mean, min, max over samples, in
    /// clock cycles (the learning core's asynchronous events make them fractional).
    public var latencyCycles: Double
    public var latencyNanoseconds: Double
    public var latencyMinCycles: Double
    public var latencyMaxCycles: Double
    /// The same to the end of the last crossbar layer's stages (the read-out left out): what
    /// NeuroSim calls a chip's latency. Mean over samples, ns.
    public var layersLatencyNanoseconds: Double
    /// Under load (`inFlight` inferences at once): mean cycles from admission to the result.
    public var inFlight: Int
    public var loadedLatencyNanoseconds: Double
    /// Steady-state throughput of the loaded run (fill and drain left out), mean over chips.
    public var throughputInferencesPerSecond: Double
    public var makespanCycles: Double
    /// Per unit: busy and stall cycles and the longest queue in the loaded run of chip 1.
    public var resources: [(name: String, busy: Double, stalls: Double, maxQueue: Int)]
    /// Per layer, loaded run of chip 1: the most inferences (FF: passes) its buffers held at
    /// once, and cycles passes waited for a place (back-pressure).
    public var layerBuffers: [(maxHeld: Int, waitCycles: Double)]
    /// Partial-product multiply-accumulates simulated: weights x slices x input bit-planes (or
    /// multi-bit passes) x passes x inferences x chips.
    public var partialProductMACs: Double
    /// Chip 1's loaded run, from which `Reports` writes trace.json (nil: nothing traced).
    public var trace: TraceRecording?
    public var wallSeconds: Double

    /// The crossbar layers' units (tiles, adder trees, buffers, links, digital units): what
    /// NeuroSim models of a chip (no host link, no learning core).
    public var layerUnits: [Int] { units.indices.filter { units[$0].layer != nil } }

    /// Energy per inference of the crossbar layers' units, leakage included (pJ).
    public var layersPicojoules: Double {
        layerUnits.reduce(0) { $0 + Component.total(unitEnergy($1)) }
    }

    /// Inferences per second the busiest crossbar-layer unit allows when the layers pipeline
    /// (1 / its busy time per inference): the layers' throughput without the read-out.
    public var layersThroughputBoundPerSecond: Double {
        let busiest = layerUnits.map { ledger.busyTicks[$0] }.max() ?? 0
        guard busiest > 0 else { return 0 }
        return Double(inferences) / (Double(busiest) / HardwareModel.ticksPerNanosecond) * 1e9
    }

    public var accuracyMean: Double { hardwareAccuracy.reduce(0, +) / Double(max(1, hardwareAccuracy.count)) }
    public var dropMean: Double { floatAccuracy - accuracyMean }
    public var dropStd: Double {
        let n = Double(hardwareAccuracy.count)
        guard n > 1 else { return 0 }
        let m = accuracyMean
        return (hardwareAccuracy.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot()
    }

    /// Energy per inference (pJ) of unit u: its actions priced, and its leakage over the span
    /// (or over its busy time, when idle units are power-gated).
    public func unitEnergy(_ u: Int) -> [Component: Double] {
        var e = table.price(ledger.actions[u])
        let leak = table.staticPicojoules(units[u], busyTicks: ledger.busyTicks[u], spanTicks: ledger.spanTicks)
        if leak > 0 { e[.static, default: 0] += leak }
        return e.mapValues { $0 / Double(max(1, inferences)) }
    }

    /// The chip's leakage power while powered, uW, by component: the used tiles' switch
    /// matrices, column-mux decoders, ADC logic, shift-add, periphery share and lumped power
    /// (`HardwareModel.Leakage`), the learning cores, and the unused tile sites. In this order.
    public var leakageMicrowattsByComponent: [(component: String, microwatts: Double)] {
        let tiles = Double(units.reduce(0) { $0 + $1.tiles }), cores = Double(units.reduce(0) { $0 + $1.cores })
        let leakage = table.model.leakage
        return leakage.tileComponents.map { ($0.component, tiles * $0.milliwatts * 1000) }
            + [("learningCores", cores * leakage.learningCoreMilliwatts * 1000), ("unusedTileSites", unusedSitesMilliwatts * 1000)]
    }

    /// Energy per inference by component, pJ: every unit's, plus unused sites' leakage.
    public var energyByComponent: [Component: Double] {
        var e = [Component: Double]()
        for u in units.indices { for (k, v) in unitEnergy(u) { e[k, default: 0] += v } }
        let unused = table.staticPicojoules(milliwatts: unusedSitesMilliwatts, ticks: ledger.spanTicks) / Double(max(1, inferences))
        if unused > 0 { e[.static, default: 0] += unused }
        return e
    }

    /// Energy per inference by layer (units of that layer), then the read-out (the learning
    /// core), then the chip (host link, unused sites), pJ.
    public var energyByLayer: [[Component: Double]] {
        let layers = (units.compactMap(\.layer).max() ?? -1) + 1
        var out = [[Component: Double]](repeating: [:], count: layers + 2)
        for u in units.indices {
            let row = units[u].layer ?? (units[u].kind == .core ? layers : layers + 1)
            for (k, v) in unitEnergy(u) { out[row][k, default: 0] += v }
        }
        let unused = table.staticPicojoules(milliwatts: unusedSitesMilliwatts, ticks: ledger.spanTicks) / Double(max(1, inferences))
        if unused > 0 { out[layers + 1][.static, default: 0] += unused }
        return out
    }

    /// Per crossbar layer, then the read-out (when there is a learning core): the busy time per
    /// inference of its busiest unit, ns. This is the stage time a layer pipeline is limited by
    /// (throughput is at most 1 / the largest); one inference alone spends at least this long there.
    public var layerBusiestUnitNanoseconds: [Double] {
        let layers = (units.compactMap(\.layer).max() ?? -1) + 1
        var out = [Double](repeating: 0, count: layers + (units.contains { $0.kind == .core } ? 1 : 0))
        for u in units.indices {
            guard let row = units[u].layer ?? (units[u].kind == .core ? layers : nil) else { continue }
            out[row] = max(out[row], Double(ledger.busyTicks[u]) / HardwareModel.ticksPerNanosecond / Double(max(1, inferences)))
        }
        return out
    }

    /// Actions per inference of layer l's units (nil: every unit).
    public func actions(layer l: Int?) -> ActionRecord {
        var r = ActionRecord()
        for u in units.indices where l == nil || units[u].layer == l { r += ledger.actions[u] }
        r.counts = r.counts.map { $0 / Double(max(1, inferences)) }
        return r
    }

    public var energyPerInferencePicojoules: Double { Component.total(energyByComponent) }
}

/// The simulation of a hardware config on a dataset: the functional model of every chip
/// instance (noise, quantisation, the read-out) and the config's task graph on the event engine
/// (transaction-level: each task's duration follows from the actions it records).
public enum Simulation {
    /// Runs `raw` (rows: samples, unstandardised features) with `labels` through `config` on
    /// `options.chipSeeds` chip instances. `model` is the float model the config was compiled from.
    public static func run(config: HardwareConfig, model: Model, raw: Matrix, labels: [Int], options: RunOptions,
                           progress: ((String, Double) -> Void)? = nil) throws -> RunResult {
        let start = Date()
        let lowered = LoweredModel(model)
        var hardware = config.hardware
        if let t = options.timeSinceProgrammingSeconds {
            hardware = try hardware.overriding(["noise.drift.timeSinceProgrammingSeconds=\(t)"])
        }
        let cost = HardwareModel(hardware)
        let table = EnergyTable(cost)
        let n = raw.rows
        let floatPredictions = Kernels.argmaxRows(lowered.scores(raw))
        let floatAccuracy = Kernels.accuracy(floatPredictions, labels)
        let graph = config.taskGraph
        let inFlight = options.inFlight ?? RunOptions.defaultInFlight(config)
        var accuracies = [Double](), agreements = [Double](), compensations = [[Double]]()
        var ledger = Ledger(units: graph.units.count)
        var latencies = [Int64](), layerLatencies = [Int64](), loadedLatency = 0.0
        var throughput = 0.0, makespan: Int64 = 0
        var resources = [(name: String, busy: Double, stalls: Double, maxQueue: Int)]()
        var layerBuffers = [(maxHeld: Int, waitCycles: Double)]()
        var trace: TraceRecording?
        var macs = 0.0
        var pending: ChipTiming?, pendingSeed = 0
        // Chip 1's work and timing: a later chip whose functional run gave exactly the same work
        // (every stage's reads, every read-out's events; a chip without noise) has the same
        // timing, and reuses it.
        var first: (activity: [[[GroupActivity]]], payloads: [Matrix]?, timing: ChipTiming)?
        let chips = Double(options.chipSeeds)
        func combine(_ t: ChipTiming, seed: Int) {
            let run = t.run!
            latencies += t.alone
            layerLatencies += t.aloneLayers
            ledger += run.ledger
            makespan = max(makespan, run.makespan)
            throughput += run.steadyStateInferencesPerTick * HardwareModel.ticksPerNanosecond * 1e9 / chips
            loadedLatency += cost.nanoseconds(ticks: run.latencies.reduce(0, +)) / Double(max(1, n)) / chips
            guard seed == options.firstChipSeed else { return }
            resources = graph.units.indices.map {
                (graph.units[$0].name, cost.cycles(ticks: run.ledger.busyTicks[$0]), cost.cycles(ticks: run.ledger.stallTicks[$0]), run.ledger.maxQueue[$0])
            }
            layerBuffers = zip(run.layerMaxHeld, run.layerWaitTicks).map { ($0, cost.cycles(ticks: $1)) }
            trace = TraceRecording(run: run, graph: graph, executor: t.executor, table: table,
                                   unusedSitesMilliwatts: table.unusedSitesMilliwatts(usedTiles: config.resources.tiles))
        }
        // A chip whose functional run fails lets the previous chip's timing finish first, so no
        // thread outlives the call.
        defer { pending?.wait() }
        for seed in options.firstChipSeed..<(options.firstChipSeed + options.chipSeeds) {
            let chip = Double(seed - options.firstChipSeed)
            progress?("chip \(seed) of \(options.chipSeeds): programming", chip / chips)
            let (predictions, activity, core, compensation) = try functionalRun(config: config, lowered: lowered, hardware: hardware, raw: raw, seed: seed) { pass, layer in
                progress?("chip \(seed) of \(options.chipSeeds): pass \(pass + 1) of \(lowered.passes), layer \(layer + 1) of \(config.layers.count)",
                          (chip + (Double(pass) + Double(layer + 1) / Double(config.layers.count)) / Double(lowered.passes)) / chips)
            }
            accuracies.append(Kernels.accuracy(predictions, labels))
            compensations.append(compensation)
            agreements.append(Double(zip(predictions, floatPredictions).filter { $0 == $1 }.count) / Double(max(1, n)))
            // The task graph of this chip runs in the background while the next chip's
            // functional run goes on (one chip's timing at a time; combined in seed order).
            pending?.wait()
            if let p = pending { combine(p, seed: pendingSeed) }
            pending = nil
            if let f = first, f.activity == activity, f.payloads == core?.payloads {
                combine(f.timing, seed: seed)
            } else {
                let executor = Executor(config: config, model: cost, activity: activity, core: core)
                pending = ChipTiming.start(executor: executor, samples: n, inFlight: inFlight,
                                           traceSamples: seed == options.firstChipSeed ? min(options.traceSamples, n) : 0)
                pendingSeed = seed
                if seed == options.firstChipSeed { first = (activity, core?.payloads, pending!) }
            }
            // Partial products: every weight slice times every input bit-plane (or multi-bit
            // pass), per pass and inference, as the functional model computes them.
            for layer in config.layers {
                macs += Double(layer.inputs * layer.outputs * layer.positions * layer.slices * cost.dac.planes * lowered.passes * n)
            }
        }
        pending?.wait()
        if let p = pending { combine(p, seed: pendingSeed) }
        let meanLatency = Double(latencies.reduce(0, +)) / Double(max(1, latencies.count))  // ticks
        return RunResult(samples: n, floatAccuracy: floatAccuracy, hardwareAccuracy: accuracies, agreement: agreements,
                         driftCompensation: compensations,
                         units: graph.units, ledger: ledger, table: table,
                         unusedSitesMilliwatts: table.unusedSitesMilliwatts(usedTiles: config.resources.tiles), inferences: n * options.chipSeeds,
                         latencyCycles: meanLatency / Double(cost.ticksPerCycle), latencyNanoseconds: meanLatency / HardwareModel.ticksPerNanosecond,
                         latencyMinCycles: cost.cycles(ticks: latencies.min() ?? 0), latencyMaxCycles: cost.cycles(ticks: latencies.max() ?? 0),
                         layersLatencyNanoseconds: Double(layerLatencies.reduce(0, +)) / Double(max(1, layerLatencies.count)) / HardwareModel.ticksPerNanosecond,
                         inFlight: inFlight, loadedLatencyNanoseconds: loadedLatency,
                         throughputInferencesPerSecond: throughput, makespanCycles: cost.cycles(ticks: makespan), resources: resources, layerBuffers: layerBuffers,
                         partialProductMACs: macs, trace: trace, wallSeconds: Date().timeIntervalSince(start))
    }

    /// One chip instance (`seed`) programmed from the config and run on `raw`, pass by pass (FF:
    /// one per candidate label): the predictions, what every row group's reads did per pass and
    /// layer (samples x groups), and the read-out on the learning core (HFF).
    static func functionalRun(config: HardwareConfig, lowered: LoweredModel, hardware: HardwareDescription, raw: Matrix, seed: Int,
                              progress: (Int, Int) -> Void) throws
        -> (predictions: [Int], activity: [[[GroupActivity]]], core: LearningCore.Inference?, compensation: [Double]) {
        let n = raw.rows
        var crossbars = [CrossbarLayer]()
        for (l, layer) in config.layers.enumerated() {
            let t = config.tensors.layers[l]
            var c = try CrossbarLayer(codes: t.codes, inputs: layer.inputs, outputs: layer.outputs, columnScales: t.columnScales,
                                      hardware: hardware, seed: UInt64(seed) &* 1_000_003 &+ UInt64(l), signedInputs: layer.signedInput)
            if !t.adcRanges.isEmpty { try c.setADCRanges(t.adcRanges, file: config.model.file) }
            if let s = t.inputScale { try c.setInputScale(s, file: config.model.file) }
            crossbars.append(c)
        }
        let compensation = crossbars.map { Double($0.driftCompensation) }
        var rng = SeededRandom(seed: UInt64(seed) &* 7919)
        var activity = [[[GroupActivity]]]()
        var readoutInputs = [Matrix]()
        var goodness = Matrix(rows: n, cols: lowered.classCount)
        var last = Matrix(rows: 0, cols: 0)
        for pass in 0..<lowered.passes {
            var x = lowered.algorithm == .ff ? lowered.variant(raw, label: pass) : raw
            var passActivity = [[GroupActivity]]()
            for (l, crossbar) in crossbars.enumerated() {
                if lowered.layers[l].convolution != nil {
                    let (groups, next, readout) = convLayer(l, crossbar: crossbar, lowered: lowered, input: x, rng: &rng)
                    passActivity.append(groups)
                    x = next
                    if lowered.algorithm == .hff && lowered.readoutLayers.contains(l) { readoutInputs.append(readout) }
                    progress(pass, l)
                    continue
                }
                var groups = [GroupActivity](repeating: GroupActivity(), count: n * crossbar.groupCount)
                var counts = ActionCounts()
                let y = groups.withUnsafeMutableBufferPointer { crossbar.forward(x, rng: &rng, counts: &counts, activity: $0.baseAddress!) }
                passActivity.append(groups)
                x = lowered.finish(layer: l, product: y, scale: lowered.inputScale(layer: l, input: x))
                if lowered.algorithm == .hff && lowered.readoutLayers.contains(l) { readoutInputs.append(x) }
                if lowered.algorithm == .ff {
                    let g = FFMath.goodness(x)
                    for i in 0..<n { goodness[i, pass] += g[i] }
                }
                progress(pass, l)
            }
            activity.append(passActivity)
            last = x
        }
        switch lowered.algorithm {
        case .hff:
            let mapping = config.learningCore!
            let chip = try LearningCore(parameters: CoreParameters(hardware), placement: try mapping.placement(file: config.model.file),
                                        levels: config.tensors.readoutLevels, units: config.tensors.readoutUnits, seed: UInt64(seed))
            let r = chip.infer(readoutInputs, readout: lowered.readout!)
            return (r.predictions, activity, r, compensation)
        case .ff:
            return (Kernels.argmaxRows(goodness), activity, nil, compensation)
        case .backprop:
            return (Kernels.argmaxRows(last), activity, nil, compensation)
        }
    }
}

extension Simulation {
    /// Patch rows per crossbar call of a conv layer: samples go in chunks of about this many
    /// patches, so the patches of 10,000 images are never held at once.
    static let convChunkPatches = 16_384

    /// Conv layer l of one chip on x (samples x its input map): the samples in chunks, each
    /// chunk's patches through the crossbar (each patch, one input vector, scaled for the DAC by
    /// its own largest |value| under `crossbar.dac.inputScaling` per-sample, as aihwkit's
    /// noise management scales every MVM of an unfolded convolution), then the digital finish (`LoweredModel.apply`). The activity comes back per sample, output row
    /// and row group, each the sum over the row's positions: what the task graph's per-row
    /// stages read.
    static func convLayer(_ l: Int, crossbar: CrossbarLayer, lowered: LoweredModel, input x: Matrix, rng: inout SeededRandom)
        -> (activity: [GroupActivity], next: Matrix, readout: Matrix) {
        let layer = lowered.layers[l], g = layer.convolution!.geometry
        let n = x.rows, p = g.positions, rows = g.convOutput.height, width = g.convOutput.width, groups = crossbar.groupCount
        var activity = [GroupActivity](repeating: GroupActivity(), count: n * rows * groups)
        var next = Matrix(rows: n, cols: layer.outputValues), readout = Matrix(rows: n, cols: layer.readoutValues)
        let chunk = max(1, convChunkPatches / p)
        var start = 0
        while start < n {
            let end = min(n, start + chunk), m = end - start
            let xc = x.rows(start..<end)
            var positions = [GroupActivity](repeating: GroupActivity(), count: m * p * groups)
            var counts = ActionCounts()
            let r = lowered.apply(layer: l, input: xc) { patches in
                positions.withUnsafeMutableBufferPointer {
                    crossbar.forward(patches, rng: &rng, counts: &counts, activity: $0.baseAddress!)
                }
            }
            for i in 0..<m {
                for q in 0..<p {
                    let to = ((start + i) * rows + q / width) * groups, from = (i * p + q) * groups
                    for k in 0..<groups {
                        activity[to + k].reads += positions[from + k].reads
                        activity[to + k].rowActivations += positions[from + k].rowActivations
                        activity[to + k].conductanceMicrosiemens += positions[from + k].conductanceMicrosiemens
                    }
                }
                for j in 0..<r.next.cols { next[start + i, j] = r.next[i, j] }
                for j in 0..<r.readout.cols { readout[start + i, j] = r.readout[i, j] }
            }
            start = end
        }
        return (activity, next, readout)
    }
}

/// One chip's task graph on the event engine, run in the background: the batch-1 latency of
/// every inference alone on one thread, all of them under load on another. With a learning
/// core, the batch-1 thread builds each read-out's core program once and hands it to the loaded
/// pass in sample order (`OrderedChannel`).
final class ChipTiming {
    let executor: Executor
    private(set) var run: Executor.Loaded?
    /// Per inference alone: ticks to its last task, and to its last crossbar-layer stage.
    private(set) var alone = [Int64]()
    private(set) var aloneLayers = [Int64]()
    private let group = DispatchGroup()

    private init(executor: Executor) {
        self.executor = executor
    }

    static func start(executor: Executor, samples n: Int, inFlight: Int, traceSamples: Int) -> ChipTiming {
        let t = ChipTiming(executor: executor)
        // Threads of their own, not the shared pool (which the next chip's functional run uses):
        // the loaded pass waits for its programs.
        t.group.enter()
        t.group.enter()
        if executor.core != nil {
            let channel = OrderedChannel<Executor.CoreWork>(capacity: 64)
            Thread {
                defer { t.group.leave() }
                var latencies = [Int64](), layers = [Int64]()
                latencies.reserveCapacity(n)
                layers.reserveCapacity(n)
                var engine = EventEngine(template: executor.template)
                for i in 0..<n {
                    let work = executor.coreWork(i)!
                    let times = executor.unloadedTimes(i, work: work, on: &engine)
                    latencies.append(times.all)
                    layers.append(times.layers)
                    channel.put(work)
                }
                t.alone = latencies
                t.aloneLayers = layers
            }.start()
            Thread {
                defer { t.group.leave() }
                t.run = executor.loaded(samples: n, inFlight: inFlight, traceSamples: traceSamples, work: { channel.take($0) })
            }.start()
        } else {
            Thread {
                defer { t.group.leave() }
                let times = executor.unloadedLatencies(samples: n)
                t.alone = times.map(\.all)
                t.aloneLayers = times.map(\.layers)
            }.start()
            Thread {
                defer { t.group.leave() }
                t.run = executor.loaded(samples: n, inFlight: inFlight, traceSamples: traceSamples)
            }.start()
        }
        return t
    }

    func wait() { group.wait() }
}
