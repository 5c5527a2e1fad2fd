import Numerics

/// The learning core's work for one sample, as a task graph the simulator's one event engine
/// runs (`Simulator.EventEngine`, the same clock as the tiles): tasks on the core's units (its
/// cores, the winner-take-all unit, the event source), each with its duration and its actions,
/// and edges that release a task a mesh-hop delay after another ends. Nothing here keeps time.
///
/// The event source (the digital normalisation unit, left of core 0 on the mesh) injects one
/// event per `injectionNanoseconds`: per group, every non-zero graded value (or every spike) in
/// input order, multicast to the cores holding synapses for that input, then one end-of-vector
/// marker per destination core. An event is on the mesh when its injection ends and reaches a
/// core its Manhattan distance x `routing.hopNanoseconds` later. At a core an input event costs a
/// tag match and one synaptic operation per matched synapse; the marker (served after every input
/// of its group, which arrived before it) releases one update of each partial neuron that received
/// input, which sends its partial sum to its aggregation neuron (a tag match and one synaptic
/// operation there) or, unsplit, to the winner-take-all unit. An aggregation neuron updates once
/// its last active partial has arrived and sends its score on. The winner-take-all unit takes one
/// step per prototype score, then (the decision) one per silent prototype (score 0) and, for the
/// sum read-out over several groups, one per class and group to combine.
///
/// Each unit serves its tasks first come, first served (the engine's rule), so the order in which
/// events reach a core is the order it handles them.
public struct CoreProgram: Sendable {
    public enum Work: UInt8, Sendable {
        case injection, input, marker, partialUpdate, aggregateInput, aggregateUpdate, score, decision

        public var name: String {
            switch self {
            case .injection: return "event injection"
            case .input: return "input event"
            case .marker: return "end of vector"
            case .partialUpdate: return "partial neuron update"
            case .aggregateInput: return "partial sum event"
            case .aggregateUpdate: return "aggregation neuron update"
            case .score: return "winner-take-all step"
            case .decision: return "winner-take-all decision"
            }
        }
    }

    public struct Task: Sendable {
        public var work: Work
        /// A core's index, `cores` for the winner-take-all unit, `cores + 1` for the event source.
        public var unit: Int32
        public var nanoseconds: Double
        /// Edges into this task.
        public var dependencies: Int32
        /// What the task does (the hops are those its event crossed to get here).
        public var counts: CoreCounts
    }

    public var tasks: [Task] = []
    /// Edges out of task t: `edgeTargets[edgeStart[t]..<edgeStart[t + 1]]`, each released
    /// `edgeDelayNanoseconds` after t ends.
    public var edgeStart: [Int32] = []
    public var edgeTargets: [Int32] = []
    public var edgeDelayNanoseconds: [Double] = []
    /// Tasks without dependencies (ready when the read-out starts), in creation order.
    public var roots: [Int32] = []
    /// The winner-take-all decision: the read-out ends with it.
    public var final: Int32 = 0
    /// The sample's counts: the sum over tasks.
    public var counts = CoreCounts()
}

/// Builds `CoreProgram`s for a placement (the per-input destinations and per-core neurons are
/// worked out once).
public struct CoreProgramBuilder: Sendable {
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

    init(parameters: CoreParameters, placement: CorePlacement, readout: CoreReadout) {
        p = parameters
        self.placement = placement
        let s = placement.structure()
        structure = s
        self.readout = readout
        var dest = placement.groups.map { [[(core: Int, synapses: Int)]](repeating: [], count: $0.inputs) }
        var onCore = placement.groups.map { _ in [[Int]](repeating: [], count: parameters.cores) }
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
        hopsFromSource = (0..<parameters.cores).map { parameters.hops(-1, $0) }
    }

