import TestSupport
import XCTest
import Hardware

/// The ADC's conversion time against its converter's law (`crossbar.adc.type`), worked by hand
/// from each preset's reference time and bits.
final class ADCTypeTests: XCTestCase {
    func time(_ preset: String, _ sets: [String]) throws -> Double {
        HardwareModel(try HardwareDescription.load(preset, sets: sets)).adc.conversionNanoseconds
    }

    func testConversionTimeFollowsTheConverter() throws {
        // rram-neurosim: NeuroSim's sense amplifier, 0.711 ns at 5 bits, the same at 8.
        XCTAssertEqual(try time("rram-neurosim", ["crossbar.adc.bits=8"]), 0.711, accuracy: 1e-12)
        // pcm-aihwkit: a SAR, 1 ns at 9 bits: 6 bits take 6/9 ns, 12 bits 12/9 ns.
        XCTAssertEqual(try time("pcm-aihwkit", ["crossbar.adc.bits=6"]), 6.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(try time("pcm-aihwkit", ["crossbar.adc.bits=12"]), 12.0 / 9, accuracy: 1e-12)
        // A ramp steps through its levels: 63 of them at 6 bits against 511 at 9.
        XCTAssertEqual(try time("pcm-aihwkit", ["crossbar.adc.type=ramp", "crossbar.adc.bits=6"]), 63.0 / 511, accuracy: 1e-12)
        // Flash and a counter that runs during the read pulse (HERMES) do not grow with bits.
        XCTAssertEqual(try time("pcm-aihwkit", ["crossbar.adc.type=flash", "crossbar.adc.bits=6"]), 1, accuracy: 1e-12)
        XCTAssertEqual(try time("hermes-pcm", ["crossbar.adc.bits=4"]), 1, accuracy: 1e-12)
        // NeuRRAM: CiMLoop's 0.3 us per output bit, 1.8 us at 6 bits: 1.2 us at 4 bits.
        XCTAssertEqual(try time("neurram", ["crossbar.adc.bits=4"]), 1200, accuracy: 1e-9)
    }
}
