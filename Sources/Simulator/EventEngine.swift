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
/// unit is free, the data still travels). A ready task starts at once on an idle unit, else
/// waits in the unit's queue; a unit that frees up starts the task at the head of its queue.
/// Before that, a task that enters a bounded place (a layer's buffers, `Template.gate`) waits at
/// its gate until a place is free, holding the place it came from (back-pressure).
/// So every unit serves first come, first served (ties by the order the tasks became ready),
/// waiting shows up as a stall (start - ready), and the heap holds only what is in progress: one
/// end per busy unit and the data in transit. Inferences in flight occupy slots that are reused once they
/// complete, so memory follows the in-flight limit, not the number of inferences.
public struct EventEngine {
    /// The graph every inference instantiates.
    ///
    /// Bounded places (a layer's buffers): a stage with a `gate` takes one of that place's
    /// `capacity` slots before it may begin, waiting first come, first served while none is free,
    /// and on taking it gives back the place named by its `handoff` (the layer it came from); a
    /// stage with an `exit` gives its place back when it ends. So a full layer holds the one
    /// before it full (back-pressure), and a place never holds more than its capacity.
    public struct Template: Sendable {
        public var dependents: [[Int]]
        public var dependencies: [Int]
        public var roots: [Int]
        public var final: Int
        public var units: Int
        /// Per stage: the place it enters, the place it gives back on entering, the place it
        /// gives back when it ends (-1: none). Per place: its slots.
        public var gate: [Int32]
        public var handoff: [Int32]
        public var exit: [Int32]
        public var capacity: [Int]
        /// Per stage: its dependency count, as a slot's pending counters start.
        var pending: [Int32]

