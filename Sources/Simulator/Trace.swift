import Foundation
import Hardware

/// Chrome trace events (Perfetto, chrome://tracing) of the first inferences of a streaming run:
/// one track per hardware unit, a slice per task, counters for energy and buffered bytes.
enum Trace {
    static func events(engine: EventEngine, timing: Timing, samples: Int, costs: Costs, perSample: [[ActionCounts]],
                       core: LearningCore.Inference?) -> [[String: Any]] {
        let microseconds = 1 / (timing.cyclesPerNanosecond * 1000)
        var out: [[String: Any]] = [["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": "hffsim chip"]]]
        for (r, name) in timing.resourceNames.enumerated() {
            out.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": r + 1, "args": ["name": name]])
            out.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": r + 1, "args": ["sort_index": r]])
        }
        // The learning core's own units: its cores and its winner-take-all unit.
        let coreUnits = core == nil ? 0 : costs.hardware.integer("learningCore.cores") + 1
        for u in 0..<coreUnits {
            let tid = timing.resourceNames.count + 1 + u
            let name = u + 1 == coreUnits ? "learning core: winner-take-all" : "learning core: core \(u)"
            out.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": ["name": name]])
            out.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid, "args": ["sort_index": tid - 1]])
        }
        var energy = 0.0, buffered = 0.0
        var counters = [(Int64, [String: Any])]()
        for t in engine.tasks where t.sample < samples && t.resource >= 0 && t.duration > 0 {
            var args: [String: Any] = ["inference": t.sample, "cycles": t.duration, "stall cycles": t.start - t.ready]
            if timing.resourceKind[t.resource] == "core", let c = core?.counts[t.sample] {
                args["source events"] = c.sourceEvents
                args["synaptic operations"] = c.synapticOperations
                args["neuron updates"] = c.neuronUpdates
            }
            out.append(["name": t.name, "cat": timing.resourceKind[t.resource], "ph": "X", "pid": 1, "tid": t.resource + 1,
                        "ts": Double(t.start) * microseconds, "dur": Double(t.duration) * microseconds, "args": args])
            if timing.resourceKind[t.resource] == "core", let events = core?.events, t.sample < events.count {
                // The read-out's events, one slice each, on the core's own units.
                for ev in events[t.sample] {
                    out.append(["name": ev.name, "cat": "core", "ph": "X", "pid": 1, "tid": timing.resourceNames.count + 1 + ev.unit,
                                "ts": Double(t.start) * microseconds + ev.startNanoseconds / 1000, "dur": ev.nanoseconds / 1000,
                                "args": ["inference": t.sample]])
                }
            }
            if timing.resourceKind[t.resource] == "tiles" {
                // Nested: the row drive and settle, the ADC conversions, the final shift-add.
                let parts: [(String, Int64)] = [("row drive and settle", timing.settle),
                                                ("ADC conversions", t.duration - timing.settle - timing.shiftAdd),
                                                ("shift-add", timing.shiftAdd)]
                var at = t.start
                for (name, cycles) in parts where cycles > 0 {
                    out.append(["name": name, "cat": "tiles", "ph": "X", "pid": 1, "tid": t.resource + 1,
                                "ts": Double(at) * microseconds, "dur": Double(cycles) * microseconds, "args": ["inference": t.sample, "cycles": cycles]])
                    at += cycles
                }
            }
            let l = timing.resourceLayer[t.resource]
            switch timing.resourceKind[t.resource] {
            case "link" where t.name.hasSuffix("to hub"):
                buffered += Double(costs.config.layers[l].outputs * costs.config.layers[l].rowTiles) * costs.accumulatorBytes
                counters.append((t.end, ["buffered bytes": buffered]))
            case "digital":
                buffered -= Double(costs.config.layers[l].outputs * costs.config.layers[l].rowTiles) * costs.accumulatorBytes
                energy += Component.total(costs.layerEnergy(l, counts: perSample[l][t.sample]), excluding: .static)
                    / Double(costs.config.model.passes)
                counters.append((t.end, ["buffered bytes": buffered]))
                counters.append((t.end, ["energy nJ": energy / 1000]))
            case "core":
                energy += core?.picojoules[t.sample] ?? 0
                counters.append((t.end, ["energy nJ": energy / 1000]))
            default:
                break
            }
        }
        for (time, args) in counters.sorted(by: { $0.0 < $1.0 }) {
            out.append(["name": args.keys.first!, "ph": "C", "pid": 1, "tid": 0, "ts": Double(time) * microseconds, "args": args])
        }
        return out
    }
}
