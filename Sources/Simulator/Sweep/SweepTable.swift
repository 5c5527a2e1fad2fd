import Foundation
import Compiler
import Hardware
import Numerics

/// A sweep's result table: one row per point (a JSON object, as the point's file holds it), the
/// Pareto front over the spec's objectives, and the CSV and JSON-lines texts. The texts depend
/// only on the rows, so a merged set of shards gives the bytes of the unsharded run.
public enum SweepTable {
    /// The numeric columns, in the CSV's order: every headline figure of `hffsim run`.
    public static let numericColumns: [String] = [
        "floatAccuracy", "hardwareAccuracy", "accuracyDrop", "accuracyDropStd",
        "latencyNanoseconds", "loadedLatencyNanoseconds", "layersLatencyNanoseconds", "throughputInferencesPerSecond",
        "energyPerInferenceNanojoules", "layersEnergyPerInferenceNanojoules",
    ] + Component.allCases.map { componentColumn($0) } + [
        "topsPerWatt", "topsPerWattDynamic", "tops", "topsPerSquareMillimeter", "areaSquareMillimeters",
        "tiles", "tileSites", "adcs",
    ]

    public static func componentColumn(_ c: Component) -> String { c.rawValue + "Nanojoules" }

    /// A point's row: where it stands in the plan, its settings (swept and resolved), its status
    /// (ok, does-not-fit, invalid, error) with the reason, and for an ok point every headline
    /// figure plus its resources and per-layer figures.
    public static func row(_ p: SweepPoint, plan: SweepPlan, status: String, reason: String? = nil,
                           config: HardwareConfig? = nil, result: RunResult? = nil) -> [String: Any] {
        var row: [String: Any] = [
            "id": p.id, "status": status, "model": plan.spec.modelNames[p.model], "hardware": p.hardwareName,
            "settings": Dictionary(uniqueKeysWithValues: zip(plan.columns, p.values).filter { !$0.1.isEmpty }.map { ($0.0, $0.1) }),
        ]
        if let reason { row["reason"] = reason }
        var resolved: [String: Any] = [
            "map": SweepPlan.mapOptionsObject(p.options.map),
            "run": ["chipSeeds": plan.spec.chipSeeds, "samples": plan.spec.samples.map { $0 as Any } ?? "all",
                    "dataset": plan.spec.dataset ?? "the model's own",
                    "timeSinceProgrammingSeconds": p.options.timeSinceProgrammingSeconds.map { $0 as Any } ?? "the hardware's"] as [String: Any],
            "sets": p.sets,
        ]
        if let h = p.hardware {
            resolved["hardware"] = Dictionary(uniqueKeysWithValues: HardwareSchema.keys.map { k -> (String, Any) in
                switch h.values[k.path]! {
                case .number(let x): return (k.path, x)
                case .text(let s): return (k.path, s)
                case .flag(let b): return (k.path, b)
                }
            })
        }
        row["resolved"] = resolved
        if let config, let result {
            var r = Reports.headline(result, config: config, hostTiming: false)
            r["tiles"] = config.resources.tiles
            r["tileSites"] = config.resources.tileSites
            r["adcs"] = config.resources.adcs
            if let a = config.resources.areaSquareMillimeters { r["areaSquareMillimeters"] = a }
            r["layerEnergyNanojoules"] = result.energyByLayer.map { Component.total($0) / 1000 }
            r["layerBusiestUnitNanoseconds"] = result.layerBusiestUnitNanoseconds
            row["result"] = r
        }
        return row
    }

    /// The value of a numeric column in a row (nil: not given, for example area on a preset
    /// without tile areas, or a point that did not run).
    public static func value(_ row: [String: Any], _ column: String) -> Double? {
        guard let r = row["result"] as? [String: Any] else { return nil }
        if let c = Component.allCases.first(where: { componentColumn($0) == column }) {
            return (r["energyByComponentNanojoules"] as? [String: Any]).flatMap { $0[c.rawValue] }.flatMap(jsonNumber)
        }
        return r[column].flatMap(jsonNumber)
    }

