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
        usage: "hffsim sweep <spec.json> [--output-dir DIR] [--shard I/N] [--jobs J] [--threads N] [--json]\n       hffsim sweep merge <dir> ... --output-dir DIR [--json]",
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

    static func run(_ argv: [String]) throws {
        if argv.first == "merge" { return try merge(Array(argv.dropFirst())) }
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
        try makeDirectory(dir)
        try makeDirectory(dir + "/points")
        let index = SweepIndex(plan)
        try AtomicFile.write(Data(index.jsonText().utf8), to: dir + "/plan.json")

        let share = plan.shard(shard.index, of: shard.count)
        var seen = Set<String>()
        let unique = share.filter { seen.insert($0.id).inserted }
        let todo = unique.filter { SweepIndex.readRow(dir: dir, id: $0.id) == nil }
        // Points that share a compiled config run one after another on one worker.
        var groups = [[SweepPoint]]()
        var groupOf = [String: Int]()
        for p in todo {
            if let g = groupOf[p.mapKey] { groups[g].append(p) } else { groupOf[p.mapKey] = groups.count; groups.append([p]) }
        }
        Output.error("sweep: \(plan.points.count) points" + (shard.count > 1 ? ", shard \(shard.index)/\(shard.count): \(share.count)" : "")
                     + "\(share.count > unique.count ? " (\(share.count - unique.count) the same experiment as another)" : ""); \(unique.count - todo.count) already done in \(dir), \(todo.count) to run in \(groups.count) map group(s), \(jobs) at a time")
        GEMM.defaultThreads = max(1, threads / jobs)
        let start = Date()
        let lock = NSLock()
        var nextGroup = 0, finished = 0, failure: Error?
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, groups.count))) { _ in
            while true {
                lock.lock()
                let g = failure == nil && nextGroup < groups.count ? nextGroup : nil
                nextGroup += 1
                lock.unlock()
                guard let g else { return }
                do {
                    try runGroup(groups[g], plan: plan, sources: sources, data: data) { row, point, seconds in
                        lock.lock()
                        defer { lock.unlock() }
                        try AtomicFile.write(Data(SweepIndex.rowText(row).utf8), to: SweepIndex.pointPath(dir: dir, id: point.id))
                        finished += 1
                        Output.error("[\(finished)/\(todo.count)] point \(point.index) \(point.id): " + describe(row) + ", \(Output.format(seconds, 1)) s")
                    }
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        let wall = Date().timeIntervalSince(start)
        var rows = [String: [String: Any]]()
        for p in share { if let r = SweepIndex.readRow(dir: dir, id: p.id) { rows[p.id] = r } }
        let shareIndex = SweepIndex(columns: index.columns, objectives: index.objectives, entries: index.entries.filter { $0.index % shard.count == shard.index })
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

    /// Maps the group's shared config once, then runs each point; `done` receives each point's
    /// row. A config that does not fit, or hardware that is not valid, is every point's result.
    static func runGroup(_ group: [SweepPoint], plan: SweepPlan, sources: [Experiment.ModelSource],
                         data: [(train: Dataset, raw: Matrix, labels: [Int])],
                         done: ([String: Any], SweepPoint, Double) throws -> Void) throws {
        let first = group[0]
        let start = Date()
        guard let hardware = first.hardware else {
            for p in group { try done(SweepTable.row(p, plan: plan, status: "invalid", reason: p.invalidReason), p, 0) }
            return
        }
        let source = sources[first.model], d = data[first.model]
        let config: HardwareConfig
        do {
            let calibration = d.train.features.rows(0..<min(d.train.count, first.options.map.calibrationSamples))
            config = try Mapper.map(model: source.model, modelPath: source.path, modelDigest: source.digest, hardware: hardware,
                                    options: first.options.map, calibration: calibration)
        } catch let e as InputError {
            let status = e.kind == .doesNotFit ? "does-not-fit" : "error"
            for p in group { try done(SweepTable.row(p, plan: plan, status: status, reason: e.message), p, Date().timeIntervalSince(start)) }
            return
        }
        for p in group {
            let pointStart = Date()
            var options = RunOptions()
            options.chipSeeds = plan.spec.chipSeeds
            options.traceSamples = 0
            options.timeSinceProgrammingSeconds = p.options.timeSinceProgrammingSeconds
            do {
                let result = try Simulation.run(config: config, model: source.model, raw: d.raw, labels: d.labels, options: options)
                try done(SweepTable.row(p, plan: plan, status: "ok", config: config, result: result), p, Date().timeIntervalSince(pointStart))
            } catch let e as InputError {
                try done(SweepTable.row(p, plan: plan, status: "error", reason: e.message), p, Date().timeIntervalSince(pointStart))
            }
        }
    }

    static func describe(_ row: [String: Any]) -> String {
        guard row["status"] as? String == "ok" else { return "\(row["status"] ?? "?"): \(row["reason"] ?? "")" }
        let f = { (c: String, scale: Double, digits: Int) in SweepTable.value(row, c).map { Output.format($0 * scale, digits) } ?? "-" }
        return "hardware \(f("hardwareAccuracy", 100, 2))% (drop \(f("accuracyDrop", 100, 2))), \(f("energyPerInferenceNanojoules", 1, 1)) nJ, \(f("latencyNanoseconds", 1, 0)) ns"
    }

    static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw InputError(.io, "\(path): exists and is not a directory") }
            return
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw InputError(.io, "\(path): cannot create the directory: \(String(cString: strerror(errno)))") }
    }

    static func merge(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: mergeSpec)
        guard let out = args.string("--output-dir") else { throw InputError.usage(flag: "--output-dir", "is required: where the merged sweep goes") }
        let dirs = args.positionals
        let index = try SweepIndex.load(dir: dirs[0])
        for d in dirs.dropFirst() {
            if try SweepIndex.load(dir: d) != index {
                throw InputError.data(file: d + "/plan.json", "is the plan of another sweep than \(dirs[0])/plan.json")
            }
        }
        var rows = [String: [String: Any]]()
        for e in index.entries where rows[e.id] == nil {
            for d in dirs { if let r = SweepIndex.readRow(dir: d, id: e.id) { rows[e.id] = r; break } }
        }
        let missing = index.entries.filter { rows[$0.id] == nil }
        if let m = missing.first {
            throw InputError.data(file: dirs[0], "\(missing.count) point(s) finished in none of the directories, the first point \(m.index) (\(m.id)); run its shard again, it resumes")
        }
        try RunCommand.checkOutputDirectory(out, flag: "--output-dir")
        if dirs.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == URL(fileURLWithPath: out).standardizedFileURL.path }) {
            throw InputError.usage(flag: "--output-dir", "\(out) is one of the directories merged; name a new one")
        }
        try makeDirectory(out)
        try makeDirectory(out + "/points")
        try AtomicFile.write(Data(index.jsonText().utf8), to: out + "/plan.json")
        for e in index.entries { try AtomicFile.write(Data(SweepIndex.rowText(rows[e.id]!).utf8), to: SweepIndex.pointPath(dir: out, id: e.id)) }
        let front = try index.writeTables(rows: rows, into: out)
        if args.flag("--json") {
            Output.json(["outputDir": out, "points": index.entries.count, "merged": dirs, "results": out + "/results.csv", "report": out + "/report.html"])
            return
        }
        print(front, terminator: "")
        print("merged \(index.entries.count) points from \(dirs.count) director\(dirs.count == 1 ? "y" : "ies"); results: \(out)/results.csv, results.jsonl, front.txt; report: \(out)/report.html")
    }
}
