import Foundation
import Compiler
import Hardware
import Numerics

/// A design-space sweep as its JSON file states it (docs/sweeps.md): models, base presets, base
/// settings, a grid of axes and seeded random samples over hardware keys and map/run options,
/// the data, and the Pareto objectives. Parsing checks every field and names the one at fault
/// (exit 65); `SweepPlan` expands it into points.
///
///     {"models": ["hff.safetensors"], "hardware": ["rram-neurosim"],
///      "set": ["chip.tileSites=4096"],
///      "grid": [{"key": "crossbar.adc.bits", "values": [4, 5, 6]},
///               {"keys": ["crossbar.rows", "crossbar.columns"], "values": [[64, 64], [128, 128]]},
///               {"key": "--time-since-programming", "values": ["1h", "1y"]}],
///      "random": {"count": 20, "seed": 1, "axes": [{"key": "noise.readRelative", "range": [0, 0.05]}]},
///      "dataset": "fashion-mnist", "samples": 2000, "chipSeeds": 2,
///      "objectives": ["accuracyDrop", "energyPerInferenceNanojoules", "latencyNanoseconds"]}
public struct SweepSpec: Sendable {
    /// One grid axis: one key, or several keys set together (a linked axis), and its values (one
    /// text per key per value, as `--set key=value` would take it).
    public struct Axis: Sendable, Equatable {
        public var keys: [String]
        public var values: [[String]]
    }

    /// One axis of the random samples: a list to choose from uniformly, or a range (uniform, or
    /// log-uniform; integers when `integer`).
    public struct RandomAxis: Sendable, Equatable {
        public var key: String
        public var choices: [String]
        public var range: ClosedRange<Double>?
        public var integer: Bool
        public var logarithmic: Bool
    }

    /// A Pareto objective: a numeric column of the result table, minimised or maximised.
    public struct Objective: Sendable, Equatable {
        public var column: String
        public var maximise: Bool
        public var text: String { column + (maximise ? ":max" : "") }
    }

    /// The spec file as given (errors name it).
    public var file: String
    /// Model files, resolved against the spec file's directory.
    public var models: [String]
    /// The same as the spec writes them (the table's model column).
    public var modelNames: [String]
    /// Preset names or hardware files (files resolved against the spec's directory).
    public var hardware: [String]
    /// Settings every point starts from: `key=value` for hardware keys, `--option=value` for
    /// the map and run options of `SweepOptions`.
    public var sets: [String]
    public var grid: [Axis]
    public var randomCount: Int
    public var randomSeed: UInt64
    public var randomAxes: [RandomAxis]
    /// The data set (`--dataset`); nil: each model's own.
    public var dataset: String?
    /// Test samples per point (the first N); nil: all.
    public var samples: Int?
    public var chipSeeds: Int
    public var objectives: [Objective]

    /// The numeric columns an objective may name (`SweepTable.numericColumns`).
    public static let defaultObjectives = ["accuracyDrop", "energyPerInferenceNanojoules", "latencyNanoseconds", "areaSquareMillimeters"]

