import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator

enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        overview: "Simulate a hardware config on a dataset (functional model of every chip; transaction-level timing of the compiled task graph): hardware and float accuracy over chip instances, latency, throughput and energy per inference, reports and a Perfetto trace.",
        usage: "hffsim run <config.json> [--dataset <name>] [--samples N] [--chip-seeds S] [--time-since-programming T] [--in-flight N] [--output-dir DIR] [--trace-samples N] [--json]",
        arguments: [("<config.json>", "A hardware config written by 'hffsim map'.")],
        options: DatasetFlags.modelDataOptions + [
            OptionSpec("--samples", "N", "Test samples to simulate (the first N).", default: "all"),
            OptionSpec("--chip-seeds", "S", "Chip instances (programming noise, faults, mismatch); seeds 1...S.", default: "1"),
            OptionSpec("--first-chip-seed", "F", "Start the chip instances at seed F: seeds F...F+S-1 (a chip-in-the-loop model on its own chip).", default: "1"),
            OptionSpec("--time-since-programming", "T", "Overrides the drift time: seconds, or with a unit (30s, 1h, 1d, 1y).", default: "the config's"),
            OptionSpec("--output-dir", "DIR", "Write summary.json, layers.csv, components.csv, stats.txt, trace.json and report.html (with its SVG figures) here.", default: "none"),
            OptionSpec("--in-flight", "N", "Inferences in flight at once in the loaded run (the next is admitted when one completes).", default: "enough to fill every layer's buffers, + 2"),
            OptionSpec("--trace-samples", "N", "Inferences in the trace.", default: "4"),
            OptionSpec("--threads", "N", "Threads.", default: "all cores"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...1)

    /// "1d" -> 86400.
    static func seconds(_ s: String) throws -> Double {
        guard let v = SweepOptions.seconds(s) else {
            throw InputError.usage(flag: "--time-since-programming", "expected seconds or a number with s, m, h, d or y, got '\(s)'")
        }
        return v
    }

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        var options = RunOptions()
        options.chipSeeds = try args.int("--chip-seeds", default: 1, range: 1...1000)
        options.firstChipSeed = try args.int("--first-chip-seed", default: 1, range: 1...1_000_000)
        options.traceSamples = try args.int("--trace-samples", default: 4, range: 0...10_000)
        // The trace is only written into --output-dir: without one, none is built.
        if args.string("--output-dir") == nil { options.traceSamples = 0 }
        options.inFlight = try args.string("--in-flight").map { _ in try args.int("--in-flight", default: 1, range: 1...1_000_000) }
        options.timeSinceProgrammingSeconds = try args.string("--time-since-programming").map(seconds)
        let limit = try args.string("--samples").map { _ in try args.int("--samples", default: 1, range: 1...10_000_000) }
        if let dir = args.string("--output-dir") { try checkOutputDirectory(dir, flag: "--output-dir") }
        let (config, model) = try Experiment.loadConfig(path: args.positionals[0])
        let (_, test) = try DatasetFlags.load(args, for: model, modelName: "the config's model (\(config.model.file))", seed: nil)
        let (raw, labels) = try Experiment.samples(test, limit: limit, model: model, modelName: "the config's model")
        var progress = ProgressLine()
        let result = try Simulation.run(config: config, model: model, raw: raw, labels: labels, options: options) { text, fraction in
            progress.update(text, fraction: fraction)
        }
        progress.clear()
        if let dir = args.string("--output-dir") { try Reports.write(result, config: config, into: dir) }
        if args.flag("--json") {
            var out = Reports.headline(result, config: config)
            if let dir = args.string("--output-dir") { out["outputDir"] = dir; out["trace"] = dir + "/trace.json" }
            Output.json(out)
            return
        }
        print(table(result, config: config))
        if let dir = args.string("--output-dir") {
            print("reports: \(dir)/report.html, summary.json, layers.csv, components.csv, stats.txt; trace: \(dir)/trace.json (open it in https://ui.perfetto.dev)")
        }
    }

    /// An output directory that can be made (or exists) and written: checked before any work;
    /// nothing is created until the reports are written (`Reports.write(_:config:into:)`).
    static func checkOutputDirectory(_ dir: String, flag: String) throws {
        if dir.isEmpty { throw InputError.usage(flag: flag, "expected a directory path, got an empty string") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            if !isDir.boolValue { throw InputError.usage(flag: flag, "\(dir) is a file; expected a directory") }
            if access(dir, W_OK) != 0 { throw InputError.usage(flag: flag, "directory \(dir) is not writable") }
        } else {
            try TrainCommand.checkWritable(dir, flag: flag)
        }
        // What access() cannot tell (a file system that refuses directories, such as /proc):
        // make the staging directory the reports will go to, and remove it again.
        do { try StagedDirectory(target: dir).discard() } catch let e as InputError {
            throw InputError.usage(flag: flag, e.message)
        }
    }

    static func table(_ r: RunResult, config: HardwareConfig) -> String {
        var s = "\(config.model.algorithm) on \(config.hardware.name), \(r.samples) samples x \(r.hardwareAccuracy.count) chip(s), simulated in \(Output.format(r.wallSeconds, 1)) s\n"
        s += "  accuracy: float \(Output.format(r.floatAccuracy * 100, 2))%, hardware \(Output.format(r.accuracyMean * 100, 2))%"
            + " (drop \(Output.format(r.dropMean * 100, 2)) points, std \(Output.format(r.dropStd * 100, 2)) over chips)\n"
        s += "  latency: \(Output.format(r.latencyNanoseconds, 0)) ns per inference alone (\(Output.format(r.latencyCycles, 0)) cycles), "
            + "\(Output.format(r.loadedLatencyNanoseconds, 0)) ns with \(r.inFlight) in flight; throughput \(Output.format(r.throughputInferencesPerSecond, 0)) inferences/s at steady state\n"
        s += "  energy: \(Output.format(r.energyPerInferencePicojoules / 1000, 2)) nJ per inference: "
        s += Component.allCases.compactMap { c in
            let e = r.energyByComponent[c] ?? 0
            return e > 0 ? "\(c.rawValue) \(Output.format(e / 1000, 2))" : nil
        }.joined(separator: ", ")
        let e = Efficiency(r, config: config)
        s += "\n  efficiency: \(Output.format(e.topsPerWatt, 3)) TOPS/W (\(Output.format(e.topsPerWattDynamic, 3)) without static), "
            + "\(Output.format(e.tops, 3)) TOPS at steady state"
            + (e.topsPerSquareMillimeter.map { ", \(Output.format($0, 4)) TOPS/mm^2" } ?? "")
            + " (\(Output.format(e.operationsPerInference / 1e6, 3)) M operations per inference)"
        if config.learningCore != nil {
            s += "\n  crossbar layers alone (read-out left out): \(Output.format(r.layersLatencyNanoseconds, 0)) ns per inference, "
                + "\(Output.format(r.layersPicojoules / 1000, 2)) nJ, at most \(Output.format(r.layersThroughputBoundPerSecond, 0)) inferences/s pipelined"
        }
        if let factors = Reports.headline(r, config: config, hostTiming: false)["driftCompensationByLayer"] as? [Double] {
            s += "\n  drift compensation by layer (mean over chips): " + factors.map { Output.format($0, 3) }.joined(separator: ", ")
        }
        return s
    }
}
