import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator

/// The learning-core read-out of an HFF model: `hffsim eval --core` and `hffsim bench core`.
enum CoreReadoutRun {
    static let evalOptions = [
        OptionSpec("--core", "preset", "Also run the prototype read-out on this hardware's learning core (HFF models).", default: "off"),
        OptionSpec("--set", "key=value", "Override a hardware key for --core (repeatable).", default: "none"),
        OptionSpec("--chip-seeds", "N", "Chip instances (mismatch draws) for --core; seeds 1...N.", default: "1"),
        OptionSpec("--learn-class", "k", "Class-incremental use of --core: class k's prototypes are left out, new prototype neurons are allocated on the chip and learned from --shots training samples of class k.", default: "off"),
        OptionSpec("--shots", "N", "Labelled training samples for --learn-class.", default: "10"),
    ]

    /// The --core flags, checked before any long work: the hardware, the placement, the seeds.
    struct Request {
        var experiment: CoreReadoutExperiment
        var seeds: Int
    }

    static func request(_ args: Arguments, model: Model) throws -> Request? {
        guard let preset = args.string("--core") else {
            if !args.strings("--set").isEmpty { throw InputError.usage(flag: "--set", "applies to --core, which is not given") }
            for flag in ["--chip-seeds", "--learn-class", "--shots"] where args.string(flag) != nil {
                throw InputError.usage(flag: flag, "applies to --core, which is not given")
            }
            return nil
        }
        guard model.algorithm == .hff else {
            throw InputError.usage(flag: "--core", "the learning core holds HFF prototypes; this model is \(model.algorithm.rawValue)")
        }
        let seeds = try args.int("--chip-seeds", default: 1, range: 1...1000)
        let learnClass = try args.string("--learn-class").map { _ in try args.int("--learn-class", default: 0, range: 0...(model.classCount - 1)) }
        let shots = try args.int("--shots", default: 10, range: 1...100_000)
        if learnClass == nil && args.string("--shots") != nil { throw InputError.usage(flag: "--shots", "applies to --learn-class, which is not given") }
        let hardware = try HardwareDescription.load(preset, sets: args.strings("--set"))
        let experiment = try CoreReadoutExperiment(model: model, hardware: hardware, file: preset, learnClass: learnClass, shots: shots)
        return Request(experiment: experiment, seeds: seeds)
    }

