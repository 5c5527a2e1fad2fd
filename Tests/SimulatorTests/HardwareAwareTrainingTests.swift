import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
@testable import Simulator
import TestSupport

/// Hardware-aware training's products against the pipeline that maps and simulates a trained
/// model (`Mapper.map`, then the chip instance `Simulation.functionalRun` programs), and against
/// plain float training.
final class HardwareAwareTrainingTests: XCTestCase {
    /// Layer 0 of chip instance S, as the training product computes it from standardised inputs
    /// (folding the standardisation itself), equals what the mapped config's chip S computes
    /// from raw inputs with the lowered bias: the fold, the codes and the chip seed agree.
    /// pcm-aihwkit at 1 h (programming noise, drift and its compensation) without ADC noise,
    /// so that both are deterministic.
    func testChipProductMatchesTheMappedChip() throws {
        let model = TestModels.model(.hff, widths: [12, 8], inputs: 20, classes: 3, seed: 4)
        let hw = try HardwareDescription.load("pcm-aihwkit", sets: ["noise.adcInputNoiseUnitCurrents=0", "crossbar.adc.bits=6"])
        let raw = TestModels.raw(32, model.inputSize, seed: 9)
        let config = try Mapper.map(model: model, modelPath: "m", modelDigest: "0", hardware: hw, options: MapOptions(), calibration: raw)
        let lowered = LoweredModel(model)
        let t = config.tensors.layers[0]
        let seed = 3
        let mapped = try CrossbarLayer(codes: t.codes, inputs: model.inputSize, outputs: 12, columnScales: t.columnScales,
                                       hardware: hw, seed: UInt64(seed) &* 1_000_003, signedInputs: false)
        var rng = SeededRandom(seed: 1), counts = ActionCounts()
        var expected = mapped.forward(raw, rng: &rng, counts: &counts)
        Kernels.addRowVector(&expected, lowered.layers[0].bias)

        let product = CrossbarTrainingProduct(hardware: hw, normalization: model.normalization, driftSeconds: nil,
                                              chipSeed: UInt64(seed), seed: 0)
        var got = try product.product(layer: 0, step: 7, input: model.normalization.applied(to: raw), weight: model.layers[0].weight)!
        Kernels.addRowVector(&got, model.layers[0].bias)
        var worst: Float = 0, scale: Float = 0
        for (a, b) in zip(got.storage, expected.storage) { worst = max(worst, abs(a - b)); scale = max(scale, abs(b)) }
        XCTAssertLessThan(worst, 1e-4 * scale, "largest difference \(worst) of values up to \(scale)")
        // And the hardware is not the float product: programming noise and the 6-bit ADC show.
        var float = GEMM.product(model.normalization.applied(to: raw), model.layers[0].weight)
        Kernels.addRowVector(&float, model.layers[0].bias)
        let gap = zip(float.storage, expected.storage).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(gap, 1e-3 * scale)
    }

