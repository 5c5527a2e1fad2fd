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

/// What one sample's reads of one row group did, over its input bit-planes (or multi-bit passes)
/// and signs: what the cost model prices and times. A physical read covers every weight slice of
/// the group's rows at once (the slices are columns of the same arrays).
public struct GroupActivity: Equatable, Sendable {
    /// Physical reads converted (all-zero bit-planes are skipped).
    public var reads: Int32 = 0
    /// Rows driven, summed over those reads.
    public var rowActivations: Int32 = 0
    /// Sum over those reads and their driven rows of amplitude x the conductance of every cell on
    /// the row (uS; bit-serial amplitudes are 0 or 1, a multi-bit DAC's are code / max code and
    /// modulate the pulse): times readVolts^2 and the pulse, the cells' read energy.
    public var conductanceMicrosiemens: Float = 0
    public init() {}
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
    /// Per output column: the weight one code step stands for (weight units per code).
    public let columnScales: [Float]
    /// Per slice: G+ - G- at inference time (inputs x outputs, uS).
    public let difference: [Matrix]
    /// Per slice: s^2 (G+^2 + G-^2), the read-noise variance per unit input squared.
    public let noiseVariance: [Matrix]
    /// Global drift compensation (`DriftCompensation`): the mean readout just after programming
    /// over the same at inference, exact or from probe reads (`noise.drift.compensationEstimate`).
    public private(set) var driftCompensation: Float = 1
    /// The current, in unit currents (one cell at Gmax under full input), that one unit of
    /// `crossbar.adc.fullScaleUnitCurrents` and `noise.adcInputNoiseUnitCurrents` stands for:
    /// 1 when `crossbar.adc.rangeReference` is `gmax`; 1 / w_top for `unit-weight` (aihwkit's
    /// weight_scaling_omega = 0: the unit is weight 1 under input 1, and the layer's largest code,
    /// weight w_top, sits at Gmax).
    public let unitCurrentScale: Float
    /// Per input row: the conductances at inference time of every cell on it (every slice, both
    /// cells of a pair, the offset encoding's reference cells), uS.
    public let rowConductance: [Float]
    /// Calibrated ADC ranges, one per read kind (row group, slice, bit-plane) and column; empty
    /// until `calibrate` runs (then the worst case, every row at Gmax, is used).
    public private(set) var adcRanges: [Float] = []

    /// The number of calibrated ADC ranges: one per read kind (row group, slice, bit-plane) and
    /// converted column.
    public var adcRangeCount: Int { groupCount * slices * planes * columns }

