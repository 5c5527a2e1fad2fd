import TestSupport
import Foundation
import Numerics
import XCTest
import Hardware

/// The accumulator width in the functional forward, against values worked out by hand.
final class AccumulatorTests: XCTestCase {
    /// 16-row arrays read whole, 2-bit weights on 2-bit cells (one slice), G from 0 to 10 uS
    /// (step 10/3), 4-bit bit-serial inputs, a 12-bit ADC at its worst-case range (16 x 10 uS),
    /// no noise: the readings are the exact products within 0.02.
    func hardware(bits: Int, weightBits: Int = 2) throws -> HardwareDescription {
        try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.weightBits=\(weightBits)", "crossbar.bitsPerCell=2",
            "crossbar.conductanceMinMicrosiemens=0", "crossbar.dac.inputBits=4", "crossbar.adc.bits=12",
            "chip.accumulatorBits=\(bits)"])
    }

    /// Outputs of one sample whose inputs are 1 on rows `ones` and -1 on rows `minus` (else 0),
    /// codes per output; the layer's inputs are signed when some are negative.
    func outputs(rows: Int, codes: [[Int32]], ones: [Int], minus: [Int] = [], bits: Int, weightBits: Int = 2) throws -> [Float] {
        var flat = [Int32]()
        for r in 0..<rows { for c in codes { flat.append(c[r]) } }
        let layer = try CrossbarLayer(codes: flat, inputs: rows, outputs: codes.count, columnScales: [Float](repeating: 1, count: codes.count),
                                      hardware: try hardware(bits: bits, weightBits: weightBits), seed: 0, signedInputs: !minus.isEmpty)
        var x = Matrix(rows: 1, cols: rows)
        for r in ones { x[0, r] = 1 }
        for r in minus { x[0, r] = -1 }
        var rng = SeededRandom(seed: 1)
        var counts = ActionCounts()
        return layer.forward(x, rng: &rng, counts: &counts).storage
    }

    func testANarrowAccumulatorRoundsEachRowTilesPartialSumToItsStep() throws {
        // One row tile. Full scale: 16 rows x 10 uS / step (10/3) = 48, times the bit-planes'
        // weights (1 + 2 + 4 + 8) / 15 = 1: F = 48. At 8 bits the step is 48/127.
        // Inputs 1 on rows 0-4: output 0 (codes 3) is 15, 39.69 steps -> 40; output 1 (codes -2
        // on rows 0-6) is -10, -26.46 steps -> -26; with codes 3 and inputs on every row, 48 is
        // 127 steps, the largest.
        let codes: [[Int32]] = [[Int32](repeating: 3, count: 16), (0..<16).map { $0 < 7 ? -2 : 0 }]
        let wide = try outputs(rows: 16, codes: codes, ones: Array(0..<5), bits: 64)
        XCTAssertEqual(wide[0], 15, accuracy: 0.02)
        XCTAssertEqual(wide[1], -10, accuracy: 0.02)
        let narrow = try outputs(rows: 16, codes: codes, ones: Array(0..<5), bits: 8)
        XCTAssertEqual(narrow[0], 40 * 48 / 127, accuracy: 1e-4)
        XCTAssertEqual(narrow[1], -26 * 48 / 127, accuracy: 1e-4)
        XCTAssertEqual(try outputs(rows: 16, codes: [codes[0]], ones: Array(0..<16), bits: 8)[0], 48, accuracy: 1e-4)
    }

    func testRowTilesAreRoundedOneByOneAndTheSumSaturates() throws {
        // Two row tiles of 16 rows: F = 96, an 8-bit step 96/127. Output 0: code 2 and input 1
        // on row 0 and on row 16: each tile's 2 is 2.65 steps -> 3, the sum 6 steps (rounding
        // the total 4 = 5.29 steps once would give 5). Codes 3 and inputs everywhere: each tile's
        // 48 is 63.5 steps -> 64 (ties to even), and 128 saturates at 127: 96, not 96.76.
        let c0: [Int32] = (0..<32).map { $0 % 16 == 0 ? 2 : 0 }
        XCTAssertEqual(try outputs(rows: 32, codes: [c0], ones: [0, 16], bits: 64)[0], 4, accuracy: 0.02)
        XCTAssertEqual(try outputs(rows: 32, codes: [c0], ones: [0, 16], bits: 8)[0], 6 * 96 / 127, accuracy: 1e-4)
        let c1 = [Int32](repeating: 3, count: 32)
        XCTAssertEqual(try outputs(rows: 32, codes: [c1], ones: Array(0..<32), bits: 8)[0], 96, accuracy: 1e-4)
    }

    func testSignedInputsDoubleTheFullScale() throws {
        // Codes 2 on rows 0-9 and -2 on rows 10-15, inputs 1 and -1: the positive pass reads 20,
        // the negative pass 12 more, 32 in one partial sum. With signed inputs F = 2 x 48 = 96,
        // an 8-bit step 96/127: 42.33 steps -> 42, 31.75 (one pass's full scale, 48, would give
        // 84.67 -> 85 steps of 48/127, 32.13).
        let codes: [Int32] = (0..<16).map { $0 < 10 ? 2 : -2 }
        XCTAssertEqual(try outputs(rows: 16, codes: [codes], ones: Array(0..<10), minus: Array(10..<16), bits: 64)[0], 32, accuracy: 0.03)
        XCTAssertEqual(try outputs(rows: 16, codes: [codes], ones: Array(0..<10), minus: Array(10..<16), bits: 8)[0], 42 * 96 / 127, accuracy: 1e-4)
    }

    func testTwoSlicesWeighTheirReadsByTheCellBase() throws {
        // 4-bit weights on 2-bit cells: 2 slices, the second worth 4x. Codes 15 and inputs 1 on
        // all 16 rows: 240. F = 16 x 10 uS / (10/3) x (1 + 4) = 240, so at 8 bits 240 is
        // exactly 127 steps (a slice weight of 2 instead of 4 would make F 144 and clip it).
        let codes = [Int32](repeating: 15, count: 16)
        XCTAssertEqual(try outputs(rows: 16, codes: [codes], ones: Array(0..<16), bits: 64, weightBits: 4)[0], 240, accuracy: 0.05)
        XCTAssertEqual(try outputs(rows: 16, codes: [codes], ones: Array(0..<16), bits: 8, weightBits: 4)[0], 240, accuracy: 1e-3)
        // 7 on every row: 112 = 59.27 steps of 240/127 -> 59 -> 111.50.
        let seven = [Int32](repeating: 7, count: 16)
        XCTAssertEqual(try outputs(rows: 16, codes: [seven], ones: Array(0..<16), bits: 8, weightBits: 4)[0], 59 * 240 / 127, accuracy: 1e-3)
    }
}
