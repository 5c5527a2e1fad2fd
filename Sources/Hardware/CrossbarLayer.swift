import Foundation
import Numerics

/// Actions of the functional model, for the simulator to price with the energy table.
public struct ActionCounts: Equatable, Sendable {
    /// Cell reads: active (non-zero input) rows x physical columns, summed over reads.
    public var cellReads = 0
    /// Row activations: rows driven with a non-zero input, summed over reads.
    public var rowActivations = 0
    /// ADC conversions; a read whose input bit-plane is all zero for a sample is skipped.
    public var adcConversions = 0
    /// Shift-adds recombining input bits and weight slices.
    public var shiftAdds = 0
    /// Reads (one per sample, row group, weight slice and input bit-plane or multi-bit pass).
    public var reads = 0

    public init() {}

    public static func += (a: inout ActionCounts, b: ActionCounts) {
        a.cellReads += b.cellReads
        a.rowActivations += b.rowActivations
        a.adcConversions += b.adcConversions
        a.shiftAdds += b.shiftAdds
        a.reads += b.reads
    }
}

/// A weight matrix programmed onto crossbar arrays: the functional model of what the ADCs read.
///
/// Offset encoding: the signed code q = round(w / wMax (2^(B-1) - 1)) is stored unsigned as
/// u = q + 2^(B-1) on one cell per slice, and each row also holds a reference cell with the code
/// 2^(B-1); the ADC (unipolar, 2^bits - 1 steps) converts every column and the reference column,
/// and the reference reading is subtracted digitally.
///
/// Mapping (differential encoding): a weight w becomes the integer code
/// q = round(|w| / wMax (2^B - 1)) (B = weightBits, wMax = max |w| of the layer), split into
/// S = ceil(B / c) digits of c = bitsPerCell bits, d_s in 0...2^c - 1, least significant first.
/// Digit d_s of a positive weight is programmed on the G+ cell of slice s as Gmin + d_s step
/// (step = (Gmax - Gmin) / (2^c - 1)) and its G- partner at Gmin, mirrored for negative weights.
/// Programming goes through `DeviceModel` (noise, variation, faults, drift) once per chip
/// instance, from a seed.
///
/// A forward pass, per sample: inputs are scaled by their largest magnitude and quantised by the
/// DAC to b = inputBits: bit-serial reads each bit-plane of the integer code (amplitude 0 or 1),
/// multi-bit reads the quantised amplitude once; negative inputs take a second pass. Rows are
/// read `rowsPerRead` at a time. Each read's column current difference I = sum_i a_i (G+ - G-)
/// gets read noise (exact in distribution: sigma^2 = sum_i a_i^2 s^2 (G+^2 + G-^2), one extra
/// product instead of a draw per cell), the IR-drop attenuation 1 - r n_active / rows, ADC input
/// noise, then ADC clipping to +-range and rounding to 2^adcBits - 2 steps (aihwkit's
/// convention). Digital recombination: sum over bit-planes 2^p, slices 2^(c s), row groups, times
/// the scales back to weight and input units, times the global drift compensation when enabled.
public struct CrossbarLayer: Sendable {
    public let inputs: Int
    public let outputs: Int
    public let hardware: HardwareDescription
    public let weightScale: Float
    /// Per slice: G+ - G- at inference time (inputs x outputs, uS).
    public let difference: [Matrix]
    /// Per slice: s^2 (G+^2 + G-^2), the read-noise variance per unit input squared.
    public let noiseVariance: [Matrix]
    /// Global drift compensation: mean |G+ - G-| just after programming over the same at inference.
    public let driftCompensation: Float
    /// Calibrated ADC ranges, one per read kind (row group, slice, bit-plane) and column; empty
    /// until `calibrate` runs (then the worst case, every row at Gmax, is used).
    public private(set) var adcRanges: [Float] = []

