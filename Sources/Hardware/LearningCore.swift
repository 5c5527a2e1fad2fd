import Foundation
import Numerics

/// Event and action counts of the learning core, for one sample or summed over many.
public struct CoreCounts: Equatable, Sendable {
    /// Events leaving the event source: one per non-zero graded value (or per spike under rate
    /// coding), plus one end-of-vector marker per group and destination core.
    public var sourceEvents = 0
    /// Events delivered to a core (each is one tag match there), input and partial-sum events.
    public var tagMatches = 0
    /// Matched synapses integrating an event.
    public var synapticOperations = 0
    /// Neuron updates (partial and aggregation neurons that received input).
    public var neuronUpdates = 0
    /// Mesh links crossed by events.
    public var hops = 0
    /// Scores entering the winner-take-all stage.
    public var winnerTakeAllSteps = 0
    /// Learning-engine synaptic updates.
    public var synapticUpdates = 0

    public init() {}

    public static func += (a: inout CoreCounts, b: CoreCounts) {
        a.sourceEvents += b.sourceEvents; a.tagMatches += b.tagMatches
        a.synapticOperations += b.synapticOperations; a.neuronUpdates += b.neuronUpdates
        a.hops += b.hops; a.winnerTakeAllSteps += b.winnerTakeAllSteps; a.synapticUpdates += b.synapticUpdates
    }

    /// Dynamic energy of these actions, pJ.
    public func picojoules(_ p: CoreParameters) -> Double {
        Double(tagMatches) * p.tagMatchPicojoules + Double(synapticOperations) * p.synapticOperationPicojoules
            + Double(neuronUpdates) * p.neuronUpdatePicojoules + Double(hops) * p.hopPicojoules
            + Double(winnerTakeAllSteps) * p.winnerTakeAllStepPicojoules + Double(synapticUpdates) * p.synapticUpdatePicojoules
    }
}

/// How prototype scores become a decision (the HFF model's read-out).
public struct CoreReadout: Equatable, Sendable {
    public enum Pooling: String, Sendable { case logSumExp, max }
    public enum Combine: String, Sendable {
        /// The last group's class scores.
        case last
        /// The sum over groups of each group's log-softmax class scores.
        case sumOfLogSoftmax
    }
    public var classCount: Int
    public var prototypesPerClass: Int
    public var tau: Float
    public var pooling: Pooling
    public var combine: Combine

    public init(classCount: Int, prototypesPerClass: Int, tau: Float, pooling: Pooling = .logSumExp, combine: Combine) {
        self.classCount = classCount
        self.prototypesPerClass = prototypesPerClass
        self.tau = tau
        self.pooling = pooling
        self.combine = combine
    }
}

/// A DYNAP-SE2-style event-driven core holding an HFF model's prototypes, as one chip instance.
///
/// Weights. Prototype p's component i is stored on the synapse of the partial neuron covering i
/// as a level l in -L...L (L = `maxLevel`) times the core's unit u_c = (largest |component| on the
/// core) / L, the sign from the synapse type. Under the base-weight mask (DYNAP-SE2) the magnitude
/// is the sum of the core's base weights 2^b u_c selected by the bits b of |l|; with mismatch each
/// base weight is 2^b u_c (1 + sigma N(0, 1)), drawn per core, and each neuron's gain per synapse
/// sign is (1 + sigma N(0, 1)). Signed-integer weights have only the neuron gains.
///
/// Inference for one group: an input vector z is scaled by its largest |component| m and sent
/// as graded events of n bits (value round(|z_i| / m (2^n - 1)), one event per non-zero value) or
/// as round(|z_i| / m T) spikes; each partial neuron sums value x weight over its synapses, the
/// aggregation neuron sums the partial sums (partial sums travel as exact graded events), and the
/// score is m / (2^n - 1) (or m / T) times that, over tau. Class scores pool each class's
/// prototypes (LogSumExp or max); groups combine as the model's read-out says; the winner takes all.
public struct LearningCore: Sendable {
    public let parameters: CoreParameters
    public private(set) var placement: CorePlacement
    /// Per group: the stored levels, prototypes x inputs (row p holds prototype p).
    public private(set) var levels: [[Int32]]
    /// Per core: u_c.
    public private(set) var units: [Float]
    /// Per core: the magnitude of each level, in units, with the base-weight mismatch.
    let levelMagnitudes: [[Float]]
    /// Per neuron: gain for positive and negative synapses.
    let gains: [(positive: Float, negative: Float)]
    /// Per group and prototype: the learning engine's accumulators (empty until first used).
    var accumulators: [[[Int64]]]
    let mismatchRNG: SeededRandom

