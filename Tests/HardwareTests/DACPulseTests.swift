import TestSupport
import XCTest
import Hardware

/// A multi-bit read's pulse time and row-driver energy against its input encoding
/// (`crossbar.dac.pulseEncoding`), worked by hand from each preset's reference pulse and bits.
final class DACPulseTests: XCTestCase {
    func model(_ preset: String, _ sets: [String]) throws -> HardwareModel {
        HardwareModel(try HardwareDescription.load(preset, sets: sets))
    }

    func testPulseWidthScalesTimeOnly() throws {
        // pcm-aihwkit: 126 ns of pulse width for 6 magnitude bits (63 levels). At 4 bits the widest
        // pulse is 15 levels: 126 x 15 / 63 = 30 ns; at 8 bits 126 x 255 / 63 = 510 ns.
        XCTAssertEqual(try model("pcm-aihwkit", ["crossbar.dac.inputBits=4"]).cell.readPulseNanoseconds, 30, accuracy: 1e-9)
        XCTAssertEqual(try model("pcm-aihwkit", ["crossbar.dac.inputBits=8"]).cell.readPulseNanoseconds, 510, accuracy: 1e-9)
        // The row driver switches once per read whatever the width: PUMA's 3.5 fJ stays.
        XCTAssertEqual(try model("pcm-aihwkit", ["crossbar.dac.inputBits=4"]).array.rowDriverFemtojoules, 3.5, accuracy: 1e-12)
    }

    func testPulseCountScalesTimeAndDriverEnergy() throws {
        // NeuRRAM: 7 unit pulses (3 bits) in 1890 ns and 2946 fJ per row; 1 bit is 1 pulse,
        // 1890 / 7 = 270 ns and 2946 / 7 fJ; 4 bits are 15 pulses.
        let one = try model("neurram", ["crossbar.dac.inputBits=1"])
        XCTAssertEqual(one.cell.readPulseNanoseconds, 270, accuracy: 1e-9)
        XCTAssertEqual(one.array.rowDriverFemtojoules, 2946.0 / 7, accuracy: 1e-9)
        let four = try model("neurram", ["crossbar.dac.inputBits=4"])
        XCTAssertEqual(four.cell.readPulseNanoseconds, 1890.0 * 15 / 7, accuracy: 1e-9)
        XCTAssertEqual(four.array.rowDriverFemtojoules, 2946.0 * 15 / 7, accuracy: 1e-9)
    }

    func testAmplitudeAndBitSerialKeepThePulse() throws {
        // An amplitude DAC gives one pulse at any precision.
        let amp = try model("neurram", ["crossbar.dac.pulseEncoding=amplitude", "crossbar.dac.inputBits=1"])
        XCTAssertEqual(amp.cell.readPulseNanoseconds, 1890, accuracy: 1e-9)
        XCTAssertEqual(amp.array.rowDriverFemtojoules, 2946, accuracy: 1e-9)
        // Bit-serial reads are 1-bit pulses whatever the encoding says.
        let serial = try model("pcm-aihwkit", ["crossbar.dac.scheme=bit-serial", "crossbar.dac.inputBits=8"])
        XCTAssertEqual(serial.cell.readPulseNanoseconds, 126, accuracy: 1e-9)
    }
}