    /// Hardware-aware: every batch is a fresh chip instance (two steps differ), a step is
    /// reproducible, and the drift time drawn stays inside the range (a range of one time gives
    /// the same product as that time set in the description).
    func testFreshChipPerBatchAndDriftRange() throws {
        let model = TestModels.model(.hff, widths: [10], inputs: 16, classes: 3, seed: 2)
        let hw = try HardwareDescription.load("pcm-aihwkit", sets: ["noise.adcInputNoiseUnitCurrents=0"])
        let x = TestModels.raw(8, 16, seed: 3)
        let p = CrossbarTrainingProduct(hardware: hw, normalization: model.normalization, driftSeconds: [86_400, 86_400], chipSeed: nil, seed: 5)
        let w = model.layers[0].weight
        let a = try p.product(layer: 0, step: 1, input: x, weight: w)
        XCTAssertEqual(a, try p.product(layer: 0, step: 1, input: x, weight: w))
        XCTAssertNotEqual(a, try p.product(layer: 0, step: 2, input: x, weight: w))
        // The documented draws of a range: from SeededRandom(seed).split(step).split(layer), the
        // time (one uniform; a range of zero width gives its one time), the chip instance's
        // seed, then the read noise. Rebuilt by hand for layer 1 (no standardisation fold).
        let z = TestModels.raw(8, 10, seed: 4)
        let w1 = TestModels.model(.hff, widths: [10, 6], inputs: 16, classes: 3, seed: 2).layers[1].weight
        let got = try p.product(layer: 1, step: 4, input: z, weight: w1)!
        var draws = SeededRandom(seed: 5).split(4).split(1)
        _ = draws.uniform()
        let day = try hw.overriding(["noise.drift.timeSinceProgrammingSeconds=86400"])
        let (codes, scales, _) = Mapper.quantize(w1, limit: CrossbarLayer.codeLimit(day), options: MapOptions())
        let chip = try CrossbarLayer(codes: codes, inputs: 10, outputs: 6, columnScales: scales, hardware: day, seed: draws.next(), signedInputs: false)
        var counts = ActionCounts()
        let expected = chip.forward(z, rng: &draws, counts: &counts)
        let worst = zip(got.storage, expected.storage).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4 * (expected.storage.map(abs).max()! + 1e-6))
    }

    /// Chip-in-the-loop with the own layer on the chip trains layer l as a one-layer model:
    /// `firstLayer` l makes the product's layer 0 chip S's layer l (seed S * 1,000,003 + l, no
    /// standardisation fold, the draws of layer l), rebuilt here by hand from `CrossbarLayer`.
    func testFirstLayerTakesTheModelLayersChipAndDraws() throws {
        let model = TestModels.model(.hff, widths: [10, 6], inputs: 16, classes: 3, seed: 2)
        let hw = try HardwareDescription.load("pcm-aihwkit", sets: ["noise.adcInputNoiseUnitCurrents=0"])
        let z = TestModels.raw(8, 10, seed: 4), w1 = model.layers[1].weight
        var p = CrossbarTrainingProduct(hardware: hw, normalization: .identity, driftSeconds: nil, chipSeed: 3, seed: 5)
        p.firstLayer = 1
        let got = try p.product(layer: 0, step: 9, input: z, weight: w1)!
        let (codes, scales, _) = Mapper.quantize(w1, limit: CrossbarLayer.codeLimit(hw), options: MapOptions())
        let chip = try CrossbarLayer(codes: codes, inputs: 10, outputs: 6, columnScales: scales, hardware: hw, seed: 3 &* 1_000_003 &+ 1,
                                     signedInputs: false)
        var draws = SeededRandom(seed: 5).split(9).split(1), counts = ActionCounts()
        let expected = chip.forward(z, rng: &draws, counts: &counts)
        XCTAssertEqual(got, expected)
    }

    /// A mixed schedule (hardware fraction 1/2): batch `step` runs on the hardware exactly when
    /// the documented draw, SeededRandom(seed).split(step).split(mixKey).uniform() < 1/2, rebuilt
    /// here by hand, says so, for every layer of the batch; those batches get the very product an
    /// all-hardware run computes, the others nil (float). About half of 200 batches are hardware.
    func testMixedScheduleRunsTheDocumentedBatchesOnHardware() throws {
        let model = TestModels.model(.hff, widths: [6, 4], inputs: 8, classes: 3, seed: 1)
        let hw = try HardwareDescription.load("pcm-aihwkit")
        let x = TestModels.raw(4, 8, seed: 2), z = TestModels.raw(4, 6, seed: 3)
        let all = CrossbarTrainingProduct(hardware: hw, normalization: model.normalization, driftSeconds: [3600, 3600], chipSeed: nil, seed: 11)
        var mixed = all
        mixed.hardwareFraction = 0.5
        var onHardware = 0
        for step in UInt64(0)..<200 {
            var draw = SeededRandom(seed: 11).split(step).split(0x4D49_5844)
            let expected = draw.uniform() < 0.5
            onHardware += expected ? 1 : 0
            for (l, input) in [(0, x), (1, z)] {
                let w = model.layers[l].weight
                let got = try mixed.product(layer: l, step: step, input: input, weight: w)
                if expected {
                    XCTAssertEqual(got, try all.product(layer: l, step: step, input: input, weight: w), "step \(step) layer \(l)")
                } else {
                    XCTAssertNil(got, "step \(step) layer \(l)")
                }
            }
        }
        // Binomial(200, 1/2): 100 +- 7.1; outside 70...130 has probability below 1e-4.
        XCTAssert((70...130).contains(onHardware), "\(onHardware) of 200 batches on the hardware")
    }

    /// On the ideal preset (22-bit inputs, 24-bit weights and ADC, no noise) hardware-aware
    /// training follows plain float training, an implementation that never touches the hardware
    /// model: the same losses and test accuracy within Float rounding's drift.
    func testIdealHardwareAwareTrainingFollowsPlainTraining() throws {
        var rng = SeededRandom(seed: 8)
        let n = 240, inputs = 12
        var features = Matrix(rows: n, cols: inputs)
        var labels = [Int]()
        for i in 0..<n {
            let y = i % 3
            labels.append(y)
            for j in 0..<inputs { features[i, j] = max(0, rng.gaussian() * 0.3 + (j % 3 == y ? 0.8 : 0.2)) }
        }
        let train = Dataset(name: "toy", features: features, labels: labels, classCount: 3)
        var h = Hyperparameters()
        h.epochs = 2
        h.batchSize = 32
        let config = TrainingConfiguration(algorithm: .hff, widths: [16, 8], hyperparameters: h)
        let plain = try Trainer.train(config, train: train, test: train)
        let hw = try HardwareDescription.load("ideal")
        let product = CrossbarTrainingProduct(hardware: hw, normalization: plain.normalization, driftSeconds: nil, chipSeed: nil, seed: 0)
        let aware = try Trainer.train(config, train: train, test: train, hardware: product)
        for (a, b) in zip(plain.history, aware.history) {
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-3 * a.loss)
            XCTAssertEqual(a.testAccuracy!, b.testAccuracy!, accuracy: 1.5 / Double(n))
        }
    }
}
