import Datasets
import HFF
import Numerics

/// Small random models and inputs shared by the Compiler and Simulator tests.
public enum TestModels {
    public static func random(_ r: Int, _ c: Int, _ rng: inout SeededRandom, scale: Float = 0.2) -> Matrix {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.gaussian() * scale })
    }

    /// A model of `algorithm` with random weights and a per-feature standardisation.
    public static func model(_ algorithm: Algorithm, widths: [Int], inputs: Int, classes: Int = 4, seed: UInt64 = 1) -> Model {
        var rng = SeededRandom(seed: seed)
        var layers = [DenseLayer]()
        var n = inputs
        for w in widths {
            layers.append(DenseLayer(weight: random(n, w, &rng), bias: (0..<w).map { _ in rng.gaussian() * 0.1 }))
            n = w
        }
        let normalization = Standardization(mean: (0..<inputs).map { _ in rng.uniform(0.1, 0.6) }, std: (0..<inputs).map { _ in rng.uniform(0.2, 0.5) })
        let prototypes = algorithm == .hff ? widths.map { random(classes, $0, &rng) } : []
        let head = algorithm == .backprop ? DenseLayer(weight: random(n, classes, &rng), bias: [Float](repeating: 0.05, count: classes)) : nil
        return Model(algorithm: algorithm, inputSize: inputs, classCount: classes, layers: layers, prototypes: prototypes, head: head,
                     hyperparameters: Hyperparameters(), normalization: normalization, overlayValue: algorithm == .ff ? 2 : 0)
    }

    /// A conv model of `algorithm` (HFF or backprop) on `shape` images: random filters (PyTorch's
    /// initialisation), `widths` dense layers after them, one global standardisation (mean 0.4,
    /// std 0.3, so the first block's padding is a raw value of 0.4).
    public static func conv(_ algorithm: Algorithm, _ arch: String, shape: ImageShape = ImageShape(channels: 1, height: 6, width: 6),
                            classes: Int = 3, scoring: ConvScoring = .map, readout: Readout = .sum, seed: UInt64 = 1) throws -> Model {
        var rng = SeededRandom(seed: seed)
        let a = try Architecture.parse(arch)
        var blocks = [ConvBlock](), input = shape
        for spec in a.convs {
            let b = ConvBlock.initialised(input: input, spec: spec, rng: &rng)
            // Positive biases, so that most outputs pass the ReLU.
            blocks.append(ConvBlock(geometry: b.geometry, conv: DenseLayer(weight: b.conv.weight, bias: b.conv.bias.map { abs($0) + 0.05 })))
            input = b.geometry.output
        }
        var layers = [DenseLayer](), n = input.count
        for w in a.widths {
            layers.append(DenseLayer(weight: random(n, w, &rng), bias: (0..<w).map { _ in rng.gaussian() * 0.1 }))
            n = w
        }
        var h = Hyperparameters()
        h.convScoring = scoring
        h.readout = readout
        let hff = algorithm == .hff
        var m = Model(algorithm: algorithm, inputSize: shape.count, classCount: classes, layers: layers,
                      prototypes: hff ? a.widths.map { random(classes, $0, &rng) } : [],
                      head: hff ? nil : DenseLayer(weight: random(n, classes, &rng), bias: [Float](repeating: 0.05, count: classes)),
                      hyperparameters: h, normalization: Standardization(mean: [0.4], std: [0.3]))
        m.convBlocks = blocks
        m.inputShape = shape
        m.convPrototypes = hff ? blocks.map { random(classes, scoring == .average ? $0.geometry.output.channels : $0.geometry.output.count, &rng) } : []
        return m
    }

    /// Raw inputs like pixels: uniform in [0, 1).
    public static func raw(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform() })
    }
}
