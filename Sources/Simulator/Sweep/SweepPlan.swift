import Foundation
import Compiler
import Hardware
import Numerics

/// One point of a sweep: a model on a hardware with its settings, and its identity.
public struct SweepPoint: Sendable {
    /// Position in the sweep's fixed order (models, then presets, then the grid with its first
    /// axis slowest, then the random samples).
    public var index: Int
    /// The first 16 hex digits of the SHA-256 of the model file, the resolved hardware and the
    /// map and run options: two points with the same id are the same experiment (random samples
    /// may draw one twice), done once.
    public var id: String
    public var model: Int
    public var hardwareName: String
    /// The swept keys' values, one per `SweepPlan.columns` entry ("" where the point leaves the
    /// key at its base).
    public var values: [String]
    /// Every hardware `key=value` of the point (the spec's base settings, then its axes).
    public var sets: [String]
    public var options: SweepOptions
    /// The resolved hardware, or why the combination is not a valid description.
    public var hardware: HardwareDescription?
    public var invalidReason: String?
    /// The digest of what mapping depends on (model, hardware, map options): points that share
    /// it share one compiled config.
    public var mapKey: String
}

/// A sweep spec expanded into its points, in a fixed order that does not depend on threads,
/// shards or what is already done.
public struct SweepPlan: Sendable {
    public var spec: SweepSpec
    /// The swept keys, in the spec's order (grid axes, then random axes): the table's setting columns.
    public var columns: [String]
    public var points: [SweepPoint]

    /// `modelDigests[i]` is the SHA-256 of `spec.models[i]`'s bytes.
    public init(_ spec: SweepSpec, modelDigests: [String]) throws {
        self.spec = spec
        columns = spec.grid.flatMap(\.keys) + spec.randomAxes.map(\.key)
        func fail(_ field: String, _ message: String) -> InputError { InputError.data(file: spec.file, field: field, message) }
        var bases = [HardwareDescription]()
        for (i, name) in spec.hardware.enumerated() {
            do { bases.append(try HardwareDescription.load(name)) } catch let e as InputError { throw fail("hardware[\(i)]", e.message) }
        }
        // The base settings, and every axis value alone over them, must each be valid: a bad value
        // is the spec's fault. A combination that is not valid is a result (status invalid).
        var baseOptions = SweepOptions()
        var baseSets = [String]()
        for (i, s) in spec.sets.enumerated() {
            let (k, v) = Self.split(s)
            if k.hasPrefix("--") { try baseOptions.apply(k, v) { fail("set[\(i)]", $0) } } else { baseSets.append(s) }
        }
        for (b, base) in bases.enumerated() {
            do { _ = try base.overriding(baseSets) } catch let e as InputError { throw fail("set", "on \(spec.hardware[b]): " + Self.trimmed(e.message, spec.hardware[b])) }
        }
        for (a, axis) in spec.grid.enumerated() {
            for (j, row) in axis.values.enumerated() {
                var o = baseOptions
                var sets = baseSets
                for (k, v) in zip(axis.keys, row) {
                    if k.hasPrefix("--") { try o.apply(k, v) { fail("grid[\(a)].values[\(j)]", $0) } } else { sets.append("\(k)=\(v)") }
                }
                for (b, base) in bases.enumerated() {
                    do { _ = try base.overriding(sets) } catch let e as InputError { throw fail("grid[\(a)].values[\(j)]", "on \(spec.hardware[b]): " + Self.trimmed(e.message, spec.hardware[b])) }
                }
            }
        }
        // A size a sweep can hold in memory and finish: refused before any combination is made.
        var count = 1
        for n in spec.grid.map(\.values.count) + [spec.models.count, spec.hardware.count] {
            let (m, overflow) = count.multipliedReportingOverflow(by: n)
            count = overflow ? Int.max : m
        }
        if spec.grid.isEmpty && !spec.randomAxes.isEmpty { count = 0 }
        count = count > Self.maximumPoints ? count : count + spec.randomCount * spec.models.count * spec.hardware.count
        if count > Self.maximumPoints {
            throw fail("grid", "the sweep has \(count == Int.max ? "too many" : String(count)) points; at most \(Self.maximumPoints)")
        }
        // The settings of every point: the grid's combinations, then the random samples.
        var combos = [[String]]()
        if !spec.grid.isEmpty || spec.randomAxes.isEmpty {
            combos = [[]]
            for axis in spec.grid { combos = combos.flatMap { c in axis.values.map { c + $0 } } }
            let randomBlank = [String](repeating: "", count: spec.randomAxes.count)
            combos = combos.map { $0 + randomBlank }
        }
        let gridBlank = [String](repeating: "", count: spec.grid.flatMap(\.keys).count)
        for r in 0..<spec.randomCount {
            var rng = SeededRandom(seed: spec.randomSeed).split(UInt64(r))
            combos.append(gridBlank + spec.randomAxes.map { Self.draw($0, &rng) })
        }
        points = []
        for (m, digest) in modelDigests.enumerated() {
            for (b, base) in bases.enumerated() {
                for values in combos {
                    var options = baseOptions
                    var sets = baseSets
                    for (k, v) in zip(columns, values) where !v.isEmpty {
                        if k.hasPrefix("--") { try options.apply(k, v) { fail(k, $0) } } else { sets.append("\(k)=\(v)") }
                    }
                    var hardware: HardwareDescription?
                    var reason: String?
                    do { hardware = try base.overriding(sets) } catch let e as InputError { reason = e.message }
                    let map = Self.canonical(["model": digest, "hardware": hardware?.jsonObject() ?? ["invalid": sets],
                                              "map": Self.mapOptionsObject(options.map)])
                    let run: [String: Any] = ["timeSinceProgrammingSeconds": options.timeSinceProgrammingSeconds ?? -1, "chipSeeds": spec.chipSeeds,
                                              "samples": spec.samples ?? -1, "dataset": spec.dataset ?? ""]
                    let id = SHA256.hex(Data((map + Self.canonical(run)).utf8)).prefix(16)
                    points.append(SweepPoint(index: points.count, id: String(id), model: m, hardwareName: spec.hardware[b], values: values,
                                             sets: sets, options: options, hardware: hardware, invalidReason: reason,
                                             mapKey: SHA256.hex(Data(map.utf8))))
                }
            }
        }
    }

