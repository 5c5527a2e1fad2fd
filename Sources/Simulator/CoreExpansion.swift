import Hardware

extension EventEngine.Expansion {
    /// The learning core's `program` in place of template stage `anchor`: each task's
    /// nanoseconds and each edge's delay in ticks (`ticks`), each program unit (a core,
    /// `cores` for the winner-take-all unit, `cores + 1` for the event source) on engine unit
    /// `unit(_:)`.
    init(_ program: CoreProgram, anchor: Int, ticks: (Double) -> Int64, unit: (Int32) -> Int32) {
        self.init(anchor: anchor, durations: program.tasks.map { ticks($0.nanoseconds) }, units: program.tasks.map { unit($0.unit) },
                  dependencies: program.tasks.map(\.dependencies), edgeStart: program.edgeStart, edgeTargets: program.edgeTargets,
                  edgeDelays: program.edgeDelayNanoseconds.map(ticks), roots: program.roots, final: program.final)
    }
}