    /// Programs `prototypes` (per group, P x D, rows unit-norm or not) onto the placement as chip
    /// instance `seed`. Throws on a placement the core cannot hold.
    public init(hardware: HardwareDescription, placement: CorePlacement, prototypes: [Matrix], seed: UInt64,
                file: String = "placement") throws {
        let p = CoreParameters(hardware)
        try placement.validate(p, file: file)
        precondition(prototypes.count == placement.groups.count)
        for (g, m) in prototypes.enumerated() {
            precondition(m.rows == placement.groups[g].prototypes && m.cols == placement.groups[g].inputs)
        }
        let (levels, units) = LearningCore.quantize(prototypes: prototypes, placement: placement, parameters: p)
        try self.init(parameters: p, placement: placement, levels: levels, units: units, seed: seed, file: file)
    }

    /// The levels and per-core units of `prototypes` on `placement`: a core's unit is the largest
    /// |component| stored on it over the largest level; a level is round(component / unit).
    public static func quantize(prototypes: [Matrix], placement: CorePlacement, parameters p: CoreParameters) -> (levels: [[Int32]], units: [Float]) {
        var largest = [Float](repeating: 0, count: p.cores)
        for neuron in placement.neurons {
            guard case .partial(let g, let q, let r) = neuron.role else { continue }
            for i in r { largest[neuron.core] = max(largest[neuron.core], abs(prototypes[g][q, i])) }
        }
        let units = largest.map { $0 > 0 ? $0 / Float(p.maxLevel) : 1 }
        var levels = placement.groups.map { [Int32](repeating: 0, count: $0.prototypes * $0.inputs) }
        for neuron in placement.neurons {
            guard case .partial(let g, let q, let r) = neuron.role else { continue }
            let d = placement.groups[g].inputs
            for i in r {
                let l = (prototypes[g][q, i] / units[neuron.core]).rounded()
                levels[g][q * d + i] = Int32(max(-Float(p.maxLevel), min(Float(p.maxLevel), l)))
            }
        }
        return (levels, units)
    }

