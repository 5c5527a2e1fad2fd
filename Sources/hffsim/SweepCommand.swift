import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator

/// `hffsim sweep SPEC.json` and `hffsim sweep merge DIR...`: a design-space sweep (docs/sweeps.md).
enum SweepCommand {
    static let spec = CommandSpec(
        name: "sweep",
        overview: "Map and run every point of a design-space sweep (a grid and seeded random samples over hardware keys and map and run options): one table of every headline figure, the Pareto front, plots and report.html. Resumable; shardable across machines ('hffsim sweep merge' joins the shards).",
        usage: "hffsim sweep <spec.json> [--output-dir DIR] [--shard I/N] [--jobs J] [--threads N] [--json]\n       hffsim sweep merge <dir> ... --output-dir DIR [--json]\n       hffsim sweep new <model.safetensors> ... [--hardware <preset>] --output <spec.json>",
        arguments: [("<spec.json>", "The sweep: models, presets, grid, random samples, data, objectives (docs/sweeps.md).")],
        options: [
            OptionSpec("--output-dir", "DIR", "Where the points, results.csv, results.jsonl, front.txt and report.html go; finished points there are not run again.", default: "the spec's name without .json, + '-sweep'"),
            OptionSpec("--shard", "I/N", "Run only shard I of N (I in 0...N-1): the points whose index is I mod N.", default: "all points"),
            OptionSpec("--jobs", "J", "Points run at once (each on threads / J threads).", default: "1"),
            OptionSpec("--threads", "N", "Threads in all.", default: "all cores"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...1)

    static let mergeSpec = CommandSpec(
        name: "sweep merge",
        overview: "Join the output directories of a sweep's shards into one table, byte-identical to the unsharded run's.",
        usage: "hffsim sweep merge <dir> ... --output-dir DIR [--json]",
        arguments: [("<dir> ...", "Output directories of 'hffsim sweep --shard' runs of one spec.")],
        options: [
            OptionSpec("--output-dir", "DIR", "The merged sweep's directory.", default: "required"),
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...4096)

    static let newSpec = CommandSpec(
        name: "sweep new",
        overview: "Write a starting sweep spec for the models: ADC bits x columns per ADC on one preset, 500 test samples, 2 chips (edit it; docs/sweeps.md).",
        usage: "hffsim sweep new <model.safetensors> ... [--hardware <preset>] --output <spec.json>",
        arguments: [("<model.safetensors> ...", "Models written by 'hffsim train'.")],
        options: [
            OptionSpec("--hardware", "preset", "Preset name or hardware description file.", default: "rram-neurosim"),
            OptionSpec("--output", "spec.json", "Where the spec goes; model paths in it are relative to its directory.", default: "required"),
        ],
        positionals: 1...64)

    static func run(_ argv: [String]) throws {
        if argv.first == "merge" { return try merge(Array(argv.dropFirst())) }
        if argv.first == "new" { return try new(Array(argv.dropFirst())) }
        let args = try Arguments(argv, spec: spec)
        let threads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let jobs = try args.int("--jobs", default: 1, range: 1...1024)
        var shard = (index: 0, count: 1)
        if let s = args.string("--shard") {
            let parts = s.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, n <= 1_000_000, i >= 0, i < n else {
                throw InputError.usage(flag: "--shard", "expected I/N with N >= 1 and I in 0...N-1 (for example 0/4), got '\(s)'")
            }
            shard = (i, n)
        }
        let specPath = args.positionals[0]
        let dir = args.string("--output-dir") ?? (specPath.hasSuffix(".json") ? String(specPath.dropLast(5)) : specPath) + "-sweep"
        let sweep = try SweepSpec.load(path: specPath)
        let sources = try sweep.models.map(Experiment.ModelSource.load)
        let plan = try SweepPlan(sweep, modelDigests: sources.map(\.digest))
        try RunCommand.checkOutputDirectory(dir, flag: "--output-dir")
        // The data, once per model data set; checked before anything is written.
        var data = [(train: Dataset, raw: Matrix, labels: [Int])]()
        var loaded = [String: (Dataset, Dataset)]()
        var dataArgs = [String]()
        if let d = sweep.dataset { dataArgs = ["--dataset", d] }
        for (m, source) in sources.enumerated() {
            let key = sweep.dataset ?? source.model.data.map { "\($0.dataset)|\($0.testDataset ?? "")|\($0.holdout ?? -1)|\($0.splitSeed)" } ?? "default"
            let split: (Dataset, Dataset)
            if let s = loaded[key] { split = s } else {
                split = try DatasetFlags.load(try Arguments(dataArgs, spec: CommandSpec(name: "sweep", overview: "", usage: "", options: DatasetFlags.modelDataOptions)), for: source.model, modelName: sweep.modelNames[m], seed: nil)
                loaded[key] = split
            }
            let (raw, labels) = try Experiment.samples(split.1, limit: sweep.samples, model: source.model, modelName: sweep.modelNames[m])
            data.append((split.0, raw, labels))
        }
        try SweepIndex.makeDirectory(dir)
        try SweepIndex.makeDirectory(dir + "/points")
        let index = SweepIndex(plan)
        try AtomicFile.write(Data(index.jsonText().utf8), to: dir + "/plan.json")

        let share = plan.shard(shard.index, of: shard.count)
        let (unique, todo) = SweepRunner.pending(share, dir: dir)
        let groups = SweepRunner.groups(todo)
        Output.error("sweep: \(plan.points.count) points" + (shard.count > 1 ? ", shard \(shard.index)/\(shard.count): \(share.count)" : "")
                     + "\(share.count > unique.count ? " (\(share.count - unique.count) the same experiment as another)" : ""); \(unique.count - todo.count) already done in \(dir), \(todo.count) to run in \(groups.count) map group(s), \(jobs) at a time")
        GEMM.defaultThreads = max(1, threads / jobs)
        let start = Date()
        try SweepRunner.run(groups, plan: plan, sources: sources, data: data, dir: dir, jobs: jobs) { finished, row, point, seconds in
            Output.error("[\(finished)/\(todo.count)] point \(point.index) \(point.id): " + describe(row) + ", \(Output.format(seconds, 1)) s")
        }
        let wall = Date().timeIntervalSince(start)
        var rows = [String: [String: Any]]()
        for p in share { if let r = SweepIndex.readRow(dir: dir, id: p.id) { rows[p.id] = r } }
        let shareIndex = index.shard(shard.index, of: shard.count)
        let front = try shareIndex.writeTables(rows: rows, into: dir)
        let perMinute = todo.isEmpty ? 0 : Double(todo.count) / wall * 60
        if args.flag("--json") {
            Output.json(["outputDir": dir, "points": plan.points.count, "share": share.count, "ran": todo.count, "skipped": unique.count - todo.count,
                         "wallSeconds": wall, "pointsPerMinute": perMinute, "results": dir + "/results.csv", "report": dir + "/report.html"])
            return
        }
        print(front, terminator: "")
        print("ran \(todo.count) point(s) in \(Output.format(wall, 1)) s (\(Output.format(perMinute, 2)) points per minute); \(unique.count - todo.count) already done")
        print("results: \(dir)/results.csv, results.jsonl, front.txt; report: \(dir)/report.html")
    }

    /// `hffsim sweep new`: a spec that runs as written, for the user to edit.
    static func new(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: newSpec)
        guard let out = args.string("--output") else { throw InputError.usage(flag: "--output", "is required: where the spec goes") }
        try TrainCommand.checkWritable(out, flag: "--output")
        let hardware = args.string("--hardware") ?? "rram-neurosim"
        _ = try HardwareDescription.load(hardware, sets: [])
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path }
        let specDir = URL(fileURLWithPath: absolute(out)).deletingLastPathComponent().path
        var models = [String]()
        for path in args.positionals {
            _ = try Experiment.ModelSource.load(path: path)
            let a = absolute(path)
            models.append(a.hasPrefix(specDir + "/") ? String(a.dropFirst(specDir.count + 1)) : a)
        }
        let isFile = hardware.hasSuffix(".json")
        let spec: [String: Any] = [
            "description": "ADC resolution against columns sharing one ADC, on \(hardware). Keys: 'hffsim hardware keys'; spec format: docs/sweeps.md.",
            "models": models,
            "hardware": [isFile ? absolute(hardware) : hardware],
            "grid": [["key": "crossbar.adc.bits", "values": [4, 5, 6, 7]], ["key": "crossbar.adc.columnsPerADC", "values": [4, 8, 16]]],
            "samples": 500, "chipSeeds": 2,
            "objectives": ["accuracyDrop", "energyPerInferenceNanojoules", "latencyNanoseconds"],
        ]
        let data = try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data + Data("\n".utf8), to: out)
        print("sweep spec written to \(out): 12 points (4 ADC resolutions x 3 column multiplexings), 500 samples, 2 chips; run it with 'hffsim sweep \(out)'")
    }

