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

    /// Raw inputs like pixels: uniform in [0, 1).
    public static func raw(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform() })
    }
}
