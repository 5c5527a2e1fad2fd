import Compiler
import Datasets
import Hardware
import HFF
import Numerics

/// The HFF read-out alone on a learning core (`hffsim eval --core`): the model's read-out as the
/// compiler lowers it, placed on the core, run on test activations over several chip instances,
/// optionally after learning one left-out class on the chip. Nothing here prints.
public struct CoreReadoutExperiment: Sendable {
    public var hardware: HardwareDescription
    public var parameters: CoreParameters
    public var placement: CorePlacement
    public var prototypes: [Matrix]
    public var readout: CoreReadout
    /// Class-incremental: the class left out and learned on the chip, and from how many samples.
    public var learnClass: Int?
    public var shots: Int

    /// The read-out of `model` on `hardware`'s learning core; with `learnClass` k, class k's
    /// prototypes are left out (the others keep their order) and learned on the chip.
    /// A read-out that does not fit is refused naming `file`.
    public init(model: Model, hardware: HardwareDescription, file: String, learnClass: Int?, shots: Int) throws {
        let lowered = LoweredModel(model)
        let p = CoreParameters(hardware)
        var groups = lowered.coreGroups
        var prototypes = lowered.prototypes
        if let k = learnClass {
            let m = model.hyperparameters.prototypesPerClass
            let keep = (0..<(model.classCount * m)).filter { $0 / m != k }
            prototypes = prototypes.map { $0.gatherRows(keep) }
            groups = prototypes.map { CorePlacement.Group(inputs: $0.cols, prototypes: $0.rows) }
        }
        placement = try CorePlacement.greedy(groups: groups, core: p,
                                             context: "\(file): the read-out of \(groups.count) layers x \(groups[0].prototypes) prototypes does not fit")
        self.hardware = hardware
        parameters = p
        self.prototypes = prototypes
        readout = lowered.readout!
        self.learnClass = learnClass
        self.shots = shots
    }

    /// One sample's read-out alone on an idle core: the simulator's event engine running its
    /// program (a one-stage graph the program expands), from the first injection to the decision.
    public static func latencyNanoseconds(_ program: CoreProgram) -> Double {
        let units = (program.tasks.map(\.unit).max() ?? 0) + 1
        var engine = EventEngine(template: .init(dependsOn: [[]], final: 0, units: Int(units)))
        let x = EventEngine.Expansion(program, anchor: 0, ticks: { Int64(($0 * HardwareModel.ticksPerNanosecond).rounded()) }) { $0 }
        engine.admit(sample: 0, durations: [0], delays: [0], units: [-1], expansion: x)
        var end: Int64 = 0
        while let c = engine.next() { end = max(end, c.end) }
        return Double(end) / HardwareModel.ticksPerNanosecond
    }

    /// What one chip instance measured.
    public struct ChipResult: Sendable {
        public var predictions: [Int]
        public var accuracy: Double
        /// Fraction of samples whose prediction equals the float model's.
        public var agreement: Double
        public var counts: CoreCounts
        public var latencyNanoseconds: Double
        public var picojoules: Double
        /// Class-incremental: the learning's counts, time (ns), samples used, and the learned
        /// class's test accuracy.
        public var learning: (counts: CoreCounts, nanoseconds: Double, samples: Int)?
        public var learnedClassAccuracy: Double?
    }

    /// The read-out's inputs for `test`: the float activations of the model's read-out layers.
    public static func inputs(model: Model, test: Dataset) -> [Matrix] {
        let activations = model.layerActivations(test.features)
        return model.readoutLayers.map { activations[$0] }
    }

    /// Chip instance `seed`: learn the left-out class if asked, then the read-out of `test`, whose
    /// read-out inputs are `inputs` (`CoreReadoutExperiment.inputs`).
    public func run(seed: UInt64, model: Model, train: Dataset, test: Dataset, inputs: [Matrix], floatPredictions: [Int]) throws -> ChipResult {
        var core = try LearningCore(hardware: hardware, placement: placement, prototypes: prototypes, seed: seed, file: hardware.name)
        var learning: (counts: CoreCounts, nanoseconds: Double, samples: Int)?
        if let k = learnClass { learning = try core.learnClass(k, shots: shots, model: model, train: train) }
        let r = core.infer(inputs, readout: readout)
        var predictions = r.predictions
        var learned: Double?
        if let k = learnClass {
            // The core's classes: the others in order, then k.
            predictions = predictions.map { $0 == model.classCount - 1 ? k : ($0 >= k ? $0 + 1 : $0) }
            let ofK = test.labels.indices.filter { test.labels[$0] == k }
            learned = Double(ofK.filter { predictions[$0] == k }.count) / Double(max(1, ofK.count))
        }
        var total = CoreCounts()
        for c in r.counts { total += c }
        return ChipResult(predictions: predictions, accuracy: Kernels.accuracy(predictions, test.labels),
                          agreement: Double(zip(predictions, floatPredictions).filter { $0 == $1 }.count) / Double(max(1, test.count)),
                          counts: total, latencyNanoseconds: (0..<test.count).reduce(0) { $0 + CoreReadoutExperiment.latencyNanoseconds(r.program(sample: $1)) }, picojoules: r.picojoules.reduce(0, +),
                          learning: learning, learnedClassAccuracy: learned)
    }
}