    let rowsPerRead: Int
    let slices: Int
    let bitsPerCell: Int
    let weightBits: Int
    let inputBits: Int
    let bitSerial: Bool
    let adcBits: Int
    let step: Float
    let readSigma: Float
    let irDrop: Float
    let adcNoiseLSB: Float
    let arrayRows: Int
    /// Differential pairs (signed currents, a bipolar ADC) or one offset reference column per
    /// row group (unsigned currents, a unipolar ADC, the reference's reading subtracted digitally).
    let differential: Bool
    /// Converted columns per read: the outputs, plus the reference column of the offset encoding.
    public let columns: Int

    /// Programs `weight` (inputs x outputs) as chip instance `seed`.
    public init(weight: Matrix, hardware d: HardwareDescription, seed: UInt64) throws {
        inputs = weight.rows
        outputs = weight.cols
        differential = d.choice("crossbar.weightEncoding") == "differential"
        columns = outputs + (differential ? 0 : 1)
        hardware = d
        let device = DeviceModel(d)
        bitsPerCell = min(d.integer("crossbar.bitsPerCell"), 16)
        weightBits = d.integer("crossbar.weightBits")
        slices = d.weightSlices
        rowsPerRead = d.integer("crossbar.rowsPerRead")
        arrayRows = d.integer("crossbar.rows")
        inputBits = d.integer("crossbar.dac.inputBits")
        bitSerial = d.choice("crossbar.dac.scheme") == "bit-serial"
        adcBits = d.integer("crossbar.adc.bits")
        readSigma = Float(d.number("noise.readRelative"))
        irDrop = Float(d.number("noise.irDropAttenuationAtFullRows"))
        adcNoiseLSB = Float(d.number("noise.adcInputNoiseLSB"))
        let levels = Double((1 << bitsPerCell) - 1)
        let stepD = (device.gMax - device.gMin) / levels
        step = Float(stepD)
        let wMax = weight.storage.map { abs($0) }.max() ?? 0
        // Differential: codes 0...2^B - 1 of |w|. Offset: signed codes -(2^(B-1) - 1)...2^(B-1) - 1
        // stored as unsigned u = q + 2^(B-1); the reference column holds 2^(B-1).
        let codeMax = Double(differential ? (1 << weightBits) - 1 : (1 << (weightBits - 1)) - 1)
        weightScale = wMax > 0 ? wMax / Float(codeMax) : 1
        let offsetCode = Double(1 << (weightBits - 1))

        let rng = SeededRandom(seed: seed)
        var diffs = [Matrix](), vars = [Matrix]()
        var sumProgrammed = 0.0, sumNow = 0.0
        let base = Double(1 << bitsPerCell)
        for s in 0..<slices {
            var diff = Matrix(rows: inputs, cols: columns)
            var v = Matrix(rows: inputs, cols: columns)
            var sliceRNG = rng.split(UInt64(s))
            let divisor = Foundation.pow(base, Double(s))
            func level(_ code: Double) -> Double {
                device.gMin + (code / divisor).rounded(.down).truncatingRemainder(dividingBy: base) * stepD
            }
            // The offset encoding's reference cell of each row, and its conductances.
            var reference = [(programmed: Double, atInference: Double)]()
            if !differential {
                reference = (0..<inputs).map { _ in device.programAndDrift(level(offsetCode), rng: &sliceRNG) }
                for r in 0..<inputs {
                    diff[r, outputs] = Float(reference[r].atInference)
                    v[r, outputs] = readSigma * readSigma * Float(reference[r].atInference * reference[r].atInference)
                }
            }
            for r in 0..<inputs {
                for o in 0..<outputs {
                    let w = weight[r, o]
                    let q = wMax > 0 ? (Double(w / wMax) * codeMax).rounded() : 0
                    if differential {
                        let hi = level(abs(q))
                        let (pPos, nPos) = device.programAndDrift(q >= 0 ? hi : device.gMin, rng: &sliceRNG)
                        let (pNeg, nNeg) = device.programAndDrift(q >= 0 ? device.gMin : hi, rng: &sliceRNG)
                        diff[r, o] = Float(nPos - nNeg)
                        v[r, o] = readSigma * readSigma * Float(nPos * nPos + nNeg * nNeg)
                        sumProgrammed += abs(pPos - pNeg)
                        sumNow += abs(nPos - nNeg)
                    } else {
                        let (pg, ng) = device.programAndDrift(level(q + offsetCode), rng: &sliceRNG)
                        diff[r, o] = Float(ng)
                        v[r, o] = readSigma * readSigma * Float(ng * ng)
                        sumProgrammed += abs(pg - reference[r].programmed)
                        sumNow += abs(ng - reference[r].atInference)
                    }
                }
            }
            diffs.append(diff)
            vars.append(v)
        }
        difference = diffs
        noiseVariance = vars
        driftCompensation = d.flag("noise.drift.globalCompensation") && sumNow > 0 ? Float(sumProgrammed / sumNow) : 1
    }

