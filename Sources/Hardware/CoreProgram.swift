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
/// sum read-out over several groups, one per class and group to combine. The decision also
/// waits for the marker of every core none of whose partial neurons received input, without a
/// hop (a core with nothing to send sends nothing), so that the read-out ends with its last
/// task: without it, a sample whose read-out input is all zeros (every prototype silent)
/// decided at once while its markers were still in flight.
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

    /// A program under construction (methods, not closures over locals, which would be boxed
    /// and checked for exclusive access on every use).
    struct Assembly {
        var tasks = [CoreProgram.Task]()
        var edges = [(from: Int32, to: Int32, delay: Double)]()
        var lastInjection: Int32 = -1
        let hopNanoseconds: Double

        mutating func task(_ work: CoreProgram.Work, _ unit: Int32, _ ns: Double, _ counts: CoreCounts) -> Int32 {
            tasks.append(.init(work: work, unit: unit, nanoseconds: ns, dependencies: 0, counts: counts))
            return Int32(tasks.count - 1)
        }

        mutating func edge(_ a: Int32, _ b: Int32, hops: Int) {
            edges.append((a, b, Double(hops) * hopNanoseconds))
            tasks[Int(b)].dependencies += 1
        }

        /// The source injects one event after another: each injection follows the previous one.
        mutating func injection(_ unit: Int32, _ ns: Double) -> Int32 {
            var c = CoreCounts()
            c.sourceEvents = 1
            let e = task(.injection, unit, ns, c)
            if lastInjection >= 0 { edge(lastInjection, e, hops: 0) }
            lastInjection = e
            return e
        }

        /// The program: edges grouped by source task (counting sort, stable: creation order
        /// within a task), roots in creation order.
        func program(final: Int32) -> CoreProgram {
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
            program.final = final
            for t in tasks { program.counts += t.counts }
            program.tasks = tasks
            return program
        }
    }

    static func taskCounts(tags: Int = 0, synapses: Int = 0, updates: Int = 0, hops: Int = 0, steps: Int = 0) -> CoreCounts {
        var c = CoreCounts()
        c.tagMatches = tags; c.synapticOperations = synapses; c.neuronUpdates = updates; c.hops = hops; c.winnerTakeAllSteps = steps
        return c
    }

    /// Whether partial neuron n has a non-zero input in `row` (its group's payload row).
    func received(_ n: Int, _ row: UnsafePointer<Float>) -> Bool {
        for input in rangeOf[n] where row[input] != 0 { return true }
        return false
    }

    /// The counts of sample i's program without building it (what `infer` reports per sample;
    /// a test holds it to `program(sample:payloads:).counts`).
    public func counts(sample i: Int, payloads: [Matrix]) -> CoreCounts {
        var c = CoreCounts()
        var silent = 0
        var activeOfAggregate = [Int](repeating: 0, count: placement.neurons.count)
        for (g, payload) in payloads.enumerated() {
            let d = placement.groups[g].inputs
            payload.storage.withUnsafeBufferPointer { pp in
                let row = pp.baseAddress! + i * d
                for input in 0..<d {
                    let v = row[input]
                    if v == 0 { continue }
                    let events = p.coding == .graded ? 1 : Int(abs(v))
                    c.sourceEvents += events
                    for (core, synapses) in destinations[g][input] {
                        c.tagMatches += events; c.synapticOperations += events * synapses; c.hops += events * hopsFromSource[core]
                    }
                }
                for q in 0..<placement.groups[g].prototypes {
                    var any = false
                    for n in structure[g][q].partials {
                        guard received(n, row) else { continue }
                        any = true
                        // The partial's update and where its sum goes.
                        c.neuronUpdates += 1
                        if let agg = aggregateOf[n] {
                            c.tagMatches += 1; c.synapticOperations += 1; c.hops += p.hops(coreOf[n], coreOf[agg])
                            activeOfAggregate[agg] += 1
                        } else {
                            c.hops += hopsFromSource[coreOf[n]]; c.winnerTakeAllSteps += 1
                        }
                    }
                    if !any { silent += 1 }
                    if let agg = structure[g][q].aggregate, activeOfAggregate[agg] > 0 {
                        c.neuronUpdates += 1; c.hops += hopsFromSource[coreOf[agg]]; c.winnerTakeAllSteps += 1
                    }
                }
            }
            for core in groupCores[g] { c.sourceEvents += 1; c.tagMatches += 1; c.hops += hopsFromSource[core] }
        }
        var steps = silent
        if readout.combine == .sumOfLogSoftmax && placement.groups.count > 1 { steps += readout.classCount * placement.groups.count }
        c.winnerTakeAllSteps += steps
        return c
    }

    /// The program of sample `i`, whose event payloads per group are row i of `payloads`.
    public func program(sample i: Int, payloads: [Matrix]) -> CoreProgram {
        var a = Assembly(hopNanoseconds: p.hopNanoseconds)
        let counts = CoreProgramBuilder.taskCounts
        let wta = Int32(p.cores), source = Int32(p.cores + 1)
        var scores = [Int32]()
        var silent = 0
        var active = [Bool](repeating: false, count: placement.neurons.count)
        var aggregateInputs = [[Int32]](repeating: [], count: placement.neurons.count)
        // Markers of cores none of whose partial neurons received input: nothing follows them.
        var idleMarkers = [Int32]()
        for (g, payload) in payloads.enumerated() {
            let d = placement.groups[g].inputs
            payload.storage.withUnsafeBufferPointer { pp in
                let row = pp.baseAddress! + i * d
                for input in 0..<d {
                    let v = row[input]
                    if v == 0 { continue }
                    let events = p.coding == .graded ? 1 : Int(abs(v))
                    for _ in 0..<events {
                        let e = a.injection(source, p.injectionNanoseconds)
                        for (core, synapses) in destinations[g][input] {
                            let h = hopsFromSource[core]
                            let t = a.task(.input, Int32(core), p.eventNanoseconds(synapses: synapses), counts(1, synapses, 0, h, 0))
                            a.edge(e, t, hops: h)
                        }
                    }
                }
                // Which partial neurons received input; silent prototypes.
                for q in 0..<placement.groups[g].prototypes {
                    var any = false
                    for n in structure[g][q].partials {
                        active[n] = received(n, row)
                        any = any || active[n]
                    }
                    if !any { silent += 1 }
                }
            }
            for core in groupCores[g] {
                let h = hopsFromSource[core]
                let e = a.injection(source, p.injectionNanoseconds)
                let marker = a.task(.marker, Int32(core), p.tagMatchNanoseconds, counts(1, 0, 0, h, 0))
                a.edge(e, marker, hops: h)
                if !partialsOnCore[g][core].contains(where: { active[$0] }) { idleMarkers.append(marker) }
                for n in partialsOnCore[g][core] where active[n] {
                    let u = a.task(.partialUpdate, Int32(core), p.neuronUpdateNanoseconds, counts(0, 0, 1, 0, 0))
                    a.edge(marker, u, hops: 0)
                    if let agg = aggregateOf[n] {
                        let to = coreOf[agg], h = p.hops(core, to)
                        let ai = a.task(.aggregateInput, Int32(to), p.eventNanoseconds(synapses: 1), counts(1, 1, 0, h, 0))
                        a.edge(u, ai, hops: h)
                        aggregateInputs[agg].append(ai)
                    } else {
                        // Unsplit: the score goes to the winner-take-all unit.
                        let hs = hopsFromSource[core]
                        let sc = a.task(.score, wta, p.winnerTakeAllStepNanoseconds, counts(0, 0, 0, hs, 1))
                        a.edge(u, sc, hops: hs)
                        scores.append(sc)
                    }
                }
            }
            // Aggregation neurons in prototype order.
            for q in 0..<placement.groups[g].prototypes {
                guard let agg = structure[g][q].aggregate, !aggregateInputs[agg].isEmpty else { continue }
                let u = a.task(.aggregateUpdate, Int32(coreOf[agg]), p.neuronUpdateNanoseconds, counts(0, 0, 1, 0, 0))
                for ai in aggregateInputs[agg] { a.edge(ai, u, hops: 0) }
                let hs = hopsFromSource[coreOf[agg]]
                let sc = a.task(.score, wta, p.winnerTakeAllStepNanoseconds, counts(0, 0, 0, hs, 1))
                a.edge(u, sc, hops: hs)
                scores.append(sc)
            }
        }
        var steps = silent
        if readout.combine == .sumOfLogSoftmax && placement.groups.count > 1 { steps += readout.classCount * placement.groups.count }
        let decision = a.task(.decision, wta, Double(steps) * p.winnerTakeAllStepNanoseconds, counts(0, 0, 0, 0, steps))
        for sc in scores { a.edge(sc, decision, hops: 0) }
        // The decision also waits for the idle markers (without a hop: nothing is sent), so that
        // it is the program's last task. Input events need no such edge: their core serves them
        // before its marker, which arrives after them over the same route.
        for m in idleMarkers { a.edge(m, decision, hops: 0) }
        return a.program(final: decision)
    }
}