    static func describe(_ row: [String: Any]) -> String {
        guard row["status"] as? String == "ok" else { return "\(row["status"] ?? "?"): \(row["reason"] ?? "")" }
        let f = { (c: String, scale: Double, digits: Int) in SweepTable.value(row, c).map { Output.format($0 * scale, digits) } ?? "-" }
        return "hardware \(f("hardwareAccuracy", 100, 2))% (drop \(f("accuracyDrop", 100, 2))), \(f("energyPerInferenceNanojoules", 1, 1)) nJ, \(f("latencyNanoseconds", 1, 0)) ns"
    }

    static func merge(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: mergeSpec)
        guard let out = args.string("--output-dir") else { throw InputError.usage(flag: "--output-dir", "is required: where the merged sweep goes") }
        let dirs = args.positionals
        try RunCommand.checkOutputDirectory(out, flag: "--output-dir")
        if dirs.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == URL(fileURLWithPath: out).standardizedFileURL.path }) {
            throw InputError.usage(flag: "--output-dir", "\(out) is one of the directories merged; name a new one")
        }
        let (index, front) = try SweepIndex.merge(dirs, into: out)
        if args.flag("--json") {
            Output.json(["outputDir": out, "points": index.entries.count, "merged": dirs, "results": out + "/results.csv", "report": out + "/report.html"])
            return
        }
        print(front, terminator: "")
        print("merged \(index.entries.count) points from \(dirs.count) director\(dirs.count == 1 ? "y" : "ies"); results: \(out)/results.csv, results.jsonl, front.txt; report: \(out)/report.html")
    }
}