    /// Runs the read-out on the requested chip instances; returns the JSON summary and prints a report.
    static func evaluate(_ model: Model, train: Dataset, test: Dataset, floatPredictions: [Int], request: Request, json: Bool) throws -> [String: Any] {
        let e = request.experiment, seeds = request.seeds
        let p = e.parameters, hardware = e.hardware
        let inputs = CoreReadoutExperiment.inputs(model: model, test: test)
        var chips = [CoreReadoutExperiment.ChipResult]()
        var progress = ProgressLine()
        for seed in 1...seeds {
            chips.append(try e.run(seed: UInt64(seed), model: model, train: train, test: test, inputs: inputs, floatPredictions: floatPredictions))
            progress.update("learning core: chip \(seed) of \(seeds)", fraction: Double(seed) / Double(seeds))
        }
        progress.clear()
        var total = CoreCounts()
        for c in chips { total += c.counts }
        let latency = chips.reduce(0) { $0 + $1.latencyNanoseconds }, picojoules = chips.reduce(0) { $0 + $1.picojoules }
        let accuracies = chips.map(\.accuracy)
        let n = Double(seeds * max(1, test.count))
        let mean = accuracies.reduce(0, +) / Double(seeds)
        let std = seeds > 1 ? (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(seeds - 1)).squareRoot() : 0
        let agreement = chips.reduce(0) { $0 + $1.agreement } / Double(seeds)
        let floatAccuracy = Kernels.accuracy(floatPredictions, test.labels)
        let coresUsed = Set(e.placement.neurons.map(\.core)).count
        let perInference: [String: Any] = [
            "sourceEvents": Double(total.sourceEvents) / n, "tagMatches": Double(total.tagMatches) / n,
            "synapticOperations": Double(total.synapticOperations) / n, "neuronUpdates": Double(total.neuronUpdates) / n,
            "hops": Double(total.hops) / n, "winnerTakeAllSteps": Double(total.winnerTakeAllSteps) / n,
        ]
        var summary: [String: Any] = [
            "hardware": hardware.name, "weightScheme": p.weightScheme.rawValue, "weightBits": p.weightBits,
            "inputCoding": p.coding.rawValue, "mismatchRelative": p.mismatch, "chipSeeds": seeds,
            "neurons": e.placement.neurons.count, "coresUsed": coresUsed,
            "floatAccuracy": floatAccuracy, "coreAccuracy": mean, "coreAccuracyStd": std, "coreAccuracyPerSeed": accuracies,
            "agreement": agreement,
            "energyPerInferenceNanojoules": picojoules / n / 1000, "latencyNanoseconds": latency / n,
            "perInference": perInference,
        ]
        if let k = e.learnClass, let (c, t, used) = chips.last?.learning {
            let ofK = test.labels.indices.filter { test.labels[$0] == k }
            let floatOnK = Double(ofK.filter { floatPredictions[$0] == k }.count) / Double(max(1, ofK.count))
            let meanK = chips.reduce(0) { $0 + ($1.learnedClassAccuracy ?? 0) } / Double(seeds)
            summary["learnedClass"] = [
                "class": k, "shots": used, "classAccuracy": meanK, "floatClassAccuracy": floatOnK,
                "synapticUpdates": c.synapticUpdates, "learningNanojoules": c.picojoules(p) / 1000, "learningNanoseconds": t,
            ] as [String: Any]
            if !json {
                print("class \(k) learned on the chip from \(used) samples: \(c.synapticUpdates) synaptic updates, \(Output.format(c.picojoules(p) / 1000, 1)) nJ, \(Output.format(t / 1000, 1)) us; its test accuracy \(Output.format(meanK * 100, 2))% (float model with trained prototypes: \(Output.format(floatOnK * 100, 2))%)")
            }
        }
        if !json {
            let coding = p.coding == .graded ? "\(p.gradedBits)-bit graded events" : "rate coding, \(p.rateSpikes) spikes"
            print("learning core \(hardware.name): \(p.weightScheme.rawValue) \(p.weightBits)-bit weights, \(coding), mismatch \(Output.format(p.mismatch * 100, 0))%; \(e.placement.neurons.count) neurons on \(coresUsed) of \(p.cores) cores")
            print("  accuracy \(Output.format(mean * 100, 2))%" + (seeds > 1 ? " (std \(Output.format(std * 100, 2)) over \(seeds) chips)" : "")
                  + ", float \(Output.format(floatAccuracy * 100, 2))%, agreement \(Output.format(agreement * 100, 2))%")
            print("  per inference: \(Output.format(Double(total.sourceEvents) / n, 0)) source events, \(Output.format(Double(total.synapticOperations) / n, 0)) synaptic operations, \(Output.format(picojoules / n / 1000, 2)) nJ, latency \(Output.format(latency / n, 0)) ns")
        }
        return summary
    }
}

