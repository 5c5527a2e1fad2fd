import Datasets
import Numerics

/// The three training algorithms hffsim compares.
public enum Algorithm: String, Codable, Sendable, CaseIterable {
    /// Hyperspherical Forward-Forward: per-layer cosine-prototype classification, one pass.
    case hff
    /// Hinton's supervised Forward-Forward: label overlay, goodness, K passes at inference.
    case ff
    /// A backpropagation MLP with a softmax head, the conventional baseline.
    case backprop
}

/// How an HFF model turns per-layer class scores into a prediction.
public enum Readout: String, Codable, Sendable, CaseIterable {
    /// The last layer's class scores alone.
    case last
    /// The sum over layers of each layer's log-softmax class scores.
    case sum

    /// The read-out's class scores from every layer's class logits (in layer order): the last
    /// layer's logits, or the sum of each layer's log-softmax. The one statement of the rule for
    /// the float model and the trainer (the learning core implements it in its own arithmetic).
    public func scores(_ layerLogits: [Matrix]) -> Matrix {
        switch self {
        case .last:
            return layerLogits.last!
        case .sum:
            var total = Matrix(rows: layerLogits[0].rows, cols: layerLogits[0].cols)
            for logits in layerLogits {
                var ls = logits
                Kernels.logSoftmaxRows(&ls)
                Kernels.add(&total, ls)
            }
            return total
        }
    }
}

/// What of a conv block's output map its HFF prototypes score.
public enum ConvScoring: String, Codable, Sendable, CaseIterable {
    /// Each channel's mean over the positions (global average pooling): C values.
    case average
    /// The whole map, flattened channel-major: C x H x W values.
    case map

    /// The length of the vector scored, for a block whose output has `shape`.
    public func width(_ shape: ImageShape) -> Int { self == .average ? shape.channels : shape.count }
}

/// How HFF prototypes are learned.
public enum PrototypeLearning: String, Codable, Sendable, CaseIterable {
    /// By gradient descent on the layer loss, like the weights.
    case gradient
    /// As an exponential moving average of the normalised activations of each class.
    case ema
}

/// Every hyper-parameter of a training run; all are flags of `hffsim train` and are stored in the
/// model file. Fields that an algorithm does not use keep their defaults.
public struct Hyperparameters: Codable, Equatable, Sendable {
    /// Softmax temperature of the HFF cosine scores (s = cos / tau).
    public var tau: Float = 0.1
    /// Prototypes per class (M); a class's score is the LogSumExp of its M prototype scores.
    public var prototypesPerClass: Int = 1
    /// Additive cosine margin subtracted from the true class's score during training.
    public var margin: Float = 0
    public var readout: Readout = .sum
    public var prototypeLearning: PrototypeLearning = .gradient
    /// Momentum of the EMA prototype update (`prototypeLearning == .ema`).
    public var emaMomentum: Float = 0.99
    /// FF goodness threshold (goodness = mean of squared activities).
    public var threshold: Float = 2
    /// HFF conv blocks: what their prototypes score (docs/hff.md).
    public var convScoring: ConvScoring = .map
    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    public var batchSize: Int = 128
    public var epochs: Int = 10
    public var seed: UInt64 = 0

    public init() {}

    /// The default Adam step size of each algorithm. FF needs a much larger one: at 1e-3 it stalls
    /// near 50% on Fashion-MNIST, at 1e-2 it climbs slowly (65% after 6 epochs), at 1e-1 it passes
    /// 83% after 3 epochs (docs/results.md).
    public static func defaultLearningRate(for algorithm: Algorithm) -> Float {
        algorithm == .ff ? 0.1 : 1e-3
    }
}

/// One fully connected layer, y = x W + b, with W stored input-major (`inputs x outputs`) so that
/// the forward product X W is a plain GEMM. Model files store W^T (PyTorch's `[out, in]`).
public struct DenseLayer: Equatable, Sendable {
    public var weight: Matrix
    public var bias: [Float]

