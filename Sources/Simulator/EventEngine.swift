import Numerics

/// The discrete-event engine: one virtual clock in ticks (the simulator's tick is a picosecond)
/// over a min-heap of events, where a completion schedules the tasks it releases, and the last
/// completion of an inference lets the caller admit the next one (`next()` returns each
/// completion).
///
/// Every inference instantiates the same template (a task graph: stages and their
/// dependencies) with its own durations and units, and may expand one template stage into a
/// graph of its own (`Expansion`: the learning core's events for that sample), whose tasks run on
/// the same clock and units and release each other over edges with their own delays; the
/// expanded stage begins when it becomes ready and ends when the expansion's final task ends.
/// A task becomes ready `delay` ticks after its last dependency ends (a link's hop latency: the
/// unit is free, the data still travels);
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

    /// One sample's graph in place of a template stage (`anchor`): tasks indexed from the
    /// template's stage count up, edges out of task t at `edgeStart[t]..<edgeStart[t + 1]`.
    public struct Expansion: Sendable {
        public var anchor: Int
        public var durations: [Int64]
        public var units: [Int32]
        public var dependencies: [Int32]
        public var edgeStart: [Int32]
        public var edgeTargets: [Int32]
        public var edgeDelays: [Int64]
        public var roots: [Int32]
        public var final: Int32

        public init(anchor: Int, durations: [Int64], units: [Int32], dependencies: [Int32], edgeStart: [Int32], edgeTargets: [Int32],
                    edgeDelays: [Int64], roots: [Int32], final: Int32) {
            self.anchor = anchor; self.durations = durations; self.units = units; self.dependencies = dependencies
            self.edgeStart = edgeStart; self.edgeTargets = edgeTargets; self.edgeDelays = edgeDelays; self.roots = roots; self.final = final
        }
    }

    enum EventKind: UInt8 {
        /// A task ends; a template stage's dependents released after its delay; an expansion
        /// edge's target reached after the edge's delay.
        case end, release, arrive
    }

    struct Event: Comparable {
        var time: Int64, sequence: Int, slot: Int32, stage: Int32, kind: EventKind
        static func < (a: Event, b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }
        static func == (a: Event, b: Event) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    struct Slot {
        var sample = -1
        var pending: [Int32]
        var duration: [Int64]
        var delay: [Int64]
        var unit: [Int32]
        var ready: [Int64]
        var start: [Int64]
        var expansion: Expansion?
    }

    public let template: Template
    public private(set) var now: Int64 = 0
    /// Per unit: when it frees up, ticks busy, ticks tasks waited for it.
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
    /// stage of the template, and the stage it expands, if any.
    public mutating func admit(sample: Int, durations: [Int64], delays: [Int64], units: [Int32], expansion: Expansion? = nil) {
        let n = template.dependencies.count
        precondition(durations.count == n && delays.count == n && units.count == n)
        let s: Int
        if let free = freeSlots.popLast() {
            s = free
        } else {
            slots.append(Slot(pending: [], duration: [], delay: [], unit: [], ready: [], start: []))
            s = slots.count - 1
        }
        let m = expansion?.durations.count ?? 0
        slots[s].sample = sample
        slots[s].pending = template.dependencies.map { Int32($0) }
        slots[s].duration = durations
        slots[s].delay = delays
        slots[s].unit = units
        if let x = expansion {
            slots[s].pending += x.dependencies
            slots[s].duration += x.durations
            slots[s].delay += [Int64](repeating: 0, count: m)
            slots[s].unit += x.units
        }
        slots[s].ready = [Int64](repeating: 0, count: n + m)
        slots[s].start = slots[s].ready
        slots[s].expansion = expansion
        for r in template.roots { begin(slot: s, stage: r, at: now) }
    }

    mutating func begin(slot s: Int, stage: Int, at time: Int64) {
        slots[s].ready[stage] = time
        if let x = slots[s].expansion, x.anchor == stage {
            // The expanded stage holds no unit: its tasks do.
            slots[s].start[stage] = time
            let n = template.dependencies.count
            for r in x.roots { begin(slot: s, stage: n + Int(r), at: time) }
            return
        }
        let u = Int(slots[s].unit[stage])
        let start = u >= 0 ? max(time, unitFree[u]) : time
        let end = start + slots[s].duration[stage]
        slots[s].start[stage] = start
        if u >= 0 {
            unitFree[u] = end
            unitBusy[u] += slots[s].duration[stage]
            unitStalls[u] += start - time
        }
        push(Event(time: end, sequence: 0, slot: Int32(s), stage: Int32(stage), kind: .end))
    }

    mutating func push(_ e: Event) {
        var e = e
        e.sequence = sequence
        sequence += 1
        heap.push(e)
    }

    /// The next task to end (nil when nothing is in flight). Its dependents are released at its
    /// end plus its delay (an arrival event when the delay is not zero). When it is an
    /// inference's last task, the inference leaves its slot. Tasks of an expansion have indices
    /// from the template's stage count up.
    public mutating func next() -> Completion? {
        let n = template.dependencies.count
        while !heap.isEmpty {
            let e = heap.pop()
            now = e.time
            let s = Int(e.slot), stage = Int(e.stage)
            switch e.kind {
            case .release:
                release(slot: s, stage: stage)
                continue
            case .arrive:
                reach(slot: s, task: stage)
                continue
            case .end:
                break
            }
            let done = Completion(sample: slots[s].sample, stage: stage, unit: Int(slots[s].unit[stage]), ready: slots[s].ready[stage],
                                  start: slots[s].start[stage], end: e.time)
            if stage >= n {
                let x = slots[s].expansion!, t = stage - n
                for k in Int(x.edgeStart[t])..<Int(x.edgeStart[t + 1]) {
                    let target = n + Int(x.edgeTargets[k])
                    if x.edgeDelays[k] > 0 {
                        push(Event(time: now + x.edgeDelays[k], sequence: 0, slot: e.slot, stage: Int32(target), kind: .arrive))
                    } else {
                        reach(slot: s, task: target)
                    }
                }
                if t == Int(x.final) {
                    // The expanded stage ends with its final task.
                    push(Event(time: now, sequence: 0, slot: e.slot, stage: Int32(x.anchor), kind: .end))
                }
            } else if stage == template.final {
                slots[s].expansion = nil
                freeSlots.append(s)
            } else if slots[s].delay[stage] > 0 {
                push(Event(time: e.time + slots[s].delay[stage], sequence: 0, slot: e.slot, stage: Int32(stage), kind: .release))
            } else {
                release(slot: s, stage: stage)
            }
            return done
        }
        return nil
    }

    /// One of `task`'s dependencies has arrived; it begins when the last has.
    mutating func reach(slot s: Int, task: Int) {
        slots[s].pending[task] -= 1
        if slots[s].pending[task] == 0 { begin(slot: s, stage: task, at: now) }
    }

    /// The dependents of `stage` whose last dependency this was become ready now.
    mutating func release(slot s: Int, stage: Int) {
        for d in template.dependents[stage] {
            slots[s].pending[d] -= 1
            if slots[s].pending[d] == 0 { begin(slot: s, stage: d, at: now) }
        }
    }
}
