import Foundation
import Compiler
import Hardware

/// Chrome trace events (Perfetto, chrome://tracing) of the start of the loaded run: a track per
/// unit of the task graph, a slice per task, from the first traced inference's admission until
/// the last one completes. Every task that held a unit in that window is drawn, whichever
/// inference it belongs to, so a stall on a track is visible as the slice that caused it. The
/// energy counter is everything spent so far: the drawn tasks' priced actions plus the leakage
/// of every powered unit up to that instant.
enum Trace {
    static func events(run: Executor.Loaded, graph: TaskGraph, executor: Executor, table: EnergyTable, unusedSitesMilliwatts: Double,
                       core: LearningCore.Inference?) -> [[String: Any]] {
        guard !run.traced.isEmpty else { return [] }
        let model = executor.model
        let microseconds = 1 / (model.technology.clockGigahertz * 1000)
        var out: [[String: Any]] = [["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": "hffsim chip"]]]
        for (u, unit) in graph.units.enumerated() {
            out.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": u + 1, "args": ["name": unit.name]])
            out.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": u + 1, "args": ["sort_index": u]])
        }
        // The learning core's own units: its cores and its winner-take-all unit.
        let coreUnits = core == nil ? 0 : model.learningCore.cores + 1
        for u in 0..<coreUnits {
            let tid = graph.units.count + 1 + u
            let name = u + 1 == coreUnits ? "learning core: winner-take-all" : "learning core: core \(u)"
            out.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": ["name": name]])
            out.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid, "args": ["sort_index": tid - 1]])
        }
        let leakage = graph.units.reduce(unusedSitesMilliwatts) { $0 + table.leakageMilliwatts($1) }
        var dynamic = [(Int64, Double)]()
        for c in run.traced where c.unit >= 0 && c.end > c.start {
            let stage = graph.stages[c.stage]
            let (_, _, record) = executor.cost(stage: stage, sample: c.sample)
            var args: [String: Any] = ["inference": c.sample, "cycles": c.end - c.start, "stall cycles": c.start - c.ready]
            for a in Action.allCases where record[a] != 0 { args[a.name] = record[a] }
            let kind = graph.units[c.unit].kind.rawValue
            out.append(["name": stage.name, "cat": kind, "ph": "X", "pid": 1, "tid": c.unit + 1,
                        "ts": Double(c.start) * microseconds, "dur": Double(c.end - c.start) * microseconds, "args": args])
            dynamic.append((c.end, Component.total(table.price(record))))
            if stage.kind == .tileReads, let t = stage.tileRead, record[.tileReads] > 0 {
                // Nested: the physical reads (settle, then per mux step a pulse and a conversion), the last shift-add.
                let reads = Int64(record[.tileReads])
                let perRead = model.cycles(model.tileReadNanoseconds(conversionsPerADC: t.conversionsPerADC))
                let shift = model.cycles(model.digital.shiftAddNanoseconds)
                out.append(["name": "\(reads) physical reads (settle, \(t.conversionsPerADC) x pulse and conversion)", "cat": kind, "ph": "X",
                            "pid": 1, "tid": c.unit + 1, "ts": Double(c.start) * microseconds,
                            "dur": Double(min(c.end - c.start - shift, reads * perRead)) * microseconds, "args": ["inference": c.sample]])
                out.append(["name": "shift-add", "cat": kind, "ph": "X", "pid": 1, "tid": c.unit + 1,
                            "ts": Double(c.end - shift) * microseconds, "dur": Double(shift) * microseconds, "args": ["inference": c.sample]])
            }
            if stage.kind == .readout, let events = core?.events, c.sample < events.count {
                for ev in events[c.sample] {
                    out.append(["name": ev.name, "cat": "core", "ph": "X", "pid": 1, "tid": graph.units.count + 1 + ev.unit,
                                "ts": Double(c.start) * microseconds + ev.startNanoseconds / 1000, "dur": ev.nanoseconds / 1000,
                                "args": ["inference": c.sample]])
                }
            }
        }
        var spent = 0.0
        for (time, pJ) in dynamic.sorted(by: { $0.0 < $1.0 }) {
            spent += pJ
            let total = spent + table.staticPicojoules(milliwatts: leakage, cycles: time)
            out.append(["name": "energy nJ", "ph": "C", "pid": 1, "tid": 0, "ts": Double(time) * microseconds, "args": ["energy nJ": total / 1000]])
        }
        return out
    }
}