extension BenchCommand {
    static let coreSpec = CommandSpec(
        name: "bench core",
        overview: "Time the learning-core model: prototype scoring and the event-by-event simulation of N samples, in events per second.",
        usage: "hffsim bench core [--hardware <preset>] [--layers <D,D,...>] [--prototypes <P>] [--inputs <N>] [--json]",
        options: [
            OptionSpec("--hardware", "preset", "Preset or file.", default: "rram-neurosim"),
            OptionSpec("--set", "key=value", "Override a hardware key (repeatable).", default: "none"),
            OptionSpec("--layers", "D,D,...", "Read-out groups: the input width of each.", default: "1000,1000,1000"),
            OptionSpec("--prototypes", "P", "Prototypes per group.", default: "10"),
            OptionSpec("--inputs", "N", "Samples (random non-negative unit vectors, about half their components zero).", default: "10000"),
            OptionSpec("--threads", "N", "Threads.", default: "all cores"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ])

    static func core(_ args: Arguments) throws {
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let widths = try args.intList("--layers", default: [1000, 1000, 1000])
        let protos = try args.int("--prototypes", default: 10, range: 1...100_000)
        let count = try args.int("--inputs", default: 10_000, range: 1...1_000_000)
        if widths.contains(where: { $0 > 65_536 }) || widths.reduce(0, +) * count > 1 << 28 {
            throw InputError.usage(flag: "--inputs", "widths must stay at most 65536 and widths x inputs below 2^28 values")
        }
        let name = args.string("--hardware") ?? "rram-neurosim"
        let hw = try HardwareDescription.load(name, sets: args.strings("--set"))
        let p = CoreParameters(hw)
        let placement = try CorePlacement.greedy(groups: widths.map { .init(inputs: $0, prototypes: protos) }, core: p)
        var rng = SeededRandom(seed: 5)
        func unitRows(_ r: Int, _ c: Int, relu: Bool) -> Matrix {
            var m = Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in relu ? max(0, rng.gaussian()) : rng.gaussian() })
            Kernels.normalizeRows(&m, epsilon: 1e-12)
            return m
        }
        let prototypes = widths.map { unitRows(protos, $0, relu: false) }
        let inputs = widths.map { unitRows(count, $0, relu: true) }
        let core = try LearningCore(hardware: hw, placement: placement, prototypes: prototypes, seed: 1)
        let readout = CoreReadout(classCount: protos, prototypesPerClass: 1, tau: 0.1,
                                  combine: widths.count > 1 ? .sumOfLogSoftmax : .last)
        let start = Date()
        let r = core.infer(inputs, readout: readout)
        let latency = (0..<count).reduce(0.0) { $0 + CoreReadoutExperiment.latencyNanoseconds(r.program(sample: $1)) }
        let seconds = Date().timeIntervalSince(start)
        var total = CoreCounts()
        for c in r.counts { total += c }
        let events = total.tagMatches
        let result: [String: Any] = [
            "hardware": hw.name, "layers": widths, "prototypes": protos, "samples": count, "seconds": seconds,
            "neurons": placement.neurons.count, "coresUsed": Set(placement.neurons.map(\.core)).count,
            "samplesPerSecond": Double(count) / seconds, "eventsPerSecond": Double(events) / seconds,
            "synapticOperationsPerSecond": Double(total.synapticOperations) / seconds,
            "eventsPerSample": Double(events) / Double(count),
            "latencyNanosecondsMean": latency / Double(count),
            "energyPerSampleNanojoules": r.picojoules.reduce(0, +) / Double(count) / 1000,
        ]
        if args.flag("--json") { Output.json(result); return }
        print("learning core \(hw.name): \(widths.count) groups of \(protos) prototypes over \(widths.map(String.init).joined(separator: ",")) inputs, \(placement.neurons.count) neurons on \(result["coresUsed"]!) cores; \(count) samples")
        print("  \(Output.format(seconds, 3)) s: \(Output.format(Double(count) / seconds, 0)) samples/s, \(Output.format(Double(events) / seconds / 1e6, 2)) M events/s (\(Output.format(Double(events) / Double(count), 0)) events per sample), \(Output.format(Double(total.synapticOperations) / seconds / 1e6, 1)) M synaptic operations/s")
        print("  per sample on the modelled core: latency \(Output.format(result["latencyNanosecondsMean"] as! Double, 0)) ns, \(Output.format(result["energyPerSampleNanojoules"] as! Double, 2)) nJ")
    }
}
