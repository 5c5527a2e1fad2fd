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
    }

    enum Work {
        case input
        case marker(group: Int)
        case partialUpdate(neuron: Int)
        case aggregateInput(aggregate: Int)
        case aggregateUpdate(aggregate: Int)
        case score
    }

    struct Item {
        var time: Double
        var sequence: Int
        var server: Int
        var service: Double
        var work: Work
        var notify: Bool
    }

    var heap = [Item]()
    var sequence = 0

    mutating func push(_ item: Item) {
        var it = item
        it.sequence = sequence
        sequence += 1
        heap.append(it)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if before(heap[i], heap[parent]) { heap.swapAt(i, parent); i = parent } else { break }
        }
    }

    mutating func pop() -> Item {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && before(heap[l], heap[m]) { m = l }
                if r < heap.count && before(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m); i = m
            }
        }
        return top
    }

    func before(_ a: Item, _ b: Item) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }

    /// Counts and latency (ns) of sample `i`, whose event payloads per group are row i of `payloads`.
    mutating func run(sample i: Int, payloads: [Matrix]) -> (CoreCounts, Double) {
        heap.removeAll(keepingCapacity: true)
        sequence = 0
        var c = CoreCounts()
        let wta = p.cores  // the winner-take-all unit's server index
        var busy = [Double](repeating: 0, count: p.cores + 1)
        var source = 0.0
        var activePartials = [Int](repeating: 0, count: placement.neurons.count)  // per aggregate: active partials
        var active = [Bool](repeating: false, count: placement.neurons.count)
        var silent = 0
        func arrive(_ server: Int, at t: Double, service: Double, _ work: Work, completion notify: Bool) -> Item {
            Item(time: t, sequence: 0, server: server, service: service, work: work, notify: notify)
        }
        for (g, payload) in payloads.enumerated() {
            let d = placement.groups[g].inputs
            for input in 0..<d {
                let v = payload[i, input]
                if v == 0 { continue }
                let events = p.coding == .graded ? 1 : Int(abs(v))
                for _ in 0..<events {
                    c.sourceEvents += 1
                    for (core, synapses) in destinations[g][input] {
                        let h = p.hops(-1, core)
                        c.hops += h; c.tagMatches += 1; c.synapticOperations += synapses
                        push(arrive(core, at: source + Double(h) * p.hopNanoseconds,
                                    service: p.tagMatchNanoseconds + Double(synapses) * p.synapticOperationNanoseconds, .input, completion: false))
                    }
                    source += p.injectionNanoseconds
                }
            }
            // Which partial neurons received input; silent prototypes.
            for q in 0..<placement.groups[g].prototypes {
                var any = false
                for n in structure[g][q].partials {
                    guard case .partial(_, _, let r) = placement.neurons[n].role else { continue }
                    var hit = false
                    for input in r where payload[i, input] != 0 { hit = true; break }
                    active[n] = hit
                    if hit {
                        any = true
                        if let a = structure[g][q].aggregate { activePartials[a] += 1 }
                    }
                }
                if !any { silent += 1 }
            }
            for core in groupCores[g] {
                let h = p.hops(-1, core)
                c.sourceEvents += 1; c.hops += h; c.tagMatches += 1
                push(arrive(core, at: source + Double(h) * p.hopNanoseconds, service: p.tagMatchNanoseconds, .marker(group: g), completion: true))
                source += p.injectionNanoseconds
            }
        }
        var end = 0.0
        while !heap.isEmpty {
            let item = pop()
            if !isCompletion(item) {
                // An arrival: FIFO service on its server; work that triggers more work comes
                // back as a completion when its service ends.
                let start = max(item.time, busy[item.server])
                busy[item.server] = start + item.service
                end = max(end, busy[item.server])
                if item.notify {
                    var done = item
                    done.time = busy[item.server]
                    done.service = -1
                    push(done)
                }
                continue
            }
            // A completion.
            let t = item.time
            switch item.work {
            case .marker(let g):
                for n in partialsOnCore[g][item.server] where active[n] {
                    c.neuronUpdates += 1
                    push(arrive(item.server, at: t, service: p.neuronUpdateNanoseconds, .partialUpdate(neuron: n), completion: true))
                }
            case .partialUpdate(let n):
                let from = placement.neurons[n].core
                if let a = aggregateOf[n] {
                    let to = placement.neurons[a].core, h = p.hops(from, to)
                    c.hops += h; c.tagMatches += 1; c.synapticOperations += 1
                    push(arrive(to, at: t + Double(h) * p.hopNanoseconds,
                                service: p.tagMatchNanoseconds + p.synapticOperationNanoseconds, .aggregateInput(aggregate: a), completion: true))
                } else {
                    let h = p.hops(from, -1)
                    c.hops += h; c.winnerTakeAllSteps += 1
                    push(arrive(wta, at: t + Double(h) * p.hopNanoseconds, service: p.winnerTakeAllStepNanoseconds, .score, completion: false))
                }
            case .aggregateInput(let a):
                activePartials[a] -= 1
                if activePartials[a] == 0 {
                    c.neuronUpdates += 1
                    push(arrive(item.server, at: t, service: p.neuronUpdateNanoseconds, .aggregateUpdate(aggregate: a), completion: true))
                }
            case .aggregateUpdate(let a):
                let h = p.hops(placement.neurons[a].core, -1)
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
        return (c, end)
    }

    /// A completion is an item re-queued with a negative service.
    func isCompletion(_ item: Item) -> Bool { item.service < 0 }
}
