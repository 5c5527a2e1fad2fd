import Foundation
import Hardware
import Numerics

/// A sweep's output directory:
///
///     plan.json          every point's index, id, model, hardware and swept values; the columns
///                        and the objectives (what `merge` needs, without the models)
///     points/ID.json     one finished point's row (written when it finishes: a rerun skips it)
///     results.csv        the table, plan order, Pareto front marked
///     results.jsonl      the same rows as JSON lines, with their resolved settings
///     front.txt          the Pareto front as `hffsim sweep` prints it
///     report.html, *.svg the pictures (`SweepReport`)
///
/// The tables and pictures are made from plan.json and the point files alone, so a merge of
/// shards writes the bytes of the unsharded run.
public struct SweepIndex: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var index: Int
        public var id: String
        public var model: String
        public var hardware: String
        public var values: [String]
    }
    public var columns: [String]
    /// The swept axes as groups of columns (a linked grid axis is one group), in spec order.
    public var axes: [[String]]
    public var objectives: [SweepSpec.Objective]
    public var entries: [Entry]

    public init(_ plan: SweepPlan) {
        columns = plan.columns
        axes = plan.spec.grid.map(\.keys) + plan.spec.randomAxes.map { [$0.key] }
        objectives = plan.spec.objectives
        entries = plan.points.map { Entry(index: $0.index, id: $0.id, model: plan.spec.modelNames[$0.model], hardware: $0.hardwareName, values: $0.values) }
    }

    public func jsonText() -> String {
        let o: [String: Any] = [
            "format": 1, "columns": columns, "axes": axes, "objectives": objectives.map(\.text),
            "points": entries.map { ["index": $0.index, "id": $0.id, "model": $0.model, "hardware": $0.hardware, "values": $0.values] as [String: Any] },
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
    }

    /// Reads `dir`/plan.json (a sweep's output directory).
    public static func load(dir: String) throws -> SweepIndex {
        let path = dir + "/plan.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError.data(file: path, "cannot read the file: is \(dir) a sweep's output directory?") }
        func fail(_ field: String, _ m: String) -> InputError { InputError.data(file: path, field: field, m) }
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw InputError.data(file: path, "not a JSON object") }
        guard jsonNumber(o["format"] ?? "") == 1 else { throw fail("format", "expected 1") }
        guard let columns = o["columns"] as? [String] else { throw fail("columns", "expected an array of strings") }
        guard let axes = o["axes"] as? [[String]], axes.flatMap({ $0 }) == columns, !axes.contains(where: \.isEmpty) else {
            throw fail("axes", "expected the columns grouped into non-empty arrays, in order")
        }
        guard let objectiveTexts = o["objectives"] as? [String] else { throw fail("objectives", "expected an array of strings") }
        let objectives = try objectiveTexts.map { t -> SweepSpec.Objective in
            let parts = t.split(separator: ":").map(String.init)
            guard SweepTable.numericColumns.contains(parts[0]), parts.count <= 2 else { throw fail("objectives", "unknown column in '\(t)'") }
            return SweepSpec.Objective(column: parts[0], maximise: parts.count == 2 && parts[1] == "max")
        }
        guard let points = o["points"] as? [[String: Any]] else { throw fail("points", "expected an array of objects") }
        let entries = try points.enumerated().map { i, p -> Entry in
            guard let index = p["index"].flatMap(jsonNumber), Int(index) == i, let id = p["id"] as? String, id.count == 16,
                  let model = p["model"] as? String, let hardware = p["hardware"] as? String,
                  let values = p["values"] as? [String], values.count == columns.count else {
                throw fail("points[\(i)]", "expected index \(i), a 16-digit id, model, hardware and \(columns.count) values")
            }
            return Entry(index: i, id: id, model: model, hardware: hardware, values: values)
        }
        return SweepIndex(columns: columns, axes: axes, objectives: objectives, entries: entries)
    }

    public init(columns: [String], axes: [[String]], objectives: [SweepSpec.Objective], entries: [Entry]) {
        self.columns = columns
        self.axes = axes
        self.objectives = objectives
        self.entries = entries
    }

    /// The index of shard `shard` of `count` (its entries: index mod count; `SweepPlan.shard`).
    public func shard(_ shard: Int, of count: Int) -> SweepIndex {
        SweepIndex(columns: columns, axes: axes, objectives: objectives, entries: entries.filter { $0.index % count == shard })
    }

    public static func pointPath(dir: String, id: String) -> String { dir + "/points/" + id + ".json" }

    /// The row in `dir`/points/ID.json, or nil when the point has not finished there (a file
    /// that does not parse, or holds another id, counts as not finished).
    public static func readRow(dir: String, id: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: pointPath(dir: dir, id: id)),
              let row = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], row["id"] as? String == id else { return nil }
        return row
    }

    /// A row as its point file holds it (keys sorted).
    public static func rowText(_ row: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: SweepTable.finite(row), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
    }

    /// Writes the tables, the front and the report for the entries whose rows are
    /// given (`rows[id]`), in plan order; returns the front's text.
    @discardableResult
    public func writeTables(rows byID: [String: [String: Any]], into dir: String) throws -> String {
        let present = entries.filter { byID[$0.id] != nil }
        let rows = present.map { byID[$0.id]! }
        let indices = present.map(\.index)
        let objectives = SweepTable.usableObjectives(rows, self.objectives)
        let front = SweepTable.paretoFront(rows, objectives)
        try AtomicFile.write(Data(SweepTable.csv(rows, indices: indices, columns: columns, front: front).utf8), to: dir + "/results.csv")
        try AtomicFile.write(Data(SweepTable.jsonLines(rows, indices: indices, front: front).utf8), to: dir + "/results.jsonl")
        let text = objectives.isEmpty ? "no Pareto front: no point ran, or no objective has a value for every point\n"
            : SweepTable.frontText(rows, indices: indices, columns: columns, front: front, objectives: objectives)
        try AtomicFile.write(Data(text.utf8), to: dir + "/front.txt")
        try SweepReport.write(index: self, rows: rows, indices: indices, front: front, objectives: objectives, into: dir)
        return text
    }

    /// Joins shard directories of one sweep into `out` (plan.json, every point file, the tables
    /// and pictures): byte for byte what the unsharded run writes. Throws when the plans differ
    /// or a point finished in none of them; `out` is written only after both checks.
    public static func merge(_ dirs: [String], into out: String) throws -> (index: SweepIndex, front: String) {
        let index = try SweepIndex.load(dir: dirs[0])
        for d in dirs.dropFirst() where try SweepIndex.load(dir: d) != index {
            throw InputError.data(file: d + "/plan.json", "is the plan of another sweep than \(dirs[0])/plan.json")
        }
        var rows = [String: [String: Any]]()
        for e in index.entries where rows[e.id] == nil {
            for d in dirs { if let r = readRow(dir: d, id: e.id) { rows[e.id] = r; break } }
        }
        let missing = index.entries.filter { rows[$0.id] == nil }
        if let m = missing.first {
            throw InputError.data(file: dirs[0], "\(missing.count) point(s) finished in none of the directories, the first point \(m.index) (\(m.id)); run its shard again, it resumes")
        }
        try makeDirectory(out)
        try makeDirectory(out + "/points")
        try AtomicFile.write(Data(index.jsonText().utf8), to: out + "/plan.json")
        for e in index.entries { try AtomicFile.write(Data(rowText(rows[e.id]!).utf8), to: pointPath(dir: out, id: e.id)) }
        return (index, try index.writeTables(rows: rows, into: out))
    }

    public static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw InputError(.io, "\(path): exists and is not a directory") }
            return
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw InputError(.io, "\(path): cannot create the directory: \(String(cString: strerror(errno)))") }
    }
}
