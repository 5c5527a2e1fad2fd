import Datasets
import Foundation
import HFF
import Hardware
import Numerics

enum BenchCommand {
    static let spec = CommandSpec(
        name: "bench",
        overview: "Measure hffsim's own speed.",
        usage: "hffsim bench <subcommand> [options]",
        subcommands: [
            ("gemm", "GFLOP/s of the matrix products training uses."),
            ("train", "Seconds per training epoch, samples per second, and where the time goes."),
            ("tile", "Inputs per second of the noisy, quantised crossbar model of one layer."),
            ("core", "Events per second of the learning-core model (prototype scoring, event simulation)."),
        ])

    static let gemmSpec = CommandSpec(
        name: "bench gemm",
        overview: "GFLOP/s of the GEMM kernel on the shapes training uses (batch 128, 784-1000-1000-1000).",
        usage: "hffsim bench gemm [--threads <N>] [--seconds <s>] [--json]",
        options: [
            OptionSpec("--threads", "N", "Threads.", default: "all cores"),
            OptionSpec("--seconds", "s", "Minimum measuring time per shape.", default: "0.5"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ])

    static let trainSpec = CommandSpec(
        name: "bench train",
        overview: "Time training epochs and split the time between GEMM and the rest.",
        usage: "hffsim bench train [--algorithm hff|ff|backprop] [--dataset <name>] [--layers <widths>] [--epochs <N>] [--json]",
        options: [OptionSpec("--algorithm", "hff|ff|backprop", "Training algorithm.", default: "hff")] + DatasetFlags.options + [
            OptionSpec("--layers", "widths", "Hidden layer widths.", default: "1000,1000,1000"),
            OptionSpec("--arch", "layers", "Convolutions then dense layers, as hffsim train --arch (for example c32k3,p2,c64k3,p2,f1000)."),
            OptionSpec("--epochs", "N", "Epochs to time.", default: "1"),
            OptionSpec("--batch-size", "N", "Samples per update.", default: "128"),
            OptionSpec("--threads", "N", "Threads for matrix products.", default: "all cores"),
            OptionSpec("--chunk-batches", "N", "Batches per chunk of the layer-by-layer schedule (hff, ff).", default: "\(Trainer.chunkBatches)"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ])

    static let tileSpec = CommandSpec(
        name: "bench tile",
        overview: "Time the functional crossbar model: a size x size layer (or a network of layers) over N inputs on each preset, against float GEMMs of the same shapes.",
        usage: "hffsim bench tile [--hardware <preset> ...] [--size <n> | --layers <n,n,...>] [--inputs <N>] [--json]",
        options: [
            OptionSpec("--hardware", "preset", "Preset or file (repeatable).", default: "rram-neurosim, pcm-aihwkit, ideal"),
            OptionSpec("--size", "n", "Layer inputs and outputs.", default: "1000"),
            OptionSpec("--layers", "n,n,...", "A network instead: its widths, input first (784,1000,1000,1000); ReLU between layers.", default: "one size x size layer"),
            OptionSpec("--inputs", "N", "Input vectors.", default: "10000"),
            OptionSpec("--repeats", "N", "Timed runs of each forward pass; the fastest counts.", default: "3"),
            OptionSpec("--threads", "N", "Threads for matrix products.", default: "all cores"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ])

    static func tile(_ args: Arguments) throws {
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let n = try args.int("--size", default: 1000, range: 1...8192)
        let widths = try args.intList("--layers", default: [n, n])
        guard widths.count >= 2 else { throw InputError.usage(flag: "--layers", "needs at least two widths (inputs, outputs), got \(widths.count)") }
        let count = try args.int("--inputs", default: 10_000, range: 1...1_000_000)
        let repeats = try args.int("--repeats", default: 3, range: 1...100)
        let wide = widths.max()!
        if wide > 8192 || wide * count > 1 << 28 {
            throw InputError.usage(flag: "--inputs", "widths must stay at most 8192 and widths x inputs below 2^28 values (got \(wide) x \(count))")
        }
        let presets = args.strings("--hardware").isEmpty ? ["rram-neurosim", "pcm-aihwkit", "ideal"] : args.strings("--hardware")
        var rng = SeededRandom(seed: 11)
        let weights = (1..<widths.count).map { l in
            let scale = 1 / Float(widths[l - 1]).squareRoot()
            return Matrix(rows: widths[l - 1], cols: widths[l], storage: (0..<(widths[l - 1] * widths[l])).map { _ in rng.gaussian() * scale })
        }
        // Non-negative inputs, like an HFF layer's normalised activations.
        let x = Matrix(rows: count, cols: widths[0], storage: (0..<(count * widths[0])).map { _ in max(0, rng.gaussian()) })
        func relu(_ m: inout Matrix) { for k in 0..<m.count { m.storage[k] = max(0, m.storage[k]) } }
        // The float reference: the same products (and ReLUs), fastest of the runs.
        var floatSeconds = Double.infinity
        for _ in 0..<repeats {
            let start = Date()
            var h = x
            for (l, w) in weights.enumerated() {
                h = GEMM.product(h, w)
                if l + 1 < weights.count { relu(&h) }
            }
            floatSeconds = min(floatSeconds, Date().timeIntervalSince(start))
        }
        var rows = [[String: Any]]()
        for name in presets {
            let hw = try HardwareDescription.load(name)
            var start = Date()
            // Program every layer, then calibrate each on 256 of its own inputs (for the calibrated modes).
            var layers = [CrossbarLayer]()
            var calibration = x.rows(0..<min(count, 256))
            for (l, w) in weights.enumerated() {
                var layer = try CrossbarLayer(weight: w, hardware: hw, seed: UInt64(1 + l))
                layer.calibrate(calibration)
                calibration = GEMM.product(calibration, w)
                relu(&calibration)
                layers.append(layer)
            }
            let programSeconds = Date().timeIntervalSince(start)
            var seconds = Double.infinity
            var counts = ActionCounts()
            for _ in 0..<repeats {
                var noise = SeededRandom(seed: 2)
                counts = ActionCounts()
                start = Date()
                var h = x
                for (l, layer) in layers.enumerated() {
                    h = layer.forward(h, rng: &noise, counts: &counts)
                    if l + 1 < layers.count { relu(&h) }
                }
                seconds = min(seconds, Date().timeIntervalSince(start))
            }
            rows.append(["hardware": name, "seconds": seconds, "programSeconds": programSeconds,
                         "inputsPerSecond": Double(count) / seconds, "ratioToFloatGEMM": seconds / floatSeconds,
                         "integerProducts": layers.allSatisfy(\.integerProducts),
                         "reads": counts.reads, "adcConversions": counts.adcConversions])
        }
        let shape = widths.count == 2 ? "\(widths[0]) x \(widths[1]) layer" : widths.map(String.init).joined(separator: "-") + " network"
        if args.flag("--json") {
            Output.json(["layers": widths, "inputs": count, "repeats": repeats, "floatGEMMSeconds": floatSeconds,
                         "integerKernel": PackedInt8Matrix.kernelName, "presets": rows])
            return
        }
        print("\(shape), \(count) inputs, fastest of \(repeats); float GEMM \(Output.format(floatSeconds, 3)) s"
              + (PackedInt8Matrix.available ? "; integer products on \(PackedInt8Matrix.kernelName)" : "; products in float (no AVX-512 VNNI or AVX2)"))
        for r in rows {
            print(pad(r["hardware"] as! String, 16) + pad(Output.format(r["seconds"] as! Double, 3), 9) + " s"
                  + pad(Output.format(r["inputsPerSecond"] as! Double, 0), 10) + " inputs/s"
                  + pad(Output.format(r["ratioToFloatGEMM"] as! Double, 1), 8) + "x float GEMM"
                  + "   programming and calibration \(Output.format(r["programSeconds"] as! Double, 2)) s")
        }
    }

    static func run(_ argv: [String]) throws {
        guard let sub = argv.first, !sub.hasPrefix("-") else {
            _ = try Arguments(argv, spec: spec)  // handles --help and unknown flags
            throw InputError(.usage, "'hffsim bench' needs a subcommand: gemm, train, tile or core; see 'hffsim bench --help'")
        }
        let rest = Array(argv.dropFirst())
        switch sub {
        case "gemm": try gemm(try Arguments(rest, spec: gemmSpec))
        case "train": try train(try Arguments(rest, spec: trainSpec))
        case "tile": try tile(try Arguments(rest, spec: tileSpec))
        case "core": try core(try Arguments(rest, spec: coreSpec))
        default: throw InputError(.usage, "unknown subcommand 'bench \(sub)'; expected gemm, train, tile or core")
        }
    }

    struct Shape { var label: String; var m: Int; var n: Int; var k: Int; var transA: Bool; var transB: Bool }

    static let shapes: [Shape] = [
        Shape(label: "forward layer 1 (X W)", m: 128, n: 1000, k: 784, transA: false, transB: false),
        Shape(label: "forward layers 2-3 (X W)", m: 128, n: 1000, k: 1000, transA: false, transB: false),
        Shape(label: "weight gradient layer 1 (X^T dH)", m: 784, n: 1000, k: 128, transA: true, transB: false),
        Shape(label: "weight gradient layers 2-3 (X^T dH)", m: 1000, n: 1000, k: 128, transA: true, transB: false),
        Shape(label: "input gradient, backprop (dH W^T)", m: 128, n: 1000, k: 1000, transA: false, transB: true),
        Shape(label: "square", m: 1024, n: 1024, k: 1024, transA: false, transB: false),
    ]

    static func gemm(_ args: Arguments) throws {
        let threads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let minSeconds = Double(try args.float("--seconds", default: 0.5, expected: "a number in (0, 3600]") { $0 > 0 && $0 <= 3600 })
        var rows = [[String: Any]]()
        var rng = SeededRandom(seed: 7)
        for s in shapes {
            let a = Matrix(rows: s.transA ? s.k : s.m, cols: s.transA ? s.m : s.k, storage: (0..<(s.m * s.k)).map { _ in rng.uniform(-1, 1) })
            let b = Matrix(rows: s.transB ? s.n : s.k, cols: s.transB ? s.k : s.n, storage: (0..<(s.k * s.n)).map { _ in rng.uniform(-1, 1) })
            var c = Matrix(rows: s.m, cols: s.n)
            GEMM.multiply(a, transA: s.transA, b, transB: s.transB, into: &c, threads: threads)  // warm-up
            var reps = 0
            let start = Date()
            var elapsed = 0.0
            repeat {
                GEMM.multiply(a, transA: s.transA, b, transB: s.transB, into: &c, threads: threads)
                reps += 1
                elapsed = Date().timeIntervalSince(start)
            } while elapsed < minSeconds
            let gflops = 2 * Double(s.m * s.n * s.k) * Double(reps) / elapsed / 1e9
            rows.append(["shape": s.label, "m": s.m, "n": s.n, "k": s.k, "transA": s.transA, "transB": s.transB,
                         "gflops": gflops, "milliseconds": elapsed / Double(reps) * 1000])
        }
        if args.flag("--json") {
            Output.json(["threads": threads, "shapes": rows])
            return
        }
        print("GEMM, \(threads) thread(s), Float32")
        print(pad("shape", 38) + pad("m", 6) + pad("n", 6) + pad("k", 6) + pad("op", 6) + pad("ms", 9) + pad("GFLOP/s", 9))
        for r in rows {
            let op = ((r["transA"] as! Bool) ? "T" : "N") + ((r["transB"] as! Bool) ? "T" : "N")
            print(pad(r["shape"] as! String, 38) + pad("\(r["m"]!)", 6) + pad("\(r["n"]!)", 6) + pad("\(r["k"]!)", 6) + pad(op, 6)
                  + pad(Output.format(r["milliseconds"] as! Double, 3), 9) + pad(Output.format(r["gflops"] as! Double, 1), 9))
        }
    }

    static func train(_ args: Arguments) throws {
        let algorithm: Algorithm = try args.choice("--algorithm", default: .hff)
        var h = Hyperparameters()
        h.epochs = try args.int("--epochs", default: 1)
        h.batchSize = try args.int("--batch-size", default: 128)
        h.learningRate = Hyperparameters.defaultLearningRate(for: algorithm)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        Trainer.chunkBatches = try args.int("--chunk-batches", default: Trainer.chunkBatches, range: 1...4096)
        var config = TrainingConfiguration(algorithm: algorithm, widths: [], hyperparameters: h)
        config.architecture = try TrainCommand.layers(args)
        let (train, _) = try DatasetFlags.load(try DatasetFlags.options(args, seed: 0))
        var bar = ProgressLine()
        GEMM.statistics = .init()
        Wavefront.stageSeconds = []
        GEMM.collectStatistics = true
        let start = Date()
        let model = try Trainer.train(config, train: train, test: nil) { event in
            if case let .batch(epoch, batch, batches, _) = event {
                bar.update("epoch \(epoch)/\(h.epochs) batch \(batch)/\(batches)", fraction: (Double(epoch - 1) + Double(batch) / Double(batches)) / Double(h.epochs))
            }
        }
        // The share of GEMM is taken over the whole run, which for FF includes the K-pass
        // training-accuracy check after each epoch (its products are counted too).
        let wallSeconds = Date().timeIntervalSince(start)
        GEMM.collectStatistics = false
        let gemmInEpochs = GEMM.statistics
        GEMM.statistics = .init()
        let stageSeconds = Wavefront.stageSeconds.map { $0 / Double(max(1, h.epochs)) }
        bar.clear()
        let trainingSeconds = model.history.map(\.seconds).reduce(0, +)
        let epochs = Double(h.epochs)
        let perEpoch = trainingSeconds / epochs
        let threads = GEMM.defaultThreads
        // GEMM seconds are thread-seconds (HFF and FF run one single-threaded task per worker;
        // backprop splits each product across the threads), so the share of the threads' time
        // is gemmSeconds / (threads x wall time).
        let gemmShare = gemmInEpochs.seconds / (Double(threads) * wallSeconds)
        let shapes = gemmInEpochs.byShape.sorted { $0.value.seconds > $1.value.seconds }.map { key, v -> [String: Any] in
            ["shape": key, "callsPerEpoch": Double(v.calls) / epochs, "threadSecondsPerEpoch": v.seconds / epochs,
             "gflopsPerThreadSecond": v.flops / max(v.seconds, 1e-12) / 1e9]
        }
        let result: [String: Any] = [
            "algorithm": algorithm.rawValue, "architecture": config.architecture.description,
            "dataset": train.name, "samples": train.count, "epochs": h.epochs,
            "threads": threads, "batchSize": h.batchSize, "chunkBatches": Trainer.chunkBatches,
            "secondsPerEpoch": perEpoch,
            "samplesPerSecond": Double(train.count) / perEpoch,
            "gemmGFLOPPerEpoch": gemmInEpochs.flops / 1e9 / epochs,
            "gemmThreadSecondsPerEpoch": gemmInEpochs.seconds / epochs,
            "gemmShareOfThreadTime": gemmShare,
            "gflops": gemmInEpochs.flops / wallSeconds / 1e9,
            "gemmShapes": shapes,
            "layerThreadSecondsPerEpoch": stageSeconds,
        ]
        if args.flag("--json") { Output.json(result); return }
        print("\(algorithm.rawValue) \(config.architecture.describe(inputs: train.featureCount, shape: train.shape)) on \(train.name), \(train.count) samples, batch \(h.batchSize), \(threads) thread(s)")
        print("seconds per epoch     \(Output.format(perEpoch, 3))")
        print("samples per second    \(Output.format(Double(train.count) / perEpoch, 0))")
        print("GEMM arithmetic       \(Output.format(gemmInEpochs.flops / 1e9 / epochs, 1)) GFLOP per epoch, \(Output.format(gemmInEpochs.flops / wallSeconds / 1e9, 1)) GFLOP/s of wall time")
        print("GEMM share            \(Output.format(gemmShare * 100, 1))% of the \(threads) threads' time (\(Output.format(gemmInEpochs.seconds / epochs, 3)) thread-seconds per epoch)")
        print("everything else       \(Output.format((1 - gemmShare) * 100, 1))%: element-wise kernels, Adam, batch gathering, waiting")
        if !stageSeconds.isEmpty {
            // HFF and FF: each layer's tasks run one at a time, so the busiest layer bounds the epoch.
            print("per layer (thread-s per epoch, its tasks one at a time: the largest bounds the epoch): "
                  + stageSeconds.enumerated().map { "\($0.offset) \(Output.format($0.element, 2))" }.joined(separator: ", "))
        }
        print("GEMM by shape (per epoch):")
        for s in shapes {
            print("  " + pad(s["shape"] as! String, 22) + pad(Output.format(s["callsPerEpoch"] as! Double, 0), 8) + " calls"
                  + pad(Output.format(s["threadSecondsPerEpoch"] as! Double, 3), 9) + " thread-s"
                  + pad(Output.format(s["gflopsPerThreadSecond"] as! Double, 1), 8) + " GFLOP/s per thread")
        }
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : String(repeating: " ", count: w - s.count) + s }
}
