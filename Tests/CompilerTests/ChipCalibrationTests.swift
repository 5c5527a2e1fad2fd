import XCTest
import Compiler
import Hardware
import HFF
import Numerics
import TestSupport

/// `map --calibration-inputs chip`: each layer's ADC ranges from what the noiseless chip's
/// layers below hand it, against the chip's steps rebuilt by hand and against float calibration
/// on hardware that computes the float product.
final class ChipCalibrationTests: XCTestCase {
    let model = TestModels.model(.hff, widths: [12, 10], inputs: 32, classes: 3, seed: 4)
    let calibration = TestModels.raw(32, 32, seed: 9)

    func hardware(_ preset: String, _ extra: [String] = []) throws -> HardwareDescription {
        try HardwareDescription.load(preset, sets: ["crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.columns=24",
                                                    "crossbar.adc.columnsPerADC=8", "chip.tileSites=400", "chip.tileSitesPerRow=20"] + extra)
    }

    func map(_ hw: HardwareDescription, _ inputs: MapOptions.CalibrationInputs?) throws -> HardwareConfig {
        var options = MapOptions()
        options.calibrationInputs = inputs
        return try Mapper.map(model: model, modelPath: "m", modelDigest: "0", hardware: hw, options: options, calibration: calibration)
    }

    /// rram-neurosim (no noise) with a 3-bit ADC: layer 0 sees the raw inputs either way; layer 1's
    /// ranges are those of a crossbar calibrated on layer 0's chip output, rebuilt here from
    /// CrossbarLayer (layer 0 programmed with the config's codes and ranges, its product through
    /// the digital periphery), and they differ from the float calibration's.
    func testLayerOneIsCalibratedOnLayerZerosChipOutput() throws {
        let hw = try hardware("rram-neurosim", ["crossbar.adc.bits=3", "crossbar.adc.calibrationHeadroom=0"])
        let chip = try map(hw, .chip), float = try map(hw, nil)
        XCTAssertEqual(try map(hw, .float).tensors, float.tensors, "float is the default")
        XCTAssertEqual(chip.tensors.layers[0].adcRanges, float.tensors.layers[0].adcRanges)
        let lowered = LoweredModel(model)
        let t0 = chip.tensors.layers[0], t1 = chip.tensors.layers[1]
        var c0 = try CrossbarLayer(codes: t0.codes, inputs: 32, outputs: 12, columnScales: t0.columnScales, hardware: hw, seed: 0,
                                   signedInputs: chip.layers[0].signedInput)
        try c0.setADCRanges(t0.adcRanges, file: "t")
        var rng = SeededRandom(seed: 0), counts = ActionCounts()
        let y0 = c0.forward(calibration, rng: &rng, counts: &counts)
        let rows = lowered.finish(layer: 0, product: y0, scale: lowered.inputScale(layer: 0, input: calibration))
        var c1 = try CrossbarLayer(codes: t1.codes, inputs: 12, outputs: 10, columnScales: t1.columnScales, hardware: hw, seed: 0,
                                   signedInputs: chip.layers[1].signedInput)
        c1.calibrate(rows)
        XCTAssertEqual(t1.adcRanges, c1.adcRanges)
        XCTAssertNotEqual(t1.adcRanges, float.tensors.layers[1].adcRanges, "a 3-bit layer 0 changes what layer 1 sees")
    }

    /// On the ideal preset (24-bit ADC, 16-bit weights, no noise) the chip computes the float
    /// product, so calibrating on its activations gives the float calibration's ranges.
    func testOnIdealHardwareChipCalibrationIsFloatCalibration() throws {
        let hw = try hardware("ideal")
        let chip = try map(hw, .chip), float = try map(hw, .float)
        for (a, b) in zip(chip.tensors.layers, float.tensors.layers) {
            XCTAssertFalse(a.adcRanges.isEmpty)
            for (x, y) in zip(a.adcRanges, b.adcRanges) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(y, 1e-6)) }
        }
    }
}
