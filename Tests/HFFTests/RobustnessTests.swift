import XCTest
import Numerics
import HFF
import Datasets

/// Robustness (input noise, FGSM, PGD) against oracles the code under test did not produce: an
/// independent Double-precision forward pass written here from the definitions in docs/hff.md,
/// its central finite differences, and hand-worked linear cases.
final class RobustnessTests: XCTestCase {
    // MARK: - Tiny models

    func gaussianMatrix(_ r: Int, _ c: Int, _ rng: inout SeededRandom, scale: Float) -> Matrix {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.gaussian() * scale })
    }

    /// A random dense model of `algorithm` (inputs 6, the given widths, 3 classes), identity
    /// standardisation, biases mostly positive so that most ReLUs pass.
    func tinyModel(_ algorithm: Algorithm, widths: [Int] = [5, 4], inputs: Int = 6, classes: Int = 3, seed: UInt64,
                   readout: Readout = .sum, perClass: Int = 1, tau: Float = 0.5) -> Model {
        var rng = SeededRandom(seed: seed)
        var layers = [DenseLayer](), n = inputs
        for w in widths {
            layers.append(DenseLayer(weight: gaussianMatrix(n, w, &rng, scale: 0.6), bias: (0..<w).map { _ in rng.gaussian() * 0.1 + 0.2 }))
            n = w
        }
        var h = Hyperparameters()
        h.readout = readout
        h.prototypesPerClass = perClass
        h.tau = tau
        let prototypes = algorithm == .hff ? widths.map { gaussianMatrix(classes * perClass, $0, &rng, scale: 1) } : []
        let head = algorithm == .backprop ? DenseLayer(weight: gaussianMatrix(n, classes, &rng, scale: 0.8), bias: (0..<classes).map { _ in rng.gaussian() * 0.1 }) : nil
        return Model(algorithm: algorithm, inputSize: inputs, classCount: classes, layers: layers, prototypes: prototypes, head: head,
                     hyperparameters: h, normalization: .identity, overlayValue: algorithm == .ff ? 2 : 0)
    }

    // MARK: - The independent reference, in Double

    /// x W + b for one row (W input-major, as `DenseLayer` stores it).
    func affine(_ x: [Double], _ l: DenseLayer) -> [Double] {
        (0..<l.outputs).map { j in (0..<l.inputs).reduce(Double(l.bias[j])) { $0 + x[$1] * Double(l.weight[$1, j]) } }
    }

    func logSoftmax(_ v: [Double]) -> [Double] {
        let m = v.max()!
        let lse = m + Foundation.log(v.reduce(0) { $0 + Foundation.exp($1 - m) })
        return v.map { $0 - lse }
    }

    func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The model's prediction scores of one standardised row, from the definitions: HFF read-out
    /// (cosine against unit prototypes over tau, LogSumExp per class, sum of log-softmax or the last
    /// layer), FF goodness summed over layers per overlaid label, backprop's head logits.
    func referenceScores(_ model: Model, _ x: [Double]) -> [Double] {
        let k = model.classCount
        switch model.algorithm {
        case .hff:
            let m = model.hyperparameters.prototypesPerClass, tau = Double(model.hyperparameters.tau)
            var input = x, perLayer = [[Double]]()
            for (l, layer) in model.layers.enumerated() {
                let a = affine(input, layer).map { max($0, 0) }
                let z = a.map { $0 / max(norm(a), 1e-6) }
                let p = model.prototypes[l]
                let s = (0..<p.rows).map { r -> Double in
                    let row = (0..<p.cols).map { Double(p[r, $0]) }
                    return zip(z, row).reduce(0) { $0 + $1.0 * $1.1 } / max(norm(row), 1e-6) / tau
                }
                perLayer.append((0..<k).map { c in
                    let group = Array(s[(c * m)..<((c + 1) * m)]), mx = group.max()!
                    return mx + Foundation.log(group.reduce(0) { $0 + Foundation.exp($1 - mx) })
                })
                input = z
            }
            if model.hyperparameters.readout == .last { return perLayer.last! }
            return perLayer.map(logSoftmax).reduce([Double](repeating: 0, count: k)) { zip($0, $1).map { $0 + $1 } }
        case .ff:
            return (0..<k).map { c in
                var input = x
                for j in 0..<k { input[j] = j == c ? Double(model.overlayValue) : 0 }
                var total = 0.0
                for layer in model.layers {
                    let n = norm(input)
                    let h = affine(input.map { $0 / (n + 1e-4) }, layer).map { max($0, 0) }
                    total += h.reduce(0) { $0 + $1 * $1 } / Double(h.count)
                    input = h
                }
                return total
            }
        case .backprop:
            var input = x
            for layer in model.layers { input = affine(input, layer).map { max($0, 0) } }
            return affine(input, model.head!)
        }
    }

    func referenceLoss(_ model: Model, _ x: [Double], _ y: Int) -> Double { -logSoftmax(referenceScores(model, x))[y] }

    // MARK: - (a) The input gradient against finite differences

    /// The analytic gradient of every row's loss against central differences of the Double
    /// reference (h = 1e-5) at every coordinate; the reference's scores against the model's own.
    func checkGradient(_ model: Model, rows: Int = 4, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = gaussianMatrix(rows, model.inputSize, &rng, scale: 1)
        let labels = (0..<rows).map { $0 % model.classCount }
        let scores = model.scores(x)   // identity standardisation: raw = standardised
        let (losses, g) = Robustness.lossAndInputGradient(model: model, standardized: x, labels: labels)
        var largest: Float = 0
        for i in 0..<rows {
            let xi = (0..<x.cols).map { Double(x[i, $0]) }
            let ref = referenceScores(model, xi)
            for c in 0..<model.classCount {
                XCTAssertEqual(Double(scores[i, c]), ref[c], accuracy: 1e-4 * max(1, abs(ref[c])), "reference scores row \(i)", file: file, line: line)
            }
            XCTAssertEqual(Double(losses[i]), referenceLoss(model, xi, labels[i]), accuracy: 1e-4, "loss row \(i)", file: file, line: line)
            let h = 1e-5
            let numeric = (0..<x.cols).map { j -> Double in
                var plus = xi, minus = xi
                plus[j] += h
                minus[j] -= h
                return (referenceLoss(model, plus, labels[i]) - referenceLoss(model, minus, labels[i])) / (2 * h)
            }
            let scale = numeric.map(abs).max()!
            for j in 0..<x.cols {
                XCTAssertEqual(Double(g[i, j]), numeric[j], accuracy: 1e-3 * scale + 1e-6,
                               "\(model.algorithm) d loss / d x[\(i), \(j)]", file: file, line: line)
                largest = max(largest, abs(g[i, j]))
            }
        }
        XCTAssertGreaterThan(largest, 1e-3, "a gradient that is not trivially zero", file: file, line: line)
    }

    func testHFFInputGradientSumReadout() { checkGradient(tinyModel(.hff, seed: 1), seed: 11) }
    func testHFFInputGradientLastReadoutLogSumExpPrototypes() {
        checkGradient(tinyModel(.hff, widths: [5, 4, 4], seed: 2, readout: .last, perClass: 2), seed: 12)
    }
    func testHFFInputGradientSumReadoutThreePrototypesDefaultTau() {
        checkGradient(tinyModel(.hff, widths: [5, 4, 4], seed: 3, perClass: 3, tau: 0.1), seed: 13)
    }
    func testFFInputGradient() {
        let model = tinyModel(.ff, seed: 4)
        checkGradient(model, seed: 14)
        // The overlay writes over the first K features: no gradient reaches them.
        var rng = SeededRandom(seed: 5)
        let x = gaussianMatrix(3, 6, &rng, scale: 1)
        let g = Robustness.lossAndInputGradient(model: model, standardized: x, labels: [0, 1, 2]).gradient
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(g[i, j], 0) } }
    }
    func testBackpropInputGradient() { checkGradient(tinyModel(.backprop, seed: 6), seed: 16) }
    func testBackpropInputGradientWithoutHiddenLayers() { checkGradient(tinyModel(.backprop, widths: [], seed: 7), seed: 17) }

    // MARK: - (b) FGSM and PGD on a hand-worked linear model

    /// logits = x W, 4 inputs, 2 classes, W's columns differ by W1 - W0 = (-2, 5, 0.25, 0.25). For
    /// label 0 the loss gradient is p1 (W1 - W0), signs (-, +, +, +); for label 1 it is
    /// p0 (W0 - W1), signs (+, -, -, -). x and eps are dyadic, so x +- eps is exact in Float.
    /// (No difference is zero: a gradient that is zero only in exact arithmetic is a rounding
    /// error of either sign in Float, softmax(S) - onehot(y) summing to +-1 ulp, and FGSM follows it.)
    func linearModel(normalization: Standardization = .identity) -> Model {
        let w = Matrix(rows: 4, cols: 2, storage: [1, -1, -2, 3, 0.5, 0.75, 0, 0.25])
        return Model(algorithm: .backprop, inputSize: 4, classCount: 2, layers: [], head: DenseLayer(weight: w, bias: [0, 0]),
                     hyperparameters: Hyperparameters(), normalization: normalization)
    }

    func testFGSMMovesEachInputByEpsilonAgainstTheTrueClass() {
        let x = Matrix(rows: 2, cols: 4, storage: [0.5, -1.25, 0.75, 2, 0.5, -1.25, 0.75, 2])
        let adversarial = Robustness.fgsm(model: linearModel(), standardized: x, labels: [0, 1], epsilon: 0.125)
        XCTAssertEqual(adversarial.storage, [0.375, -1.125, 0.875, 2.125, 0.625, -1.375, 0.625, 1.875])
    }

    /// Row x = (0.5, -1.25, 0.75, 2), label 0: margin S0 - S1 = x . (W0 - W1)
    /// = 1 + 6.25 - 0.1875 - 0.5 = 6.5625; an L-infinity step of eps lowers it by at most
    /// eps ||W0 - W1||_1 = 7.5 eps, reached by FGSM and (the gradient's sign never changes) by
    /// PGD: the class flips exactly above eps = 6.5625 / 7.5 = 0.875. PGD ends at FGSM's corner.
    func testLinearModelFlipsExactlyAtTheHandWorkedRadius() {
        let model = linearModel()
        let x = Matrix(rows: 1, cols: 4, storage: [0.5, -1.25, 0.75, 2])
        for attack in Robustness.Attack.allCases {
            let acc = Robustness.attackAccuracies(model: model, raw: x, labels: [0], epsilons: [0, 0.85, 0.87, 0.88, 2],
                                                  settings: .init(attack: attack))
            XCTAssertEqual(acc, [1, 1, 1, 0, 0], "\(attack)")
        }
        let fgsm = Robustness.fgsm(model: model, standardized: x, labels: [0], epsilon: 0.5)
        let pgd = Robustness.pgd(model: model, standardized: x, labels: [0], epsilon: 0.5, settings: .init(attack: .pgd))
        XCTAssertEqual(pgd.storage, fgsm.storage)
        XCTAssertEqual(fgsm.storage, [0, -0.75, 1.25, 2.5])
    }

    /// logits = x W with W0 = (3, 1), W1 = (1, 2); at x = (10, 0) the margin is 20, so
    /// p1 = 1 / (1 + e^20) = 2.1e-9 and p0 rounds to 1 in Float. The gradient for label 0 is
    /// p1 (W1 - W0) = p1 (-2, 1) (signs -, +); p0 - 1 computed as 0 would leave p1 W1 (signs +, +).
    /// At x = (100, 0) p1 = e^-200 underflows: the gradient is exactly zero and FGSM cannot move.
    func testGradientDirectionWhereTheSoftmaxSaturates() {
        let w = Matrix(rows: 2, cols: 2, storage: [3, 1, 1, 2])
        let model = Model(algorithm: .backprop, inputSize: 2, classCount: 2, layers: [], head: DenseLayer(weight: w, bias: [0, 0]),
                          hyperparameters: Hyperparameters(), normalization: .identity)
        let x = Matrix(rows: 1, cols: 2, storage: [10, 0])
        let g = Robustness.lossAndInputGradient(model: model, standardized: x, labels: [0]).gradient
        let p1 = 1 / (1 + Foundation.exp(20.0))
        XCTAssertEqual(Double(g[0, 0]), -2 * p1, accuracy: 1e-3 * 2 * p1)
        XCTAssertEqual(Double(g[0, 1]), p1, accuracy: 1e-3 * p1)
        XCTAssertEqual(Robustness.fgsm(model: model, standardized: x, labels: [0], epsilon: 0.5).storage, [9.5, 0.5])
        let settings = Robustness.AttackSettings(attack: .fgsm)
        let far = Matrix(rows: 2, cols: 2, storage: [100, 0, 10, 0])
        let outcome = Robustness.attack(model: model, raw: far, labels: [0, 0], epsilons: [0.5], settings: settings)
        XCTAssertEqual(outcome.zeroGradientRows, 1, "the row at margin 200")
        XCTAssertEqual(Robustness.fgsm(model: model, standardized: far.rows(0..<1), labels: [0], epsilon: 0.5), far.rows(0..<1))
    }

    func testPGDStaysInTheEpsilonBall() {
        for algorithm in Algorithm.allCases {
            let model = tinyModel(algorithm, seed: 20)
            var rng = SeededRandom(seed: 21)
            let x = gaussianMatrix(8, 6, &rng, scale: 1)
            let labels = (0..<8).map { $0 % 3 }
            for randomStart in [false, true] {
                let eps: Float = 0.3
                let settings = Robustness.AttackSettings(attack: .pgd, steps: 7, stepSize: 0.1, randomStart: randomStart, seed: 3)
                let adv = Robustness.pgd(model: model, standardized: x, labels: labels, epsilon: eps, settings: settings)
                let moves = zip(adv.storage, x.storage).map { abs($0 - $1) }
                // x + clip(d, -eps, eps) rounds once: within half an ulp of the sum.
                for (m, v) in zip(moves, x.storage) { XCTAssertLessThanOrEqual(m, eps + (abs(v) + eps).ulp, "\(algorithm)") }
                XCTAssertGreaterThan(moves.max()!, eps * 0.99, "\(algorithm): some input reaches the ball's surface")
                let clean = Robustness.lossAndInputGradient(model: model, standardized: x, labels: labels).losses.reduce(0, +)
                let attacked = Robustness.lossAndInputGradient(model: model, standardized: adv, labels: labels).losses.reduce(0, +)
                XCTAssertGreaterThan(attacked, clean, "\(algorithm): PGD raises the total loss")
            }
        }
    }

    // MARK: - (c) sigma 0 and eps 0 give the clean accuracy

    func testZeroNoiseAndZeroEpsilonGiveTheCleanAccuracy() {
        for algorithm in Algorithm.allCases {
            var model = tinyModel(algorithm, widths: [12, 8], inputs: 10, classes: 4, seed: 30)
            model.normalization = Standardization(mean: [0.3], std: [0.4])
            var rng = SeededRandom(seed: 31)
            let raw = gaussianMatrix(50, 10, &rng, scale: 1)
            let labels = (0..<50).map { _ in rng.below(4) }
            let clean = Kernels.accuracy(model.predict(raw), labels)
            XCTAssertGreaterThan(clean, 0.1)
            XCTAssertEqual(Robustness.noiseAccuracies(model: model, raw: raw, labels: labels, sigmas: [0, 0], seed: 1, batchRows: 16), [clean, clean])
            for attack in Robustness.Attack.allCases {
                let acc = Robustness.attackAccuracies(model: model, raw: raw, labels: labels, epsilons: [0], settings: .init(attack: attack), batchRows: 16)
                XCTAssertEqual(acc, [clean], "\(algorithm) \(attack)")
            }
        }
    }

    // MARK: - (d) Noise: the draws, where they are added, reproducibility

    func testNoiseDrawsDependOnSeedAndRowOnly() {
        let all = Robustness.standardNormalRows(0..<20, cols: 7, seed: 9)
        XCTAssertEqual(Robustness.standardNormalRows(5..<12, cols: 7, seed: 9), all.rows(5..<12), "batching does not change a row's draws")
        XCTAssertEqual(Robustness.standardNormalRows(0..<20, cols: 7, seed: 9), all)
        XCTAssertNotEqual(Robustness.standardNormalRows(0..<20, cols: 7, seed: 10), all)
        let big = Robustness.standardNormalRows(0..<2000, cols: 50, seed: 0).storage.map(Double.init)
        let mean = big.reduce(0, +) / Double(big.count)
        let std = (big.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(big.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.015, "100,000 draws: the mean's standard error is 0.003")
        XCTAssertEqual(std, 1, accuracy: 0.015)
    }

    /// The linear model on raw rows with standardisation (x - 0.5) / 0.25: the noisy margin of row i
    /// is m_i + sigma n_i . (W0 - W1) with m_i the clean standardised margin, computed here in
    /// Double from the documented draws; the class (label 0) survives where it stays positive.
    func testNoiseIsAddedToTheStandardisedInput() {
        let model = linearModel(normalization: Standardization(mean: [0.5], std: [0.25]))
        var rng = SeededRandom(seed: 40)
        let raw = Matrix(rows: 400, cols: 4, storage: (0..<1600).map { _ in rng.uniform(0, 1) })
        let labels = [Int](repeating: 0, count: 400)
        let diff: [Double] = [2, -5, -0.25, -0.25]
        let draws = Robustness.standardNormalRows(0..<400, cols: 4, seed: 5)
        for sigma in [0.25, 1.0] {
            var expected = 0
            for i in 0..<400 {
                var margin = 0.0
                for j in 0..<4 { margin += ((Double(raw[i, j]) - 0.5) / 0.25 + sigma * Double(draws[i, j])) * diff[j] }
                if margin > 0 { expected += 1 }
            }
            let acc = Robustness.noiseAccuracies(model: model, raw: raw, labels: labels, sigmas: [Float(sigma)], seed: 5, batchRows: 64)
            XCTAssertEqual(acc[0], Double(expected) / 400, accuracy: 0.5 / 400, "sigma \(sigma)")
        }
    }

    func testResultsAreTheSameForAnyThreadCount() {
        var rng = SeededRandom(seed: 50)
        var layers = [DenseLayer](), n = 300
        for w in [256, 128] {
            layers.append(DenseLayer(weight: gaussianMatrix(n, w, &rng, scale: 1 / Float(n).squareRoot()), bias: [Float](repeating: 0.05, count: w)))
            n = w
        }
        let model = Model(algorithm: .hff, inputSize: 300, classCount: 5, layers: layers, prototypes: [256, 128].map { gaussianMatrix(5, $0, &rng, scale: 1) },
                          hyperparameters: Hyperparameters(), normalization: Standardization(mean: [0.2], std: [0.7]))
        let raw = gaussianMatrix(200, 300, &rng, scale: 1)
        let labels = (0..<200).map { _ in rng.below(5) }
        let saved = GEMM.defaultThreads
        defer { GEMM.defaultThreads = saved }
        var outcomes = [[Double]](), gradients = [Matrix]()
        for threads in [1, 2] {
            GEMM.defaultThreads = threads
            let noise = Robustness.noiseAccuracies(model: model, raw: raw, labels: labels, sigmas: [0, 0.5, 2], seed: 7)
            let pgd = Robustness.attackAccuracies(model: model, raw: raw, labels: labels, epsilons: [0.05],
                                                  settings: .init(attack: .pgd, steps: 3, randomStart: true, seed: 2), batchRows: 64)
            outcomes.append(noise + pgd)
            gradients.append(Robustness.lossAndInputGradient(model: model, standardized: raw, labels: labels).gradient)
        }
        XCTAssertEqual(outcomes[0], outcomes[1])
        XCTAssertEqual(gradients[0], gradients[1], "bit-identical gradients for 1 and 2 threads")
    }
}
