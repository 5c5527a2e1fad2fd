import Foundation
import Compiler
import Hardware
import HFF
import Numerics

/// Choices of one simulation run.
public struct RunOptions: Sendable {
    public var chipSeeds = 1
    /// Overrides `noise.drift.timeSinceProgrammingSeconds` when set.
    public var timeSinceProgrammingSeconds: Double?
    /// Samples whose events go into the Chrome trace.
    public var traceSamples = 4
    public init() {}
}

/// Energy categories of the report, in this order.
public enum Component: String, CaseIterable, Sendable {
    case adc, array, dac, digital, network, buffers, learningCore, `static`

    /// The sum of a breakdown in the fixed order of the cases (never a dictionary's order, which
    /// changes from run to run and would change the last bits of the sum).
    public static func total(_ e: [Component: Double], excluding: Component? = nil) -> Double {
        allCases.reduce(0) { $1 == excluding ? $0 : $0 + (e[$1] ?? 0) }
    }

    public var meaning: String {
        switch self {
        case .adc: return "ADC conversions"
        case .array: return "cell reads"
        case .dac: return "row drivers and DACs"
        case .digital: return "shift-add, row-tile accumulation, bias/ReLU/normalisation"
        case .network: return "mesh hops of partial sums and activations"
        case .buffers: return "buffer reads and writes"
        case .learningCore: return "the learning core's events (read-out)"
        case .static: return "static power of tiles and cores over the simulated time"
        }
    }
}

/// The outcome of `hffsim run`.
public struct RunResult {
    public var samples: Int
    public var floatAccuracy: Double
    public var hardwareAccuracy: [Double]
    public var agreement: [Double]
    /// Mean over samples and chips: energy per inference by component and by layer (pJ); the last
    /// layer entry, when present, is the read-out on the learning core.
    public var energyByComponent: [Component: Double]
    public var energyByLayer: [[Component: Double]]
    /// Action counts summed over every inference of every chip (`inferences` of them), per
    /// layer and of the learning core: the energy above is these times the energy table.
    public var countsByLayer: [ActionCounts]
    public var coreCounts: CoreCounts
    public var inferences: Int
    /// Unloaded latency of one inference (mean over samples, cycles) and the streaming throughput.
    public var latencyCycles: Double
    public var latencyNanoseconds: Double
    public var latencyMinCycles: Int64
    public var latencyMaxCycles: Int64
    public var throughputInferencesPerSecond: Double
    public var makespanCycles: Int64
    /// Per resource: name, busy cycles and stall cycles in the streaming run of chip 1.
    public var resources: [(name: String, busy: Int64, stalls: Int64)]
    /// Partial-product multiply-accumulates simulated: weights x slices x input bit-planes (or
    /// multi-bit passes) x passes x inferences x chips.
    public var partialProductMACs: Double
    public var trace: [[String: Any]]
    public var wallSeconds: Double

