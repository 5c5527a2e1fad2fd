import Numerics

/// The event-by-event cost and timing of one sample on the learning core: a discrete-event
/// simulation over a min-heap of arrivals, each core (and the winner-take-all unit) a FIFO server.
///
/// The event source (the digital normalisation unit, left of core 0 on the mesh) emits one event
/// every `injectionNanoseconds`: per group, every non-zero graded value (or every spike) in input
/// order, multicast to the cores holding synapses for that input, then one end-of-vector marker
/// per destination core. At a core an input event costs a tag match and one synaptic operation
/// per matched synapse; the marker triggers one update of each partial neuron that received
/// input, which sends its partial sum to its aggregation neuron (a tag match and one synaptic
/// operation there) or, unsplit, to the winner-take-all unit. An aggregation neuron updates once
/// its last active partial has arrived and sends its score on. The winner-take-all unit takes one
/// step per prototype score (silent prototypes, whose score is 0, at the end) and, for the sum
/// read-out over several groups, one step per class and group to combine. Events cross
/// Manhattan-distance mesh links. Latency runs from the first event leaving the source to the
/// last winner-take-all step.
struct CoreTiming {
    let p: CoreParameters
    let placement: CorePlacement
    let structure: [[(partials: [Int], aggregate: Int?)]]
    let readout: CoreReadout
    /// Per group and input: (core, matched synapses) for every core holding that input.
    let destinations: [[[(core: Int, synapses: Int)]]]
    /// Per group: the cores that receive its inputs, sorted.
    let groupCores: [[Int]]
    /// Per group and core: the partial neurons of the group on the core.
    let partialsOnCore: [[[Int]]]
    /// Per partial neuron: its aggregation neuron, if any.
    let aggregateOf: [Int?]
    /// Per neuron: its core, and its input range (empty for aggregation neurons).
    let coreOf: [Int]
    let rangeOf: [Range<Int>]
    /// Per core: mesh links from the event source.
    let hopsFromSource: [Int]

    init(core: LearningCore, structure s: [[(partials: [Int], aggregate: Int?)]], readout: CoreReadout) {
        p = core.parameters
        placement = core.placement
        structure = s
        self.readout = readout
        var dest = placement.groups.map { [[(core: Int, synapses: Int)]](repeating: [], count: $0.inputs) }
        var onCore = placement.groups.map { _ in [[Int]](repeating: [], count: core.parameters.cores) }
        var aggregateOf = [Int?](repeating: nil, count: placement.neurons.count)
        for (n, neuron) in placement.neurons.enumerated() {
            guard case .partial(let g, let q, let r) = neuron.role else { continue }
            onCore[g][neuron.core].append(n)
            aggregateOf[n] = s[g][q].aggregate
            for i in r {
                if let k = dest[g][i].firstIndex(where: { $0.core == neuron.core }) {
                    dest[g][i][k].synapses += 1
                } else {
                    dest[g][i].append((neuron.core, 1))
                }
            }
        }
        for g in dest.indices { for i in dest[g].indices { dest[g][i].sort { $0.core < $1.core } } }
        destinations = dest
        groupCores = onCore.map { perCore in perCore.indices.filter { !perCore[$0].isEmpty } }
        partialsOnCore = onCore
        self.aggregateOf = aggregateOf
        coreOf = placement.neurons.map(\.core)
        rangeOf = placement.neurons.map { n in
            if case .partial(_, _, let r) = n.role { return r }
            return 0..<0
        }
        hopsFromSource = (0..<core.parameters.cores).map { core.parameters.hops(-1, $0) }
    }

    enum Work {
        var name: String {
            switch self {
            case .input: return "input event"
            case .marker: return "end of vector"
            case .partialUpdate: return "partial neuron update"
            case .aggregateInput: return "partial sum event"
            case .aggregateUpdate: return "aggregation neuron update"
            case .score: return "winner-take-all step"
            }
        }

        case input
        case marker(group: Int)
        case partialUpdate(neuron: Int)
        case aggregateInput(aggregate: Int)
        case aggregateUpdate(aggregate: Int)
        case score
    }