    public static func load(path: String) throws -> SweepSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError.data(file: path, "cannot read the file") }
        if let key = JSONKeys.firstDuplicate(in: data) { throw InputError.data(file: path, field: key, "appears twice in its object") }
        guard let tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError.data(file: path, "not a JSON object")
        }
        return try SweepSpec(tree, file: path)
    }

    public init(_ tree: [String: Any], file: String) throws {
        self.file = file
        func fail(_ field: String, _ message: String) -> InputError { InputError.data(file: file, field: field, message) }
        let known: Set = ["models", "hardware", "set", "grid", "random", "dataset", "samples", "chipSeeds", "objectives", "description"]
        if let unknown = tree.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown field; expected one of " + known.sorted().joined(separator: ", "))
        }
        if let d = tree["description"], !(d is String) { throw fail("description", "expected a string") }
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().path
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (dir == "." || dir.isEmpty ? p : dir + "/" + p) }
        func strings(_ field: String, required: Bool) throws -> [String] {
            guard let v = tree[field] else {
                if required { throw fail(field, "is required") }
                return []
            }
            guard let a = v as? [Any], let s = a as? [String], !(required && s.isEmpty) else {
                throw fail(field, "expected a\(required ? " non-empty" : "n") array of strings")
            }
            return s
        }
        modelNames = try strings("models", required: true)
        models = modelNames.map(resolve)
        hardware = try strings("hardware", required: true).map { $0.hasSuffix(".json") || $0.contains("/") ? resolve($0) : $0 }
        sets = try strings("set", required: false)
        for (i, s) in sets.enumerated() where !s.contains("=") { throw fail("set[\(i)]", "expected key=value, got '\(s)'") }
        grid = []
        if let g = tree["grid"] {
            guard let axes = g as? [Any] else { throw fail("grid", "expected an array of axes") }
            for (i, a) in axes.enumerated() { grid.append(try Self.axis(a, field: "grid[\(i)]", fail: fail)) }
        }
        randomCount = 0
        randomSeed = 0
        randomAxes = []
        if let r = tree["random"] {
            guard let o = r as? [String: Any] else { throw fail("random", "expected an object with count, seed and axes") }
            if let k = o.keys.sorted().first(where: { !["count", "seed", "axes"].contains($0) }) { throw fail("random.\(k)", "unknown field") }
            randomCount = try Self.integer(o["count"], field: "random.count", range: 1...100_000, fail: fail)
            randomSeed = UInt64(try Self.integer(o["seed"] ?? 0, field: "random.seed", range: 0...Int(Int32.max), fail: fail))
            guard let axes = o["axes"] as? [Any], !axes.isEmpty else { throw fail("random.axes", "expected a non-empty array") }
            for (i, a) in axes.enumerated() { randomAxes.append(try Self.randomAxis(a, field: "random.axes[\(i)]", fail: fail)) }
        }
        if let d = tree["dataset"] {
            guard let s = d as? String, !s.isEmpty else { throw fail("dataset", "expected a data set name") }
            dataset = s
        }
        if let s = tree["samples"] { samples = try Self.integer(s, field: "samples", range: 1...10_000_000, fail: fail) }
        chipSeeds = try Self.integer(tree["chipSeeds"] ?? 1, field: "chipSeeds", range: 1...1000, fail: fail)
        let objectiveTexts = tree["objectives"] == nil ? Self.defaultObjectives : try strings("objectives", required: true)
        objectives = try objectiveTexts.enumerated().map { i, text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, SweepTable.numericColumns.contains(parts[0]), parts.count == 1 || ["min", "max"].contains(parts[1]) else {
                throw fail("objectives[\(i)]", "expected a column (with :min or :max) of " + SweepTable.numericColumns.joined(separator: ", ") + "; got '\(text)'")
            }
            return Objective(column: parts[0], maximise: parts.count == 2 && parts[1] == "max")
        }
        let keys = sets.map { String($0.prefix { $0 != "=" }) } + grid.flatMap(\.keys) + randomAxes.map(\.key)
        for key in keys { try Self.checkKey(key, fail: fail) }
        var seen = Set<String>()
        for key in grid.flatMap(\.keys) + randomAxes.map(\.key) {
            if !seen.insert(key).inserted { throw fail("grid", "key \(key) is swept twice") }
        }
        if grid.isEmpty && randomAxes.isEmpty && models.count * hardware.count == 0 { throw fail("grid", "no points") }
    }

    /// A key is a hardware schema key or one of the options `SweepOptions` takes.
    static func checkKey(_ key: String, fail: (String, String) -> InputError) throws {
        if key.hasPrefix("--") {
            if !SweepOptions.keys.contains(key) {
                throw fail(key, "not an option a sweep can set; expected one of " + SweepOptions.keys.joined(separator: ", ") + " or a hardware key")
            }
        } else if !HardwareSchema.keys.contains(where: { $0.path == key }) {
            throw fail(key, "no such hardware key (see 'hffsim hardware keys')")
        }
    }

    /// A JSON number or string as the text `--set` takes.
    static func text(_ v: Any, field: String, fail: (String, String) -> InputError) throws -> String {
        if let s = v as? String { return s }
        // Foundation bridges JSON true and 1 both to NSNumber; the type code tells them apart.
        if let b = v as? Bool, !(v is NSNumber) { return b ? "true" : "false" }
        if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
        if let d = jsonNumber(v), d.isFinite { return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)" }
        throw fail(field, "expected a number, a string or a boolean")
    }

    static func integer(_ v: Any?, field: String, range: ClosedRange<Int>, fail: (String, String) -> InputError) throws -> Int {
        guard let v else { throw fail(field, "is required") }
        guard let d = jsonNumber(v), d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw fail(field, "expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(d)
    }

    static func axis(_ a: Any, field: String, fail: (String, String) -> InputError) throws -> Axis {
        guard let o = a as? [String: Any] else { throw fail(field, "expected an object with key (or keys) and values") }
        if let k = o.keys.sorted().first(where: { !["key", "keys", "values"].contains($0) }) { throw fail("\(field).\(k)", "unknown field") }
        let keys: [String]
        switch (o["key"], o["keys"]) {
        case (let k as String, nil): keys = [k]
        case (nil, let ks as [String]) where !ks.isEmpty: keys = ks
        default: throw fail(field, "expected \"key\": a string, or \"keys\": a non-empty array of strings")
        }
        guard let values = o["values"] as? [Any], !values.isEmpty else { throw fail("\(field).values", "expected a non-empty array") }
        let rows: [[String]] = try values.enumerated().map { j, v in
            let f = "\(field).values[\(j)]"
            if keys.count == 1 { return [try text(v, field: f, fail: fail)] }
            guard let tuple = v as? [Any], tuple.count == keys.count else { throw fail(f, "expected an array of \(keys.count) values, one per key") }
            return try tuple.map { try text($0, field: f, fail: fail) }
        }
        if Set(rows).count != rows.count { throw fail("\(field).values", "a value appears twice") }
        return Axis(keys: keys, values: rows)
    }

    static func randomAxis(_ a: Any, field: String, fail: (String, String) -> InputError) throws -> RandomAxis {
        guard let o = a as? [String: Any], let key = o["key"] as? String else { throw fail(field, "expected an object with key and values or range") }
        if let k = o.keys.sorted().first(where: { !["key", "values", "range", "integer", "log"].contains($0) }) { throw fail("\(field).\(k)", "unknown field") }
        func flag(_ name: String) throws -> Bool {
            guard let v = o[name] else { return false }
            guard let n = v as? NSNumber, String(cString: n.objCType) == "c" else { throw fail("\(field).\(name)", "expected true or false") }
            return n.boolValue
        }
        var axis = RandomAxis(key: key, choices: [], range: nil, integer: try flag("integer"), logarithmic: try flag("log"))
        switch (o["values"], o["range"]) {
        case (let v as [Any], nil) where !v.isEmpty:
            axis.choices = try v.enumerated().map { try text($1, field: "\(field).values[\($0)]", fail: fail) }
        case (nil, let r as [Any]) where r.count == 2:
            guard let lo = jsonNumber(r[0]), let hi = jsonNumber(r[1]), lo.isFinite, hi.isFinite, lo <= hi, !axis.logarithmic || lo > 0 else {
                throw fail("\(field).range", "expected [low, high] with low <= high (low > 0 with log)")
            }
            axis.range = lo...hi
        default: throw fail(field, "expected \"values\": a non-empty array, or \"range\": [low, high]")
        }
        return axis
    }
}

