import TestSupport
import Foundation
import Numerics
import XCTest
import Hardware

final class CrossbarLayerTests: XCTestCase {
    func random(_ r: Int, _ c: Int, seed: UInt64, nonNegative: Bool = false) -> Matrix {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in nonNegative ? rng.uniform() : rng.uniform(-1, 1) })
    }

    func testIdealPresetEqualsFloatWithinTheQuantisationBound() throws {
        let hw = try HardwareDescription.load("ideal")
        for (inputs, outputs, signed) in [(300, 40, false), (700, 33, true)] {
            let w = random(inputs, outputs, seed: 1)
            let x = random(16, inputs, seed: 2, nonNegative: !signed)
            let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 7)
            var rng = SeededRandom(seed: 3)
            var counts = ActionCounts()
            let y = layer.forward(x, rng: &rng, counts: &counts)
            let exact = GEMM.product(x, w)
            // Bound: weight codes (16 bits), input codes (16 bits), and half an ADC step per row
            // group read, all in output units. Measured errors reach about 46% of it.
            let wMax = w.storage.map { abs($0) }.max()!
            let groups = (inputs + 511) / 512
            for i in 0..<x.rows {
                let xMax = (0..<inputs).map { abs(x[i, $0]) }.max()!
                let sumX = (0..<inputs).reduce(Float(0)) { $0 + abs(x[i, $1]) }
                for o in 0..<outputs {
                    let sumW = (0..<inputs).reduce(Float(0)) { $0 + abs(w[$1, o]) }
                    let weightError = sumX * wMax / (2 * 65535)
                    let inputError = sumW * xMax / (2 * 65535)
                    let adcError = Float(groups * (signed ? 2 : 1)) * 512 * wMax * xMax / (2 * 32767)
                    let bound = weightError + inputError + adcError + 1e-4 * abs(exact[i, o])
                    XCTAssertLessThanOrEqual(abs(y[i, o] - exact[i, o]), bound, "sample \(i) output \(o)")
                }
            }
        }
    }

    /// Reads whose DAC codes fit a byte multiply through the integer kernel (conductances held to
    /// 1/65,024 of their column's largest); the float products must give the same outputs.
    func testIntegerProductsMatchFloatProducts() throws {
        let variants = [["crossbar.dac.inputBits=8"],
                        ["crossbar.dac.inputBits=8", "crossbar.dac.scheme=bit-serial"],
                        ["crossbar.dac.inputBits=7", "crossbar.weightEncoding=offset", "crossbar.rowsPerRead=128"]]
        for sets in variants {
            // A 10-bit ADC: the conductances' representation error (sigma about 1e-4 of a column's
            // largest per read) is then about 1/1000 of an ADC step, so readings rarely straddle
            // a decision level. Device variation (the same draws for both, from the chip seed)
            // keeps the conductances off the lattice of levels.
            let hw = try HardwareDescription.load("ideal", sets: sets + ["crossbar.adc.bits=10", "noise.deviceVariationRelative=0.05"])
            for signed in [false, true] {
                let w = random(300, 40, seed: 1)
                let x = random(40, 300, seed: 2, nonNegative: !signed)
                let integer = try CrossbarLayer(weight: w, hardware: hw, seed: 7, integerProducts: true)
                let float = try CrossbarLayer(weight: w, hardware: hw, seed: 7, integerProducts: false)
                XCTAssertTrue(integer.integerProducts)
                XCTAssertFalse(float.integerProducts)
                var r1 = SeededRandom(seed: 3), r2 = SeededRandom(seed: 3)
                var c1 = ActionCounts(), c2 = ActionCounts()
                let y1 = integer.forward(x, rng: &r1, counts: &c1)
                let y2 = float.forward(x, rng: &r2, counts: &c2)
                XCTAssertEqual(c1, c2, "\(sets)")
                // A reading that close to an ADC decision level may round either way: a few outputs
                // differ by an ADC step (a tenth of the largest output at most), the rest agree.
                let scale = y2.storage.map { abs($0) }.max()!
                var agreeing = 0
                for k in 0..<y1.count {
                    XCTAssertEqual(y1.storage[k], y2.storage[k], accuracy: 0.1 * scale, "\(sets) signed \(signed) output \(k)")
                    agreeing += abs(y1.storage[k] - y2.storage[k]) <= 1e-4 * scale ? 1 : 0
                }
                XCTAssertGreaterThan(Double(agreeing) / Double(y1.count), 0.99, "\(sets) signed \(signed)")
            }
        }
        // A noisy 5-bit preset: the same noise draws, so only readings within a hair of an ADC
        // decision level can differ.
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM)
        let w = random(256, 64, seed: 4), x = random(64, 256, seed: 5, nonNegative: true)
        let integer = try CrossbarLayer(weight: w, hardware: hw, seed: 7, integerProducts: true)
        let float = try CrossbarLayer(weight: w, hardware: hw, seed: 7, integerProducts: false)
        var r1 = SeededRandom(seed: 3), r2 = SeededRandom(seed: 3)
        var c1 = ActionCounts(), c2 = ActionCounts()
        let y1 = integer.forward(x, rng: &r1, counts: &c1), y2 = float.forward(x, rng: &r2, counts: &c2)
        XCTAssertEqual(c1, c2)
        let meanAbs = y2.storage.reduce(0) { $0 + abs($1) } / Float(y2.count)
        let meanDiff = zip(y1.storage, y2.storage).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(y2.count)
        XCTAssertLessThan(meanDiff, 1e-3 * meanAbs)
    }

    func testADCIsMonotoneAndClipsAtItsRange() {
        var last = -Float.infinity
        for k in -2000...2000 {
            let v = CrossbarLayer.convert(Float(k) * 0.01, range: 10, bits: 5)
            XCTAssertGreaterThanOrEqual(v, last)
            XCTAssertLessThanOrEqual(abs(v), 10)
            last = v
        }
        XCTAssertEqual(CrossbarLayer.convert(1e9, range: 10, bits: 5), 10)
        XCTAssertEqual(CrossbarLayer.convert(-1e9, range: 10, bits: 5), -10)
        XCTAssertEqual(CrossbarLayer.convert(0.2, range: 10, bits: 5), 0, "below half a step reads 0")
        // The unipolar converter (offset encoding) clips negative currents at 0 and uses 2^bits - 1 steps.
        last = -Float.infinity
        for k in -500...2000 {
            let v = CrossbarLayer.convert(Float(k) * 0.01, range: 10, bits: 5, unipolar: true)
            XCTAssertGreaterThanOrEqual(v, max(last, 0))
            XCTAssertLessThanOrEqual(v, 10)
            last = v
        }
        XCTAssertEqual(CrossbarLayer.convert(-3, range: 10, bits: 5, unipolar: true), 0)
        XCTAssertEqual(CrossbarLayer.convert(10.0 / 31 * 7, range: 10, bits: 5, unipolar: true), 10.0 / 31 * 7, accuracy: 1e-5)
    }

    /// Read noise: each driven cell's conductance gets N(0, (s G)^2) per read, independently, so a
    /// read of one row at amplitude 1 holding weight +-1 (G+ = Gmax, G- = Gmin, or swapped) has
    /// variance s^2 (Gmax^2 + Gmin^2), which in weight units (Gmax - Gmin per unit weight) is
    /// s^2 (Gmax^2 + Gmin^2) / (Gmax - Gmin)^2. Checked on 4,000 reads: the sample variance's
    /// relative standard error is sqrt(2 / 4000) = 2.2%. One 16-bit slice (the ideal preset has two).
    func testReadNoiseVarianceMatchesItsClosedForm() throws {
        for gMin in [0.0, 2.0] {
            let s = 0.1, gMax = 10.0
            let hw = try HardwareDescription.load("ideal", sets: ["noise.readRelative=\(s)", "crossbar.conductanceMinMicrosiemens=\(gMin)", "crossbar.weightBits=16"])
            var w = Matrix(rows: 8, cols: 2)
            w[0, 0] = 1
            w[0, 1] = -1
            let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
            let n = 4000
            var x = Matrix(rows: n, cols: 8)
            for i in 0..<n { x[i, 0] = 1 }
            var rng = SeededRandom(seed: 9)
            var counts = ActionCounts()
            let y = layer.forward(x, rng: &rng, counts: &counts)
            let expected = s * s * (gMax * gMax + gMin * gMin) / ((gMax - gMin) * (gMax - gMin))
            for o in 0..<2 {
                let v = (0..<n).map { Double(y[$0, o]) }
                let mean = v.reduce(0, +) / Double(n)
                let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
                XCTAssertEqual(mean, Double(w[0, o]), accuracy: 4 * expected.squareRoot() / Double(n).squareRoot(), "gMin \(gMin) column \(o)")
                XCTAssertEqual(variance / expected, 1, accuracy: 0.08, "gMin \(gMin) column \(o)")
            }
        }
    }

    /// First-order IR drop: a read with n of the array's 512 rows driven scales the column
    /// current by 1 - a n / 512; on the ideal preset (one read of every row, 16-bit ADC, no
    /// noise) the output is the product times that factor.
    func testIRDropScalesTheOutputByItsClosedForm() throws {
        let a = 0.2
        let hw = try HardwareDescription.load("ideal", sets: ["noise.irDropAttenuationAtFullRows=\(a)"])
        let w = random(300, 3, seed: 4)
        let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
        for active in [300, 100] {
            var x = Matrix(rows: 1, cols: 300)
            for r in 0..<active { x[0, r] = 0.5 + 0.5 * Float(r % 7) / 7 }
            var rng = SeededRandom(seed: 2)
            var counts = ActionCounts()
            let y = layer.forward(x, rng: &rng, counts: &counts)
            let exact = GEMM.product(x, w)
            let factor = 1 - a * Double(active) / 512
            // Within the quantisation bound of the first test (weight and input codes, half an
            // ADC step of the worst-case range): 0.01 or less here, the IR drop moves the
            // outputs by 4-12%.
            let wMax = Double(w.storage.map { abs($0) }.max()!), xMax = 1.0
            let sumX = Double((0..<300).reduce(Float(0)) { $0 + abs(x[0, $1]) })
            for o in 0..<3 {
                let sumW = Double((0..<300).reduce(Float(0)) { $0 + abs(w[$1, o]) })
                let bound = sumX * wMax / 131_070 + sumW * xMax / 131_070 + 512 * wMax * xMax / 65_534
                XCTAssertEqual(Double(y[0, o]), factor * Double(exact[0, o]), accuracy: bound, "\(active) rows, output \(o)")
                XCTAssertGreaterThan(abs(Double(y[0, o]) - Double(exact[0, o])), 2 * bound, "the drop is visible")
            }
        }
    }

    func testActionCountsForAKnownInput() throws {
        // rram-neurosim: 8-bit bit-serial inputs, 4 slices, 128 rows per read.
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM)
        let w = random(200, 10, seed: 4)
        let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
        // One sample: inputs 0..<200 all zero except input 5 (code 255: every bit set) and input
        // 150 (half of the maximum: code 128, one bit set).
        var x = Matrix(rows: 1, cols: 200)
        x[0, 5] = 1
        x[0, 150] = 128.0 / 255.0
        var rng = SeededRandom(seed: 2)
        var counts = ActionCounts()
        _ = layer.forward(x, rng: &rng, counts: &counts)
        // Group 0 (rows 0..<128): 8 planes each with row 5 active; group 1 (rows 128..<200):
        // only plane 7 has row 150 active. Each converted read: 10 ADC conversions, per slice.
        XCTAssertEqual(counts.reads, 2 * 8 * 4)
        XCTAssertEqual(counts.rowActivations, (8 + 1) * 4)
        XCTAssertEqual(counts.adcConversions, (8 + 1) * 4 * 10)
        XCTAssertEqual(counts.cellReads, (8 + 1) * 4 * 2 * 10)
        XCTAssertEqual(counts.shiftAdds, counts.adcConversions)
    }

    func testNoisyForwardIsIdenticalForAnyThreadCount() throws {
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + ["noise.readRelative=0.05", "noise.adcInputNoiseUnitCurrents=0.02"])
        let w = random(150, 20, seed: 8)
        let x = random(600, 150, seed: 9, nonNegative: true)  // three blocks of 256 samples
        let layer = try CrossbarLayer(weight: w, hardware: hw, seed: 3)
        let saved = GEMM.defaultThreads
        defer { GEMM.defaultThreads = saved }
        var outputs = [Matrix](), allCounts = [ActionCounts]()
        for threads in [1, 2, 3] {
            GEMM.defaultThreads = threads
            var rng = SeededRandom(seed: 4)
            var counts = ActionCounts()
            outputs.append(layer.forward(x, rng: &rng, counts: &counts))
            allCounts.append(counts)
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
        XCTAssertEqual(allCounts[0], allCounts[1])
        // The noise is real: another noise seed gives other outputs.
        var other = SeededRandom(seed: 5)
        var c = ActionCounts()
        XCTAssertNotEqual(layer.forward(x, rng: &other, counts: &c), outputs[0])
    }

    func relativeError(_ y: Matrix, _ exact: Matrix) -> Float {
        var num: Float = 0, den: Float = 0
        for k in 0..<y.count { num += (y.storage[k] - exact.storage[k]) * (y.storage[k] - exact.storage[k]); den += exact.storage[k] * exact.storage[k] }
        return (num / den).squareRoot()
    }

    func testCalibratedADCRangesCutTheQuantisationError() throws {
        // A 5-bit ADC against the worst-case range (every row at Gmax) wastes most of its levels.
        let w = random(256, 32, seed: 10)
        let x = random(300, 256, seed: 11, nonNegative: true)
        let exact = GEMM.product(x, w)
        var errors = [String: Float]()
        for mode in ["calibrated-per-layer", "calibrated-per-column"] {
            let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + ["crossbar.adc.rangeMode=\(mode)"])
            var layer = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
            var rng = SeededRandom(seed: 1)
            var counts = ActionCounts()
            let before = relativeError(layer.forward(x, rng: &rng, counts: &counts), exact)
            layer.calibrate(x.rows(0..<100))
            XCTAssertEqual(layer.adcRanges.count, 2 * 4 * 8 * 32)
            let after = relativeError(layer.forward(x, rng: &rng, counts: &counts), exact)
            XCTAssertLessThan(after, before / 2, "\(mode): \(before) -> \(after)")
            errors[mode] = after
            if mode == "calibrated-per-layer" {
                // One range per read kind: equal across the columns.
                XCTAssertEqual(Set(layer.adcRanges[0..<32]).count, 1)
            }
        }
        XCTAssertLessThanOrEqual(errors["calibrated-per-column"]!, errors["calibrated-per-layer"]! * 1.05)
        // Full scale ignores calibration.
        var full = try CrossbarLayer(weight: w, hardware: try HardwareDescription.load("pcm-aihwkit"), seed: 1)
        full.calibrate(x)
        XCTAssertTrue(full.adcRanges.isEmpty)
    }

    func testOffsetEncodingMatchesFloatOnTheIdealPresetAndConvertsTheReference() throws {
        let hw = try HardwareDescription.load("ideal", sets: ["crossbar.weightEncoding=offset", "crossbar.weightBits=16"])
        let w = random(600, 24, seed: 12)
        let x = random(20, 600, seed: 13, nonNegative: true)
        var layer = try CrossbarLayer(weight: w, hardware: hw, seed: 2)
        XCTAssertEqual(layer.columns, 25, "24 outputs and one reference column")
        var rng = SeededRandom(seed: 1)
        var counts = ActionCounts()
        // Each reading carries the offset current, so the uncalibrated ADC costs ~1e-3 here.
        let uncalibrated = relativeError(layer.forward(x, rng: &rng, counts: &counts), GEMM.product(x, w))
        XCTAssertLessThan(uncalibrated, 2e-3)
        counts = ActionCounts()
        layer.calibrate(x)
        let y = layer.forward(x, rng: &rng, counts: &counts)
        XCTAssertLessThan(relativeError(y, GEMM.product(x, w)), uncalibrated)
        // Two row groups (512 + 88 rows), one multi-bit read each, 25 conversions per read.
        XCTAssertEqual(counts.adcConversions, 20 * 2 * 25)
        // On rram-neurosim the offset encoding loses one bit of weight precision to the sign but
        // still tracks the float product.
        var rram = try CrossbarLayer(weight: w, hardware: try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + ["crossbar.weightEncoding=offset"]), seed: 2)
        rram.calibrate(x)
        XCTAssertLessThan(relativeError(rram.forward(x, rng: &rng, counts: &counts), GEMM.product(x, w)), 0.2)
    }

    func testChipInstancesDifferBySeedAndRepeatForTheSameSeed() throws {
        let hw = try HardwareDescription.load("pcm-aihwkit")
        let w = random(64, 8, seed: 5)
        let a = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
        let b = try CrossbarLayer(weight: w, hardware: hw, seed: 1)
        let c = try CrossbarLayer(weight: w, hardware: hw, seed: 2)
        XCTAssertEqual(a.difference, b.difference)
        XCTAssertNotEqual(a.difference, c.difference)
        XCTAssertGreaterThan(a.driftCompensation, 1, "one hour of PCM drift lowers conductances; compensation scales back up")
    }
}
