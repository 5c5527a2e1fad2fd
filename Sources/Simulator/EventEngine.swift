import Numerics

/// A discrete-event engine: a virtual clock in cycles over a min-heap of task completions.
///
/// Tasks have a duration in cycles, an optional resource (a hardware unit with occupancy: one
/// task at a time) and dependencies. A task becomes ready when its last dependency completes;
/// it starts at max(ready time, the time its resource frees up) and holds the resource for its
/// duration. Ready tasks claim their resource in the order they become ready (ties by creation
/// order), so every resource serves first come, first served, and waiting shows up as a stall:
/// start - ready.
public struct EventEngine {
    public struct Task {
        public var name: String
        public var resource: Int  // -1: no shared unit
        public var duration: Int64
        public var sample: Int
        var dependents: [Int] = []
        var pending = 0
        public var ready: Int64 = 0
        public var start: Int64 = -1
        public var end: Int64 = -1
    }

    public private(set) var tasks: [Task] = []
    public private(set) var resourceFree: [Int64]
    /// Cycles each resource spent busy.
    public private(set) var resourceBusy: [Int64]
    struct Completion: Comparable {
        var time: Int64, sequence: Int, task: Int
        static func < (a: Completion, b: Completion) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }
    }
    var heap = MinHeap<Completion>()
    var sequence = 0

    public init(resources: Int) {
        resourceFree = [Int64](repeating: 0, count: resources)
        resourceBusy = [Int64](repeating: 0, count: resources)
    }

    /// Adds a task after `dependencies` (indices of earlier tasks); returns its index.
    @discardableResult
    public mutating func add(_ name: String, resource: Int, duration: Int64, sample: Int, after dependencies: [Int] = []) -> Int {
        precondition(duration >= 0 && resource < resourceFree.count)
        let id = tasks.count
        var t = Task(name: name, resource: resource, duration: duration, sample: sample)
        t.pending = dependencies.count
        tasks.append(t)
        for d in dependencies { tasks[d].dependents.append(id) }
        return id
    }

    mutating func push(_ time: Int64, _ task: Int) {
        heap.push(Completion(time: time, sequence: sequence, task: task))
        sequence += 1
    }

    mutating func begin(_ id: Int, at time: Int64) {
        tasks[id].ready = time
        let r = tasks[id].resource
        let start = r >= 0 ? max(time, resourceFree[r]) : time
        let end = start + tasks[id].duration
        tasks[id].start = start
        tasks[id].end = end
        if r >= 0 {
            resourceFree[r] = end
            resourceBusy[r] += tasks[id].duration
        }
        push(end, id)
    }

    /// Runs every task; returns the time the last one ends.
    @discardableResult
    public mutating func run() -> Int64 {
        for id in tasks.indices where tasks[id].pending == 0 && tasks[id].start < 0 { begin(id, at: 0) }
        var now: Int64 = 0
        while !heap.isEmpty {
            let next = heap.pop()
            let time = next.time, id = next.task
            now = time
            for d in tasks[id].dependents {
                tasks[d].pending -= 1
                if tasks[d].pending == 0 { begin(d, at: time) }
            }
        }
        return now
    }
}