    struct Item: Comparable {
        static func < (a: Item, b: Item) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }
        static func == (a: Item, b: Item) -> Bool { a.time == b.time && a.sequence == b.sequence }

        var time: Double
        var sequence: Int
        var server: Int
        var service: Double
        var work: Work
        var notify: Bool
    }

    var heap = MinHeap<Item>()
    var recorded = [CoreEvent]()
    var sequence = 0

    mutating func push(_ item: Item) {
        var it = item
        it.sequence = sequence
        sequence += 1
        heap.push(it)
    }

    /// Counts and latency (ns) of sample `i`, whose event payloads per group are row i of `payloads`.
    ///
    /// What the source emits (values and markers) arrives at each core in emission order, so
    /// those arrivals wait in one sorted stream per core; only the work they trigger goes through
    /// the heap. Ties go to the earlier-created item: stream items (created first, in emission
    /// order) before heap items, heap items by creation order. Work that arrives at the instant
    /// it is created (a neuron update on its own core, a partial sum to an aggregation neuron on
    /// the same core) is served at once, behind everything that arrived before.
    /// Also returns the busiest unit's busy time (its service times summed): how long the core
    /// is occupied by this sample when samples stream through it.
    /// With `record`, every served piece of work is kept in `recorded` (for traces).
    mutating func run(sample i: Int, payloads: [Matrix], record: Bool = false) -> (CoreCounts, Double, Double) {
        recorded.removeAll()
        heap.removeAll()
        sequence = 0
        var c = CoreCounts()
        let wta = p.cores  // the winner-take-all unit's server index
        var busy = [Double](repeating: 0, count: p.cores + 1)
        var service = [Double](repeating: 0, count: p.cores + 1)
        var source = 0.0
        var activePartials = [Int](repeating: 0, count: placement.neurons.count)  // per aggregate: active partials
        var active = [Bool](repeating: false, count: placement.neurons.count)
        var silent = 0
        var streams = [[Item]](repeating: [], count: p.cores)
        var emitted = 0
        func arrive(_ server: Int, at t: Double, service: Double, _ work: Work, completion notify: Bool) -> Item {
            Item(time: t, sequence: 0, server: server, service: service, work: work, notify: notify)
        }
        for (g, payload) in payloads.enumerated() {
            let d = placement.groups[g].inputs
            payload.storage.withUnsafeBufferPointer { pp in
                let row = pp.baseAddress! + i * d
                for input in 0..<d {
                    let v = row[input]
                    if v == 0 { continue }
                    let events = p.coding == .graded ? 1 : Int(abs(v))
                    for _ in 0..<events {
                        c.sourceEvents += 1
                        for (core, synapses) in destinations[g][input] {
                            let h = hopsFromSource[core]
                            c.hops += h; c.tagMatches += 1; c.synapticOperations += synapses
                            streams[core].append(Item(time: source + Double(h) * p.hopNanoseconds, sequence: emitted, server: core,
                                                      service: p.eventNanoseconds(synapses: synapses),
                                                      work: .input, notify: false))
                            emitted += 1
                        }
                        source += p.injectionNanoseconds
                    }
                }
                // Which partial neurons received input; silent prototypes.
                for q in 0..<placement.groups[g].prototypes {
                    var any = false
                    for n in structure[g][q].partials {
                        var hit = false
                        for input in rangeOf[n] where row[input] != 0 { hit = true; break }
                        active[n] = hit
                        if hit {
                            any = true
                            if let a = structure[g][q].aggregate { activePartials[a] += 1 }
                        }
                    }
                    if !any { silent += 1 }
                }
            }
            for core in groupCores[g] {
                let h = hopsFromSource[core]
                c.sourceEvents += 1; c.hops += h; c.tagMatches += 1
                streams[core].append(Item(time: source + Double(h) * p.hopNanoseconds, sequence: emitted, server: core,
                                          service: p.tagMatchNanoseconds, work: .marker(group: g), notify: true))
                emitted += 1
                source += p.injectionNanoseconds
            }
        }
        sequence = emitted
        var next = [Int](repeating: 0, count: p.cores)
        var end = 0.0
        /// Serves an arrival on its server (FIFO: every earlier arrival has been served); work
        /// that triggers more work comes back as a completion when its service ends.
        func serve(_ item: Item) {
            let start = max(item.time, busy[item.server])
            if record && item.service > 0 {
                recorded.append(CoreEvent(unit: item.server, startNanoseconds: start, nanoseconds: item.service, name: item.work.name))
            }
            busy[item.server] = start + item.service
            service[item.server] += item.service
            end = max(end, busy[item.server])
            if item.notify {
                var done = item
                done.time = busy[item.server]
                done.service = -1
                push(done)
            }
        }
        while true {
            // The earliest stream item, ties to the earliest emitted.
            var best = -1
            for core in 0..<p.cores where next[core] < streams[core].count {
                let it = streams[core][next[core]]
                if best < 0 { best = core; continue }
                let b = streams[best][next[best]]
                if it.time < b.time || (it.time == b.time && it.sequence < b.sequence) { best = core }
            }
            let item: Item
            if best >= 0 && (heap.isEmpty || streams[best][next[best]].time <= heap.first!.time) {
                item = streams[best][next[best]]
                next[best] += 1
            } else if !heap.isEmpty {
                item = heap.pop()
            } else {
                break
            }
            if !isCompletion(item) {
                serve(item)
                continue
            }
            // A completion.
            let t = item.time
            switch item.work {
            case .marker(let g):
                for n in partialsOnCore[g][item.server] where active[n] {
                    c.neuronUpdates += 1
                    serve(arrive(item.server, at: t, service: p.neuronUpdateNanoseconds, .partialUpdate(neuron: n), completion: true))
                }
            case .partialUpdate(let n):
                let from = coreOf[n]
                if let a = aggregateOf[n] {
                    let to = coreOf[a], h = p.hops(from, to)
                    c.hops += h; c.tagMatches += 1; c.synapticOperations += 1
                    let work = arrive(to, at: t + Double(h) * p.hopNanoseconds,
                                      service: p.eventNanoseconds(synapses: 1), .aggregateInput(aggregate: a), completion: true)
                    if h == 0 { serve(work) } else { push(work) }
                } else {
                    let h = hopsFromSource[from]
                    c.hops += h; c.winnerTakeAllSteps += 1
                    push(arrive(wta, at: t + Double(h) * p.hopNanoseconds, service: p.winnerTakeAllStepNanoseconds, .score, completion: false))
                }
            case .aggregateInput(let a):
                activePartials[a] -= 1
                if activePartials[a] == 0 {
                    c.neuronUpdates += 1
                    serve(arrive(item.server, at: t, service: p.neuronUpdateNanoseconds, .aggregateUpdate(aggregate: a), completion: true))
                }
            case .aggregateUpdate(let a):
                let h = hopsFromSource[coreOf[a]]
                c.hops += h; c.winnerTakeAllSteps += 1
                push(arrive(wta, at: t + Double(h) * p.hopNanoseconds, service: p.winnerTakeAllStepNanoseconds, .score, completion: false))
            case .input, .score:
                break
            }
        }
        // Silent prototypes and the combination over groups, after the last score.
        var steps = silent
        if readout.combine == .sumOfLogSoftmax && placement.groups.count > 1 { steps += readout.classCount * placement.groups.count }
        c.winnerTakeAllSteps += steps
        end = max(end, busy[wta]) + Double(steps) * p.winnerTakeAllStepNanoseconds
        service[wta] += Double(steps) * p.winnerTakeAllStepNanoseconds
        return (c, end, service.max() ?? 0)
    }

    /// A completion is an item re-queued with a negative service.
    func isCompletion(_ item: Item) -> Bool { item.service < 0 }
}

/// One piece of work on the learning core (for traces): which unit (a core, or `cores` for the
/// winner-take-all unit), when it started after the first event left the source, how long it took.
public struct CoreEvent: Sendable, Equatable {
    public var unit: Int
    public var startNanoseconds: Double
    public var nanoseconds: Double
    public var name: String
}