/// The map and run options a sweep point may set besides hardware keys, parsed as the CLI flags
/// of the same names parse them.
public struct SweepOptions: Sendable, Equatable {
    public static let keys = ["--duplicate", "--weight-scale", "--clip-percentile", "--adc-headroom", "--calibration-samples", "--time-since-programming"]
    public var map = MapOptions()
    public var timeSinceProgrammingSeconds: Double?

    public init() {}

    /// Applies `--option=value`; errors name `field`.
    public mutating func apply(_ key: String, _ value: String, fail: (String) -> InputError) throws {
        switch key {
        case "--duplicate":
            let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 65_536 }) else { throw fail("expected copies per layer such as 2,1,1, got '\(value)'") }
            map.duplication = parts.map { $0! }
        case "--weight-scale":
            guard let w = MapOptions.WeightScale(rawValue: value) else { throw fail("expected per-layer or per-column, got '\(value)'") }
            map.weightScale = w
        case "--clip-percentile":
            guard let p = Double(value), p >= 50, p <= 100 else { throw fail("expected a percentile in 50...100, got '\(value)'") }
            map.clipPercentile = p
        case "--adc-headroom":
            guard let h = Double(value), h >= 0, h <= 10 else { throw fail("expected a fraction in 0...10, got '\(value)'") }
            map.adcHeadroom = h
        case "--calibration-samples":
            guard let n = Int(value), n >= 0, n <= 1_000_000 else { throw fail("expected an integer in 0...1000000, got '\(value)'") }
            map.calibrationSamples = n
        case "--time-since-programming":
            guard let s = Self.seconds(value) else { throw fail("expected seconds or a number with s, m, h, d or y, got '\(value)'") }
            timeSinceProgrammingSeconds = s
        default:
            throw fail("not a sweep option")
        }
    }

    /// "1d" -> 86400 (the units of `hffsim run --time-since-programming`); nil when malformed.
    public static func seconds(_ s: String) -> Double? {
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("y", 31_557_600)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            if let v = Double(s.dropLast()), v >= 0, v.isFinite { return v * factor }
        }
        if let v = Double(s), v >= 0, v.isFinite { return v }
        return nil
    }
}