    /// Sets calibrated ADC ranges (from a hardware config); a wrong count or a range that is not
    /// positive is refused.
    public mutating func setADCRanges(_ ranges: [Float], file: String) throws {
        guard ranges.count == adcRangeCount else {
            throw InputError.data(file: file, field: "adcRanges", "expected \(adcRangeCount) ranges, got \(ranges.count)")
        }
        if let bad = ranges.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw InputError.data(file: file, field: "adcRanges[\(bad)]", "expected a positive range, got \(ranges[bad])")
        }
        adcRanges = ranges
    }

    /// The DAC's fixed input scale (`crossbar.dac.inputScaling` calibrated): the |input| that
    /// maps to the top code; nil: each sample's largest magnitude.
    public private(set) var inputScale: Float?

    /// Sets the calibrated input scale (from a hardware config); one that is not positive is refused.
    public mutating func setInputScale(_ s: Float, file: String) throws {
        guard s > 0 && s.isFinite else { throw InputError.data(file: file, field: "inputScale", "expected a positive scale, got \(s)") }
        inputScale = s
    }

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
    /// ADC input-referred noise, sigma in current units (uS x input amplitude).
    let adcNoiseCurrent: Float
    let arrayRows: Int
    /// Width of the digital accumulation of row-tile partial sums (`PartialSumAccumulator`), and
    /// whether the layer's inputs may be negative (two sign passes add into one partial sum).
    let accumulatorBits: Int
    let signedInputs: Bool
    /// Differential pairs (signed currents, a bipolar ADC) or one offset reference column per
    /// row group (unsigned currents, a unipolar ADC, the reference's reading subtracted digitally).
    let differential: Bool
    /// Converted columns per read: the outputs, plus the reference column of the offset encoding.
    public let columns: Int
    /// Row group g, slice s at g slices + s: `difference` (and, for bit-serial reads with read
    /// noise, `noiseVariance`) for the exact integer kernel; empty when products run in float.
    let packedDifference: [PackedInt8Matrix]
    let packedVariance: [PackedInt8Matrix]
    /// True when reads multiply integer DAC codes by `packedDifference` (see `PackedInt8Matrix`).
    public var integerProducts: Bool { !packedDifference.isEmpty }

    /// Programs `weight` (inputs x outputs) as chip instance `seed`. With `integerProducts` (the
    /// default where the CPU has the fast kernel), reads whose DAC codes fit a byte (bit-serial, or
    /// multi-bit up to 8 bits) multiply the codes by the conductances held as 16-bit codes per
    /// column (`PackedInt8Matrix`); otherwise they run as float products.
    public init(weight: Matrix, hardware d: HardwareDescription, seed: UInt64,
                integerProducts: Bool = PackedInt8Matrix.available) throws {
        // One scale for the layer: the largest |w| maps to the largest code.
        let limit = Float(CrossbarLayer.codeLimit(d))
        let wMax = weight.storage.map { abs($0) }.max() ?? 0
        let scale = wMax > 0 ? wMax / limit : 1
        let codes = weight.storage.map { Int32(($0 / scale).rounded()) }
        try self.init(codes: codes, inputs: weight.rows, outputs: weight.cols,
                      columnScales: [Float](repeating: scale, count: weight.cols), hardware: d, seed: seed,
                      integerProducts: integerProducts)
    }

    /// The largest |weight code|: 2^B - 1 for the differential encoding (|q| on one cell of a
    /// pair), 2^(B-1) - 1 for the offset encoding (q + 2^(B-1) on one cell), B = weightBits.
    public static func codeLimit(_ d: HardwareDescription) -> Int {
        let b = d.integer("crossbar.weightBits")
        return d.choice("crossbar.weightEncoding") == "differential" ? (1 << b) - 1 : (1 << (b - 1)) - 1
    }

    /// Programs integer weight codes (inputs x outputs, row-major, within +-codeLimit) with a
    /// scale per output column, as the compiler produces them, as chip instance `seed`.
    public init(codes: [Int32], inputs: Int, outputs: Int, columnScales: [Float], hardware d: HardwareDescription,
                seed: UInt64, signedInputs: Bool = true, integerProducts: Bool = PackedInt8Matrix.available) throws {
        precondition(codes.count == inputs * outputs && columnScales.count == outputs)
        let limit = CrossbarLayer.codeLimit(d)
        if let bad = codes.firstIndex(where: { abs(Int($0)) > limit }) {
            throw InputError.data(file: d.name, field: "codes[\(bad)]", "expected a weight code in -\(limit)...\(limit), got \(codes[bad])")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.columnScales = columnScales
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
        let weightAtTopCode = (columnScales.max() ?? 1) * Float(limit)
        unitCurrentScale = d.choice("crossbar.adc.rangeReference") == "unit-weight" && weightAtTopCode > 0 ? 1 / weightAtTopCode : 1
        adcNoiseCurrent = Float(d.number("noise.adcInputNoiseUnitCurrents") * device.gMax) * unitCurrentScale
        accumulatorBits = d.integer("chip.accumulatorBits")
        self.signedInputs = signedInputs
        let levels = Double((1 << bitsPerCell) - 1)
        let stepD = (device.gMax - device.gMin) / levels
        step = Float(stepD)
        // Differential: codes 0...2^B - 1 of |w|. Offset: signed codes -(2^(B-1) - 1)...2^(B-1) - 1
        // stored as unsigned u = q + 2^(B-1); the reference column holds 2^(B-1).
        let offsetCode = Double(1 << (weightBits - 1))

        let rng = SeededRandom(seed: seed)
        let compensates = d.flag("noise.drift.globalCompensation")
        let probes = compensates && d.choice("noise.drift.compensationEstimate") == "probe-read"
        var diffs = [Matrix](), vars = [Matrix](), programmedDiffs = [Matrix]()
        var sumProgrammed = 0.0, sumNow = 0.0
        var rowG = [Double](repeating: 0, count: inputs)
        let base = Double(1 << bitsPerCell)
        for s in 0..<slices {
            var diff = Matrix(rows: inputs, cols: columns)
            var programmedDiff = Matrix(rows: probes ? inputs : 0, cols: probes ? columns : 0)
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
                    rowG[r] += reference[r].atInference
                    diff[r, outputs] = Float(reference[r].atInference)
                    if probes { programmedDiff[r, outputs] = Float(reference[r].programmed) }
                    v[r, outputs] = readSigma * readSigma * Float(reference[r].atInference * reference[r].atInference)
                }
            }
            for r in 0..<inputs {
                for o in 0..<outputs {
                    let q = Double(codes[r * outputs + o])
                    if differential {
                        let hi = level(abs(q))
                        let (pPos, nPos) = device.programAndDrift(q >= 0 ? hi : device.gMin, rng: &sliceRNG)
                        let (pNeg, nNeg) = device.programAndDrift(q >= 0 ? device.gMin : hi, rng: &sliceRNG)
                        rowG[r] += nPos + nNeg
                        diff[r, o] = Float(nPos - nNeg)
                        if probes { programmedDiff[r, o] = Float(pPos - pNeg) }
                        v[r, o] = readSigma * readSigma * Float(nPos * nPos + nNeg * nNeg)
                        sumProgrammed += abs(pPos - pNeg)
                        sumNow += abs(nPos - nNeg)
                    } else {
                        let (pg, ng) = device.programAndDrift(level(q + offsetCode), rng: &sliceRNG)
                        rowG[r] += ng
                        diff[r, o] = Float(ng)
                        if probes { programmedDiff[r, o] = Float(pg) }
                        v[r, o] = readSigma * readSigma * Float(ng * ng)
                        sumProgrammed += abs(pg - reference[r].programmed)
                        sumNow += abs(ng - reference[r].atInference)
                    }
                }
            }
            diffs.append(diff)
            vars.append(v)
            if probes { programmedDiffs.append(programmedDiff) }
        }
        difference = diffs
        noiseVariance = vars
        rowConductance = rowG.map { Float($0) }
        var packedD = [PackedInt8Matrix](), packedV = [PackedInt8Matrix]()
        if integerProducts && (bitSerial || inputBits <= 8) {
            var start = 0
            while start < inputs {
                let rows = start..<min(inputs, start + rowsPerRead)
                for s in 0..<slices {
                    packedD.append(PackedInt8Matrix(diffs[s].rows(rows)))
                    if bitSerial && readSigma > 0 { packedV.append(PackedInt8Matrix(vars[s].rows(rows))) }
                }
                start = rows.upperBound
            }
        }
        packedDifference = packedD
        packedVariance = packedV
        if probes {
            // The same probe reads before and after drift, each with its own noise draws.
            let geometry = DriftCompensation.ProbeGeometry(
                outputs: outputs, differential: differential, adcBits: adcBits, range: fullScaleRange(rows: 1),
                noiseCurrent: adcNoiseCurrent, bitsPerCell: bitsPerCell, bitSerial: bitSerial, inputBits: inputBits,
                attenuation: 1 - irDrop / Float(arrayRows))
            var probeRNG = rng.split(0x5052_4F42)  // "PROB"
            let before = DriftCompensation.probeReadout(difference: programmedDiffs, variance: vars, layer: geometry, rng: &probeRNG)
            let now = DriftCompensation.probeReadout(difference: diffs, variance: vars, layer: geometry, rng: &probeRNG)
            // aihwkit clamps each readout at 1e-4 (compensation/drift.py `readout`), in its output units.
            let floor = 1e-4 * Double(device.gMax) / Double(max(weightAtTopCode, .leastNormalMagnitude))
            driftCompensation = Float(max(before, floor) / max(now, floor))
        } else if compensates && sumNow > 0 {
            driftCompensation = Float(sumProgrammed / sumNow)
        }
    }

    /// The ADC's range (+-, in uS x input units) for a read of `rows` rows: `fullScaleUnitCurrents`
    /// cells at Gmax in full-scale mode; until the compiler calibrates ranges (issue 5), the
    /// calibrated modes use the largest possible current, every row at Gmax.
    public func fullScaleRange(rows: Int) -> Float {
        let units = Float(hardware.number("crossbar.adc.fullScaleUnitCurrents"))
        let gMax = Float(hardware.number("crossbar.conductanceMaxMicrosiemens"))
        if hardware.choice("crossbar.adc.rangeMode") == "full-scale" { return units * gMax * unitCurrentScale }
        return Float(rows) * gMax
    }

    /// The ADC's largest code: 2^(bits-1) - 1 for a bipolar converter (2^bits - 2 steps over
    /// +-range, aihwkit's out_res convention), 2^bits - 1 for a unipolar one (0...range).
    @inlinable public static func maxCode(bits: Int, unipolar: Bool) -> Float {
        Float(unipolar ? (1 << bits) - 1 : (1 << (bits - 1)) - 1)
    }

    /// The ADC's code for an input already in LSB units: clipped to the converter's codes, then
    /// rounded to the nearest integer (ties to even). Monotone. `forward` converts every reading
    /// through this.
    @inlinable public static func code(_ inLSB: Float, bits: Int, unipolar: Bool) -> Float {
        let top = maxCode(bits: bits, unipolar: unipolar)
        return code(inLSB, low: unipolar ? 0 : -top, top: top)
    }

    /// `code(_:bits:unipolar:)` with the converter's lowest and highest codes given.
    @inlinable @inline(__always) static func code(_ inLSB: Float, low: Float, top: Float) -> Float {
        roundToInteger(min(max(inLSB, low), top))
    }

    /// Round to nearest, ties to even, for |x| <= 2^22: adding and subtracting 1.5 x 2^23 leaves
    /// no fraction bits (branch-free, so loops over it vectorise).
    @inlinable static func roundToInteger(_ x: Float) -> Float { (x + 12_582_912) - 12_582_912 }

    /// ADC conversion of `current` with range `range` (+-range bipolar, 0...range unipolar):
    /// the code times the LSB.
    @inlinable public static func convert(_ current: Float, range: Float, bits: Int, unipolar: Bool = false) -> Float {
        let lsb = range / maxCode(bits: bits, unipolar: unipolar)
        return code(current / lsb, bits: bits, unipolar: unipolar) * lsb
    }

    var planes: Int { bitSerial ? inputBits : 1 }
    /// Row groups (reads of `rowsPerRead` rows) per input vector.
    public var groupCount: Int { (inputs + rowsPerRead - 1) / rowsPerRead }

    /// Calibrates the ADC ranges on `x` (for the calibrated range modes): the largest noiseless
    /// |current| each read kind and column sees, or per layer the largest over the columns. A
    /// read kind never driven keeps the worst-case range. Full-scale mode ignores calibration.
    public mutating func calibrate(_ x: Matrix) {
        let mode = hardware.choice("crossbar.adc.rangeMode")
        guard mode != "full-scale" else { return }
        var maxima = [Float](repeating: 0, count: groupCount * slices * planes * columns)
        let blocks = (x.rows + CrossbarLayer.blockSamples - 1) / CrossbarLayer.blockSamples
        var rng = SeededRandom(seed: 0)
        let scratch = ReadScratch()
        for b in 0..<blocks {
            let start = b * CrossbarLayer.blockSamples, end = min(x.rows, start + CrossbarLayer.blockSamples)
            var c = ActionCounts()
            let box = Box(maxima)
            var ignored = [Float](repeating: 0, count: (end - start) * outputs)
            ignored.withUnsafeMutableBufferPointer {
                forwardBlock(x.rows(start..<end), rng: &rng, counts: &c, threads: GEMM.defaultThreads,
                             into: $0.baseAddress!, scratch: scratch, maxima: box)
            }
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
    ///
    /// Optionally, per sample and row group, what its reads of that row group did (`activity`,
    /// x.rows x `groupCount`: non-zero input bit-planes, or multi-bit passes, each covering every
    /// slice), for the simulator's task graph.
    public func forward(_ x: Matrix, rng: inout SeededRandom, counts: inout ActionCounts,
                        activity: UnsafeMutablePointer<GroupActivity>? = nil) -> Matrix {
        precondition(x.cols == inputs)
        let streams = SeededRandom(seed: rng.next())
        let accumulator = PartialSumAccumulator(fullScale: accumulatorFullScale(), bits: accumulatorBits)
        let blocks = (x.rows + CrossbarLayer.blockSamples - 1) / CrossbarLayer.blockSamples
        // Blocks run on the worker threads, each with single-threaded products; every block
        // writes its own slots, and counts are added in block order.
        let workers = max(1, min(GEMM.defaultThreads, blocks))
        let results = (0..<blocks).map { _ in Box(ActionCounts()) }
        var out = Matrix(rows: x.rows, cols: outputs)
        out.storage.withUnsafeMutableBufferPointer { op in
            let base = op.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let scratch = ReadScratch()
                var b = w
                while b < blocks {
                    let start = b * CrossbarLayer.blockSamples, end = min(x.rows, start + CrossbarLayer.blockSamples)
                    var blockRNG = streams.split(UInt64(b))
                    var c = ActionCounts()
                    forwardBlock(x.rows(start..<end), rng: &blockRNG, counts: &c, threads: workers > 1 ? 1 : GEMM.defaultThreads,
                                 into: base + start * outputs, scratch: scratch, accumulator: accumulator,
                                 activity: activity.map { $0 + start * groupCount })
                    results[b].value = c
                    b += workers
                }
            }
        }
        for b in 0..<blocks { counts += results[b].value }
        return out
    }

    /// One block of samples. With `maxima`, a calibration pass: no noise and no conversion, only
    /// the largest |current| per read kind and column is recorded.
    ///
    /// The outputs go to `out` (x.rows x outputs, zeroed by the caller); `scratch` holds the
    /// block's working buffers, reused from block to block. Each row tile's partial sums (the
    /// readings of its row groups, before the per-sample input scale) enter `accumulator` when
    /// its last row group is read.
    func forwardBlock(_ x: Matrix, rng: inout SeededRandom, counts: inout ActionCounts, threads: Int,
                      into out: UnsafeMutablePointer<Float>, scratch: ReadScratch, accumulator: PartialSumAccumulator? = nil,
                      maxima: Box<[Float]>? = nil, activity: UnsafeMutablePointer<GroupActivity>? = nil) {
        let batch = x.rows
        let partial = scratch.floats(4, batch * outputs), acc = scratch.doubles(batch * outputs)
        partial.initialize(repeating: 0, count: batch * outputs)
        acc.initialize(repeating: 0, count: batch * outputs)
        let groupsPerTile = max(1, arrayRows / rowsPerRead)
        // Per-sample input scale (abs-max) and integer codes.
        let maxCode = Float((1 << inputBits) - 1)
        var scale = [Float](repeating: 0, count: batch)
        var hasNegative = false
        x.storage.withUnsafeBufferPointer { xp in
            // On bit patterns, so the reductions vectorise: |x| orders like its bits with the sign
            // cleared, and a negative non-zero x has bits above 0x8000_0000.
            var largestBits: UInt32 = 0
            xp.baseAddress!.withMemoryRebound(to: UInt32.self, capacity: x.count) { bp in
                for i in 0..<batch {
                    let row = bp + i * inputs
                    var m: UInt32 = 0
                    for j in 0..<inputs {
                        m = max(m, row[j] & 0x7FFF_FFFF)
                        largestBits = max(largestBits, row[j])
                    }
                    scale[i] = inputScale ?? Float(bitPattern: m)
                }
            }
            hasNegative = largestBits > 0x8000_0000
        }
        let passes: [Float] = hasNegative ? [1, -1] : [1]
        let calibrating = maxima != nil
        var groupStart = 0
        while groupStart < inputs {
            let groupRows = min(rowsPerRead, inputs - groupStart)
            let range = fullScaleRange(rows: groupRows)
            let group = groupStart / rowsPerRead
            let integer = integerProducts
            let gSlices = integer ? [] : difference.map { $0.rows(groupStart..<(groupStart + groupRows)) }
            let floatVariance = readSigma > 0 && !calibrating && !(integer && bitSerial)
            let vSlices = floatVariance ? noiseVariance.map { $0.rows(groupStart..<(groupStart + groupRows)) } : []
            let stride = integer ? packedDifference[group * slices].inputStride : 0
            for sign in passes {
                // Integer codes of this sign's magnitudes, batch x groupRows.
                let codes = scratch.int32s(batch * groupRows)
                x.storage.withUnsafeBufferPointer { xp in
                    for i in 0..<batch {
                        if scale[i] > 0 {
                            CrossbarLayer.dacCodes(xp.baseAddress! + i * inputs + groupStart, count: groupRows,
                                                   gain: sign * maxCode / scale[i], top: maxCode, into: codes + i * groupRows)
                        } else {
                            (codes + i * groupRows).initialize(repeating: 0, count: groupRows)
                        }
                    }
                }
                for p in 0..<planes {
                    // Amplitudes as bytes (integer products) or floats (float products, and the
                    // variance of multi-bit reads), and the active rows of each sample.
                    var amplitude = Matrix(rows: 0, cols: 0)
                    let bytes = scratch.bytes(integer ? batch * stride : 0)
                    var active = [Int](repeating: 0, count: batch)
                    if integer {
                        let shift = Int32(bitSerial ? p : 0), mask: Int32 = bitSerial ? 1 : 0xFF
                        for i in 0..<batch {
                            let c = codes + i * groupRows, b = bytes + i * stride
                            var n = SIMD16<Int32>(), j = 0
                            while j + 16 <= groupRows {
                                let v = (UnsafeRawPointer(c + j).loadUnaligned(as: SIMD16<Int32>.self) &>> shift) & mask
                                UnsafeMutableRawPointer(b + j).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: v), as: SIMD16<UInt8>.self)
                                n &+= v.clamped(lowerBound: .zero, upperBound: .one)  // codes are >= 0
                                j += 16
                            }
                            var count = Int(n.wrappedSum())
                            while j < groupRows {
                                let v = (c[j] &>> shift) & mask
                                b[j] = UInt8(truncatingIfNeeded: v)
                                count += v != 0 ? 1 : 0
                                j += 1
                            }
                            while j < stride { b[j] = 0; j += 1 }  // the kernel reads whole quads
                            active[i] = count
                        }
                    }
                    if !integer || floatVariance {
                        amplitude = Matrix.uninitialized(rows: batch, cols: groupRows)
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
                    }
                    if let ga = activity, !calibrating {
                        // The conductance the driven rows present: amplitude x row conductance.
                        rowConductance.withUnsafeBufferPointer { gp in
                            let g = gp.baseAddress! + groupStart
                            let shift = Int32(bitSerial ? p : 0), amplitude: Float = bitSerial ? 1 : 1 / maxCode
                            for i in 0..<batch where active[i] > 0 {
                                let c = codes + i * groupRows
                                var sum: Float = 0
                                for j in 0..<groupRows { sum += Float(bitSerial ? (c[j] &>> shift) & 1 : c[j]) * g[j] }
                                ga[i * groupCount + group].conductanceMicrosiemens += sum * amplitude
                            }
                        }
                    }
                    let planeWeight: Float = bitSerial ? Float(1 << p) / maxCode : 1
                    let current = scratch.floats(0, batch * columns)
                    let variance = scratch.floats(1, readSigma > 0 ? batch * columns : 0)
                    let readDraws = scratch.floats(2, readSigma > 0 ? batch * columns : 0)
                    let adcDraws = scratch.floats(3, adcNoiseCurrent > 0 ? batch * columns : 0)
                    for s in 0..<slices {
                        if integer {
                            packedDifference[group * slices + s].product(bytes, m: batch, factor: bitSerial ? 1 : 1 / maxCode,
                                                                         into: current, ldo: columns)
                        } else {
                            let y = GEMM.product(amplitude, gSlices[s], threads: threads)
                            y.storage.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: y.count) }
                        }
                        let read = (group * slices + s) * planes + p
                        if let maxima {
                            // Calibration: the largest noiseless |current| per read kind and column.
                            var largest = Array(maxima.value[(read * columns)..<((read + 1) * columns)])
                            for i in 0..<batch where active[i] > 0 {
                                let attenuation = 1 - irDrop * Float(active[i]) / Float(arrayRows)
                                for o in 0..<columns { largest[o] = max(largest[o], abs(current[i * columns + o] * attenuation)) }
                            }
                            maxima.value.replaceSubrange((read * columns)..<((read + 1) * columns), with: largest)
                            continue
                        }
                        // Read noise: the variance of each reading, and one standard normal draw per reading.
                        if readSigma > 0 {
                            if floatVariance {
                                var sq = amplitude
                                for k in 0..<sq.count { sq.storage[k] *= sq.storage[k] }
                                let y = GEMM.product(sq, vSlices[s], threads: threads)
                                y.storage.withUnsafeBufferPointer { variance.update(from: $0.baseAddress!, count: y.count) }
                            } else {
                                // Bit-serial: a bit squared is the bit.
                                packedVariance[group * slices + s].product(bytes, m: batch, factor: 1, into: variance, ldo: columns)
                            }
                            rng.fillGaussian(UnsafeMutableBufferPointer(start: readDraws, count: batch * columns))
                        }
                        if adcNoiseCurrent > 0 {
                            rng.fillGaussian(UnsafeMutableBufferPointer(start: adcDraws, count: batch * columns))
                        }
                        let sliceWeight = Foundation.pow(Float(1 << bitsPerCell), Float(s)) / step
                        // Bipolar ADC for differential currents, unipolar for the offset encoding.
                        let half = CrossbarLayer.maxCode(bits: adcBits, unipolar: !differential)
                        let lsb: [Float] = adcRanges.isEmpty
                            ? [Float](repeating: range / half, count: columns)
                            : adcRanges[(read * columns)..<((read + 1) * columns)].map { $0 / half }
                        var readings = [Float](repeating: 0, count: columns)
                        let conversion = ADCConversion(bits: adcBits, unipolar: !differential, noiseCurrent: adcNoiseCurrent,
                                                       columns: columns, outputs: outputs)
                        lsb.withUnsafeBufferPointer { lp in
                            readings.withUnsafeMutableBufferPointer { gp in
                                for i in 0..<batch {
                                    counts.reads += 1
                                    if active[i] == 0 { continue }  // an all-zero plane is not converted
                                    counts.rowActivations += active[i]
                                    counts.cellReads += active[i] * (differential ? 2 * outputs : columns)
                                    counts.adcConversions += columns
                                    counts.shiftAdds += outputs
                                    if s == 0, let ga = activity {
                                        ga[i * groupCount + group].reads += 1
                                        ga[i * groupCount + group].rowActivations += Int32(active[i])
                                    }
                                    let row = i * columns
                                    conversion.run(
                                        current: current + row,
                                        variance: readSigma > 0 ? variance + row : nil,
                                        readDraws: readSigma > 0 ? readDraws + row : nil,
                                        adcDraws: adcNoiseCurrent > 0 ? adcDraws + row : nil,
                                        attenuation: 1 - irDrop * Float(active[i]) / Float(arrayRows),
                                        lsb: lp.baseAddress!, readings: gp.baseAddress!,
                                        weight: sign * sliceWeight * planeWeight,
                                        into: partial + i * outputs)
                                }
                            }
                        }
                    }
                }
            }
            groupStart += groupRows
            // The row tile's last row group: its partial sums enter the accumulator.
            if let accumulator, !calibrating, (group + 1) % groupsPerTile == 0 || groupStart >= inputs {
                accumulator.add(partial, into: acc, batch: batch)
            }
        }
        guard let accumulator, !calibrating else { return }
        let factors = columnScales.map { $0 * driftCompensation }
        for i in 0..<batch {
            for o in 0..<outputs {
                out[i * outputs + o] = Float(accumulator.value(acc[i * outputs + o], output: o) * Double(scale[i])) * factors[o]
            }
        }
    }

    /// The DAC's codes of one sample's inputs: round(x gain) clipped to 0...top (top <= 2^22:
    /// codes fit 22 bits). Rounds half to even: adding 1.5 x 2^23 leaves the rounded integer in
    /// the low mantissa bits, which keeps the loop free of checked conversions. Per-sample
    /// scaling never exceeds top; a calibrated scale clips larger inputs to it.
    @inline(__always)
    static func dacCodes(_ x: UnsafePointer<Float>, count: Int, gain: Float, top: Float, into codes: UnsafeMutablePointer<Int32>) {
        for j in 0..<count {
            let v = min(max(x[j] * gain, 0), top) + 12_582_912  // bit pattern 0x4B40_0000 + the rounded value
            codes[j] = Int32(bitPattern: v.bitPattern) &- 0x4B40_0000
        }
    }

    /// `packed` times `bytes` (rows x packed.inputStride), as a rows x columns matrix.
    static func integerProduct(_ packed: PackedInt8Matrix, _ bytes: [UInt8], rows: Int, columns: Int,
                               factor: Float) -> Matrix {
        var y = Matrix.uninitialized(rows: rows, cols: columns)
        bytes.withUnsafeBufferPointer { a in
            y.storage.withUnsafeMutableBufferPointer { out in
                packed.product(a.baseAddress!, m: rows, factor: factor, into: out.baseAddress!, ldo: columns)
            }
        }
        return y
    }
}