    public var accuracyMean: Double { hardwareAccuracy.reduce(0, +) / Double(max(1, hardwareAccuracy.count)) }
    public var dropMean: Double { floatAccuracy - accuracyMean }
    public var dropStd: Double {
        let n = Double(hardwareAccuracy.count)
        guard n > 1 else { return 0 }
        let m = accuracyMean
        return (hardwareAccuracy.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot()
    }
    public var energyPerInferencePicojoules: Double { Component.total(energyByComponent) }
}

/// The cycle-level simulation of a hardware config on a dataset.
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
        let n = raw.rows
        let floatScores = lowered.scores(raw)
        let floatPredictions = Kernels.argmaxRows(floatScores)
        let floatAccuracy = Kernels.accuracy(floatPredictions, labels)
        let costs = Costs(config: config, hardware: hardware)
        var accuracies = [Double](), agreements = [Double]()
        var energyByComponent = [Component: Double]()
        var energyByLayer = [[Component: Double]](repeating: [:], count: config.layers.count + (config.learningCore == nil ? 0 : 1))
        var countsByLayer = [ActionCounts](repeating: ActionCounts(), count: config.layers.count)
        var coreTotal = CoreCounts()
        var latencies = [Int64]()
        var throughput = 0.0, makespan: Int64 = 0
        var resources = [(name: String, busy: Int64, stalls: Int64)]()
        var trace = [[String: Any]]()
        var macs = 0.0
        for seed in 1...options.chipSeeds {
            progress?("chip \(seed) of \(options.chipSeeds): programming", Double(seed - 1) / Double(options.chipSeeds))
            // Program the chip instance.
            var crossbars = [CrossbarLayer]()
            for (l, layer) in config.layers.enumerated() {
                let t = config.tensors.layers[l]
                var c = try CrossbarLayer(codes: t.codes, inputs: layer.inputs, outputs: layer.outputs, columnScales: t.columnScales,
                                          hardware: hardware, seed: UInt64(seed) &* 1_000_003 &+ UInt64(l))
                if !t.adcRanges.isEmpty { try c.setADCRanges(t.adcRanges, file: config.model.file) }
                crossbars.append(c)
            }
            // Functional pass with per-sample counts, pass by pass (FF: one per candidate label).
            var rng = SeededRandom(seed: UInt64(seed) &* 7919)
            var perSample = [[ActionCounts]](repeating: [ActionCounts](repeating: ActionCounts(), count: n), count: config.layers.count)
            var groupReads = [[[Int32]]]()  // [pass][layer] n x groups
            var readoutInputs = [Matrix]()
            var goodness = Matrix(rows: n, cols: model.classCount)
            var last = Matrix(rows: 0, cols: 0)
            for pass in 0..<lowered.passes {
                var x = lowered.algorithm == .ff ? lowered.variant(raw, label: pass) : raw
                var passReads = [[Int32]]()
                for (l, crossbar) in crossbars.enumerated() {
                    var reads = [Int32](repeating: 0, count: n * crossbar.groupCount)
                    var counts = ActionCounts()
                    let y = perSample[l].withUnsafeMutableBufferPointer { ps in
                        reads.withUnsafeMutableBufferPointer { rp in
                            crossbar.forward(x, rng: &rng, counts: &counts, perSample: ps.baseAddress!, groupReads: rp.baseAddress!)
                        }
                    }
                    passReads.append(reads)
                    let scale = lowered.inputScale(layer: l, input: x)
                    x = lowered.finish(layer: l, product: y, scale: scale)
                    if lowered.algorithm == .hff && lowered.readoutLayers.contains(l) { readoutInputs.append(x) }
                    if lowered.algorithm == .ff {
                        let g = FFMath.goodness(x)
                        for i in 0..<n { goodness[i, pass] += g[i] }
                    }
                    progress?("chip \(seed) of \(options.chipSeeds): pass \(pass + 1) of \(lowered.passes), layer \(l + 1) of \(crossbars.count)",
                              (Double(seed - 1) + (Double(pass) + Double(l + 1) / Double(crossbars.count)) / Double(lowered.passes)) / Double(options.chipSeeds))
                }
                groupReads.append(passReads)
                last = x
            }
            // The decision: the read-out on the learning core, FF's goodness, or the head.
            var predictions: [Int]
            var core: LearningCore.Inference?
            switch lowered.algorithm {
            case .hff:
                let mapping = config.learningCore!
                let chip = try LearningCore(parameters: CoreParameters(hardware), placement: try mapping.placement(file: config.model.file),
                                            levels: config.tensors.readoutLevels, units: config.tensors.readoutUnits, seed: UInt64(seed))
                let r = chip.infer(readoutInputs, readout: lowered.readout!, traceSamples: seed == 1 ? options.traceSamples : 0)
                predictions = r.predictions
                core = r
            case .ff:
                predictions = Kernels.argmaxRows(goodness)
            case .backprop:
                predictions = Kernels.argmaxRows(last)
            }
            accuracies.append(Kernels.accuracy(predictions, labels))
            agreements.append(Double(zip(predictions, floatPredictions).filter { $0 == $1 }.count) / Double(max(1, n)))
            // Timing: every inference through the event engine, alone (latency) and streaming (throughput).
            let timing = Timing(config: config, hardware: hardware, groupReads: groupReads, coreLatency: core?.latencyNanoseconds, coreOccupancy: core?.occupancyNanoseconds)
            for i in 0..<n {
                var engine = timing.engine()
                timing.addInference(i, to: &engine)
                latencies.append(engine.run())
            }
            var stream = timing.engine()
            for i in 0..<n { timing.addInference(i, to: &stream) }
            let end = stream.run()
            makespan = max(makespan, end)
            throughput += Double(n) / (Double(end) / timing.cyclesPerNanosecond * 1e-9) / Double(options.chipSeeds)
            if seed == 1 {
                resources = timing.resourceNames.indices.map { r in
                    let stalls = stream.tasks.filter { $0.resource == r }.reduce(Int64(0)) { $0 + ($1.start - $1.ready) }
                    return (timing.resourceNames[r], stream.resourceBusy[r], stalls)
                }
                trace = Trace.events(engine: stream, timing: timing, samples: min(options.traceSamples, n), costs: costs,
                                     perSample: perSample, core: core)
            }
            // Energy, per inference, by component and layer.
            let seconds = Double(end) / timing.cyclesPerNanosecond * 1e-9
            for i in 0..<n {
                for l in config.layers.indices {
                    let e = costs.layerEnergy(l, counts: perSample[l][i])
                    for (k, v) in e { energyByLayer[l][k, default: 0] += v; energyByComponent[k, default: 0] += v }
                    countsByLayer[l] += perSample[l][i]
                }
                if let core {
                    let e = core.picojoules[i]
                    energyByLayer[config.layers.count][.learningCore, default: 0] += e
                    energyByComponent[.learningCore, default: 0] += e
                    coreTotal += core.counts[i]
                }
            }
            energyByComponent[.static, default: 0] += costs.staticMilliwatts * seconds * 1e9  // mW x s = mJ -> pJ: 1e9
            // Partial products: every weight slice times every input bit-plane (or multi-bit
            // pass), per pass and inference, as the functional model computes them.
            let planes = Double(hardware.choice("crossbar.dac.scheme") == "bit-serial" ? hardware.integer("crossbar.dac.inputBits") : 1)
            for layer in config.layers {
                macs += Double(layer.inputs * layer.outputs * layer.slices) * planes * Double(lowered.passes) * Double(n)
            }
        }
        // Means per inference.
        let total = Double(n * options.chipSeeds)
        energyByComponent = energyByComponent.mapValues { $0 / total }
        energyByLayer = energyByLayer.map { $0.mapValues { $0 / total } }
        let cyclesPerNs = hardware.number("technology.clockGigahertz")
        let meanLatency = Double(latencies.reduce(0, +)) / Double(max(1, latencies.count))
        return RunResult(samples: n, floatAccuracy: floatAccuracy, hardwareAccuracy: accuracies, agreement: agreements,
                         energyByComponent: energyByComponent, energyByLayer: energyByLayer, countsByLayer: countsByLayer, coreCounts: coreTotal,
                         inferences: n * options.chipSeeds,
                         latencyCycles: meanLatency, latencyNanoseconds: meanLatency / cyclesPerNs,
                         latencyMinCycles: latencies.min() ?? 0, latencyMaxCycles: latencies.max() ?? 0,
                         throughputInferencesPerSecond: throughput, makespanCycles: makespan, resources: resources,
                         partialProductMACs: macs, trace: trace, wallSeconds: Date().timeIntervalSince(start))
    }
}

