import Compiler
import Datasets
import Foundation
import Hardware
import HFF
import Numerics

/// Chip-in-the-loop HFF training: one simulated chip instance, layer by layer, as HFF's local
/// losses allow (no gradient crosses layers, so nothing is differentiated through the chip).
///
/// Stage l = 0, 1, ...: X_l is chip S's actual output of layer l - 1 on the training split
/// (X_0: the raw inputs), from layer l - 1 as `Mapper.map` compiles the model so far (its codes
/// and calibrated ranges, exactly what `hffsim map` makes of it) programmed as chip instance S
/// (the seeds `Simulation.functionalRun` gives chip S). Layer l (weights, bias, prototypes) then
/// trains for `epochsPerLayer` epochs on X_l, in float, from the given model's parameters, and
/// is fixed from then on. Read-out stage: every layer's prototypes are refitted (weights
/// frozen) on chip S's own outputs of that layer, X_{l+1}, which the learning core scores.
/// No layer changes once a later one has trained on it, so the chip S that `hffsim run`
/// programs from the final model computes every X_l the training saw (up to read and ADC
/// noise, drawn per read).
///
/// Own layer on the chip (`ownLayer` f): layer l's own product of each batch also runs on chip
/// S's layer-l cells, reprogrammed with the batch's weights (`CrossbarTrainingProduct` with the
/// chip's seed, ADC ranges calibrated on the batch), with probability f per batch and in float
/// otherwise; gradients straight through. The layer then learns around its own crossbar's
/// quantisation and that chip's programming errors, at the price of reprogramming the layer
/// every such batch.
public enum ChipInTheLoop {
    /// What the training asked of the chip: layer passes (one sample through one layer), and
    /// their energy and busy time from the cost model (`hffsim run`'s per-layer figures of the
    /// final model on this hardware).
    public struct Cost: Sendable {
        /// Per layer: training samples run through it on the chip (its outputs for the next
        /// layer, and with the own layer on the chip its training batches).
        public var layerPasses: [Int]
        public var energyJoules: Double
        public var seconds: Double
    }

    public static func train(from initial: Model, train: Dataset, hardware: HardwareDescription, options: MapOptions, chipSeed: Int,
                             hyperparameters h: Hyperparameters, test: Dataset?, ownLayer: Double? = nil,
                             progress: (String) -> Void = { _ in }) throws -> (model: Model, layerPasses: [Int], reprogrammings: [Int]) {
        // The history: every stage's epochs in order (each layer's, then each read-out refit's),
        // numbered on; a stage's loss is its layer's, its train accuracy the layer's own read-out.
        guard initial.algorithm == .hff, initial.convBlocks.isEmpty else {
            throw InputError.usage(flag: "--chip", "chip-in-the-loop training is built for dense HFF models")
        }
        var model = initial
        model.history = []
        let layers = model.layers.count
        var chipInputs = [train.features]  // X_0, X_1, ..., X_L
        var passes = [Int](repeating: train.count, count: layers), reprogrammings = [Int](repeating: 0, count: layers)
        for l in 0..<layers {
            if l > 0 {
                chipInputs.append(try chipOutputs(model: model, layer: l - 1, input: chipInputs[l - 1], train: train, hardware: hardware,
                                                  options: options, chipSeed: chipSeed))
            }
            progress("layer \(l + 1)/\(layers): \(h.epochs) epochs on chip \(chipSeed)'s outputs of the layers below")
            let normalization = l == 0 ? model.normalization : .identity
            let product = ownLayer.map { f -> CrossbarTrainingProduct in
                var p = CrossbarTrainingProduct(hardware: hardware, options: options, normalization: normalization, driftSeconds: nil,
                                                chipSeed: UInt64(chipSeed), seed: h.seed, hardwareFraction: f)
                p.firstLayer = l
                return p
            }
            let trained = try trainLayer(model.layers[l], prototypes: model.prototypes[l], on: chipInputs[l], labels: train,
                                         normalization: normalization, hyperparameters: h, weights: true, product: product)
            if let product {
                // The batches of layer l's training that ran on the chip.
                for epoch in 1...h.epochs {
                    for b in 0..<(train.count + h.batchSize - 1) / h.batchSize where product.runsOnHardware(step: Trainer.step(epoch: epoch, batch: b)) {
                        reprogrammings[l] += 1
                        passes[l] += min(h.batchSize, train.count - b * h.batchSize)
                    }
                }
            }
            model.layers[l] = trained.layer
            model.prototypes[l] = trained.prototypes
            append(trained.history, to: &model)
            if let test { progress("layer \(l + 1): float test accuracy of the model so far \(String(format: "%.2f", model.accuracy(on: test) * 100))%") }
        }
        chipInputs.append(try chipOutputs(model: model, layer: layers - 1, input: chipInputs[layers - 1], train: train, hardware: hardware,
                                          options: options, chipSeed: chipSeed))
        // The read-out: prototypes refitted on the chip's own unit outputs z_l = X_{l+1} (an
        // identity layer, frozen, hands them on unchanged: z >= 0 and of length 1).
        progress("read-out: \(h.epochs) epochs of every layer's prototypes on chip \(chipSeed)'s outputs")
        for l in 0..<layers {
            let n = model.layers[l].outputs
            var identity = Matrix(rows: n, cols: n)
            for i in 0..<n { identity[i, i] = 1 }
            let fitted = try trainLayer(DenseLayer(weight: identity, bias: [Float](repeating: 0, count: n)), prototypes: model.prototypes[l],
                                        on: chipInputs[l + 1], labels: train, normalization: .identity, hyperparameters: h, weights: false)
            model.prototypes[l] = fitted.prototypes
            append(fitted.history, to: &model)
        }
        return (model, passes, reprogrammings)
    }

