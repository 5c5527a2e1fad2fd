import Foundation
import Compiler
import Hardware
import Plots

/// The pictures and report.html of `hffsim run` and `hffsim compare`, made from the same
/// `RunResult`s as the CSV reports (no figure is computed twice):
/// - energy-by-layer.svg: energy per inference of each layer, the read-out and the chip (host
///   link, unused sites), stacked by component;
/// - layer-time.svg: per layer and the read-out, the busy time per inference of its busiest
///   unit (the stage time a layer pipeline is bounded by);
/// - for `compare`, energy-by-model.svg and layer-time-by-model.svg: the same per model.
/// Fixed formatting throughout: the same run gives the same bytes.
public enum RunReport {
    public typealias Figure = (name: String, svg: String, caption: String)

    public static func figures(_ r: RunResult, config: HardwareConfig) -> [Figure] {
        // `energyByLayer` lists the crossbar layers, then the read-out and the chip; those two
        // are drawn only where they cost something.
        let byLayer = r.energyByLayer
        let allNames = config.layers.indices.map { "layer \($0)" } + ["read-out", "chip"]
        let keep = byLayer.indices.filter { $0 < config.layers.count || Component.total(byLayer[$0]) > 0 }
        let names = keep.map { allNames[$0] }
        let energy = Chart.stackedBars(title: "Energy per inference by layer and component", yLabel: "nJ per inference", categories: names,
                                       stacks: Component.allCases.map { c in (c.rawValue, keep.map { (byLayer[$0][c] ?? 0) / 1000 }) })
        let busy = r.layerBusiestUnitNanoseconds
        let time = Chart.stackedBars(title: "Per-layer time per inference", yLabel: "busiest unit's ns per inference",
                                     categories: busy.indices.map { $0 < config.layers.count ? "layer \($0)" : "read-out" },
                                     stacks: [("busiest unit", busy)])
        return [
            ("energy-by-layer.svg", energy, "Energy per inference of each layer's units, the read-out (learning core) and the chip (host link, unused sites' leakage), by component (layers.csv)."),
            ("layer-time.svg", time, "Per layer, the busy time per inference of its busiest unit: the stage time that bounds a layer pipeline's throughput (latency \(Scale.label(r.latencyNanoseconds)) ns for one inference alone)."),
        ]
    }

    /// The headline figures of one run, as (name, value) rows.
    static func headlineRows(_ r: RunResult, config: HardwareConfig) -> [[String]] {
        let e = Efficiency(r, config: config)
        var rows: [[String]] = [
            ["model", config.model.file + " (" + config.model.algorithm + ")"],
            ["hardware", config.hardware.name],
            ["test samples x chips", "\(r.samples) x \(r.hardwareAccuracy.count)"],
            ["float accuracy", pct(r.floatAccuracy)],
            ["hardware accuracy (mean over chips)", pct(r.accuracyMean) + "  (per chip: " + r.hardwareAccuracy.map(pct).joined(separator: ", ") + ")"],
            ["accuracy drop", String(format: "%.2f +- %.2f points", r.dropMean * 100, r.dropStd * 100)],
            ["latency, one inference alone", num(r.latencyNanoseconds) + " ns (layers: " + num(r.layersLatencyNanoseconds) + " ns)"],
            ["throughput, \(r.inFlight) in flight", num(r.throughputInferencesPerSecond) + " inferences/s"],
            ["energy per inference", num(r.energyPerInferencePicojoules / 1000) + " nJ"],
            ["TOPS/W (dynamic only)", num(e.topsPerWatt) + " (" + num(e.topsPerWattDynamic) + ")"],
        ]
        if let a = config.resources.areaSquareMillimeters, a > 0 { rows.append(["area", num(a) + " mm^2"]) }
        return rows
    }

    public static func html(_ r: RunResult, config: HardwareConfig, figures: [Figure]) -> String {
        var report = HTMLReport(title: "hffsim run: \(config.model.file) on \(config.hardware.name)",
                                subtitle: "Reports beside this file: summary.json (with the resolved config), layers.csv, components.csv, stats.txt, trace.json.")
        report.heading("Headline")
        report.table(["figure", "value"], headlineRows(r, config: config), numericFrom: 2)
        report.heading("Energy by component")
        let byComponent = r.energyByComponent
        let total = Component.total(byComponent)
        report.table(["component", "nJ per inference", "share"], Component.allCases.map { c in
            [c.rawValue, num((byComponent[c] ?? 0) / 1000), total > 0 ? String(format: "%.1f%%", (byComponent[c] ?? 0) / total * 100) : "-"]
        })
        report.heading("Figures")
        for f in figures { report.figure(f.svg, caption: f.name + ": " + f.caption) }
        return report.html()
    }

    /// `hffsim compare --output-dir`: one row per model, energy by component and per-layer time per model.
    public static func compare(_ results: [(name: String, result: RunResult, config: HardwareConfig)], hardware: String) -> (html: String, figures: [Figure]) {
        let names = results.map { "\($0.name) (\($0.config.model.passes) pass\($0.config.model.passes == 1 ? "" : "es"))" }
        let energy = Chart.stackedBars(title: "Energy per inference by component", yLabel: "nJ per inference", categories: names,
                                       stacks: Component.allCases.map { c in (c.rawValue, results.map { ($0.result.energyByComponent[c] ?? 0) / 1000 }) })
        let depth = results.map { $0.result.layerBusiestUnitNanoseconds.count }.max() ?? 0
        let time = Chart.stackedBars(title: "Per-layer time per inference", yLabel: "busiest unit's ns per inference, summed over layers", categories: names,
                                     stacks: (0..<depth).map { l in ("stage \(l)", results.map { l < $0.result.layerBusiestUnitNanoseconds.count ? $0.result.layerBusiestUnitNanoseconds[l] : 0 }) })
        let figures: [Figure] = [
            ("energy-by-model.svg", energy, "Energy per inference of each model by component (FF's passes, one per class, are simulated, not multiplied)."),
            ("layer-time-by-model.svg", time, "Per model, each stage's busiest-unit time per inference (layers, then the read-out where there is one), stacked."),
        ]
        var report = HTMLReport(title: "hffsim compare on \(hardware)", subtitle: "Rows as compare.csv beside this file.")
        report.heading("Models")
        report.table(compareHeaders, results.map { compareRow($0.name, $0.result, $0.config) })
        report.heading("Figures")
        for f in figures { report.figure(f.svg, caption: f.name + ": " + f.caption) }
        return (report.html(), figures)
    }

    public static let compareHeaders = ["algorithm", "file", "passes", "samples", "chips", "float %", "hardware %", "drop (points)", "drop std", "latency ns",
                                        "inferences/s", "nJ / inference", "TOPS/W"]

    public static func compareRow(_ name: String, _ r: RunResult, _ config: HardwareConfig) -> [String] {
        [name, config.model.file, "\(config.model.passes)", "\(r.samples)", "\(r.hardwareAccuracy.count)", num(r.floatAccuracy * 100), num(r.accuracyMean * 100),
         num(r.dropMean * 100), num(r.dropStd * 100), num(r.latencyNanoseconds), num(r.throughputInferencesPerSecond),
         num(r.energyPerInferencePicojoules / 1000), num(Efficiency(r, config: config).topsPerWatt)]
    }

    /// compare.csv: the table of report.html, one row per model.
    public static func compareCSV(_ results: [(name: String, result: RunResult, config: HardwareConfig)]) -> String {
        func field(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        return ([compareHeaders] + results.map { compareRow($0.name, $0.result, $0.config) }).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
    static func num(_ x: Double) -> String { String(format: "%.6g", x) }
}
