import Hardware
import Numerics

/// The learning-core chip the hand-worked core tests share: two prototypes over 4 inputs, 2
/// synapses per neuron, so each prototype is 2 partial neurons and an aggregation neuron,
/// prototype 0 on core 0 (1 link from the source), prototype 1 on core 1 (2 links). Use it on
/// rram-neurosim with `learningCore.synapsesPerNeuron=2` and `learningCore.mismatchRelative=0`.
public enum TestCores {
    public static let twoPrototypes = CorePlacement(groups: [.init(inputs: 4, prototypes: 2)], neurons: [
        .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 0..<2)),
        .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 2..<4)),
        .init(core: 0, role: .aggregate(group: 0, prototype: 0)),
        .init(core: 1, role: .partial(group: 0, prototype: 1, inputs: 0..<2)),
        .init(core: 1, role: .partial(group: 0, prototype: 1, inputs: 2..<4)),
        .init(core: 1, role: .aggregate(group: 0, prototype: 1)),
    ])
    public static let twoPrototypeWeights = Matrix(rows: 2, cols: 4, storage: [0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5])
}
