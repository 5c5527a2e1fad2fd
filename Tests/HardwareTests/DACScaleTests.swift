import TestSupport
import Foundation
import Numerics
import XCTest
import Hardware

/// The DAC's input scaling, per sample or calibrated, against codes worked out by hand.
final class DACScaleTests: XCTestCase {
    func testACalibratedScaleCodesEverySampleAlikeAndClipsAboveIt() throws {
        // As AccumulatorTests: 16 rows, 4-bit inputs (top code 15), 2-bit weights, a 12-bit ADC
        // (readings within 0.02), a 64-bit accumulator. Output 0 has code 1 on rows 0-2.
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.weightBits=2", "crossbar.bitsPerCell=2",
            "crossbar.conductanceMinMicrosiemens=0", "crossbar.dac.inputBits=4", "crossbar.adc.bits=12", "chip.accumulatorBits=64"])
        let codes = (0..<16).map { Int32($0 < 3 ? 1 : 0) }
        var layer = try CrossbarLayer(codes: codes, inputs: 16, outputs: 1, columnScales: [1], hardware: hw, seed: 0)
        var x = Matrix(rows: 1, cols: 16)
        x[0, 0] = 1; x[0, 1] = 0.5; x[0, 2] = 3
        func run() -> Float {
            var rng = SeededRandom(seed: 1)
            var counts = ActionCounts()
            return layer.forward(x, rng: &rng, counts: &counts)[0, 0]
        }
        // Per sample: scale 3, codes round(1 x 5) = 5, round(2.5) = 2 (ties to even), 15:
        // 22 / 15 x 3 = 4.4 (the float product is 4.5).
        XCTAssertEqual(run(), 4.4, accuracy: 0.02)
        // Calibrated at 2: codes round(7.5) = 8, round(3.75) = 4, and 22.5 clipped to 15:
        // 27 / 15 x 2 = 3.6.
        try layer.setInputScale(2, file: "test")
        XCTAssertEqual(run(), 3.6, accuracy: 0.02)
        XCTAssertThrowsError(try layer.setInputScale(0, file: "test"))
    }
}