        public init(dependsOn: [[Int]], final: Int, units: Int, gate: [Int]? = nil, handoff: [Int]? = nil, exit: [Int]? = nil,
                    capacity: [Int] = []) {
            dependencies = dependsOn.map(\.count)
            var d = [[Int]](repeating: [], count: dependsOn.count)
            for (s, deps) in dependsOn.enumerated() { for p in deps { d[p].append(s) } }
            dependents = d
            roots = dependsOn.indices.filter { dependsOn[$0].isEmpty }
            self.final = final
            self.units = units
            let none = [Int32](repeating: -1, count: dependsOn.count)
            self.gate = gate.map { $0.map(Int32.init) } ?? none
            self.handoff = handoff.map { $0.map(Int32.init) } ?? none
            self.exit = exit.map { $0.map(Int32.init) } ?? none
            self.capacity = capacity
            pending = dependencies.map { Int32($0) }
            precondition(self.gate.count == dependsOn.count && self.handoff.count == dependsOn.count && self.exit.count == dependsOn.count)
            precondition(capacity.allSatisfy { $0 >= 1 })
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

    /// An inference in flight: its sample, its template stages' delays and its expansion. Its
    /// tasks' counters and times live in the engine's flat task arrays, at slot x `stride` + task.
    struct Slot {
        var sample = -1
        var delay: [Int64]
        /// The expansion's edges, the stage it expands (-1: none) and its final task.
        var edgeStart: [Int32] = []
        var edgeTargets: [Int32] = []
        var edgeDelays: [Int64] = []
        var roots: [Int32] = []
        var anchor = -1
        var final = -1
        /// Events of this inference not yet taken off the heap (none may be left when it leaves
        /// its slot, or the slot's next inference would receive them).
        var pendingEvents = 0
    }

    public let template: Template
    public private(set) var now: Int64 = 0
    /// Per unit: ticks busy, ticks tasks waited for it, and the longest its queue of waiting
    /// tasks grew.
    public private(set) var unitBusy: [Int64]
    public private(set) var unitStalls: [Int64]
    public private(set) var unitMaxQueue: [Int]
    /// Per place: slots taken now, the most ever taken, and ticks stages waited at its gate.
    public private(set) var placeHeld: [Int]
    public private(set) var placeMaxHeld: [Int]
    public private(set) var placeWaits: [Int64]
    var placeQueues: [UnitQueue]
    /// Per unit: whether a task holds it, and the ready tasks waiting for it (slot, stage).
    var unitHeld: [Bool]
    var queues: [UnitQueue]
    var slots: [Slot] = []
    /// Per task of every slot (slot s's task k at s x stride + k): dependencies not yet ended,
    /// duration, unit (-1: none), ready and start times.
    var stride = 0
    var taskPending: [Int32] = []
    var taskDuration: [Int64] = []
    var taskUnit: [Int32] = []
    var taskReady: [Int64] = []
    var taskStart: [Int64] = []
    var freeSlots: [Int] = []
    var heap = MinHeap<Event>()
    var sequence = 0

    public init(template: Template) {
        self.template = template
        unitBusy = [Int64](repeating: 0, count: template.units)
        unitStalls = unitBusy
        unitMaxQueue = [Int](repeating: 0, count: template.units)
        unitHeld = [Bool](repeating: false, count: template.units)
        queues = [UnitQueue](repeating: UnitQueue(), count: template.units)
        placeHeld = [Int](repeating: 0, count: template.capacity.count)
        placeMaxHeld = placeHeld
        placeWaits = [Int64](repeating: 0, count: template.capacity.count)
        placeQueues = [UnitQueue](repeating: UnitQueue(), count: template.capacity.count)
    }

    /// Tasks waiting for a unit or at a place's gate, first in first out.
    struct UnitQueue {
        var items: [(slot: Int32, stage: Int32)] = []
        var head = 0
        var count: Int { items.count - head }
        mutating func append(_ x: (slot: Int32, stage: Int32)) { items.append(x) }
        mutating func removeFirst() -> (slot: Int32, stage: Int32) {
            let x = items[head]
            head += 1
            if head == items.count { items.removeAll(keepingCapacity: true); head = 0 }
            return x
        }
    }

    /// Admits inference `sample` now: its tasks' durations, delays and units (-1: none), per
    /// stage of the template, and the stage it expands, if any.
    public mutating func admit(sample: Int, durations: [Int64], delays: [Int64], units: [Int32], expansion: Expansion? = nil) {
        let n = template.dependencies.count
        precondition(durations.count == n && delays.count == n && units.count == n)
        let m = expansion?.durations.count ?? 0
        if n + m > stride { grow(to: n + m + (n + m) / 4) }
        let s: Int
        if let free = freeSlots.popLast() {
            s = free
        } else {
            slots.append(Slot(delay: []))
            s = slots.count - 1
            let size = slots.count * stride
            taskPending.append(contentsOf: repeatElement(0, count: size - taskPending.count))
            taskDuration.append(contentsOf: repeatElement(0, count: size - taskDuration.count))
            taskUnit.append(contentsOf: repeatElement(-1, count: size - taskUnit.count))
            taskReady.append(contentsOf: repeatElement(0, count: size - taskReady.count))
            taskStart.append(contentsOf: repeatElement(0, count: size - taskStart.count))
        }
        // Refill the slot in place: a reused slot keeps its capacity (no allocation).
        func fill<T>(_ a: inout [T], _ values: [T]) {
            a.removeAll(keepingCapacity: true)
            a.append(contentsOf: values)
        }
        func put<T>(_ a: inout [T], _ first: [T], _ second: [T]?) {
            let b = s * stride
            a.withUnsafeMutableBufferPointer { p in
                for k in first.indices { p[b + k] = first[k] }
                if let second { for k in second.indices { p[b + n + k] = second[k] } }
            }
        }
        slots[s].sample = sample
        put(&taskPending, template.pending, expansion?.dependencies)
        put(&taskDuration, durations, expansion?.durations)
        fill(&slots[s].delay, delays)
        put(&taskUnit, units, expansion?.units)
        slots[s].anchor = expansion?.anchor ?? -1
        slots[s].final = Int(expansion?.final ?? -1)
        fill(&slots[s].edgeStart, expansion?.edgeStart ?? [])
        fill(&slots[s].edgeTargets, expansion?.edgeTargets ?? [])
        fill(&slots[s].edgeDelays, expansion?.edgeDelays ?? [])
        fill(&slots[s].roots, expansion?.roots ?? [])
        for r in template.roots { begin(slot: s, stage: r, at: now) }
    }

    /// Index of slot s's task k in the flat task arrays.
    @inline(__always) func flat(_ s: Int, _ k: Int) -> Int { s &* stride &+ k }

    /// Widens every slot's task region to `width` tasks, keeping what the slots hold.
    mutating func grow(to width: Int) {
        func widen<T>(_ a: inout [T], _ zero: T) {
            var b = [T](repeating: zero, count: slots.count * width)
            for s in slots.indices { for k in 0..<stride { b[s * width + k] = a[s * stride + k] } }
            a = b
        }
        widen(&taskPending, 0); widen(&taskDuration, 0); widen(&taskUnit, -1); widen(&taskReady, 0); widen(&taskStart, 0)
        stride = width
    }

    /// Task `stage` of slot s is ready: it enters its place, if it has one (or waits at the
    /// gate), then its unit.
    mutating func begin(slot s: Int, stage: Int, at time: Int64) {
        let p = stage < template.gate.count ? Int(template.gate[stage]) : -1
        guard p >= 0 else { return enter(slot: s, stage: stage, at: time) }
        if placeHeld[p] == template.capacity[p] {
            taskReady[flat(s, stage)] = time
            placeQueues[p].append((Int32(s), Int32(stage)))
            return
        }
        passGate(p, slot: s, stage: stage)
    }

    /// Task `stage` of slot s takes a slot of place p, gives back the place it came from, and
    /// goes on to its unit, now.
    mutating func passGate(_ p: Int, slot s: Int, stage: Int) {
        placeHeld[p] += 1
        placeMaxHeld[p] = max(placeMaxHeld[p], placeHeld[p])
        if template.handoff[stage] >= 0 { giveBack(place: Int(template.handoff[stage])) }
        enter(slot: s, stage: stage, at: now)
    }

    /// A slot of place p frees: the first stage waiting at its gate takes it (giving back its
    /// own upstream place, which may let another in).
    mutating func giveBack(place p: Int) {
        placeHeld[p] -= 1
        guard placeQueues[p].count > 0 else { return }
        let w = placeQueues[p].removeFirst()
        let s = Int(w.slot), stage = Int(w.stage)
        placeWaits[p] += now - taskReady[flat(s, stage)]
        passGate(p, slot: s, stage: stage)
    }

    /// Task `stage` of slot s, past any gate, takes its unit or waits in the unit's queue.
    mutating func enter(slot s: Int, stage: Int, at time: Int64) {
        taskReady[flat(s, stage)] = time
        if slots[s].anchor == stage {
            // The expanded stage holds no unit: its tasks do.
            taskStart[flat(s, stage)] = time
            let n = template.dependencies.count
            for k in slots[s].roots.indices { begin(slot: s, stage: n + Int(slots[s].roots[k]), at: time) }
            return
        }
        let u = Int(taskUnit[flat(s, stage)])
        if u >= 0 {
            if unitHeld[u] {
                queues[u].append((Int32(s), Int32(stage)))
                unitMaxQueue[u] = max(unitMaxQueue[u], queues[u].count)
                return
            }
            unitHeld[u] = true
        }
        start(slot: s, stage: stage)
    }

    /// Task `stage` of slot s starts now (on its unit, which it holds until it ends).
    mutating func start(slot s: Int, stage: Int) {
        let u = Int(taskUnit[flat(s, stage)]), d = taskDuration[flat(s, stage)]
        taskStart[flat(s, stage)] = now
        if u >= 0 {
            unitBusy[u] += d
            unitStalls[u] += now - taskReady[flat(s, stage)]
        }
        push(Event(time: now + d, sequence: 0, slot: Int32(s), stage: Int32(stage), kind: .end))
    }

    mutating func push(_ e: Event) {
        var e = e
        e.sequence = sequence
        sequence += 1
        slots[Int(e.slot)].pendingEvents += 1
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
            slots[s].pendingEvents -= 1
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
            let u = Int(taskUnit[flat(s, stage)])
            let done = Completion(sample: slots[s].sample, stage: stage, unit: u, ready: taskReady[flat(s, stage)],
                                  start: taskStart[flat(s, stage)], end: e.time)
            if u >= 0 {
                // The unit starts the task at the head of its queue, before the ones this task releases.
                if queues[u].count > 0 {
                    let w = queues[u].removeFirst()
                    start(slot: Int(w.slot), stage: Int(w.stage))
                } else {
                    unitHeld[u] = false
                }
            }
            if stage >= n {
                // Read in place (copying the expansion would retain each of its arrays).
                let t = stage - n
                let first = Int(slots[s].edgeStart[t]), end = Int(slots[s].edgeStart[t + 1])
                for k in first..<end {
                    let target = n + Int(slots[s].edgeTargets[k])
                    let delay = slots[s].edgeDelays[k]
                    if delay > 0 {
                        push(Event(time: now + delay, sequence: 0, slot: e.slot, stage: Int32(target), kind: .arrive))
                    } else {
                        reach(slot: s, task: target)
                    }
                }
                if t == slots[s].final {
                    // The expanded stage ends with its final task.
                    push(Event(time: now, sequence: 0, slot: e.slot, stage: Int32(slots[s].anchor), kind: .end))
                }
                return done
            }
            if template.exit[stage] >= 0 { giveBack(place: Int(template.exit[stage])) }
            if stage == template.final {
                precondition(slots[s].pendingEvents == 0, "inference \(slots[s].sample) ended with tasks of its own still in flight")
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
        taskPending[flat(s, task)] -= 1
        if taskPending[flat(s, task)] == 0 { begin(slot: s, stage: task, at: now) }
    }

    /// The dependents of `stage` whose last dependency this was become ready now.
    mutating func release(slot s: Int, stage: Int) {
        for d in template.dependents[stage] {
            taskPending[flat(s, d)] -= 1
            if taskPending[flat(s, d)] == 0 { begin(slot: s, stage: d, at: now) }
        }
    }
}