    /// The objectives every ok row gives a value for (a column absent from any is left out).
    public static func usableObjectives(_ rows: [[String: Any]], _ objectives: [SweepSpec.Objective]) -> [SweepSpec.Objective] {
        let ok = rows.filter { $0["status"] as? String == "ok" }
        return objectives.filter { o in ok.allSatisfy { value($0, o.column)?.isFinite == true } }
    }

    /// Which rows are on the Pareto front: ok rows that no other ok row dominates (no worse in
    /// every objective and better in one). Rows with equal objectives are on it together.
    public static func paretoFront(_ rows: [[String: Any]], _ objectives: [SweepSpec.Objective]) -> [Bool] {
        let vectors: [[Double]?] = rows.map { row in
            guard row["status"] as? String == "ok", !objectives.isEmpty else { return nil }
            return objectives.map { o in (o.maximise ? -1 : 1) * (value(row, o.column) ?? .infinity) }
        }
        return vectors.map { v in
            guard let v else { return false }
            return !vectors.contains { w in
                guard let w else { return false }
                return zip(w, v).allSatisfy { $0 <= $1 } && zip(w, v).contains { $0 < $1 }
            }
        }
    }

    /// The CSV text: one row per point in plan order.
    public static func csv(_ rows: [[String: Any]], indices: [Int], columns: [String], front: [Bool]) -> String {
        var lines = [(["index", "id", "status", "model", "hardware"] + columns + numericColumns + ["pareto", "reason"]).map(field).joined(separator: ",")]
        for (i, row) in rows.enumerated() {
            let settings = row["settings"] as? [String: Any] ?? [:]
            var cells = ["\(indices[i])", row["id"] as? String ?? "", row["status"] as? String ?? "", row["model"] as? String ?? "",
                         row["hardware"] as? String ?? ""]
            cells += columns.map { settings[$0] as? String ?? "" }
            cells += numericColumns.map { c in value(row, c).map(number) ?? "" }
            cells += [front[i] ? "1" : "0", row["reason"] as? String ?? ""]
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON lines: each row with its index and Pareto mark, keys sorted.
    public static func jsonLines(_ rows: [[String: Any]], indices: [Int], front: [Bool]) -> String {
        zip(rows.indices, rows).map { i, row in
            var r = row
            r["index"] = indices[i]
            r["pareto"] = front[i]
            return SweepPlan.canonical(finite(r))
        }.joined(separator: "\n") + "\n"
    }

    /// The front as a text table (printed by `hffsim sweep`), best first in the first objective.
    public static func frontText(_ rows: [[String: Any]], indices: [Int], columns: [String], front: [Bool],
                                 objectives: [SweepSpec.Objective]) -> String {
        let on = rows.indices.filter { front[$0] }.sorted { a, b in
            let o = objectives[0]
            let x = value(rows[a], o.column) ?? 0, y = value(rows[b], o.column) ?? 0
            return x != y ? (o.maximise ? x > y : x < y) : indices[a] < indices[b]
        }
        var lines = ["Pareto front over " + objectives.map(\.text).joined(separator: ", ") + ": \(on.count) of \(front.count) points"]
        lines.append((["index", "model", "hardware"] + columns + objectives.map(\.column)).joined(separator: "  "))
        for i in on {
            let settings = rows[i]["settings"] as? [String: Any] ?? [:]
            lines.append((["\(indices[i])", rows[i]["model"] as? String ?? "", rows[i]["hardware"] as? String ?? ""]
                          + columns.map { settings[$0] as? String ?? "-" }
                          + objectives.map { value(rows[i], $0.column).map(number) ?? "-" }).joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func number(_ x: Double) -> String { String(format: "%.6g", x) }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// JSON has no NaN or infinity: such a figure becomes null.
    static func finite(_ v: Any) -> Any {
        if let d = v as? Double, !d.isFinite { return NSNull() }
        if let a = v as? [Any] { return a.map(finite) }
        if let o = v as? [String: Any] { return o.mapValues(finite) }
        return v
    }
}