    /// One HFF layer trained alone on `x` (through `Trainer`, as a one-layer model that starts
    /// from the given parameters); `weights` false trains its prototypes alone; `product`: the
    /// layer's x W from the hardware.
    static func trainLayer(_ layer: DenseLayer, prototypes: Matrix, on x: Matrix, labels train: Dataset, normalization: Standardization,
                           hyperparameters h: Hyperparameters, weights: Bool,
                           product: LayerProduct? = nil) throws -> (layer: DenseLayer, prototypes: Matrix, history: [EpochRecord]) {
        let one = Model(algorithm: .hff, inputSize: x.cols, classCount: train.classCount, layers: [layer], prototypes: [prototypes],
                        hyperparameters: h, normalization: normalization)
        var config = TrainingConfiguration(algorithm: .hff, widths: [layer.outputs], hyperparameters: h)
        config.trainsWeights = weights
        let data = Dataset(name: train.name, features: x, labels: train.labels, classCount: train.classCount)
        let trained = try Trainer.train(config, train: data, test: nil, initial: one, hardware: product)
        return (trained.layers[0], trained.prototypes[0], trained.history)
    }

    static func append(_ stage: [EpochRecord], to model: inout Model) {
        for var r in stage {
            r.epoch = model.history.count + 1
            model.history.append(r)
        }
    }

    /// Layer l of chip `chipSeed` compiled from `model` on `input` (raw inputs for l = 0, else
    /// the chip's outputs of layer l - 1): the next layer's input, as `Simulation.functionalRun`
    /// computes it.
    static func chipOutputs(model: Model, layer l: Int, input: Matrix, train: Dataset, hardware: HardwareDescription, options: MapOptions,
                            chipSeed: Int) throws -> Matrix {
        let calibration = train.features.rows(0..<min(train.count, options.calibrationSamples))
        let config = try Mapper.map(model: model, modelPath: "chip-in-the-loop", modelDigest: "0", hardware: hardware, options: options,
                                    calibration: calibration)
        let lowered = LoweredModel(model)
        let t = config.tensors.layers[l], shape = config.layers[l]
        var c = try CrossbarLayer(codes: t.codes, inputs: shape.inputs, outputs: shape.outputs, columnScales: t.columnScales,
                                  hardware: hardware, seed: UInt64(chipSeed) &* 1_000_003 &+ UInt64(l), signedInputs: shape.signedInput)
        if !t.adcRanges.isEmpty { try c.setADCRanges(t.adcRanges, file: "chip-in-the-loop") }
        if let s = t.inputScale { try c.setInputScale(s, file: "chip-in-the-loop") }
        var rng = SeededRandom(seed: UInt64(chipSeed) &* 7919 &+ UInt64(l)), counts = ActionCounts()
        let y = c.forward(input, rng: &rng, counts: &counts)
        return lowered.finish(layer: l, product: y, scale: lowered.inputScale(layer: l, input: input))
    }

    /// The on-chip cost of `layerPasses` from a run of the final config: per layer, its energy
    /// per inference and its busiest unit's busy time per inference.
    public static func cost(layerPasses: [Int], run r: RunResult) -> Cost {
        let energy = r.energyByLayer, busy = r.layerBusiestUnitNanoseconds
        var joules = 0.0, seconds = 0.0
        for (l, n) in layerPasses.enumerated() {
            joules += Double(n) * Component.total(energy[l]) * 1e-12
            seconds += Double(n) * busy[l] * 1e-9
        }
        return Cost(layerPasses: layerPasses, energyJoules: joules, seconds: seconds)
    }
}