    /// The program of sample `i`, whose event payloads per group are row i of `payloads`.
    public func program(sample i: Int, payloads: [Matrix]) -> CoreProgram {
        var tasks = [CoreProgram.Task]()
        var edges = [(from: Int32, to: Int32, delay: Double)]()
        let wta = Int32(p.cores), source = Int32(p.cores + 1)
        func task(_ work: CoreProgram.Work, _ unit: Int32, _ ns: Double, _ counts: CoreCounts) -> Int32 {
            tasks.append(.init(work: work, unit: unit, nanoseconds: ns, dependencies: 0, counts: counts))
            return Int32(tasks.count - 1)
        }
        func edge(_ a: Int32, _ b: Int32, hops: Int) {
            edges.append((a, b, Double(hops) * p.hopNanoseconds))
            tasks[Int(b)].dependencies += 1
        }
        func counts(source: Int = 0, tags: Int = 0, synapses: Int = 0, updates: Int = 0, hops: Int = 0, steps: Int = 0) -> CoreCounts {
            var c = CoreCounts()
            c.sourceEvents = source; c.tagMatches = tags; c.synapticOperations = synapses
            c.neuronUpdates = updates; c.hops = hops; c.winnerTakeAllSteps = steps
            return c
        }
        var scores = [Int32]()
        var silent = 0
        let injection = counts(source: 1)
        /// A score leaving `from` on core `core` for the winner-take-all unit.
        func score(after from: Int32, core: Int) {
            let h = hopsFromSource[core]
            let s = task(.score, wta, p.winnerTakeAllStepNanoseconds, counts(hops: h, steps: 1))
            edge(from, s, hops: h)
            scores.append(s)
        }
        for (g, payload) in payloads.enumerated() {
            let d = placement.groups[g].inputs
            var active = [Bool](repeating: false, count: placement.neurons.count)
            var aggregateInputs = [Int: [Int32]]()
            payload.storage.withUnsafeBufferPointer { pp in
                let row = pp.baseAddress! + i * d
                for input in 0..<d {
                    let v = row[input]
                    if v == 0 { continue }
                    let events = p.coding == .graded ? 1 : Int(abs(v))
                    for _ in 0..<events {
                        let e = task(.injection, source, p.injectionNanoseconds, injection)
                        for (core, synapses) in destinations[g][input] {
                            let h = hopsFromSource[core]
                            edge(e, task(.input, Int32(core), p.eventNanoseconds(synapses: synapses), counts(tags: 1, synapses: synapses, hops: h)), hops: h)
                        }
                    }
                }
                // Which partial neurons received input; silent prototypes.
                for q in 0..<placement.groups[g].prototypes {
                    var any = false
                    for n in structure[g][q].partials {
                        var hit = false
                        for input in rangeOf[n] where row[input] != 0 { hit = true; break }
                        active[n] = hit
                        any = any || hit
                    }
                    if !any { silent += 1 }
                }
            }
            for core in groupCores[g] {
                let h = hopsFromSource[core]
                let e = task(.injection, source, p.injectionNanoseconds, injection)
                let marker = task(.marker, Int32(core), p.tagMatchNanoseconds, counts(tags: 1, hops: h))
                edge(e, marker, hops: h)
                for n in partialsOnCore[g][core] where active[n] {
                    let u = task(.partialUpdate, Int32(core), p.neuronUpdateNanoseconds, counts(updates: 1))
                    edge(marker, u, hops: 0)
                    if let a = aggregateOf[n] {
                        let to = coreOf[a], h = p.hops(core, to)
                        let ai = task(.aggregateInput, Int32(to), p.eventNanoseconds(synapses: 1), counts(tags: 1, synapses: 1, hops: h))
                        edge(u, ai, hops: h)
                        aggregateInputs[a, default: []].append(ai)
                    } else {
                        score(after: u, core: core)
                    }
                }
            }
            // Aggregation neurons in prototype order (never a dictionary's order).
            for q in 0..<placement.groups[g].prototypes {
                guard let a = structure[g][q].aggregate, let inputs = aggregateInputs[a] else { continue }
                let u = task(.aggregateUpdate, Int32(coreOf[a]), p.neuronUpdateNanoseconds, counts(updates: 1))
                for ai in inputs { edge(ai, u, hops: 0) }
                score(after: u, core: coreOf[a])
            }
        }
        var steps = silent
        if readout.combine == .sumOfLogSoftmax && placement.groups.count > 1 { steps += readout.classCount * placement.groups.count }
        let decision = task(.decision, wta, Double(steps) * p.winnerTakeAllStepNanoseconds, counts(steps: steps))
        for s in scores { edge(s, decision, hops: 0) }
        // Edges grouped by source task (counting sort, stable: creation order within a task).
        var program = CoreProgram()
        var start = [Int32](repeating: 0, count: tasks.count + 1)
        for e in edges { start[Int(e.from) + 1] += 1 }
        for t in 0..<tasks.count { start[t + 1] += start[t] }
        var fill = start
        program.edgeTargets = [Int32](repeating: 0, count: edges.count)
        program.edgeDelayNanoseconds = [Double](repeating: 0, count: edges.count)
        for e in edges {
            let k = Int(fill[Int(e.from)])
            program.edgeTargets[k] = e.to
            program.edgeDelayNanoseconds[k] = e.delay
            fill[Int(e.from)] += 1
        }
        program.edgeStart = start
        program.roots = tasks.indices.filter { tasks[$0].dependencies == 0 }.map { Int32($0) }
        program.final = decision
        for t in tasks { program.counts += t.counts }
        program.tasks = tasks
        return program
    }
}

/// One piece of work on the learning core (for traces): which unit (a core, `cores` for the
/// winner-take-all unit, `cores + 1` for the event source), when it started after the read-out
/// began, how long it took.
public struct CoreEvent: Sendable, Equatable {
    public var unit: Int
    public var startNanoseconds: Double
    public var nanoseconds: Double
    public var name: String
}