    public init(weight: Matrix, bias: [Float]) {
        precondition(bias.count == weight.cols)
        self.weight = weight
        self.bias = bias
    }

    public var inputs: Int { weight.rows }
    public var outputs: Int { weight.cols }

    /// PyTorch's default `nn.Linear` initialisation: W and b uniform in +-1/sqrt(inputs).
    public static func initialised(inputs: Int, outputs: Int, rng: inout SeededRandom) -> DenseLayer {
        let bound = 1 / Float(inputs).squareRoot()
        var w = Matrix(rows: inputs, cols: outputs)
        for i in 0..<w.storage.count { w.storage[i] = rng.uniform(-bound, bound) }
        let b = (0..<outputs).map { _ in rng.uniform(-bound, bound) }
        return DenseLayer(weight: w, bias: b)
    }

    /// H = X W + b (pre-activation), X of shape batch x inputs.
    public func preActivation(_ x: Matrix) -> Matrix {
        var h = Matrix.uninitialized(rows: x.rows, cols: outputs)
        GEMM.multiply(x, weight, into: &h)
        Kernels.addRowVector(&h, bias)
        return h
    }
}

/// One epoch of a training run, as stored in the model's history.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double?
    public var seconds: Double

    public init(epoch: Int, loss: Double, trainAccuracy: Double, testAccuracy: Double?, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.trainAccuracy = trainAccuracy
        self.testAccuracy = testAccuracy
        self.seconds = seconds
    }
}

/// A trained network of any of the three algorithms, with what is needed to run it: input
/// standardisation, hyper-parameters and training history.
public struct Model: Equatable, Sendable {
    public var algorithm: Algorithm
    public var inputSize: Int
    public var classCount: Int
    public var layers: [DenseLayer]
    /// HFF only: per layer, the K*M raw prototypes (rows class-major: row k*M + m), used
    /// unit-normalised. Empty for the other algorithms.
    public var prototypes: [Matrix]
    /// Backprop only: the softmax head.
    public var head: DenseLayer?
    public var hyperparameters: Hyperparameters
    public var normalization: Standardization
    /// FF only: the value written at the label's position of the one-hot overlay.
    public var overlayValue: Float
    public var history: [EpochRecord]
    /// What it was trained on (nil in files written before it was recorded, or by other tools).
    public var data: DataProvenance?
    /// Convolution blocks before the dense layers (empty: a dense network); `layers[0]` then
    /// takes the last block's output map, flattened channel-major.
    public var convBlocks: [ConvBlock] = []
    /// HFF only: per conv block, its K*M raw prototypes over its channels.
    public var convPrototypes: [Matrix] = []
    /// The input image's shape when the model has conv blocks.
    public var inputShape: ImageShape?
    /// The hardware it was trained on (hardware-aware or chip-in-the-loop training); nil: plain.
    public var hardwareTraining: HardwareTraining?

    public init(algorithm: Algorithm, inputSize: Int, classCount: Int, layers: [DenseLayer],
                prototypes: [Matrix] = [], head: DenseLayer? = nil, hyperparameters: Hyperparameters,
                normalization: Standardization, overlayValue: Float = 0, history: [EpochRecord] = []) {
        self.algorithm = algorithm
        self.inputSize = inputSize
        self.classCount = classCount
        self.layers = layers
        self.prototypes = prototypes
        self.head = head
        self.hyperparameters = hyperparameters
        self.normalization = normalization
        self.overlayValue = overlayValue
        self.history = history
    }

    public var widths: [Int] { layers.map(\.outputs) }

    /// The layers as `--arch` writes them.
    public var architecture: Architecture { Architecture(convs: convBlocks.map(\.geometry.spec), widths: widths) }

    /// HFF: how many layers score against prototypes (conv blocks, then dense layers).
    public var scoredLayerCount: Int { convBlocks.count + layers.count }

