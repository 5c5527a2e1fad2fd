import Datasets
import Foundation
import Hardware
import HFF
import Numerics

/// The products of hardware-aware and chip-in-the-loop HFF training: each dense layer's x W as
/// the crossbar's functional model (`CrossbarLayer`) computes it, with the same steps as
/// `Mapper.map` and `Simulation` take for a trained model.
///
/// Per call (layer l, batch `step`):
/// 1. Layer 0 takes raw inputs, as on the chip: the input standardisation folds into the
///    weights, W'_ij = W_ij / sigma_i, and a digital constant c_j = -sum_i mu_i / sigma_i W_ij
///    (`LoweredModel`'s fold); x_raw = x sigma + mu. Later layers take x as it is.
/// 2. Codes: `Mapper.quantize` (per-layer or per-column scale, clipping percentile).
/// 3. Programming: a `CrossbarLayer` chip instance. Hardware-aware: a fresh instance per
///    (step, layer), with the drift time drawn log-uniformly in `driftSeconds`, so programming
///    noise, drift and faults are drawn anew every batch. Chip-in-the-loop (`train --chip
///    --chip-own-layer`): the instance of `chipSeed` (the same draws `hffsim run --chip-seeds`
///    makes for that seed), reprogrammed with the batch's weights.
/// 4. Calibration (calibrated range or DAC modes): on this batch's inputs (for layer l > 0, what
///    the hardware layers below produced), without read noise, times 1 + headroom; `Mapper`
///    calibrates the same way on training samples, fed through the chip's noiseless layers with
///    `MapOptions.calibrationInputs` `.chip`, through the float layers by default.
/// 5. The forward pass: DAC, reads, read and ADC noise, ADC quantisation, drift compensation;
///    plus c_j for layer 0. The result is in the units of x W.
///
/// Draws, from SeededRandom(seed).split(step).split(layer), in order: the drift time (one
/// uniform, hardware-aware with a range only), the chip instance's seed (hardware-aware only),
/// then the read and ADC noise of the forward pass.
///
/// Mixed schedules (`hardwareFraction` f < 1): batch `step` runs on the hardware, every layer of
/// it, when SeededRandom(seed).split(step).split(`mixKey`).uniform() < f, and in float
/// otherwise (the product returns nil). A stream of its own, so f = 1 draws nothing and the
/// hardware batches of a mix are the batches an all-hardware run computes.
public struct CrossbarTrainingProduct: LayerProduct {
    public var hardware: HardwareDescription
    public var options: MapOptions
    public var normalization: Standardization
    /// [low, high] seconds since programming, drawn log-uniformly per batch (hardware-aware,
    /// drift models only); nil: the description's own time.
    public var driftSeconds: [Double]?
    /// Chip-in-the-loop: the one chip instance every batch runs on; nil: hardware-aware.
    public var chipSeed: UInt64?
    /// The seed of the per-batch draws (the training seed).
    public var seed: UInt64
    /// The share of batches on the hardware (1 or more: all); the rest run in float.
    public var hardwareFraction: Double
    /// The key of the stream that decides a batch's side in a mixed schedule ("MIXD").
    public static let mixKey: UInt64 = 0x4D49_5844
    /// The model layer that the product's layer 0 is: chip-in-the-loop trains one layer at a
    /// time, as a one-layer model, and layer l of the model must take chip S's layer-l seed and
    /// the draws of layer l (only model layer 0 folds the standardisation).
    public var firstLayer = 0

    public init(hardware: HardwareDescription, options: MapOptions = MapOptions(), normalization: Standardization,
                driftSeconds: [Double]?, chipSeed: UInt64?, seed: UInt64, hardwareFraction: Double = 1) {
        self.hardware = hardware
        self.options = options
        self.normalization = normalization
        self.driftSeconds = driftSeconds
        self.chipSeed = chipSeed
        self.seed = seed
        self.hardwareFraction = hardwareFraction
    }

    /// Whether batch `step` runs on the hardware (always, unless the schedule is mixed).
    public func runsOnHardware(step: UInt64) -> Bool {
        guard hardwareFraction < 1 else { return true }
        var mix = SeededRandom(seed: seed).split(step).split(CrossbarTrainingProduct.mixKey)
        return Double(mix.uniform()) < hardwareFraction
    }

    public func product(layer l: Int, step: UInt64, input x: Matrix, weight: Matrix) throws -> Matrix? {
        guard runsOnHardware(step: step) else { return nil }
        let l = l + firstLayer
        var draws = SeededRandom(seed: seed).split(step).split(UInt64(l))
        var hw = hardware
        if chipSeed == nil, let d = driftSeconds, d[1] > 0 {
            let low = Foundation.log(max(d[0], 1e-9)), high = Foundation.log(d[1])
            let t = Foundation.exp(low + Double(draws.uniform()) * (high - low))
            hw = try hw.overriding(["noise.drift.timeSinceProgrammingSeconds=\(t)"])
        }
        var w = weight, raw = x
        var constant = [Float](repeating: 0, count: weight.cols)
        if l == 0 { (w, raw, constant) = fold(weight: weight, input: x) }
        let (codes, scales, _) = Mapper.quantize(w, limit: CrossbarLayer.codeLimit(hw), options: options)
        // Chip-in-the-loop: the seed `Simulation.functionalRun` gives layer l of chip `chipSeed`.
        let instance = chipSeed.map { $0 &* 1_000_003 &+ UInt64(l) } ?? draws.next()
        var crossbar = try CrossbarLayer(codes: codes, inputs: w.rows, outputs: w.cols, columnScales: scales,
                                         hardware: hw, seed: instance, signedInputs: false)
        try calibrate(&crossbar, on: raw)
        var counts = ActionCounts()
        var y = crossbar.forward(raw, rng: &draws, counts: &counts)
        if l == 0 { Kernels.addRowVector(&y, constant) }
        return y
    }

    /// Layer 0's standardisation folded into the weights (see the type's step 1).
    func fold(weight: Matrix, input x: Matrix) -> (weight: Matrix, raw: Matrix, constant: [Float]) {
        let n = weight.rows
        let mu = normalization.isGlobal ? [Float](repeating: normalization.mean[0], count: n) : normalization.mean
        let sigma = normalization.isGlobal ? [Float](repeating: normalization.std[0], count: n) : normalization.std
        var w = weight, raw = x
        let constant = LoweredModel.foldStandardization(&w, mu: mu, sigma: sigma)
        for r in 0..<raw.rows { for i in 0..<n { raw[r, i] = raw[r, i] * sigma[i] + mu[i] } }
        return (w, raw, constant)
    }

    /// The batch-calibrated DAC scale and ADC ranges. `Mapper.map` calibrates a noiseless
    /// instance; this calibrates the programmed instance itself (its conductances, without read
    /// or ADC noise), which saves programming a second one per batch. The two instances agree on
    /// presets without programming noise (rram-neurosim); pcm-aihwkit's ADC is full-scale, not
    /// calibrated.
    func calibrate(_ crossbar: inout CrossbarLayer, on raw: Matrix) throws {
        if HardwareModel(hardware).dac.inputScaling == .calibrated {
            try crossbar.setInputScale(Mapper.inputScale(of: raw), file: hardware.name)
        }
        guard hardware.choice("crossbar.adc.rangeMode") != "full-scale" else { return }
        crossbar.calibrate(raw)
        let headroom = Float(1 + (options.adcHeadroom ?? hardware.number("crossbar.adc.calibrationHeadroom")))
        try crossbar.setADCRanges(crossbar.adcRanges.map { $0 * headroom }, file: hardware.name)
    }
}
