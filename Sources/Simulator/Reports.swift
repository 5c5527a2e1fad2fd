import Foundation
import Compiler
import Hardware
import Numerics

/// The output directory of `hffsim run` (SCALE-Sim and gem5 style): summary.json, layers.csv,
/// components.csv, stats.txt and trace.json, each written atomically.
public enum Reports {
    /// The headline figures (the `--json` keys of `hffsim run`).
    /// `hostTiming` adds the simulation's own wall time and arithmetic rate, which differ from
    /// run to run (left out of the written reports, so that they are byte-identical).
    public static func headline(_ r: RunResult, config: HardwareConfig, hostTiming: Bool = true) -> [String: Any] {
        var out: [String: Any] = [
            "model": config.model.file, "algorithm": config.model.algorithm, "hardware": config.hardware.name,
            "samples": r.samples, "chipSeeds": r.hardwareAccuracy.count,
            "floatAccuracy": r.floatAccuracy, "hardwareAccuracy": r.accuracyMean, "hardwareAccuracyPerChip": r.hardwareAccuracy,
            "accuracyDrop": r.dropMean, "accuracyDropStd": r.dropStd,
            "agreement": r.agreement.reduce(0, +) / Double(max(1, r.agreement.count)),
            "latencyCycles": r.latencyCycles, "latencyNanoseconds": r.latencyNanoseconds,
            "latencyMinCycles": r.latencyMinCycles, "latencyMaxCycles": r.latencyMaxCycles,
            "throughputInferencesPerSecond": r.throughputInferencesPerSecond,
            "energyPerInferenceNanojoules": r.energyPerInferencePicojoules / 1000,
            "energyByComponentNanojoules": Dictionary(uniqueKeysWithValues: Component.allCases.map { ($0.rawValue, (r.energyByComponent[$0] ?? 0) / 1000) }),
            "passesPerInference": config.model.passes,
            "partialProductMACs": r.partialProductMACs,
        ]
        if hostTiming {
            out["wallSeconds"] = r.wallSeconds
            out["effectiveGFLOPs"] = 2 * r.partialProductMACs / r.wallSeconds / 1e9
        }
        return out
    }