    /// The ADC's range (+-, in uS x input units) for a read of `rows` rows: `fullScaleUnitCurrents`
    /// cells at Gmax in full-scale mode; until the compiler calibrates ranges (issue 5), the
    /// calibrated modes use the largest possible current, every row at Gmax.
    public func fullScaleRange(rows: Int) -> Float {
        let units = Float(hardware.number("crossbar.adc.fullScaleUnitCurrents"))
        let gMax = Float(hardware.number("crossbar.conductanceMaxMicrosiemens"))
        if hardware.choice("crossbar.adc.rangeMode") == "full-scale" { return units * gMax }
        return Float(rows) * gMax
    }

    /// The ADC's largest code: 2^(bits-1) - 1 for a bipolar converter (2^bits - 2 steps over
    /// +-range, aihwkit's out_res convention), 2^bits - 1 for a unipolar one (0...range).
    @inlinable public static func maxCode(bits: Int, unipolar: Bool) -> Float {
        Float(unipolar ? (1 << bits) - 1 : (1 << (bits - 1)) - 1)
    }

    /// The ADC's code for an input already in LSB units: rounded, then clipped to the converter's
    /// codes. Monotone. `forward` converts every reading through this.
    @inlinable public static func code(_ inLSB: Float, bits: Int, unipolar: Bool) -> Float {
        let top = maxCode(bits: bits, unipolar: unipolar)
        return min(max(inLSB.rounded(), unipolar ? 0 : -top), top)
    }

    /// ADC conversion of `current` with range `range` (+-range bipolar, 0...range unipolar):
    /// the code times the LSB.
    @inlinable public static func convert(_ current: Float, range: Float, bits: Int, unipolar: Bool = false) -> Float {
        let lsb = range / maxCode(bits: bits, unipolar: unipolar)
        return code(current / lsb, bits: bits, unipolar: unipolar) * lsb
    }

    var planes: Int { bitSerial ? inputBits : 1 }
    var groupCount: Int { (inputs + rowsPerRead - 1) / rowsPerRead }

    /// Calibrates the ADC ranges on `x` (for the calibrated range modes): the largest noiseless
    /// |current| each read kind and column sees, or per layer the largest over the columns. A
    /// read kind never driven keeps the worst-case range. Full-scale mode ignores calibration.
    public mutating func calibrate(_ x: Matrix) {
        let mode = hardware.choice("crossbar.adc.rangeMode")
        guard mode != "full-scale" else { return }
        var maxima = [Float](repeating: 0, count: groupCount * slices * planes * columns)
        let blocks = (x.rows + CrossbarLayer.blockSamples - 1) / CrossbarLayer.blockSamples
        var rng = SeededRandom(seed: 0)
        for b in 0..<blocks {
            let start = b * CrossbarLayer.blockSamples, end = min(x.rows, start + CrossbarLayer.blockSamples)
            var c = ActionCounts()
            let box = Box(maxima)
            _ = forwardBlock(x.rows(start..<end), rng: &rng, counts: &c, threads: GEMM.defaultThreads, maxima: box)
            maxima = box.value
        }
        for read in 0..<(groupCount * slices * planes) {
            let g = read / (slices * planes)
            let worst = fullScaleRange(rows: min(rowsPerRead, inputs - g * rowsPerRead))
            let span = (read * columns)..<((read + 1) * columns)
            if mode == "calibrated-per-layer" {
                let m = maxima[span].max() ?? 0
                for o in span { maxima[o] = m }
            }
            for o in span where !(maxima[o] > 0) { maxima[o] = worst }
        }
        adcRanges = maxima
    }