extension Simulation {
    /// The event engine loaded with `samples` inferences of `config` (streaming, all admitted at
    /// cycle 0), given each inference's converted reads per pass, layer and row group
    /// (`groupReads[pass][layer]`, samples x groups) and, with a read-out, the learning core's
    /// latency and occupancy per sample (ns). `run()` it to get the schedule.
    public static func engine(config: HardwareConfig, samples: Int, groupReads: [[[Int32]]], coreLatency: [Double]? = nil,
                              coreOccupancy: [Double]? = nil) -> EventEngine {
        let timing = Timing(config: config, hardware: config.hardware, groupReads: groupReads, coreLatency: coreLatency, coreOccupancy: coreOccupancy)
        var e = timing.engine()
        for i in 0..<samples { timing.addInference(i, to: &e) }
        return e
    }
}

/// The energy table applied to action counts (Accelergy style: the simulator counts, this prices).
struct Costs {
    let config: HardwareConfig
    let hardware: HardwareDescription
    let inputBytes: Double, accumulatorBytes: Double
    let staticMilliwatts: Double
    /// Per layer: byte-hops of partial sums to the hub and of activations to the next layer.
    let byteHops: [Double]

    init(config: HardwareConfig, hardware: HardwareDescription) {
        self.config = config
        self.hardware = hardware
        inputBytes = Double((hardware.integer("crossbar.dac.inputBits") + 7) / 8)
        accumulatorBytes = Double((hardware.integer("chip.accumulatorBits") + 7) / 8)
        staticMilliwatts = Double(config.resources.tiles) * hardware.number("energy.staticMilliwattsPerTile")
            + Double(config.resources.learningCores) * hardware.number("learningCore.energy.staticMilliwattsPerCore")
        var hops = [Double]()
        for layer in config.layers {
            var h = 0.0
            for id in layer.tiles {
                let t = config.tiles[id]
                h += Double(t.outputs[1] - t.outputs[0]) * accumulatorBytes * Double(t.hopsToHub)
            }
            // Activations to the next layer: its row tiles' inputs from this hub.
            if layer.index + 1 < config.layers.count {
                let hub = config.tiles[layer.tiles[0]]
                for id in config.layers[layer.index + 1].tiles {
                    let t = config.tiles[id]
                    h += Double(t.rows[1] - t.rows[0]) * inputBytes * Double(abs(t.x - hub.x) + abs(t.y - hub.y))
                }
            }
            hops.append(h)
        }
        byteHops = hops
    }