    /// Class scores for raw (unstandardised) features, one row per sample.
    ///
    /// - HFF: per-layer cosine scores; `last` returns the last layer's logits, `sum` the sum of
    ///   per-layer log-softmax. One forward pass.
    /// - FF: for each candidate label, the goodness summed over layers: K forward passes.
    /// - Backprop: the head's logits.
    public func scores(_ rawFeatures: Matrix, batchSize: Int = 1000) -> Matrix {
        var out = Matrix(rows: rawFeatures.rows, cols: classCount)
        var start = 0
        while start < rawFeatures.rows {
            let end = min(rawFeatures.rows, start + batchSize)
            var x = rawFeatures.rows(start..<end)
            normalization.apply(to: &x)
            let s = scoresStandardized(x)
            for i in 0..<s.rows {
                for k in 0..<classCount { out[start + i, k] = s[i, k] }
            }
            start = end
        }
        return out
    }

    /// HFF: each layer's normalised activation z = normalise(ReLU(x W + b)) for raw features (the
    /// inputs of the prototype read-out), one matrix per layer.
    public func layerActivations(_ rawFeatures: Matrix) -> [Matrix] {
        precondition(algorithm == .hff)
        var x = rawFeatures
        normalization.apply(to: &x)
        var out = [Matrix]()
        for layer in layers {
            x = HFFMath.normalizedActivation(layer: layer, input: x)
            out.append(x)
        }
        return out
    }

    /// HFF: the unit-normalised prototypes of each layer (K*M rows, class-major).
    public var unitPrototypes: [Matrix] {
        prototypes.map { p in
            var unit = p
            Kernels.normalizeRows(&unit, epsilon: HFFMath.epsilon)
            return unit
        }
    }

    /// HFF: the layers whose prototypes the read-out uses (all for `sum`, the last for `last`).
    public var readoutLayers: [Int] {
        hyperparameters.readout == .sum ? Array(layers.indices) : [layers.count - 1]
    }

    /// Predicted classes for raw features.
    public func predict(_ rawFeatures: Matrix) -> [Int] {
        Kernels.argmaxRows(scores(rawFeatures))
    }

    func scoresStandardized(_ x: Matrix) -> Matrix {
        switch algorithm {
        case .hff:
            var input = x
            var logits = [Matrix]()
            for (c, block) in convBlocks.enumerated() {
                let (z, output) = HFFMath.convForward(block: block, input: input, scoring: hyperparameters.convScoring)
                logits.append(HFFMath.classLogits(z: z, prototypes: convPrototypes[c], classCount: classCount,
                                                  perClass: hyperparameters.prototypesPerClass, tau: hyperparameters.tau))
                input = output
            }
            for (l, layer) in layers.enumerated() {
                let z = HFFMath.normalizedActivation(layer: layer, input: input)
                logits.append(HFFMath.classLogits(z: z, prototypes: prototypes[l], classCount: classCount,
                                                  perClass: hyperparameters.prototypesPerClass, tau: hyperparameters.tau))
                input = z
            }
            return hyperparameters.readout.scores(logits)
        case .ff:
            var total = Matrix(rows: x.rows, cols: classCount)
            for k in 0..<classCount {
                let labels = [Int](repeating: k, count: x.rows)
                var input = FFMath.overlay(x, labels: labels, classCount: classCount, value: overlayValue)
                for layer in layers {
                    let (h, _) = FFMath.forward(layer: layer, input: input)
                    let g = FFMath.goodness(h)
                    for i in 0..<x.rows { total[i, k] += g[i] }
                    input = h
                }
            }
            return total
        case .backprop:
            var input = x
            for block in convBlocks { input = block.forward(input, keep: false).output }
            for layer in layers {
                var h = layer.preActivation(input)
                Kernels.relu(&h)
                input = h
            }
            return head!.preActivation(input)
        }
    }

    /// Fraction of samples whose predicted class equals the label.
    public func accuracy(on data: Dataset) -> Double {
        let p = predict(data.features)
        return Kernels.accuracy(p, data.labels)
    }
}
