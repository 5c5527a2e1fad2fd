import Datasets
import Hardware
import HFF
import Numerics

extension LearningCore {
    /// Class-incremental learning on one chip: allocate class k's prototypes, learn them from the
    /// first `shots` training samples of class k (prototype m of the class from every M-th sample).
    /// Returns the learning counts, time (ns) and samples used; the core's class order puts k last.
    public mutating func learnClass(_ k: Int, shots: Int, model: Model, train: Dataset) throws -> (counts: CoreCounts, nanoseconds: Double, samples: Int) {
        let m = model.hyperparameters.prototypesPerClass
        let added = try allocatePrototypes(perClass: m)
        let indices = train.labels.indices.filter { train.labels[$0] == k }.prefix(shots)
        guard !indices.isEmpty else { throw InputError(.data, "\(train.name): no training sample of class \(k) to learn from") }
        let activations = model.layerActivations(train.features.gatherRows(Array(indices)))
        var counts = CoreCounts()
        var nanoseconds = 0.0
        for (g, layer) in model.readoutLayers.enumerated() {
            for i in 0..<indices.count {
                let z = Array(activations[layer].storage[(i * activations[layer].cols)..<((i + 1) * activations[layer].cols)])
                let (c, t) = learn(group: g, prototype: added[g][i % m], sample: z)
                counts += c
                nanoseconds += t
            }
        }
        return (counts, nanoseconds, indices.count)
    }
}