    /// The most points a plan holds (each a map and a run: far beyond any sweep worth running).
    public static let maximumPoints = 1_000_000

    /// The points of shard `shard` of `count`: every point whose index is `shard` mod `count`
    /// (interleaved, so that every shard gets a like share of each axis's costly values).
    public func shard(_ shard: Int, of count: Int) -> [SweepPoint] { points.filter { $0.index % count == shard } }

    /// A validation message without the description's own name in front (the field says it).
    static func trimmed(_ message: String, _ name: String) -> String {
        let n = URL(fileURLWithPath: name).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        for prefix in [name + ": ", n + ": "] where message.hasPrefix(prefix) { return String(message.dropFirst(prefix.count)) }
        return message
    }

    static func split(_ s: String) -> (String, String) {
        let k = String(s.prefix { $0 != "=" })
        return (k, String(s.dropFirst(k.count + 1)))
    }

    static func draw(_ axis: SweepSpec.RandomAxis, _ rng: inout SeededRandom) -> String {
        if !axis.choices.isEmpty { return axis.choices[rng.below(axis.choices.count)] }
        let r = axis.range!
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        var v = axis.logarithmic ? exp(log(r.lowerBound) + u * (log(r.upperBound) - log(r.lowerBound))) : r.lowerBound + u * (r.upperBound - r.lowerBound)
        if axis.integer { v = min(r.upperBound, max(r.lowerBound, v.rounded())) ; return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    static func mapOptionsObject(_ o: MapOptions) -> Any {
        (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(o))) ?? [:]
    }

    /// JSON with sorted keys: the same text for the same content.
    static func canonical(_ o: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
