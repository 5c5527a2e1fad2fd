import Foundation

/// The digital accumulation of a layer's row-tile partial sums in a `chip.accumulatorBits`-wide
/// signed fixed-point accumulator, one per output.
///
/// A row tile's partial sum (its reads' readings, shift-added over slices, bit-planes and its
/// row groups) enters the accumulator rounded to the accumulator's step (to nearest, ties to
/// even: the bits below the step are dropped), and the running sum saturates at
/// +-(2^(B-1) - 1) steps, B = accumulatorBits. The step of output o is its full scale over
/// 2^(B-1) - 1, the full scale being the largest magnitude the reads can give:
///
///     F_o = P x sum over row groups g, slices s, bit-planes p of R(g, s, p, o) w_s w_p
///
/// (P = 2 for a layer whose inputs may be negative, read in a positive and a negative pass that
/// add into the same partial sum, else 1)
/// with R the ADC range of that read kind and column (for the offset encoding the larger of
/// the column's and the reference column's), w_s = 2^(c s) / step the slice's weight and w_p
/// = 2^p / (2^b - 1) the bit-plane's (1 for a multi-bit DAC). So the format is fixed by the
/// hardware and its calibration, not by the data. At B >= 53 the accumulation is that of a
/// double, with no rounding: wider than the simulator's own arithmetic.
struct PartialSumAccumulator {
    /// Per output: the value of one step, and its inverse (0 where the full scale is 0).
    let unit: [Double]
    let inverseUnit: [Double]
    /// The largest magnitude, in steps.
    let limit: Double
    let exact: Bool

    init(fullScale: [Double], bits: Int) {
        exact = bits >= 53
        limit = Foundation.pow(2, Double(bits - 1)) - 1
        unit = fullScale.map { $0 > 0 ? $0 / (Foundation.pow(2, Double(bits - 1)) - 1) : 0 }
        inverseUnit = unit.map { $0 > 0 ? 1 / $0 : 0 }
    }

    /// Adds one row tile's partial sums (`batch` x outputs) into `acc` (in steps; exact: in
    /// value), and zeroes them for the next row tile.
    func add(_ partial: UnsafeMutablePointer<Float>, into acc: UnsafeMutablePointer<Double>, batch: Int) {
        let outputs = unit.count
        for i in 0..<batch {
            let p = partial + i * outputs, a = acc + i * outputs
            if exact {
                for o in 0..<outputs { a[o] += Double(p[o]) }
            } else {
                for o in 0..<outputs {
                    let steps = inverseUnit[o] > 0 ? (Double(p[o]) * inverseUnit[o]).rounded(.toNearestOrEven) : 0
                    a[o] = min(max(a[o] + steps, -limit), limit)
                }
            }
            p.initialize(repeating: 0, count: outputs)
        }
    }

    /// The accumulated value of output o from `acc`.
    @inline(__always) func value(_ acc: Double, output o: Int) -> Double { exact ? acc : acc * unit[o] }
}

extension CrossbarLayer {
    /// The accumulator's full scale per output (`PartialSumAccumulator`): over the read kinds of
    /// a pass, the ADC range times the read's slice and bit-plane weights; twice that when the
    /// inputs may be negative (the negative pass adds as much again).
    func accumulatorFullScale() -> [Double] {
        var f = [Double](repeating: 0, count: outputs)
        let maxCode = Double((1 << inputBits) - 1)
        for g in 0..<groupCount {
            let worst = Double(fullScaleRange(rows: min(rowsPerRead, inputs - g * rowsPerRead)))
            for sl in 0..<slices {
                let sliceWeight = Foundation.pow(Double(1 << bitsPerCell), Double(sl)) / Double(step)
                for p in 0..<planes {
                    let w = sliceWeight * (bitSerial ? Double(1 << p) / maxCode : 1)
                    let read = (g * slices + sl) * planes + p
                    func range(_ c: Int) -> Double { adcRanges.isEmpty ? worst : Double(adcRanges[read * columns + c]) }
                    for o in 0..<outputs { f[o] += (differential ? range(o) : max(range(o), range(outputs))) * w }
                }
            }
        }
        return signedInputs ? f.map { 2 * $0 } : f
    }
}
