import TestSupport
import Foundation
import Numerics
import XCTest
import Hardware

/// aihwkit's weight scaling and drift-compensation estimate as named options of a preset
/// (`crossbar.adc.rangeReference`, `noise.drift.compensationEstimate`), against closed forms.
final class AihwkitOptionsTests: XCTestCase {
    /// pcm-aihwkit cut to 16 rows and one output pair, noiseless unless `sets` says otherwise.
    func pcm(_ sets: [String]) throws -> HardwareDescription {
        try HardwareDescription.load("pcm-aihwkit", sets: [
            "crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.columns=2", "noise.programming.model=none",
            "noise.drift.model=none", "noise.adcInputNoiseUnitCurrents=0", "crossbar.adc.bits=20"] + sets)
    }

    func testTheADCRangeIsInWeightUnitsUnderUnitWeight() throws {
        // 16 weights of 0.5 (the layer's largest |w| at Gmax), every input 1: w . x = 8. The range
        // is 12 unit currents. gmax: a unit current is one cell at Gmax, weight 0.5, so the range
        // is 6 weight units and the reading clips at 6. unit-weight (aihwkit's omega = 0): the
        // range is 12 in weight units, and 8 passes.
        let w = Matrix(rows: 16, cols: 1, storage: [Float](repeating: 0.5, count: 16))
        let x = Matrix(rows: 1, cols: 16, storage: [Float](repeating: 1, count: 16))
        for (reference, expected) in [("gmax", Float(6)), ("unit-weight", 8)] {
            let layer = try CrossbarLayer(weight: w, hardware: try pcm(["crossbar.adc.rangeReference=\(reference)"]), seed: 1)
            var rng = SeededRandom(seed: 3)
            var counts = ActionCounts()
            XCTAssertEqual(layer.forward(x, rng: &rng, counts: &counts)[0, 0], expected, accuracy: 1e-3, reference)
        }
    }

    func testADCNoiseIsInWeightUnitsUnderUnitWeight() throws {
        // One row driven (input e_0, full scale), w_0 = 0.5 the largest |w|: y = 0.5 + noise.
        // Noise 0.06 unit currents: gmax, 0.06 x 0.5 = 0.03 in weight units; unit-weight, 0.06
        // (aihwkit's out_noise, whatever the weights). 20-bit steps (2.3e-5) add nothing visible.
        let n = 4000
        var wValues = [Float](repeating: 0.25, count: 16)
        wValues[0] = 0.5
        let w = Matrix(rows: 16, cols: 1, storage: wValues)
        var x = Matrix(rows: n, cols: 16)
        for i in 0..<n { x[i, 0] = 1 }
        for (reference, sigma) in [("gmax", 0.03), ("unit-weight", 0.06)] {
            let hw = try pcm(["crossbar.adc.rangeReference=\(reference)", "noise.adcInputNoiseUnitCurrents=0.06"])
            let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
            var rng = SeededRandom(seed: 9)
            var counts = ActionCounts()
            let y = layer.forward(x, rng: &rng, counts: &counts).storage.map(Double.init)
            let mean = y.reduce(0, +) / Double(n)
            let sd = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
            XCTAssertEqual(mean, 0.5, accuracy: 0.005, reference)
            XCTAssertEqual(sd, sigma, accuracy: 0.05 * sigma, reference)  // standard error 1.1%
        }
    }

    func testProbeReadCompensationFollowsTheDriftAndFailsOnCoarseSteps() throws {
        // Power-law drift with one exponent for every cell (nu 0.05, t0 20 s, t 10,000 s): every
        // conductance falls by f = (10020 / 20)^-0.05 = 0.7326 and G- = 0 stays 0, so the true
        // compensation is 1 / f = 1.3650.
        let f = Foundation.pow(10_020.0 / 20.0, -0.05)
        let w = Matrix(rows: 16, cols: 1, storage: (0..<16).map { Float($0 % 5) * 0.1 - 0.2 })
        let drift = ["noise.drift.model=power-law", "noise.drift.nuMean=0.05", "noise.drift.nuStd=0",
                     "noise.drift.t0Seconds=20", "noise.drift.timeSinceProgrammingSeconds=10000"]
        for estimate in ["exact", "probe-read"] {
            let layer = try CrossbarLayer(weight: w, hardware: try pcm(drift + ["noise.drift.compensationEstimate=\(estimate)"]), seed: 1)
            XCTAssertEqual(Double(layer.driftCompensation), 1 / f, accuracy: 1e-3, estimate)
            // Without drift both estimates are exactly 1.
            let still = try CrossbarLayer(weight: w, hardware: try pcm(["noise.drift.compensationEstimate=\(estimate)"]), seed: 1)
            XCTAssertEqual(still.driftCompensation, 1, estimate)
        }
        // A 2-bit ADC over +-12 unit currents has one step of 12 unit currents: every one-row probe
        // reading (at most one unit current) rounds to 0, both readouts are aihwkit's floor, and
        // the estimate is 1: no compensation (aihwkit at 4 bits). The exact estimate still sees 1 / f.
        for (estimate, expected) in [("exact", 1 / f), ("probe-read", 1)] {
            let coarse = try pcm(drift + ["crossbar.adc.bits=2", "noise.drift.compensationEstimate=\(estimate)"])
            XCTAssertEqual(Double(try CrossbarLayer(weight: w, hardware: coarse, seed: 1).driftCompensation), expected,
                           accuracy: 1e-3, estimate)
        }
    }
}
