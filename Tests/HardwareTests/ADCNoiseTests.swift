import TestSupport
import Foundation
import Numerics
import XCTest
import Hardware

/// ADC input noise as an absolute current of the circuit, against its closed form.
final class ADCNoiseTests: XCTestCase {
    func testADCNoiseIsTheSameCurrentAtAnyResolution() throws {
        // 16 rows, 2-bit weights on one slice (G 0...10 uS, step 10/3), a 4-bit multi-bit DAC
        // (one read), every input 1 and code 1: the read current is 16 x 10/3 uS, the output
        // 16 plus the noise times the slice weight 1 / step. Noise sigma 0.05 unit currents =
        // 0.5 uS: output sigma 0.5 x 3/10 = 0.15, at 12 bits (LSB 160/2047 = 0.078 uS: 6.4 LSB)
        // and at 10 bits (LSB 0.313 uS: 1.6 LSB; quantisation adds LSB^2/12, 3% of the variance).
        // In LSB, as the old key had it, 10 bits would have shown a quarter of the 12-bit noise.
        let n = 4000
        var x = Matrix(rows: n, cols: 16)
        for k in x.storage.indices { x.storage[k] = 1 }
        for (bits, quantisation) in [(12, 0.078), (10, 0.3126)] {
            let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
                "crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.weightBits=2", "crossbar.bitsPerCell=2",
                "crossbar.conductanceMinMicrosiemens=0", "crossbar.dac.inputBits=4", "crossbar.dac.scheme=multi-bit",
                "crossbar.adc.bits=\(bits)", "chip.accumulatorBits=64", "noise.adcInputNoiseUnitCurrents=0.05"])
            let layer = try CrossbarLayer(codes: [Int32](repeating: 1, count: 16), inputs: 16, outputs: 1, columnScales: [1],
                                          hardware: hw, seed: 0, signedInputs: false)
            var rng = SeededRandom(seed: 7)
            var counts = ActionCounts()
            let y = layer.forward(x, rng: &rng, counts: &counts).storage.map(Double.init)
            let mean = y.reduce(0, +) / Double(n)
            let sd = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
            let expected = (0.15 * 0.15 + quantisation * quantisation / 12 * 0.09).squareRoot()  // (LSB x 3/10)^2 / 12
            XCTAssertEqual(mean, 16, accuracy: 0.02, "\(bits) bits")
            XCTAssertEqual(sd, expected, accuracy: 0.05 * expected, "\(bits) bits")  // standard error 1.1%
        }
    }
}
