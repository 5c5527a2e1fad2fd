import Foundation
import Numerics

/// Global drift compensation: one digital factor per layer, alpha = r(programmed) / r(now),
/// that undoes the mean conductance drift (aihwkit's `GlobalDriftCompensation`).
///
/// `noise.drift.compensationEstimate` says where the two readouts r come from:
/// - `exact`: r = mean |G+ - G-| over the cells (for the offset encoding, |G - G_ref|), from the
///   conductances themselves. The ideal estimate: alpha is the true mean drift.
/// - `probe-read`: aihwkit's estimate (inference/compensation/drift.py `readout`, tiles/inference.py
///   `_forward_drift_readout_tensor`): r = mean |y| over the outputs y of one-hot probe reads, every
///   row alone at full input (`eye(in_size)`), read through the layer's own ADC with its noise, once
///   just after programming and once at inference. Noise and rounding enter r; where the ADC's
///   steps are coarse beside one cell's current, most readings are 0 and alpha falls towards 1.
enum DriftCompensation {
    /// The probe readout r over `difference` (per slice, inputs x columns, uS: G+ - G- for the
    /// differential encoding, G for the offset encoding with the reference in column `outputs`):
    /// mean over rows i and outputs o of |sum over slices s and bit-planes p of
    /// base^s w_p (ADC(d_s[i, o] + n) - ADC(d_s[i, ref] + n'))|, w_p = 2^p / (2^bits - 1) for
    /// bit-serial inputs (every bit of the full-scale code is 1), 1 for multi-bit. n: read noise
    /// (sigma^2 = `variance`, one cell per row) and ADC noise, drawn from `rng`.
    static func probeReadout(difference: [Matrix], variance: [Matrix], layer: ProbeGeometry,
                             rng: inout SeededRandom) -> Double {
        let inputs = difference.first?.rows ?? 0
        guard inputs > 0, layer.outputs > 0 else { return 0 }
        let unipolar = !layer.differential
        let top = CrossbarLayer.maxCode(bits: layer.adcBits, unipolar: unipolar)
        let lsb = layer.range / top
        let base = Foundation.pow(2, Float(layer.bitsPerCell))
        let planeWeights: [Float] = layer.bitSerial
            ? (0..<layer.inputBits).map { Float(1 << $0) / Float((1 << layer.inputBits) - 1) } : [1]
        func reading(_ d: Matrix, _ v: Matrix, _ i: Int, _ c: Int) -> Float {
            let readNoise = v[i, c] > 0 ? v[i, c].squareRoot() * rng.gaussian() : 0
            let adcNoise = layer.noiseCurrent > 0 ? layer.noiseCurrent * rng.gaussian() : 0
            let current = (d[i, c] + readNoise) * layer.attenuation + adcNoise
            return CrossbarLayer.code(current / lsb, bits: layer.adcBits, unipolar: unipolar) * lsb
        }
        var total = 0.0
        var y = [Float](repeating: 0, count: layer.outputs)
        for i in 0..<inputs {
            for o in 0..<layer.outputs { y[o] = 0 }
            for s in difference.indices {
                let sliceWeight = Foundation.pow(base, Float(s))
                for w in planeWeights {
                    let reference = unipolar ? reading(difference[s], variance[s], i, layer.outputs) : 0
                    for o in 0..<layer.outputs {
                        y[o] += (reading(difference[s], variance[s], i, o) - reference) * sliceWeight * w
                    }
                }
            }
            for o in 0..<layer.outputs { total += Double(abs(y[o])) }
        }
        return total / Double(inputs * layer.outputs)
    }

    /// What a probe read needs of the layer.
    struct ProbeGeometry {
        let outputs: Int
        let differential: Bool
        let adcBits: Int
        /// The ADC's range for a read of one row (+-range bipolar, 0...range unipolar), uS.
        let range: Float
        let noiseCurrent: Float
        let bitsPerCell: Int
        let bitSerial: Bool
        let inputBits: Int
        /// IR drop with one active row: 1 - a / rows.
        let attenuation: Float
    }
}
