import Foundation
import Hardware
import Numerics
import Plots

/// A sweep's pictures (SVG files) and report.html, made from the rows alone:
/// - pareto.svg: energy per inference against hardware accuracy, every point, the front over the
///   spec's objectives, and the energy-accuracy front as a line;
/// - accuracy-vs-KEY.svg, energy-vs-KEY.svg for each swept axis (KEY its first key): every point
///   at its value, and the mean over the other axes as a line (a linked axis: its combinations);
/// - front-energy.svg: the front's energy per inference by component, stacked;
/// - front-layers.svg: the front's per-layer busiest-unit time per inference, stacked.
public enum SweepReport {
    public static func write(index: SweepIndex, rows: [[String: Any]], indices: [Int], front: [Bool],
                             objectives: [SweepSpec.Objective], into dir: String) throws {
        var report = HTMLReport(title: "hffsim sweep: \(index.entries.count) points",
                                subtitle: "Models: " + unique(index.entries.map(\.model)).joined(separator: ", ")
                                    + "; hardware: " + unique(index.entries.map(\.hardware)).joined(separator: ", ")
                                    + "; swept: " + (index.columns.isEmpty ? "nothing" : index.columns.joined(separator: ", ")))
        let statuses = ["ok", "does-not-fit", "invalid", "error"]
        let counts = statuses.map { s in rows.filter { $0["status"] as? String == s }.count }
        report.heading("Points")
        report.table(["status", "points"], zip(statuses, counts).map { [$0, "\($1)"] } + [["not run (other shards, or unfinished)", "\(index.entries.count - rows.count)"]])
        let ok = rows.indices.filter { rows[$0]["status"] as? String == "ok" }
        var files = [(name: String, svg: String, caption: String)]()
        if !ok.isEmpty {
            files.append(("pareto.svg", pareto(rows, ok: ok, front: front),
                          "Energy per inference against hardware accuracy. Orange: the Pareto front over " + objectives.map(\.text).joined(separator: ", ")
                          + "; blue line: the points no other beats in both energy and accuracy."))
            for (a, keys) in index.axes.enumerated() {
                // A linked axis is drawn against its combinations, labelled by its first two keys.
                let shown = Array(keys.prefix(2))
                let cs = shown.map { index.columns.firstIndex(of: $0)! }
                let labels = Dictionary(uniqueKeysWithValues: index.entries.map { e in
                    (e.index, cs.contains { e.values[$0].isEmpty } ? "" : cs.map { e.values[$0] }.joined(separator: "/"))
                })
                let axisName = shown.joined(separator: " / ")
                let xLabel = axisName + (keys.count > 2 ? " (linked with \(keys.count - 2) more)" : "")
                let name = sanitized(keys[0])
                files.append(("accuracy-vs-\(name).svg", against(axisName, xLabel: xLabel, labels: labels, metric: "hardwareAccuracy", label: "hardware accuracy (%)", scale: 100,
                                                                rows: rows, indices: indices, ok: ok),
                              "Hardware accuracy against \(xLabel) (axis \(a + 1)): every point, and the mean over the other settings."))
                files.append(("energy-vs-\(name).svg", against(axisName, xLabel: xLabel, labels: labels, metric: "energyPerInferenceNanojoules", label: "energy per inference (nJ)", scale: 1,
                                                              rows: rows, indices: indices, ok: ok),
                              "Energy per inference against \(xLabel): every point, and the mean over the other settings."))
            }
            let onFront = ok.filter { front[$0] }.sorted { (SweepTable.value(rows[$0], "energyPerInferenceNanojoules") ?? 0, indices[$0]) < (SweepTable.value(rows[$1], "energyPerInferenceNanojoules") ?? 0, indices[$1]) }
            let shown = Array(onFront.prefix(40))
            if !shown.isEmpty {
                files.append(("front-energy.svg", Chart.stackedBars(title: "Energy by component, Pareto front", yLabel: "nJ per inference",
                                                                    categories: shown.map { "#\(indices[$0])" },
                                                                    stacks: Component.allCases.map { c in (c.rawValue, shown.map { SweepTable.value(rows[$0], SweepTable.componentColumn(c)) ?? 0 }) }),
                              "Energy per inference by component for the front's points (cheapest first; #index as in results.csv)."))
                let results = shown.map { rows[$0]["result"] as? [String: Any] ?? [:] }
                let layers = results.map { ($0["layerBusiestUnitNanoseconds"] as? [Any])?.compactMap(jsonNumber) ?? [] }
                let depth = layers.map(\.count).max() ?? 0
                if depth > 0 {
                    // Per layer energy lists the crossbar layers, the read-out and the chip; the busy
                    // times list the crossbar layers and, where there is a learning core, the read-out.
                    let hasCore = zip(results, layers).contains { r, busy in ((r["layerEnergyNanojoules"] as? [Any])?.count ?? 0) == busy.count + 1 }
                    files.append(("front-layers.svg", Chart.stackedBars(title: "Per-layer time, Pareto front", yLabel: "busiest unit's ns per inference",
                                                                        categories: shown.map { "#\(indices[$0])" },
                                                                        stacks: (0..<depth).map { l in (l == depth - 1 && hasCore ? "read-out" : "layer \(l)", layers.map { l < $0.count ? $0[l] : 0 }) }),
                                  "Per layer, the busy time per inference of its busiest unit (the stage time that bounds a layer pipeline)."))
                }
                report.heading("Pareto front (\(onFront.count) of \(ok.count) points that ran)")
                let columns = FrontColumns(index)
                report.table(columns.headers, onFront.map { columns.row(rows[$0], index: indices[$0]) }, numericFrom: 1)
            }
        }
        report.heading("Figures")
        for f in files {
            try AtomicFile.write(Data(f.svg.utf8), to: dir + "/" + f.name)
            report.figure(f.svg, caption: f.name + ": " + f.caption)
        }
        report.paragraph("Every point's figures and resolved settings: results.csv and results.jsonl beside this file.")
        try AtomicFile.write(Data(report.html().utf8), to: dir + "/report.html")
    }