    /// Programs explicit levels (per group, prototypes x inputs, row-major) and per-core units, as a
    /// compiler would. Throws when a level is outside -maxLevel...maxLevel or a unit is not positive.
    public init(parameters p: CoreParameters, placement: CorePlacement, levels: [[Int32]], units: [Float], seed: UInt64,
                file: String = "placement") throws {
        try placement.validate(p, file: file)
        guard levels.count == placement.groups.count, units.count == p.cores else {
            throw InputError.data(file: file, field: "levels", "expected \(placement.groups.count) groups and \(p.cores) core units")
        }
        for (g, l) in levels.enumerated() {
            let group = placement.groups[g]
            guard l.count == group.prototypes * group.inputs else {
                throw InputError.data(file: file, field: "levels[\(g)]", "expected \(group.prototypes * group.inputs) levels, got \(l.count)")
            }
            if let bad = l.firstIndex(where: { abs(Int($0)) > p.maxLevel }) {
                throw InputError.data(file: file, field: "levels[\(g)][\(bad)]",
                                      "\(l[bad]) is not a representable weight: expected -\(p.maxLevel)...\(p.maxLevel) (\(p.weightScheme.rawValue), \(p.weightBits) bits)")
            }
        }
        if let bad = units.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw InputError.data(file: file, field: "units[\(bad)]", "expected a positive unit weight, got \(units[bad])")
        }
        parameters = p
        self.placement = placement
        self.levels = levels
        self.units = units
        // Mismatch, drawn once per chip: base weights per core, then gains per neuron.
        var rng = SeededRandom(seed: seed)
        let sigma = Float(p.mismatch)
        func draw() -> Float { sigma > 0 ? 1 + sigma * rng.gaussian() : 1 }
        var magnitudes = [[Float]]()
        for _ in 0..<p.cores {
            switch p.weightScheme {
            case .baseWeightMask:
                let bases: [Float] = (0..<p.weightBits).map { Float(1 << $0) * draw() }
                var levelMagnitude = [Float](repeating: 0, count: p.maxLevel + 1)
                for l in 0...p.maxLevel {
                    for b in 0..<p.weightBits where (l >> b) & 1 == 1 { levelMagnitude[l] += bases[b] }
                }
                magnitudes.append(levelMagnitude)
            case .signedInteger:
                magnitudes.append((0...p.maxLevel).map(Float.init))
            }
        }
        levelMagnitudes = magnitudes
        gains = placement.neurons.map { _ in (draw(), draw()) }
        accumulators = placement.groups.map { [[Int64]](repeating: [], count: $0.prototypes) }
        mismatchRNG = rng
    }

    /// The weight synapse i of prototype q of group g holds, in prototype units (level magnitude
    /// with mismatch, times the core's unit, signed).
    func storedWeight(group g: Int, prototype q: Int, input i: Int, core c: Int) -> Float {
        let l = Int(levels[g][q * placement.groups[g].inputs + i])
        let m = levelMagnitudes[c][abs(l)] * units[c]
        return l < 0 ? -m : m
    }

    /// The effective weights of each group: inputs x partial neurons (a partial's column holds
    /// its synapses' weights times its gain, zero elsewhere), and per partial its prototype and
    /// the aggregation gain applied to it.
    func partialWeights(_ g: Int, structure s: [[(partials: [Int], aggregate: Int?)]]) -> (w: Matrix, prototypeOf: [Int], gain: [Float]) {
        let group = placement.groups[g]
        let parts = s[g].flatMap(\.partials)
        var w = Matrix(rows: group.inputs, cols: parts.count)
        var prototypeOf = [Int](), gain = [Float]()
        var col = 0
        for q in 0..<group.prototypes {
            let aggregateGain = s[g][q].aggregate.map { gains[$0].positive } ?? 1
            for n in s[g][q].partials {
                guard case .partial(_, _, let r) = placement.neurons[n].role else { continue }
                let c = placement.neurons[n].core
                for i in r {
                    let v = storedWeight(group: g, prototype: q, input: i, core: c)
                    w[i, col] = v * (v >= 0 ? gains[n].positive : gains[n].negative)
                }
                prototypeOf.append(q)
                gain.append(aggregateGain)
                col += 1
            }
        }
        return (w, prototypeOf, gain)
    }

    /// The values the events carry for input rows x: per sample the scale m / levels and the
    /// integer payloads (graded values, or spike counts, signed).
    func encode(_ x: Matrix) -> (payload: Matrix, scale: [Float]) {
        let levels = Float(parameters.coding == .graded ? (1 << parameters.gradedBits) - 1 : parameters.rateSpikes)
        var payload = Matrix(rows: x.rows, cols: x.cols)
        var scale = [Float](repeating: 0, count: x.rows)
        for i in 0..<x.rows {
            var m: Float = 0
            for j in 0..<x.cols { m = max(m, abs(x[i, j])) }
            guard m > 0 else { continue }
            scale[i] = m / levels
            for j in 0..<x.cols { payload[i, j] = (x[i, j] / m * levels).rounded() }
        }
        return (payload, scale)
    }

    /// The result of `infer`.
    public struct Inference: Sendable {
        /// Per group: prototype scores before the temperature (batch x P).
        public var prototypeScores: [Matrix]
        /// Final class scores (batch x K) and the winners.
        public var classScores: Matrix
        public var predictions: [Int]
        /// Per sample: the core's actions and their dynamic energy.
        public var counts: [CoreCounts]
        public var picojoules: [Double]
        /// Per group: the event payloads (batch x D), and the builder of each sample's task graph.
        public var payloads: [Matrix]
        public var builder: CoreProgramBuilder

        /// Sample i's work on the core, as the event engine runs it.
        public func program(sample i: Int) -> CoreProgram { builder.program(sample: i, payloads: payloads) }
    }

    /// Scores `inputs` (one matrix per group, batch x D, the same batch) and decides the class;
    /// counts every sample's events (its timing is the simulator's: `Inference.program`).
    public func infer(_ inputs: [Matrix], readout: CoreReadout) -> Inference {
        precondition(inputs.count == placement.groups.count)
        let batch = inputs.first?.rows ?? 0
        let s = placement.structure()
        var scores = [Matrix]()
        var payloads = [Matrix]()
        for (g, x) in inputs.enumerated() {
            precondition(x.cols == placement.groups[g].inputs && x.rows == batch)
            let (payload, scale) = encode(x)
            let (w, prototypeOf, gain) = partialWeights(g, structure: s)
            // Partial sums (one product over all partial neurons), then aggregation.
            let partial = GEMM.product(payload, w)
            var score = Matrix(rows: batch, cols: placement.groups[g].prototypes)
            for i in 0..<batch {
                for j in 0..<partial.cols { score[i, prototypeOf[j]] += partial[i, j] * gain[j] }
                for q in 0..<score.cols { score[i, q] *= scale[i] }
            }
            scores.append(score)
            payloads.append(payload)
        }
        let classScores = LearningCore.combine(scores, readout: readout)
        let predictions = Kernels.argmaxRows(classScores)
        // Event counts, sample by sample (independent, so across threads).
        let builder = CoreProgramBuilder(parameters: parameters, placement: placement, readout: readout)
        let workers = max(1, min(GEMM.defaultThreads, batch))
        let chunk = (batch + workers - 1) / max(workers, 1)
        let boxes = (0..<workers).map { _ in Box<[CoreCounts]>([]) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            boxes[w].value = ((w * chunk)..<min(batch, (w + 1) * chunk)).map { builder.counts(sample: $0, payloads: payloads) }
        }
        let counts = boxes.flatMap(\.value)
        return Inference(prototypeScores: scores, classScores: classScores, predictions: predictions, counts: counts,
                         picojoules: counts.map { $0.picojoules(parameters) }, payloads: payloads, builder: builder)
    }

    /// Class scores from prototype scores: /tau, pooled per class, combined over groups.
    public static func combine(_ scores: [Matrix], readout r: CoreReadout) -> Matrix {
        let batch = scores.first?.rows ?? 0
        var total = Matrix(rows: batch, cols: r.classCount)
        for (g, s) in scores.enumerated() {
            let m = r.prototypesPerClass
            var c = Matrix(rows: batch, cols: r.classCount)
            for i in 0..<batch {
                for k in 0..<r.classCount {
                    var best = -Float.infinity
                    for q in 0..<m { best = max(best, s[i, k * m + q] / r.tau) }
                    if r.pooling == .logSumExp && m > 1 {
                        var sum: Float = 0
                        for q in 0..<m { sum += Foundation.exp(s[i, k * m + q] / r.tau - best) }
                        best += Foundation.log(sum)
                    }
                    c[i, k] = best
                }
            }
            switch r.combine {
            case .last:
                if g == scores.count - 1 { total = c }
            case .sumOfLogSoftmax:
                Kernels.logSoftmaxRows(&c)
                Kernels.add(&total, c)
            }
        }
        return total
    }

    // MARK: Learning

    /// The scale of the fixed-point accumulators: 1.0 is 2^(bits-1) - 1.
    var accumulatorOne: Int64 { (Int64(1) << (parameters.accumulatorBits - 1)) - 1 }

    /// Updates prototype q of group g from one labelled sample's normalised activation z:
    /// a <- a + round((z - a) 2^-shift) in fixed point (the first sample sets a = z), then
    /// a <- round(a one / ||a||), and the synapses are rewritten with the levels of a in the
    /// cores' units. Counts 3 D synaptic updates (accumulate, the norm's pass, the rescale and
    /// write); returns them with the time they take on one learning engine.
    @discardableResult
    public mutating func learn(group g: Int, prototype q: Int, sample z: [Float]) -> (counts: CoreCounts, nanoseconds: Double) {
        let d = placement.groups[g].inputs
        precondition(z.count == d)
        let one = accumulatorOne
        let zq = z.map { Int64((Double($0) * Double(one)).rounded()) }
        var a = accumulators[g][q]
        if a.isEmpty {
            a = zq
        } else {
            let shift = Int64(parameters.rateShift)
            let half: Int64 = shift > 0 ? 1 << (shift - 1) : 0
            for i in 0..<d { a[i] += (zq[i] - a[i] + half) >> shift }
        }
        // Renormalise (the sum of squares at double width).
        let norm = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        if norm > 0 { for i in 0..<d { a[i] = Int64((Double(a[i]) * Double(one) / norm).rounded()) } }
        accumulators[g][q] = a
        // Rewrite the synapses: levels of a / one in each partial neuron's core unit.
        let l = Float(parameters.maxLevel)
        for neuron in placement.neurons {
            guard case .partial(let gg, let qq, let r) = neuron.role, gg == g, qq == q else { continue }
            let u = units[neuron.core]
            for i in r {
                let v = (Float(a[i]) / Float(one) / u).rounded()
                levels[g][q * d + i] = Int32(max(-l, min(l, v)))
            }
        }
        var c = CoreCounts()
        c.synapticUpdates = 3 * d
        return (c, Double(c.synapticUpdates) * parameters.synapticUpdateNanoseconds)
    }

    /// The learned prototype of group g, prototype q, as floats (nil before any update).
    public func learnedPrototype(group g: Int, prototype q: Int) -> [Float]? {
        let a = accumulators[g][q]
        return a.isEmpty ? nil : a.map { Float($0) / Float(accumulatorOne) }
    }

    /// Adds a class: `perClass` new prototypes in every group, each on free neurons of one core
    /// (its partial neurons and aggregation neuron together), starting empty until `learn`.
    /// Returns the new prototypes' indices per group. Throws, saying what is short, when no core
    /// has room. Prototype indices stay class-major only if the new class is appended last.
    public mutating func allocatePrototypes(perClass: Int) throws -> [[Int]] {
        var used = [Int](repeating: 0, count: parameters.cores)
        for n in placement.neurons { used[n.core] += 1 }
        var added = [[Int]]()
        var neurons = placement.neurons
        var groups = placement.groups
        for g in groups.indices {
            var indices = [Int]()
            for _ in 0..<perClass {
                let q = groups[g].prototypes
                let d = groups[g].inputs
                let parts = (d + parameters.synapsesPerNeuron - 1) / parameters.synapsesPerNeuron
                let need = parts + (parts > 1 ? 1 : 0)
                // The first core with room whose tags also allow it (checked by validate below).
                var placed = false
                for c in 0..<parameters.cores where used[c] + need <= parameters.neuronsPerCore {
                    var trial = neurons
                    let base = (d + parts - 1) / parts
                    for j in 0..<parts { trial.append(.init(core: c, role: .partial(group: g, prototype: q, inputs: (j * base)..<min(d, (j + 1) * base)))) }
                    if parts > 1 { trial.append(.init(core: c, role: .aggregate(group: g, prototype: q))) }
                    var trialGroups = groups
                    trialGroups[g].prototypes += 1
                    if (try? CorePlacement(groups: trialGroups, neurons: trial).validate(parameters)) != nil {
                        neurons = trial; groups = trialGroups; used[c] += need; placed = true
                        break
                    }
                }
                if !placed {
                    throw InputError.data(file: "placement", field: "learningCore",
                                          "no core has \(need) free neurons (and the tags) for a new prototype over \(d) inputs; --set learningCore.cores=\(parameters.cores + 1) would add room")
                }
                indices.append(q)
                levels[g] += [Int32](repeating: 0, count: d)
                accumulators[g].append([])
            }
            added.append(indices)
        }
        // Gains for the new neurons, from the chip's mismatch stream.
        var rng = mismatchRNG
        let sigma = Float(parameters.mismatch)
        var newGains = gains
        while newGains.count < neurons.count {
            newGains.append((sigma > 0 ? 1 + sigma * rng.gaussian() : 1, sigma > 0 ? 1 + sigma * rng.gaussian() : 1))
        }
        self = try LearningCore(rebuilding: self, placement: CorePlacement(groups: groups, neurons: neurons), gains: newGains, rng: rng)
        return added
    }

    init(rebuilding old: LearningCore, placement: CorePlacement, gains: [(positive: Float, negative: Float)], rng: SeededRandom) throws {
        try placement.validate(old.parameters)
        parameters = old.parameters
        self.placement = placement
        levels = old.levels
        units = old.units
        levelMagnitudes = old.levelMagnitudes
        self.gains = gains
        accumulators = old.accumulators
        mismatchRNG = rng
    }
}