    public static func write(_ r: RunResult, config: HardwareConfig, to dir: String) throws {
        var summary = headline(r, config: config, hostTiming: false)
        summary["config"] = [
            "model": try JSONSerialization.jsonObject(with: JSONEncoder().encode(config.model)),
            "options": try JSONSerialization.jsonObject(with: JSONEncoder().encode(config.options)),
            "resources": try JSONSerialization.jsonObject(with: JSONEncoder().encode(config.resources)),
            "hardware": config.hardware.jsonObject(),
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(json + Data("\n".utf8), to: dir + "/summary.json")
        try AtomicFile.write(layersCSV(r, config: config), to: dir + "/layers.csv")
        try AtomicFile.write(componentsCSV(r), to: dir + "/components.csv")
        try AtomicFile.write(stats(r, config: config), to: dir + "/stats.txt")
        let trace = try JSONSerialization.data(withJSONObject: ["traceEvents": r.trace, "displayTimeUnit": "ns"], options: [.sortedKeys])
        try AtomicFile.write(trace, to: dir + "/trace.json")
    }

    static func number(_ x: Double) -> String { String(format: "%.6g", x) }

    static func layersCSV(_ r: RunResult, config: HardwareConfig) -> String {
        var lines = ["layer,role,inputs,outputs,tiles,row_tiles,column_tiles,reads,cell_reads,row_activations,adc_conversions,shift_adds,"
                     + Component.allCases.map { "\($0.rawValue)_pJ" }.joined(separator: ",") + ",total_pJ"]
        let n = Double(max(1, r.inferences))
        for (l, layer) in config.layers.enumerated() {
            let c = r.countsByLayer[l], e = r.energyByLayer[l]
            lines.append(["\(l)", layer.role.rawValue, "\(layer.inputs)", "\(layer.outputs)", "\(layer.tiles.count)", "\(layer.rowTiles)",
                          "\(layer.columnTiles)", number(Double(c.reads) / n), number(Double(c.cellReads) / n), number(Double(c.rowActivations) / n),
                          number(Double(c.adcConversions) / n), number(Double(c.shiftAdds) / n)]
                         .joined(separator: ",") + "," + Component.allCases.map { number(e[$0] ?? 0) }.joined(separator: ",")
                         + "," + number(Component.total(e)))
        }
        if r.energyByLayer.count > config.layers.count {
            let e = r.energyByLayer[config.layers.count]
            lines.append("readout,learning-core,,,,,,,,,,," + Component.allCases.map { number(e[$0] ?? 0) }.joined(separator: ",") + "," + number(Component.total(e)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func componentsCSV(_ r: RunResult) -> String {
        let total = r.energyPerInferencePicojoules
        var lines = ["component,energy_per_inference_pJ,share,meaning"]
        for c in Component.allCases {
            let e = r.energyByComponent[c] ?? 0
            lines.append("\(c.rawValue),\(number(e)),\(number(total > 0 ? e / total : 0)),\"\(c.meaning)\"")
        }
        lines.append("")
        lines.append("unit,busy_cycles,stall_cycles")
        for u in r.resources { lines.append("\"\(u.name)\",\(u.busy),\(u.stalls)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// gem5-style statistics: `name value # description`, hierarchical names, fixed order.
    static func stats(_ r: RunResult, config: HardwareConfig) -> String {
        var lines = [String]()
        func add(_ name: String, _ value: String, _ what: String) {
            lines.append(name.padding(toLength: max(name.count, 52), withPad: " ", startingAt: 0) + " " + value.padding(toLength: max(value.count, 16), withPad: " ", startingAt: 0) + " # " + what)
        }
        add("sim.samples", "\(r.samples)", "inferences simulated per chip")
        add("sim.chips", "\(r.hardwareAccuracy.count)", "chip instances (seeds)")
        add("accuracy.float", number(r.floatAccuracy), "ideal float model")
        add("accuracy.hardware", number(r.accuracyMean), "mean over chips")
        add("accuracy.dropStd", number(r.dropStd), "standard deviation of the drop over chips")
        add("timing.latencyCycles", number(r.latencyCycles), "one inference alone, mean over samples")
        add("timing.latencyNanoseconds", number(r.latencyNanoseconds), "the same in ns")
        add("timing.makespanCycles", "\(r.makespanCycles)", "all inferences streaming")
        add("timing.throughput", number(r.throughputInferencesPerSecond), "inferences per second, streaming")
        let n = Double(max(1, r.inferences))
        for (l, c) in r.countsByLayer.enumerated() {
            add("layer\(l).reads", number(Double(c.reads) / n), "reads per inference (row group x slice x bit-plane, zero planes included)")
            add("layer\(l).cellReads", number(Double(c.cellReads) / n), "cells read per inference")
            add("layer\(l).rowActivations", number(Double(c.rowActivations) / n), "rows driven per inference")
            add("layer\(l).adcConversions", number(Double(c.adcConversions) / n), "ADC conversions per inference (zero bit-planes skipped)")
            add("layer\(l).shiftAdds", number(Double(c.shiftAdds) / n), "shift-adds per inference")
            for comp in Component.allCases where (r.energyByLayer[l][comp] ?? 0) > 0 {
                add("layer\(l).energy.\(comp.rawValue)", number(r.energyByLayer[l][comp]!), "pJ per inference")
            }
        }
        if config.learningCore != nil {
            let c = r.coreCounts
            add("core.sourceEvents", number(Double(c.sourceEvents) / n), "events leaving the normalisation units per inference")
            add("core.tagMatches", number(Double(c.tagMatches) / n), "events delivered to cores")
            add("core.synapticOperations", number(Double(c.synapticOperations) / n), "matched synapses integrating an event")
            add("core.neuronUpdates", number(Double(c.neuronUpdates) / n), "neuron updates")
            add("core.hops", number(Double(c.hops) / n), "mesh links crossed")
            add("core.winnerTakeAllSteps", number(Double(c.winnerTakeAllSteps) / n), "scores entering the winner-take-all stage")
        }
        for comp in Component.allCases { add("energy.\(comp.rawValue)", number(r.energyByComponent[comp] ?? 0), "pJ per inference: \(comp.meaning)") }
        add("energy.total", number(r.energyPerInferencePicojoules), "pJ per inference")
        for u in r.resources {
            let name = "unit." + u.name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
            add(name + ".busyCycles", "\(u.busy)", "cycles busy, streaming run of chip 1")
            add(name + ".stallCycles", "\(u.stalls)", "cycles tasks waited for this unit")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
