import Numerics

/// The parameters of a hardware description's `learningCore` section, typed.
public struct CoreParameters: Equatable, Sendable {
    public enum WeightScheme: String, Sendable { case baseWeightMask = "base-weight-mask", signedInteger = "signed-integer" }
    public enum InputCoding: String, Sendable { case graded, rate }

    public var cores, coresPerRow, neuronsPerCore, synapsesPerNeuron, tagsPerCore, destinationsPerNeuron: Int
    public var weightScheme: WeightScheme
    public var weightBits: Int
    public var mismatch: Double
    public var coding: InputCoding
    public var gradedBits, rateSpikes: Int
    public var injectionNanoseconds, hopPicojoules, hopNanoseconds: Double
    public var tagMatchPicojoules, synapticOperationPicojoules, neuronUpdatePicojoules: Double
    public var winnerTakeAllStepPicojoules, synapticUpdatePicojoules, staticMilliwattsPerCore: Double
    public var tagMatchNanoseconds, synapticOperationNanoseconds, neuronUpdateNanoseconds: Double
    public var winnerTakeAllStepNanoseconds, synapticUpdateNanoseconds: Double
    public var parallelSynapses: Bool
    public var accumulatorBits, rateShift: Int

    public init(_ d: HardwareDescription) {
        func n(_ k: String) -> Double { d.number("learningCore." + k) }
        func i(_ k: String) -> Int { d.integer("learningCore." + k) }
        cores = i("cores"); coresPerRow = i("coresPerRow"); neuronsPerCore = i("neuronsPerCore")
        synapsesPerNeuron = i("synapsesPerNeuron"); tagsPerCore = i("tagsPerCore")
        destinationsPerNeuron = i("destinationsPerNeuron")
        weightScheme = WeightScheme(rawValue: d.choice("learningCore.weights.scheme"))!
        weightBits = i("weights.bits")
        mismatch = n("mismatchRelative")
        coding = InputCoding(rawValue: d.choice("learningCore.input.coding"))!
        gradedBits = i("input.gradedBits"); rateSpikes = i("input.rateSpikes")
        injectionNanoseconds = n("input.injectionNanoseconds")
        hopPicojoules = n("routing.hopPicojoules"); hopNanoseconds = n("routing.hopNanoseconds")
        tagMatchPicojoules = n("energy.tagMatchPicojoules")
        synapticOperationPicojoules = n("energy.synapticOperationPicojoules")
        neuronUpdatePicojoules = n("energy.neuronUpdatePicojoules")
        winnerTakeAllStepPicojoules = n("energy.winnerTakeAllStepPicojoules")
        synapticUpdatePicojoules = n("energy.synapticUpdatePicojoules")
        staticMilliwattsPerCore = n("energy.staticMilliwattsPerCore")
        tagMatchNanoseconds = n("timing.tagMatchNanoseconds")
        synapticOperationNanoseconds = n("timing.synapticOperationNanoseconds")
        parallelSynapses = d.flag("learningCore.timing.parallelSynapses")
        neuronUpdateNanoseconds = n("timing.neuronUpdateNanoseconds")
        winnerTakeAllStepNanoseconds = n("timing.winnerTakeAllStepNanoseconds")
        synapticUpdateNanoseconds = n("timing.synapticUpdateNanoseconds")
        accumulatorBits = i("learning.accumulatorBits"); rateShift = i("learning.rateShift")
    }

    /// A core's time for one event that matches `synapses` synapses there.
    public func eventNanoseconds(synapses: Int) -> Double {
        tagMatchNanoseconds + (parallelSynapses ? (synapses > 0 ? 1 : 0) : Double(synapses)) * synapticOperationNanoseconds
    }

    /// The largest weight level: 2^bits - 1 magnitudes (mask) or 2^(bits-1) - 1 (signed).
    public var maxLevel: Int { weightScheme == .baseWeightMask ? (1 << weightBits) - 1 : (1 << (weightBits - 1)) - 1 }

    /// Mesh links between cores a and b (Manhattan distance); core -1 is the event source and
    /// winner-take-all unit, left of core 0.
    public func hops(_ a: Int, _ b: Int) -> Int {
        func position(_ c: Int) -> (Int, Int) { c < 0 ? (-1, 0) : (c % coresPerRow, c / coresPerRow) }
        let (ax, ay) = position(a), (bx, by) = position(b)
        return abs(ax - bx) + abs(ay - by)
    }
}

/// Where the read-out's neurons sit on the learning cores.
///
/// A read-out group is a set of P prototypes scored against one D-dimensional input vector (one
/// HFF layer's normalised activation). Each prototype is computed by partial neurons, each
/// holding a contiguous range of at most `synapsesPerNeuron` of the D components, and, when it
/// has more than one partial neuron, an aggregation neuron that sums them: a prototype with
/// D > slots needs ceil(D / slots) partial neurons, as a fan-in-limited core must. Placing the
/// neurons is the compiler's job; `validate` checks any placement against the core's limits.
public struct CorePlacement: Equatable, Sendable {
    public struct Group: Equatable, Sendable {
        public var inputs: Int
        public var prototypes: Int
        public init(inputs: Int, prototypes: Int) { self.inputs = inputs; self.prototypes = prototypes }
    }