/// One read's conversion for one sample: per column, the current plus read noise
/// (sqrt(variance) times a standard normal draw), attenuated, in LSB units plus ADC input noise (an absolute current, noiseCurrent / LSB),
/// converted by `CrossbarLayer.code`, back to current; then the shift-add
/// y_o += (reading_o - reference) weight (the reference is the offset encoding's extra column).
struct ADCConversion {
    let bits: Int
    let unipolar: Bool
    /// Input-referred noise sigma, in the currents' units: noiseCurrent / lsb LSB.
    let noiseCurrent: Float
    let columns: Int
    let outputs: Int

    @inline(__always)
    func run(current c: UnsafePointer<Float>, variance v: UnsafePointer<Float>?, readDraws r: UnsafePointer<Float>?,
             adcDraws n: UnsafePointer<Float>?, attenuation: Float, lsb: UnsafePointer<Float>,
             readings: UnsafeMutablePointer<Float>, weight: Float, into y: UnsafeMutablePointer<Float>) {
        // Separate plain loops per case, so that each vectorises.
        if let v, let r {
            for o in 0..<columns { readings[o] = (c[o] + v[o].squareRoot() * r[o]) * attenuation / lsb[o] }
        } else {
            for o in 0..<columns { readings[o] = c[o] * attenuation / lsb[o] }
        }
        if let n {
            for o in 0..<columns { readings[o] += noiseCurrent / lsb[o] * n[o] }
        }
        let top = CrossbarLayer.maxCode(bits: bits, unipolar: unipolar), low: Float = unipolar ? 0 : -top
        let reference = unipolar ? CrossbarLayer.code(readings[outputs], low: low, top: top) * lsb[outputs] : 0
        for o in 0..<outputs {
            y[o] += (CrossbarLayer.code(readings[o], low: low, top: top) * lsb[o] - reference) * weight
        }
    }
}
