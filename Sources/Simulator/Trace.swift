import Foundation
import Compiler
import Hardware

/// Chrome trace events (Perfetto, chrome://tracing) of the start of the loaded run: a track per
/// unit of the task graph, a slice per task, from the first traced inference's admission until
/// the last one completes. Every task that held a unit in that window is drawn, whichever
/// inference it belongs to, so a stall on a track is visible as the slice that caused it. The
/// energy counter is everything spent so far: the drawn tasks' priced actions plus the leakage
/// of every powered unit up to that instant (power-gated idle units: while their drawn tasks ran).
enum Trace {
    /// The most task slices a trace holds: a rate-coded learning core with tens of thousands of
    /// spikes per inference would otherwise build gigabytes of events in memory. Beyond it the
    /// trace ends with an instant event saying so (the reports count every task regardless).
    static let maxSlices = 200_000
    /// The most completions the executor keeps for the trace (drawn or zero-length): 48 bytes
    /// each, so at most 38 MB however many tasks the traced window holds.
    static let maxCompletions = 4 * maxSlices

    /// Hands the events to `out` one at a time, in order (so that a writer can stream them).
    static func events(run: Executor.Loaded, graph: TaskGraph, executor: Executor, table: EnergyTable, unusedSitesMilliwatts: Double,
                       to out: ([String: Any]) throws -> Void) throws {
        guard !run.traced.isEmpty else { return }
        let model = executor.model
        let microseconds = 1 / (HardwareModel.ticksPerNanosecond * 1000)  // per tick
        let tickCycles = 1 / Double(model.ticksPerCycle)
        try out(["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": "hffsim chip"]])
        for (u, unit) in graph.units.enumerated() {
            try out(["name": "thread_name", "ph": "M", "pid": 1, "tid": u + 1, "args": ["name": unit.name]])
            try out(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": u + 1, "args": ["sort_index": u]])
        }
        // Leaking units accrue static energy all the time; power-gated ones with each task.
        let gated = table.gatesIdleUnits
        let leakage = gated ? unusedSitesMilliwatts : graph.units.reduce(unusedSitesMilliwatts) { $0 + table.leakageMilliwatts($1) }
        var dynamic = [(Int64, Double)]()
        // The learning core's programs of the traced inferences (looked up, never iterated).
        var programs = [Int: CoreProgram]()
        var slices = 0, cut = false
        func truncated(at ticks: Int64) throws {
            cut = true
            try out(["name": "trace truncated: more than \(maxSlices) tasks in the traced window (--trace-samples fewer to see them all)",
                     "ph": "i", "s": "g", "pid": 1, "tid": 0, "ts": Double(ticks) * microseconds])
        }
        for c in run.traced where c.unit >= 0 && c.end > c.start {
            slices += 1
            if slices > maxSlices {
                try truncated(at: c.start)
                break
            }
            let name: String
            var record = ActionRecord()
            if c.stage < graph.stages.count {
                name = graph.stages[c.stage].name
                record = executor.cost(stage: graph.stages[c.stage], sample: c.sample).record
            } else {
                if programs[c.sample] == nil { programs[c.sample] = executor.core?.program(sample: c.sample) }
                let task = programs[c.sample]!.tasks[c.stage - graph.stages.count]
                name = task.work.name
                record.add(task.counts)
            }
            var args: [String: Any] = ["inference": c.sample, "cycles": Double(c.end - c.start) * tickCycles,
                                       "stall cycles": Double(c.start - c.ready) * tickCycles]
            for a in Action.allCases where record[a] != 0 { args[a.name] = record[a] }
            let kind = graph.units[c.unit].kind.rawValue
            try out(["name": name, "cat": kind, "ph": "X", "pid": 1, "tid": c.unit + 1,
                        "ts": Double(c.start) * microseconds, "dur": Double(c.end - c.start) * microseconds, "args": args])
            let held = gated ? table.staticPicojoules(milliwatts: table.leakageMilliwatts(graph.units[c.unit]), ticks: c.end - c.start) : 0
            dynamic.append((c.end, Component.total(table.price(record)) + held))
            if c.stage < graph.stages.count, graph.stages[c.stage].kind == .tileReads, let t = graph.stages[c.stage].tileRead, record[.tileReads] > 0 {
                // Nested: the physical reads (settle, then per mux step a pulse and a conversion), the last shift-add.
                let reads = Int64(record[.tileReads])
                let perRead = model.clockTicks(model.tileReadNanoseconds(conversionsPerADC: t.conversionsPerADC))
                let shift = model.clockTicks(model.digital.shiftAddNanoseconds)
                try out(["name": "\(reads) physical reads (settle, \(t.conversionsPerADC) x pulse and conversion)", "cat": kind, "ph": "X",
                            "pid": 1, "tid": c.unit + 1, "ts": Double(c.start) * microseconds,
                            "dur": Double(min(c.end - c.start - shift, reads * perRead)) * microseconds, "args": ["inference": c.sample]])
                try out(["name": "shift-add", "cat": kind, "ph": "X", "pid": 1, "tid": c.unit + 1,
                            "ts": Double(c.end - shift) * microseconds, "dur": Double(shift) * microseconds, "args": ["inference": c.sample]])
            }
        }
        if run.tracedTruncated && !cut, let last = run.traced.last { try truncated(at: last.start) }
        // The counter at most every 100 ns (and at the end): the core's events are a few ns apart.
        var spent = 0.0, drawn: Int64? = nil
        let sorted = dynamic.sorted(by: { $0.0 < $1.0 })
        let step = Int64(100 * HardwareModel.ticksPerNanosecond)
        for (k, (time, pJ)) in sorted.enumerated() {
            spent += pJ
            guard drawn.map({ time - $0 >= step }) ?? true || k == sorted.count - 1 else { continue }
            drawn = time
            let total = spent + table.staticPicojoules(milliwatts: leakage, ticks: time)
            try out(["name": "energy nJ", "ph": "C", "pid": 1, "tid": 0, "ts": Double(time) * microseconds, "args": ["energy nJ": total / 1000]])
        }
    }
}

/// What a run's trace is drawn from (chip 1's loaded run), kept until the reports are written:
/// the events are made and written to disk one at a time, so a trace costs memory for its
/// completions (48 bytes a task, at most `Trace.maxSlices` drawn) and not for its JSON.
public struct TraceRecording {
    let run: Executor.Loaded
    let graph: TaskGraph
    let executor: Executor
    let table: EnergyTable
    let unusedSitesMilliwatts: Double

    /// Writes `{"displayTimeUnit":"ns","traceEvents":[...]}` to `path`, through a 1 MiB buffer.
    public func write(to path: String) throws {
        let stream = try TraceWriter.Stream(path: path)
        defer { stream.close() }
        try stream.append("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")
        var first = true
        try Trace.events(run: run, graph: graph, executor: executor, table: table, unusedSitesMilliwatts: unusedSitesMilliwatts) { event in
            var text = first ? "" : ","
            first = false
            TraceWriter.write(event, to: &text)
            try stream.append(text)
        }
        try stream.append("]}")
        try stream.flush()
    }
}