    /// Samples per block of a forward pass: a block's intermediate products stay in cache.
    public static let blockSamples = 256

    /// The hardware's output for `x` (batch x inputs), in the units of x W, with action counts.
    /// Samples run in blocks of `blockSamples`; block b draws its read and ADC noise from
    /// `rng.split(b)` after one draw from `rng`, so results do not depend on how blocks are run.
    public func forward(_ x: Matrix, rng: inout SeededRandom, counts: inout ActionCounts) -> Matrix {
        precondition(x.cols == inputs)
        let streams = SeededRandom(seed: rng.next())
        let blocks = (x.rows + CrossbarLayer.blockSamples - 1) / CrossbarLayer.blockSamples
        // Blocks run on the worker threads, each with single-threaded products; every block
        // writes its own slots, and counts are added in block order.
        let workers = max(1, min(GEMM.defaultThreads, blocks))
        let results = (0..<blocks).map { _ in Box<(Matrix, ActionCounts)?>(nil) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var b = w
            while b < blocks {
                let start = b * CrossbarLayer.blockSamples, end = min(x.rows, start + CrossbarLayer.blockSamples)
                var blockRNG = streams.split(UInt64(b))
                var c = ActionCounts()
                let y = forwardBlock(x.rows(start..<end), rng: &blockRNG, counts: &c, threads: workers > 1 ? 1 : GEMM.defaultThreads)
                results[b].value = (y, c)
                b += workers
            }
        }
        var out = Matrix(rows: x.rows, cols: outputs)
        for b in 0..<blocks {
            let (y, c) = results[b].value!
            let start = b * CrossbarLayer.blockSamples
            out.storage.replaceSubrange((start * outputs)..<(start * outputs + y.count), with: y.storage)
            counts += c
        }
        return out
    }