    public enum Role: Equatable, Sendable {
        /// Prototype `prototype` of `group` over inputs `inputs`.
        case partial(group: Int, prototype: Int, inputs: Range<Int>)
        /// The sum of the partial neurons of prototype `prototype` of `group`.
        case aggregate(group: Int, prototype: Int)
    }

    public struct Neuron: Equatable, Sendable {
        public var core: Int
        public var role: Role
        public init(core: Int, role: Role) { self.core = core; self.role = role }
    }

    public var groups: [Group]
    public var neurons: [Neuron]

    public init(groups: [Group], neurons: [Neuron]) {
        self.groups = groups
        self.neurons = neurons
    }

    /// For each group and prototype: its partial neurons (indices into `neurons`, in input order)
    /// and its aggregation neuron, if any. Valid only after `validate`.
    func structure() -> [[(partials: [Int], aggregate: Int?)]] {
        var s = groups.map { g in [(partials: [Int], aggregate: Int?)](repeating: ([], nil), count: g.prototypes) }
        for (n, neuron) in neurons.enumerated() {
            switch neuron.role {
            case .partial(let g, let p, _): s[g][p].partials.append(n)
            case .aggregate(let g, let p): s[g][p].aggregate = n
            }
        }
        for g in s.indices {
            for p in s[g].indices {
                s[g][p].partials.sort { lhs, rhs in
                    guard case .partial(_, _, let a) = neurons[lhs].role, case .partial(_, _, let b) = neurons[rhs].role else { return false }
                    return a.lowerBound < b.lowerBound
                }
            }
        }
        return s
    }

    /// Checks the placement against `core`'s limits; errors name `file` and what is exceeded.
    public func validate(_ core: CoreParameters, file: String = "placement") throws {
        func fail(_ field: String, _ message: String) -> InputError { InputError.data(file: file, field: field, message) }
        for (g, group) in groups.enumerated() where group.inputs < 1 || group.prototypes < 1 {
            throw fail("groups[\(g)]", "expected at least 1 input and 1 prototype, got \(group.inputs) and \(group.prototypes)")
        }
        var perCore = [Int](repeating: 0, count: core.cores)
        var tags = [Set<Int>](repeating: [], count: core.cores)
        var covered = groups.map { g in [[Range<Int>]](repeating: [], count: g.prototypes) }
        var aggregates = groups.map { g in [Int](repeating: 0, count: g.prototypes) }
        let tagBase = groups.reduce(0) { $0 + $1.inputs }  // partial-output tags follow the input tags
        var inputOffset = [Int](), offset = 0
        for g in groups { inputOffset.append(offset); offset += g.inputs }
        for (n, neuron) in neurons.enumerated() {
            let field = "neurons[\(n)]"
            guard (0..<core.cores).contains(neuron.core) else {
                throw fail(field + ".core", "expected a core in 0...\(core.cores - 1), got \(neuron.core); learningCore.cores is \(core.cores)")
            }
            perCore[neuron.core] += 1
            switch neuron.role {
            case .partial(let g, let p, let r):
                guard groups.indices.contains(g), (0..<groups[g].prototypes).contains(p) else {
                    throw fail(field, "group \(g) prototype \(p) does not exist")
                }
                guard !r.isEmpty, r.lowerBound >= 0, r.upperBound <= groups[g].inputs else {
                    throw fail(field + ".inputs", "expected a non-empty range within 0..<\(groups[g].inputs), got \(r)")
                }
                if r.count > core.synapsesPerNeuron {
                    throw fail(field, "needs \(r.count) synapses, a neuron has \(core.synapsesPerNeuron) (learningCore.synapsesPerNeuron)")
                }
                covered[g][p].append(r)
                for i in r { tags[neuron.core].insert(inputOffset[g] + i) }
            case .aggregate(let g, let p):
                guard groups.indices.contains(g), (0..<groups[g].prototypes).contains(p) else {
                    throw fail(field, "group \(g) prototype \(p) does not exist")
                }
                aggregates[g][p] += 1
            }
        }
        for c in 0..<core.cores where perCore[c] > core.neuronsPerCore {
            throw fail("core \(c)", "needs \(perCore[c]) neurons, a core has \(core.neuronsPerCore) (learningCore.neuronsPerCore): \(perCore[c] - core.neuronsPerCore) short")
        }
        let s = structure()
        for g in groups.indices {
            for p in 0..<groups[g].prototypes {
                let ranges = covered[g][p].sorted { $0.lowerBound < $1.lowerBound }
                var next = 0
                for r in ranges {
                    if r.lowerBound != next {
                        throw fail("group \(g) prototype \(p)", r.lowerBound > next ? "inputs \(next)..<\(r.lowerBound) have no partial neuron" : "input \(r.lowerBound) is held by two partial neurons")
                    }
                    next = r.upperBound
                }
                if next != groups[g].inputs { throw fail("group \(g) prototype \(p)", "inputs \(next)..<\(groups[g].inputs) have no partial neuron") }
                if aggregates[g][p] > 1 { throw fail("group \(g) prototype \(p)", "has \(aggregates[g][p]) aggregation neurons, expected at most 1") }
                if ranges.count > 1 && aggregates[g][p] == 0 {
                    throw fail("group \(g) prototype \(p)", "is split over \(ranges.count) partial neurons but has no aggregation neuron")
                }
                if ranges.count > core.synapsesPerNeuron && aggregates[g][p] == 1 {
                    throw fail("group \(g) prototype \(p)", "its aggregation neuron needs \(ranges.count) synapses, a neuron has \(core.synapsesPerNeuron)")
                }
                if let a = s[g][p].aggregate {
                    for q in s[g][p].partials { tags[neurons[a].core].insert(tagBase + q) }
                }
            }
        }
        for c in 0..<core.cores where tags[c].count > core.tagsPerCore {
            throw fail("core \(c)", "its synapses match \(tags[c].count) source tags, a core has \(core.tagsPerCore) (learningCore.tagsPerCore)")
        }
        // Every neuron sends its output to one place (its aggregation neuron or the
        // winner-take-all unit): one destination entry.
        if core.destinationsPerNeuron < 1 { throw fail("learningCore.destinationsPerNeuron", "a neuron needs 1 destination") }
    }

