import Foundation
import Compiler
import Hardware
import Numerics

/// The output directory of `hffsim run` (SCALE-Sim and gem5 style): summary.json, layers.csv,
/// components.csv, stats.txt and trace.json, and report.html with its SVG figures (`RunReport`),
/// each written atomically.
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
            "inFlight": r.inFlight, "loadedLatencyNanoseconds": r.loadedLatencyNanoseconds,
            "energyPerInferenceNanojoules": r.energyPerInferencePicojoules / 1000,
            "energyByComponentNanojoules": Dictionary(uniqueKeysWithValues: Component.allCases.map { [e = r.energyByComponent] in ($0.rawValue, (e[$0] ?? 0) / 1000) }),
            "layersLatencyNanoseconds": r.layersLatencyNanoseconds,
            "layersThroughputBoundPerSecond": r.layersThroughputBoundPerSecond,
            "layersEnergyPerInferenceNanojoules": r.layersPicojoules / 1000,
            "leakageMicrowattsByComponent": Dictionary(uniqueKeysWithValues: r.leakageMicrowattsByComponent.map { ($0.component, $0.microwatts) }),
            "passesPerInference": config.model.passes,
            "partialProductMACs": r.partialProductMACs,
        ]
        if config.hardware.flag("noise.drift.globalCompensation") {
            // Per crossbar layer, the mean over chips of the factor each applied.
            let chips = Double(max(1, r.driftCompensation.count))
            out["driftCompensationByLayer"] = config.layers.indices.map { l in r.driftCompensation.map { $0[l] }.reduce(0, +) / chips }
        }
        let e = Efficiency(r, config: config)
        out["operationsPerInference"] = e.operationsPerInference
        out["topsPerWatt"] = e.topsPerWatt
        out["topsPerWattDynamic"] = e.topsPerWattDynamic
        out["tops"] = e.tops
        if let a = e.topsPerSquareMillimeter { out["topsPerSquareMillimeter"] = a }
        if hostTiming {
            out["wallSeconds"] = r.wallSeconds
            out["effectiveGFLOPs"] = 2 * r.partialProductMACs / r.wallSeconds / 1e9
        }
        return out
    }

    /// Writes the reports as one set: into a staging directory beside `dir`, then moved into
    /// place (`StagedDirectory`), so that a failure or an interruption leaves none of them.
    public static func write(_ r: RunResult, config: HardwareConfig, into dir: String) throws {
        let staged = try StagedDirectory(target: dir)
        do {
            try write(r, config: config, to: staged.staging)
            try staged.commit()
        } catch {
            staged.discard()
            throw error
        }
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
        let figures = RunReport.figures(r, config: config)
        for f in figures { try AtomicFile.write(f.svg, to: dir + "/" + f.name) }
        try AtomicFile.write(RunReport.html(r, config: config, figures: figures), to: dir + "/report.html")
        // Inside the staging directory, so written in place (streamed, not held in memory).
        if let trace = r.trace {
            try trace.write(to: dir + "/trace.json")
        } else {
            try AtomicFile.write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[]}", to: dir + "/trace.json")
        }
    }

    static func number(_ x: Double) -> String { String(format: "%.6g", x) }
    /// Cycles: whole ones as integers, else to a thousandth (the learning core is asynchronous).
    static func cycles(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.3f", x) }

    /// Per layer (then the read-out and the chip's host link): its units' actions and energy per inference.
    static func layersCSV(_ r: RunResult, config: HardwareConfig) -> String {
        let actions: [Action] = [.tileReads, .rowActivations, .cellReads, .adcConversions, .shiftAdds, .bufferReadBytes, .bufferWriteBytes,
                                 .linkByteHops, .accumulations, .digitalOperations]
        var lines = ["layer,role,inputs,outputs,tiles,row_tiles,column_tiles," + actions.map(\.name).joined(separator: ",") + ","
                     + Component.allCases.map { "\($0.rawValue)_pJ" }.joined(separator: ",") + ",total_pJ"]
        let byLayer = r.energyByLayer
        func energy(_ e: [Component: Double]) -> String {
            Component.allCases.map { number(e[$0] ?? 0) }.joined(separator: ",") + "," + number(Component.total(e))
        }
        for (l, layer) in config.layers.enumerated() {
            let c = r.actions(layer: l)
            lines.append(["\(l)", layer.role.rawValue, "\(layer.inputs)", "\(layer.outputs)", "\(layer.tiles.count)", "\(layer.rowTiles)",
                          "\(layer.columnTiles)"].joined(separator: ",") + "," + actions.map { number(c[$0]) }.joined(separator: ",")
                         + "," + energy(byLayer[l]))
        }
        let blank = String(repeating: ",", count: actions.count + 5)
        if config.learningCore != nil { lines.append("readout,learning-core" + blank + "," + energy(byLayer[config.layers.count])) }
        lines.append("chip,host-and-unused-sites" + blank + "," + energy(byLayer[config.layers.count + 1]))
        return lines.joined(separator: "\n") + "\n"
    }

    static func componentsCSV(_ r: RunResult) -> String {
        let byComponent = r.energyByComponent
        let total = Component.total(byComponent)
        var lines = ["component,energy_per_inference_pJ,share,meaning"]
        for c in Component.allCases {
            let e = byComponent[c] ?? 0
            lines.append("\(c.rawValue),\(number(e)),\(number(total > 0 ? e / total : 0)),\"\(c.meaning)\"")
        }
        lines.append("")
        lines.append("unit,busy_cycles,stall_cycles,energy_per_inference_pJ,static_pJ")
        for (u, unit) in r.resources.enumerated() {
            let e = r.unitEnergy(u)
            lines.append("\"\(unit.name)\",\(cycles(unit.busy)),\(cycles(unit.stalls)),\(number(Component.total(e))),\(number(e[.static] ?? 0))")
        }
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
        add("timing.latencyCycles", number(r.latencyCycles), "one inference alone on an idle chip (batch 1), mean over samples")
        add("timing.latencyNanoseconds", number(r.latencyNanoseconds), "the same in ns")
        add("timing.inFlight", "\(r.inFlight)", "inferences in flight at once in the loaded run")
        add("timing.loadedLatencyNanoseconds", number(r.loadedLatencyNanoseconds), "admission to result under that load, mean")
        add("timing.makespanCycles", cycles(r.makespanCycles), "the loaded run, longest over chips")
        add("timing.throughput", number(r.throughputInferencesPerSecond), "inferences per second at steady state (fill and drain left out)")
        add("timing.layersLatencyNanoseconds", number(r.layersLatencyNanoseconds), "one inference alone to the end of the last crossbar layer (read-out left out), mean")
        add("timing.layersThroughputBound", number(r.layersThroughputBoundPerSecond), "inferences per second the busiest crossbar-layer unit allows (1 / its busy time per inference)")
        add("energy.layersNanojoules", number(r.layersPicojoules / 1000), "nJ per inference of the crossbar layers' units, leakage included (host and read-out left out)")
        for l in config.layers.indices {
            let c = r.actions(layer: l)
            for a in Action.allCases where c[a] != 0 { add("layer\(l).\(a.name)", number(c[a]), "per inference") }
        }
        for (l, b) in r.layerBuffers.enumerated() {
            add("layer\(l).buffer.maxInferences", "\(b.maxHeld)", "most inferences (FF: passes) in the layer's buffers at once, loaded run of chip 1")
            add("layer\(l).buffer.blockedCycles", cycles(b.waitCycles), "cycles passes waited for a place in the layer (back-pressure)")
        }
        let byLayer = r.energyByLayer
        for l in config.layers.indices {
            for comp in Component.allCases where (byLayer[l][comp] ?? 0) > 0 {
                add("layer\(l).energy.\(comp.rawValue)", number(byLayer[l][comp]!), "pJ per inference")
            }
        }
        if config.learningCore != nil {
            let c = r.actions(layer: nil)
            add("core.sourceEvents", number(c[.coreSourceEvents]), "events leaving the normalisation units per inference")
            add("core.tagMatches", number(c[.coreTagMatches]), "events delivered to cores")
            add("core.synapticOperations", number(c[.coreSynapticOperations]), "matched synapses integrating an event")
            add("core.neuronUpdates", number(c[.coreNeuronUpdates]), "neuron updates")
            add("core.hops", number(c[.coreHops]), "mesh links crossed")
            add("core.winnerTakeAllSteps", number(c[.coreWinnerTakeAllSteps]), "scores entering the winner-take-all stage")
        }
        let byComponent = r.energyByComponent
        for comp in Component.allCases { add("energy.\(comp.rawValue)", number(byComponent[comp] ?? 0), "pJ per inference: \(comp.meaning)") }
        add("energy.total", number(Component.total(byComponent)), "pJ per inference")
        for (component, uW) in r.leakageMicrowattsByComponent {
            add("leakage.\(component)", number(uW), "uW of static power while powered (the static energy is this x the powered time)")
        }
        for (u, unit) in r.resources.enumerated() {
            let name = "unit." + unit.name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
            add(name + ".busyCycles", cycles(unit.busy), "cycles busy, loaded run of chip 1")
            add(name + ".stallCycles", cycles(unit.stalls), "cycles tasks waited for this unit")
            add(name + ".maxQueue", "\(unit.maxQueue)", "most tasks waiting for this unit at once")
            add(name + ".energy", number(Component.total(r.unitEnergy(u))), "pJ per inference, leakage included")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
