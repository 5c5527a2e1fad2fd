import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator

enum CompareCommand {
    static let spec = CommandSpec(
        name: "compare",
        overview: "Map and run several models on the same hardware and print one table: float and hardware accuracy, latency and energy per inference (FF's K passes are simulated, not multiplied).",
        usage: "hffsim compare <model.safetensors> ... --hardware <preset> [--set key=value ...] [--dataset <name>] [--samples N] [--chip-seeds S] [--output-dir DIR] [--json]",
        arguments: [("<model.safetensors> ...", "Models written by 'hffsim train' (for example HFF, FF and backprop).")],
        options: [
            OptionSpec("--hardware", "preset", "Preset name or hardware description file.", default: "rram-neurosim"),
            OptionSpec("--set", "key=value", "Override a hardware key (repeatable).", default: "none"),
        ] + DatasetFlags.modelDataOptions + [
            OptionSpec("--samples", "N", "Test samples to simulate (the first N).", default: "all"),
            OptionSpec("--chip-seeds", "S", "Chip instances; seeds 1...S.", default: "1"),
            OptionSpec("--calibration-samples", "N", "Training samples for the ADC ranges.", default: "256"),
            OptionSpec("--threads", "N", "Threads.", default: "all cores"),
            OptionSpec("--output-dir", "DIR", "Write compare.csv, report.html and its SVG figures here.", default: "none"),
            OptionSpec("--json", nil, "Print one JSON object on stdout: {\"rows\": [...]}."),
        ],
        positionals: 1...16)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        var runOptions = RunOptions()
        runOptions.chipSeeds = try args.int("--chip-seeds", default: 1, range: 1...1000)
        runOptions.traceSamples = 0
        var mapOptions = MapOptions()
        mapOptions.calibrationSamples = try args.int("--calibration-samples", default: 256, range: 0...1_000_000)
        let limit = try args.string("--samples").map { _ in try args.int("--samples", default: 1, range: 1...10_000_000) }
        let hardware = try HardwareDescription.load(args.string("--hardware") ?? "rram-neurosim", sets: args.strings("--set"))
        let outputDir = args.string("--output-dir")
        if let dir = outputDir { try RunCommand.checkOutputDirectory(dir, flag: "--output-dir") }
        let models = try args.positionals.map(Experiment.ModelSource.load)
        // One data set for all: the first model's (or the flags'); the others must record the same.
        let (train, test) = try DatasetFlags.load(args, for: models[0].model, modelName: models[0].path, seed: nil)
        for other in models.dropFirst() where other.model.data?.comparable != models[0].model.data?.comparable && !args.flag("--allow-other-data") {
            throw InputError(.usage, "\(other.path): trained on \(other.model.data.map { "\($0.dataset) (split \($0.holdout.map { "holdout \($0)" } ?? $0.testDataset ?? "its own"))" } ?? "unrecorded data"), not the data of \(models[0].path); compare them on one data set with --dataset and --allow-other-data")
        }
        var n = 0
        var rows = [[String: Any]]()
        var results = [(String, RunResult, HardwareConfig)]()
        for source in models {
            let (raw, labels) = try Experiment.samples(test, limit: limit, model: source.model, modelName: source.path)
            n = raw.rows
            var progress = ProgressLine()
            let (config, r) = try Experiment.mapAndRun(source, hardware: hardware, mapOptions: mapOptions, train: train, raw: raw, labels: labels,
                                                       runOptions: runOptions) { text, fraction in
                progress.update("\(source.model.algorithm.rawValue): " + text, fraction: fraction)
            }
            progress.clear()
            let model = source.model
            var row = Reports.headline(r, config: config)
            row["algorithm"] = model.algorithm.rawValue
            rows.append(row)
            results.append((model.algorithm.rawValue, r, config))
        }
        if let dir = outputDir { try writeReports(results, hardware: hardware.name, into: dir) }
        if args.flag("--json") {
            var out: [String: Any] = ["hardware": hardware.name, "samples": n, "rows": rows]
            if let dir = outputDir { out["outputDir"] = dir }
            Output.json(out)
            return
        }
        print("\(hardware.name), \(n) test samples, \(runOptions.chipSeeds) chip(s)")
        print(pad("model", 10) + pad("passes", 8) + pad("float", 9) + pad("hardware", 10) + pad("latency ns", 12) + pad("energy nJ", 12) + pad("inferences/s", 14) + pad("TOPS/W", 8))
        for (name, r, config) in results {
            print(pad(name, 10) + pad("\(config.model.passes)", 8) + pad(Output.format(r.floatAccuracy * 100, 2) + "%", 9)
                  + pad(Output.format(r.accuracyMean * 100, 2) + "%", 10) + pad(Output.format(r.latencyNanoseconds, 0), 12)
                  + pad(Output.format(r.energyPerInferencePicojoules / 1000, 1), 12) + pad(Output.format(r.throughputInferencesPerSecond, 0), 14)
                  + pad(Output.format(Efficiency(r, config: config).topsPerWatt, 3), 8))
        }
        if let hff = results.first(where: { $0.0 == "hff" })?.1, let ff = results.first(where: { $0.0 == "ff" })?.1 {
            print("FF / HFF: latency \(Output.format(ff.latencyNanoseconds / hff.latencyNanoseconds, 2))x, energy \(Output.format(ff.energyPerInferencePicojoules / hff.energyPerInferencePicojoules, 2))x")
        }
        if let dir = outputDir { print("reports: \(dir)/report.html, compare.csv") }
    }

    /// compare.csv, report.html and its figures, staged and moved into place as one set.
    static func writeReports(_ results: [(String, RunResult, HardwareConfig)], hardware: String, into dir: String) throws {
        let named = results.map { (name: $0.0, result: $0.1, config: $0.2) }
        let (html, figures) = RunReport.compare(named, hardware: hardware)
        let staged = try StagedDirectory(target: dir)
        do {
            try AtomicFile.write(RunReport.compareCSV(named), to: staged.staging + "/compare.csv")
            for f in figures { try AtomicFile.write(f.svg, to: staged.staging + "/" + f.name) }
            try AtomicFile.write(html, to: staged.staging + "/report.html")
            try staged.commit()
        } catch {
            staged.discard()
            throw error
        }
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
}