    /// The front table's metrics: (column, header, scale to the shown unit).
    static let frontMetrics: [(column: String, header: String, scale: Double)] = [
        ("floatAccuracy", "float %", 100), ("hardwareAccuracy", "hardware %", 100),
        ("accuracyDrop", "drop (points)", 100), ("accuracyDropStd", "std over chips (points)", 100), ("energyPerInferenceNanojoules", "nJ / inference", 1), ("latencyNanoseconds", "latency ns", 1),
        ("throughputInferencesPerSecond", "inferences / s", 1), ("topsPerWatt", "TOPS/W", 1), ("areaSquareMillimeters", "area mm^2", 1),
    ]

    /// The front table's columns: model and hardware only where the sweep has more than one.
    struct FrontColumns {
        let showModel: Bool, showHardware: Bool, swept: [String]

        init(_ index: SweepIndex) {
            showModel = Set(index.entries.map(\.model)).count > 1
            showHardware = Set(index.entries.map(\.hardware)).count > 1
            swept = index.columns
        }

        var headers: [String] {
            ["index"] + (showModel ? ["model"] : []) + (showHardware ? ["hardware"] : []) + swept + frontMetrics.map(\.header)
        }

        func row(_ row: [String: Any], index i: Int) -> [String] {
            let s = row["settings"] as? [String: Any] ?? [:]
            return ["\(i)"] + (showModel ? [row["model"] as? String ?? ""] : []) + (showHardware ? [row["hardware"] as? String ?? ""] : [])
                + swept.map { s[$0] as? String ?? "-" }
                + frontMetrics.map { m in SweepTable.value(row, m.column).map { SweepTable.number($0 * m.scale) } ?? "-" }
        }
    }

    static func pareto(_ rows: [[String: Any]], ok: [Int], front: [Bool]) -> String {
        let pts = ok.map { i in (i, SweepTable.value(rows[i], "energyPerInferenceNanojoules") ?? .nan, (SweepTable.value(rows[i], "hardwareAccuracy") ?? .nan) * 100) }
        // The two-objective front: by rising energy, each point more accurate than all cheaper ones.
        var line = [(x: Double, y: Double)]()
        for p in pts.sorted(by: { ($0.1, -$0.2) < ($1.1, -$1.2) }) where line.last.map({ p.2 > $0.y }) ?? true { line.append((p.1, p.2)) }
        let energies = pts.map(\.1).filter { $0 > 0 }
        let wide = (energies.max() ?? 1) / max(energies.min() ?? 1, 1e-300) > 20
        return Chart.xy(title: "Energy against accuracy", xLabel: "energy per inference (nJ)" + (wide ? ", log scale" : ""), yLabel: "hardware accuracy (%)",
                        series: [Series("all points", pts.map { ($0.1, $0.2) }, color: "#999999", radius: 2.5),
                                 Series("Pareto front", pts.filter { front[$0.0] }.map { ($0.1, $0.2) }, color: "#E69F00", radius: 4),
                                 Series("energy-accuracy front", line, color: "#0072B2", style: .line)],
                        xLog: wide)
    }

    /// One metric against one swept key: categories in the order of first appearance (numeric
    /// values sorted), or a numeric axis when there are many distinct numbers.
    static func against(_ axisName: String, xLabel: String, labels byIndex: [Int: String], metric: String, label: String, scale: Double, rows: [[String: Any]], indices: [Int],
                        ok: [Int]) -> String {
        let values = byIndex.keys.sorted().map { byIndex[$0]! }
        var cats = unique(values.filter { !$0.isEmpty })
        if cats.allSatisfy({ Double($0) != nil }) { cats.sort { Double($0)! < Double($1)! } }
        let numeric = cats.count > 12 && cats.allSatisfy { Double($0) != nil }
        var dots = [(x: Double, y: Double)]()
        var sums = [Double](repeating: 0, count: cats.count), ns = [Int](repeating: 0, count: cats.count)
        for i in ok {
            guard let v = byIndex[indices[i]], let k = cats.firstIndex(of: v), let y = SweepTable.value(rows[i], metric) else { continue }
            // A fixed small offset by index, so that equal values stay visible side by side.
            let x = numeric ? Double(v)! : Double(k) + Double(indices[i] % 9 - 4) * 0.035
            dots.append((x, y * scale))
            sums[k] += y * scale
            ns[k] += 1
        }
        let means = cats.indices.filter { ns[$0] > 0 }.map { (x: numeric ? Double(cats[$0])! : Double($0), y: sums[$0] / Double(ns[$0])) }
        return Chart.xy(title: "\(label.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces)) against \(axisName)", xLabel: xLabel, yLabel: label,
                        series: [Series("points", dots, color: "#999999", radius: 2.5), Series("mean", means, color: "#0072B2", style: .lineAndDots, radius: 4)],
                        categories: numeric ? nil : cats)
    }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    static func sanitized(_ key: String) -> String {
        String(key.map { $0.isLetter || $0.isNumber ? $0 : "-" }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