    /// Energy of layer l for one inference's counts (all its passes), pJ by component.
    func layerEnergy(_ l: Int, counts c: ActionCounts) -> [Component: Double] {
        let m = config.layers[l]
        let passes = Double(config.model.passes)
        let h = hardware
        var e = [Component: Double]()
        e[.array] = Double(c.cellReads) * h.number("energy.cellReadFemtojoules") / 1000
        e[.dac] = Double(c.rowActivations) * h.number("energy.rowDriverFemtojoules") / 1000
        e[.adc] = Double(c.adcConversions) * h.adcConversionPicojoules
        let accumulations = Double(m.outputs * max(0, m.rowTiles - 1)) * passes
        e[.digital] = Double(c.shiftAdds) * h.number("energy.shiftAddPicojoules") + accumulations * h.number("energy.accumulatePicojoules")
            + m.finishOperations * passes * h.number("energy.normalizationOperationPicojoules")
        // Buffers: the layer's input written once and read by every column tile; partial sums
        // written and read at the hub.
        let inputBytesMoved = Double(m.inputs) * inputBytes * passes
        let partialBytes = Double(m.outputs * m.rowTiles) * accumulatorBytes * passes
        e[.buffers] = inputBytesMoved * h.number("energy.bufferWritePicojoulesPerByte")
            + inputBytesMoved * Double(m.columnTiles) * h.number("energy.bufferReadPicojoulesPerByte")
            + partialBytes * (h.number("energy.bufferWritePicojoulesPerByte") + h.number("energy.bufferReadPicojoulesPerByte"))
        e[.network] = byteHops[l] * passes * h.number("energy.networkHopPicojoulesPerByte")
        return e
    }
}

extension LayerMapping {
    /// Digital operations of the layer's finish per pass: offset/scale/bias per output, ReLU, the
    /// output's normalisation (square-accumulate and scale), and FF's input norm (square-accumulate
    /// and one scale per input).
    var finishOperations: Double {
        var ops = Double(outputs) * (1 + (role == .hidden ? 1 : 0) + (normalizeOutput ? 2 : 0))
        if inputScaling == .inverseNorm { ops += 2 * Double(inputs) }
        return ops
    }
}