    /// One block of samples. With `maxima`, a calibration pass: no noise and no conversion, only
    /// the largest |current| per read kind and column is recorded.
    func forwardBlock(_ x: Matrix, rng: inout SeededRandom, counts: inout ActionCounts, threads: Int,
                      maxima: Box<[Float]>? = nil) -> Matrix {
        let batch = x.rows
        var out = Matrix(rows: batch, cols: outputs)
        // Per-sample input scale (abs-max) and integer codes.
        let maxCode = Float((1 << inputBits) - 1)
        var scale = [Float](repeating: 0, count: batch)
        for i in 0..<batch {
            var m: Float = 0
            for j in 0..<inputs { m = max(m, abs(x[i, j])) }
            scale[i] = m
        }
        let hasNegative = x.storage.contains { $0 < 0 }
        let passes: [Float] = hasNegative ? [1, -1] : [1]
        let calibrating = maxima != nil
        var groupStart = 0
        while groupStart < inputs {
            let groupRows = min(rowsPerRead, inputs - groupStart)
            let range = fullScaleRange(rows: groupRows)
            let group = groupStart / rowsPerRead
            let gSlices = difference.map { $0.rows(groupStart..<(groupStart + groupRows)) }
            let vSlices = readSigma > 0 ? noiseVariance.map { $0.rows(groupStart..<(groupStart + groupRows)) } : []
            for sign in passes {
                // Integer codes of this sign's magnitudes, batch x groupRows.
                var codes = [Int32](repeating: 0, count: batch * groupRows)
                x.storage.withUnsafeBufferPointer { xp in
                    for i in 0..<batch where scale[i] > 0 {
                        let k = maxCode / scale[i]
                        let row = xp.baseAddress! + i * inputs + groupStart
                        for j in 0..<groupRows {
                            let v = row[j] * sign
                            codes[i * groupRows + j] = v > 0 ? Int32((v * k).rounded()) : 0
                        }
                    }
                }
                for p in 0..<planes {
                    var amplitude = Matrix.uninitialized(rows: batch, cols: groupRows)
                    var active = [Int](repeating: 0, count: batch)
                    amplitude.storage.withUnsafeMutableBufferPointer { a in
                        for i in 0..<batch {
                            var n = 0
                            for j in 0..<groupRows {
                                let c = codes[i * groupRows + j]
                                let v: Float = bitSerial ? Float((c >> Int32(p)) & 1) : Float(c) / maxCode
                                a[i * groupRows + j] = v
                                n += v != 0 ? 1 : 0
                            }
                            active[i] = n
                        }
                    }
                    let planeWeight: Float = bitSerial ? Float(1 << p) / maxCode : 1
                    for s in 0..<slices {
                        let current = GEMM.product(amplitude, gSlices[s], threads: threads)
                        var deviation = Matrix(rows: 0, cols: 0)
                        if readSigma > 0 && !calibrating {
                            var sq = amplitude
                            for k in 0..<sq.count { sq.storage[k] *= sq.storage[k] }
                            deviation = GEMM.product(sq, vSlices[s], threads: threads)
                            var draws = [Float](repeating: 0, count: deviation.count)
                            draws.withUnsafeMutableBufferPointer { rng.fillGaussian($0) }
                            for k in 0..<deviation.count { deviation.storage[k] = deviation.storage[k].squareRoot() * draws[k] }
                        }
                        let sliceWeight = Foundation.pow(Float(1 << bitsPerCell), Float(s)) / step
                        // Bipolar ADC for differential currents, unipolar for the offset encoding.
                        let half = CrossbarLayer.maxCode(bits: adcBits, unipolar: !differential)
                        let read = (group * slices + s) * planes + p
                        let lsb: [Float] = adcRanges.isEmpty
                            ? [Float](repeating: range / half, count: columns)
                            : adcRanges[(read * columns)..<((read + 1) * columns)].map { $0 / half }
                        var adcNoise = [Float](repeating: 0, count: adcNoiseLSB > 0 ? columns : 0)
                        var readings = [Float](repeating: 0, count: columns)
                        for i in 0..<batch {
                            counts.reads += 1
                            if active[i] == 0 { continue }  // an all-zero plane is not converted
                            if let maxima {
                                let attenuation = 1 - irDrop * Float(active[i]) / Float(arrayRows)
                                for o in 0..<columns {
                                    maxima.value[read * columns + o] = max(maxima.value[read * columns + o], abs(current[i, o] * attenuation))
                                }
                                continue
                            }
                            counts.rowActivations += active[i]
                            counts.cellReads += active[i] * (differential ? 2 * outputs : columns)
                            counts.adcConversions += columns
                            counts.shiftAdds += outputs
                            let attenuation = 1 - irDrop * Float(active[i]) / Float(arrayRows)
                            if adcNoiseLSB > 0 {
                                adcNoise.withUnsafeMutableBufferPointer { rng.fillGaussian($0) }
                                for o in 0..<columns { adcNoise[o] *= adcNoiseLSB }
                            }
                            let weight = sign * sliceWeight * planeWeight * scale[i]
                            // ADC conversion (as `convert`, in LSB units) and shift-add, one row of outputs.
                            current.storage.withUnsafeBufferPointer { cp in
                              deviation.storage.withUnsafeBufferPointer { dp in
                                out.storage.withUnsafeMutableBufferPointer { op in
                                    let c = cp.baseAddress! + i * columns, y = op.baseAddress! + i * outputs
                                    let d = readSigma > 0 ? dp.baseAddress! + i * columns : nil
                                    for o in 0..<columns {
                                        var cur = c[o]
                                        if let d { cur += d[o] }
                                        var code = cur * attenuation / lsb[o]
                                        if adcNoiseLSB > 0 { code += adcNoise[o] }
                                        readings[o] = CrossbarLayer.code(code, bits: adcBits, unipolar: !differential) * lsb[o]
                                    }
                                    let ref = differential ? 0 : readings[outputs]
                                    for o in 0..<outputs { y[o] += (readings[o] - ref) * weight }
                                }
                              }
                            }
                        }
                    }
                }
            }
            groupStart += groupRows
        }
        let factor = weightScale * driftCompensation
        for k in 0..<out.count { out.storage[k] *= factor }
        return out
    }
}