    /// `greedy`, its refusal prefixed with `context` (the file it came from, and what was placed).
    public static func greedy(groups: [Group], core: CoreParameters, context: String) throws -> CorePlacement {
        do {
            return try greedy(groups: groups, core: core)
        } catch let e as InputError {
            throw InputError(e.kind, "\(context): " + e.message)
        }
    }

    /// A greedy placement: groups in order, each prototype's partial neurons (ceil(D / slots),
    /// equal ranges) and then its aggregation neuron on the current core, moving to the next core
    /// when the neurons or tags of this one would run out. Throws when the cores run out, saying
    /// how many more are needed.
    public static func greedy(groups: [Group], core: CoreParameters) throws -> CorePlacement {
        var neurons = [Neuron]()
        var c = 0, used = 0
        var tags = Set<Int>()
        var inputOffset = 0
        var placedPartials = 0
        let tagBase = groups.reduce(0) { $0 + $1.inputs }
        var coresNeeded = 1
        for (g, group) in groups.enumerated() {
            let parts = (group.inputs + core.synapsesPerNeuron - 1) / core.synapsesPerNeuron
            let perPrototype = parts + (parts > 1 ? 1 : 0)
            if perPrototype > core.neuronsPerCore || parts > core.synapsesPerNeuron || group.inputs + parts > core.tagsPerCore {
                throw InputError.data(file: "placement", field: "group \(g)",
                                      "one prototype over \(group.inputs) inputs needs \(perPrototype) neurons and \(group.inputs + parts) tags on one core; a core has \(core.neuronsPerCore) neurons, \(core.tagsPerCore) tags and \(core.synapsesPerNeuron) synapses per neuron")
            }
            for p in 0..<group.prototypes {
                // Tags this prototype adds to the current core: its inputs (if new) and its partials.
                let newTags = (0..<group.inputs).filter { !tags.contains(inputOffset + $0) }.count + (parts > 1 ? parts : 0)
                if used + perPrototype > core.neuronsPerCore || tags.count + newTags > core.tagsPerCore {
                    c += 1; used = 0; tags = []
                    coresNeeded = c + 1
                }
                let base = parts > 1 ? (group.inputs + parts - 1) / parts : group.inputs
                for j in 0..<parts {
                    let r = (j * base)..<min(group.inputs, (j + 1) * base)
                    neurons.append(Neuron(core: c, role: .partial(group: g, prototype: p, inputs: r)))
                    for i in r { tags.insert(inputOffset + i) }
                    if parts > 1 { tags.insert(tagBase + placedPartials + j) }
                }
                placedPartials += parts
                if parts > 1 { neurons.append(Neuron(core: c, role: .aggregate(group: g, prototype: p))) }
                used += perPrototype
            }
            inputOffset += group.inputs
        }
        if coresNeeded > core.cores {
            throw InputError(.doesNotFit, "learningCore.cores: the read-out needs \(coresNeeded) cores, the hardware has \(core.cores): \(coresNeeded - core.cores) short; --set learningCore.cores=\(coresNeeded) would fit")
        }
        return CorePlacement(groups: groups, neurons: neurons)
    }
}
