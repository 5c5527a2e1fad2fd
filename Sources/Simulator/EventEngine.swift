import Numerics

/// The discrete-event engine: one virtual clock in cycles over a min-heap of completions, where
/// a completion schedules the tasks it releases, and the last completion of an inference lets
/// the caller admit the next one (`next()` returns each completion).
///
/// Every inference instantiates the same template (a task graph: stages and their
/// dependencies) with its own durations and units. A task becomes ready `delay` cycles after
/// its last dependency ends (a link's hop latency: the unit is free, the data still travels);
/// it starts at max(ready, the time its unit frees up) and holds the unit for its duration.
/// Ready tasks claim their unit in the order they become ready (ties by the order their
/// releases were scheduled), so every unit serves first come, first served, and waiting shows
/// up as a stall: start - ready. Inferences in flight occupy slots that are reused once they
/// complete, so memory follows the in-flight limit, not the number of inferences.
public struct EventEngine {
    /// The graph every inference instantiates.
    public struct Template: Sendable {
        public var dependents: [[Int]]
        public var dependencies: [Int]
        public var roots: [Int]
        public var final: Int
        public var units: Int

        public init(dependsOn: [[Int]], final: Int, units: Int) {
            dependencies = dependsOn.map(\.count)
            var d = [[Int]](repeating: [], count: dependsOn.count)
            for (s, deps) in dependsOn.enumerated() { for p in deps { d[p].append(s) } }
            dependents = d
            roots = dependsOn.indices.filter { dependsOn[$0].isEmpty }
            self.final = final
            self.units = units
        }
    }

    /// One task of one inference, as it ran.
    public struct Completion: Sendable {
        public var sample: Int
        public var stage: Int
        public var unit: Int
        public var ready: Int64
        public var start: Int64
        public var end: Int64
    }

    struct Event: Comparable {
        var time: Int64, sequence: Int, slot: Int32, stage: Int32
        static func < (a: Event, b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }
    }

    struct Slot {
        var sample = -1
        var pending: [Int32]
        var duration: [Int64]
        var delay: [Int64]
        var unit: [Int32]
        var ready: [Int64]
        var start: [Int64]
    }

    public let template: Template
    public private(set) var now: Int64 = 0
    /// Per unit: when it frees up, cycles busy, cycles tasks waited for it.
    public private(set) var unitFree: [Int64]
    public private(set) var unitBusy: [Int64]
    public private(set) var unitStalls: [Int64]
    var slots: [Slot] = []
    var freeSlots: [Int] = []
    var heap = MinHeap<Event>()
    var sequence = 0

    public init(template: Template) {
        self.template = template
        unitFree = [Int64](repeating: 0, count: template.units)
        unitBusy = unitFree
        unitStalls = unitFree
    }

    /// Admits inference `sample` now: its tasks' durations, delays and units (-1: none), per
    /// stage of the template.
    public mutating func admit(sample: Int, durations: [Int64], delays: [Int64], units: [Int32]) {
        let n = template.dependencies.count
        precondition(durations.count == n && delays.count == n && units.count == n)
        let s: Int
        if let free = freeSlots.popLast() {
            s = free
        } else {
            slots.append(Slot(pending: [], duration: [], delay: [], unit: [], ready: [Int64](repeating: 0, count: n),
                              start: [Int64](repeating: 0, count: n)))
            s = slots.count - 1
        }
        slots[s].sample = sample
        slots[s].pending = template.dependencies.map { Int32($0) }
        slots[s].duration = durations
        slots[s].delay = delays
        slots[s].unit = units
        for r in template.roots { begin(slot: s, stage: r, at: now) }
    }

    mutating func begin(slot s: Int, stage: Int, at time: Int64) {
        let u = Int(slots[s].unit[stage])
        let start = u >= 0 ? max(time, unitFree[u]) : time
        let end = start + slots[s].duration[stage]
        slots[s].ready[stage] = time
        slots[s].start[stage] = start
        if u >= 0 {
            unitFree[u] = end
            unitBusy[u] += slots[s].duration[stage]
            unitStalls[u] += start - time
        }
        heap.push(Event(time: end, sequence: sequence, slot: Int32(s), stage: Int32(stage)))
        sequence += 1
    }

    /// The next task to end (nil when nothing is in flight). Its dependents are released at its
    /// end plus its delay (an arrival event when the delay is not zero). When it is an
    /// inference's last task, the inference leaves its slot.
    public mutating func next() -> Completion? {
        while !heap.isEmpty {
            let e = heap.pop()
            now = e.time
            let s = Int(e.slot)
            if e.stage < 0 {
                release(slot: s, stage: Int(-e.stage - 1))
                continue
            }
            let stage = Int(e.stage)
            let done = Completion(sample: slots[s].sample, stage: stage, unit: Int(slots[s].unit[stage]), ready: slots[s].ready[stage],
                                  start: slots[s].start[stage], end: e.time)
            if stage == template.final {
                freeSlots.append(s)
            } else if slots[s].delay[stage] > 0 {
                heap.push(Event(time: e.time + slots[s].delay[stage], sequence: sequence, slot: e.slot, stage: -e.stage - 1))
                sequence += 1
            } else {
                release(slot: s, stage: stage)
            }
            return done
        }
        return nil
    }

    /// The dependents of `stage` whose last dependency this was become ready now.
    mutating func release(slot s: Int, stage: Int) {
        for d in template.dependents[stage] {
            slots[s].pending[d] -= 1
            if slots[s].pending[d] == 0 { begin(slot: s, stage: d, at: now) }
        }
    }
}
