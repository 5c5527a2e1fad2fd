import Foundation
import Hardware
import HFF
import Numerics

/// Choices of `hffsim map` beyond the hardware description.
public struct MapOptions: Codable, Equatable, Sendable {
    public enum WeightScale: String, Codable, Sendable, CaseIterable { case perLayer = "per-layer", perColumn = "per-column" }
    /// One weight scale per layer or per output column (a digital multiply per column).
    public var weightScale: WeightScale = .perLayer
    /// |w| above this percentile of the layer's (or column's) |w| clips to the largest code.
    public var clipPercentile: Double = 100
    /// Training samples the ADC ranges are calibrated on (calibrated range modes); 0: worst case.
    public var calibrationSamples: Int = 256
    /// Calibrated ranges are the calibration set's largest currents times (1 + headroom), so that
    /// inputs a little beyond the calibration set do not clip (at the cost of resolution); nil:
    /// the hardware's `crossbar.adc.calibrationHeadroom`.
    public var adcHeadroom: Double? = nil
    /// What each layer's DAC scale and ADC ranges are calibrated on (nil: `.float`).
    public var calibrationInputs: CalibrationInputs? = nil
    /// The activations a layer is calibrated on: the float model's (`float`), or the ones the
    /// noiseless programmed chip itself hands each layer (`chip`: layer l is calibrated on what
    /// layers 0..<l produce through their DACs, cells and calibrated ADCs, as an on-chip
    /// calibration pass sees them, and as hardware-aware training calibrates every batch).
    public enum CalibrationInputs: String, Codable, Sendable, CaseIterable { case float, chip }
    /// Copies of each layer's tiles (to balance a layer pipeline); empty: one each.
    public var duplication: [Int] = []

    public init() {}
}

/// A crossbar tile: one array holding rows `rows` and outputs `outputs` of a layer's weights
/// (every weight slice, and both columns of a differential pair), at a mesh site.
public struct TileMapping: Codable, Equatable, Sendable {
    public var id: Int
    public var layer: Int
    public var replica: Int
    public var rowTile: Int
    public var columnTile: Int
    /// Input rows [lower, upper) and output columns [lower, upper) of the layer's weight matrix.
    public var rows: [Int]
    public var outputs: [Int]
    /// Physical columns used: outputs x slices (x 2 for differential pairs), plus the reference
    /// columns of the offset encoding.
    public var physicalColumns: Int
    public var site: Int
    public var x: Int
    public var y: Int
    /// Mesh links to the layer's hub (its first tile's site), where row-tile partial sums meet
    /// (0 on the H-tree, which has no routers: `Floorplan`).
    public var hopsToHub: Int
}

/// What the tiling and the schedule need to know of a layer: a lowered layer has it, and so does
/// the mapping written in a config (so a loaded config's structure can be recomputed).
public protocol LayerShape {
    var role: LoweredLayer.Role { get }
    var inputs: Int { get }
    var outputs: Int { get }
    var inputScaling: LoweredLayer.InputScaling { get }
    var normalizeOutput: Bool { get }
    var signedInput: Bool { get }
    /// A conv layer's geometry (nil: dense).
    var conv: ConvShape? { get }
}

extension LoweredLayer: LayerShape {
    public var conv: ConvShape? { convolution.map { ConvShape($0.geometry, scoring: $0.scoring) } }
}

/// How one lowered layer sits on the tiles.
public struct LayerMapping: Codable, Equatable, Sendable, LayerShape {
    public var index: Int
    public var role: LoweredLayer.Role
    public var inputs: Int
    public var outputs: Int
    public var inputScaling: LoweredLayer.InputScaling
    public var normalizeOutput: Bool
    public var signedInput: Bool
    /// Index of the read-out group this layer's output feeds, if any.
    public var readoutGroup: Int?
    public var rowTiles: Int
    public var columnTiles: Int
    public var outputsPerColumnTile: Int
    public var slices: Int
    public var physicalColumnsPerOutput: Int
    public var duplication: Int
    public var tiles: [Int]
    /// Row-tile partial sums per output, added digitally at `chip.accumulatorBits`.
    public var partialSumsPerOutput: Int
    public var accumulatorBits: Int
    /// Cells holding weights over the cells of the layer's tiles.
    public var utilization: Double
    /// The hub's site and the links from it to the next layer's tiles (its inputs' fan-out).
    public var hubSite: Int
    public var hopsToNextLayer: Int
    /// Weight quantisation: the largest code and the clipping percentile used.
    public var codeLimit: Int
    public var clippedWeights: Int
    /// A conv layer: its geometry. Its `inputs` are a patch (the crossbar rows), every output
    /// position one read of its tiles; its replicas (`duplication`) take output rows in turn
    /// (row oy on replica oy mod count), trading tiles for positions read in parallel.
    public var conv: ConvShape? = nil

    /// Values per sample the layer hands on (a conv layer's pooled map).
    public var outputValues: Int { conv?.output.count ?? outputs }
    /// Products per sample: output positions for a conv layer, 1 for a dense one.
    public var positions: Int { conv?.positions ?? 1 }
}

/// The resource report.
public struct Resources: Codable, Equatable, Sendable {
    public var tiles: Int
    public var arrays: Int
    public var adcs: Int
    public var dacs: Int
    public var tileSites: Int
    public var learningCores: Int
    public var learningCoreNeurons: Int
    public var learningCoresAvailable: Int
    /// Weight cells over the cells of the tiles used.
    public var utilization: Double
    /// Tiles over tile sites.
    public var siteUtilization: Double
    public var weightCells: Int
    public var hopsPerInference: Int
    /// nil where the preset gives no areas.
    public var areaSquareMillimeters: Double?
}

/// The compiler: a model and a hardware description to a hardware config.
public enum Mapper {
    /// Maps `model` (read from `modelPath`) onto `hardware`; `calibration` holds raw training
    /// samples (rows) for the ADC ranges. Throws a named error when the model does not fit.
    public static func map(model: Model, modelPath: String, modelDigest: String, hardware: HardwareDescription,
                           options: MapOptions, calibration: Matrix) throws -> HardwareConfig {
        if let why = LoweredModel.refusal(model) { throw InputError(.usage, "\(modelPath): " + why) }
        let lowered = LoweredModel(model)
        let structure = try plan(lowered: lowered, hardware: hardware, options: options)
        // Quantised weights, per layer.
        var tensors = ConfigTensors()
        let limit = CrossbarLayer.codeLimit(hardware)
        var layers = structure.layers
        for (l, layer) in lowered.layers.enumerated() {
            let (codes, scales, clipped) = quantize(layer.weight, limit: limit, options: options)
            layers[l].clippedWeights = clipped
            tensors.layers.append(.init(codes: codes, columnScales: scales, bias: layer.bias, offset: layer.offset, adcRanges: []))
        }
        // ADC ranges on the noiseless programmed layers, layer by layer on float activations, and
        // the DAC's fixed input scales (the largest |input| of each layer), when calibrated.
        let mode = hardware.choice("crossbar.adc.rangeMode")
        let calibratesDAC = HardwareModel(hardware).dac.inputScaling == .calibrated
        if calibratesDAC && (options.calibrationSamples == 0 || calibration.rows == 0) {
            throw InputError.usage(flag: "--calibration-samples", "crossbar.dac.inputScaling calibrated needs calibration samples (at least 1)")
        }
        if (mode != "full-scale" || calibratesDAC) && options.calibrationSamples > 0 && calibration.rows > 0 {
            let noiseless = try hardware.overriding([
                "noise.programming.model=none", "noise.readRelative=0", "noise.drift.model=none", "noise.stuckAtOnRate=0",
                "noise.stuckAtOffRate=0", "noise.deviceVariationRelative=0", "noise.adcInputNoiseUnitCurrents=0",
            ])
            var x = calibration.rows(0..<min(calibration.rows, options.calibrationSamples))
            if lowered.algorithm == .ff {
                // Every candidate label's variant of each sample: the inputs the K passes present.
                var stacked = Matrix(rows: x.rows * lowered.classCount, cols: x.cols)
                for k in 0..<lowered.classCount {
                    let v = lowered.variant(x, label: k)
                    for i in 0..<x.rows { for j in 0..<x.cols { stacked[k * x.rows + i, j] = v[i, j] } }
                }
                x = stacked
            }
            let factor = Float(1 + (options.adcHeadroom ?? hardware.number("crossbar.adc.calibrationHeadroom")))
            let calibrate = options.calibrationInputs == .chip ? calibrateOnChip : calibrateOnFloat
            let ranges = try calibrate(lowered, &tensors, noiseless, x, calibratesDAC, factor, hardware.name)
            for l in lowered.layers.indices { tensors.layers[l].adcRanges = ranges[l] }
        }
        // The read-out's levels on the learning core.
        if let placement = structure.corePlacement {
            let (levels, units) = LearningCore.quantize(prototypes: lowered.prototypes, placement: placement,
                                                        parameters: CoreParameters(hardware))
            tensors.readoutLevels = levels
            tensors.readoutUnits = units
        }
        let info = ModelInfo(model, lowered: lowered, file: modelPath, sha256: modelDigest)
        var config = HardwareConfig(model: info, hardware: hardware, options: options, layers: layers, tiles: structure.tiles,
                                    learningCore: structure.core, taskGraph: structure.taskGraph, resources: structure.resources,
                                    tensors: tensors)
        config.summary = config.makeSummary()
        return config
    }

    /// The largest |input| of a layer: the DAC's fixed scale (1 for an all-zero input, which
    /// any positive scale codes as zeros).
    static func inputScale(of x: Matrix) -> Float {
        let largest = x.storage.reduce(Float(0)) { max($0, abs($1)) }
        return largest > 0 ? largest : 1
    }

    /// Float calibration: each layer's crossbar rows in float (a conv layer's patches), then the
    /// layers calibrate side by side on noiseless instances. Returns each layer's ADC ranges
    /// times `factor` (1 + headroom); sets the DAC scales when `calibratesDAC`.
    static func calibrateOnFloat(_ lowered: LoweredModel, _ tensors: inout ConfigTensors, _ hardware: HardwareDescription,
                                 _ x: Matrix, _ calibratesDAC: Bool, _ factor: Float, _ file: String) throws -> [[Float]] {
        var x = x, layerInputs = [Matrix]()
        for (l, layer) in lowered.layers.enumerated() {
            x = lowered.apply(layer: l, input: x) { rows in
                layerInputs.append(rows)
                return GEMM.product(rows, layer.weight)
            }.next
        }
        if calibratesDAC { for l in lowered.layers.indices { tensors.layers[l].inputScale = inputScale(of: layerInputs[l]) } }
        let ranges = lowered.layers.map { _ in Box<Result<[Float], Error>>(.success([])) }
        let codes = tensors.layers
        DispatchQueue.concurrentPerform(iterations: lowered.layers.count) { l in
            let layer = lowered.layers[l]
            ranges[l].value = Result {
                var crossbar = try CrossbarLayer(codes: codes[l].codes, inputs: layer.inputs, outputs: layer.outputs,
                                                 columnScales: codes[l].columnScales, hardware: hardware, seed: 0)
                if let s = codes[l].inputScale { try crossbar.setInputScale(s, file: file) }
                crossbar.calibrate(layerInputs[l])
                return crossbar.adcRanges.map { $0 * factor }
            }
        }
        return try ranges.map { try $0.value.get() }
    }

    /// Chip calibration, layer by layer: layer l's DAC scale and ADC ranges come from the rows the
    /// noiseless chip's layers below produced (through their calibrated DACs and ADCs); then layer
    /// l's own noiseless forward pass, with those ranges, makes the next layer's rows.
    static func calibrateOnChip(_ lowered: LoweredModel, _ tensors: inout ConfigTensors, _ hardware: HardwareDescription,
                                _ x: Matrix, _ calibratesDAC: Bool, _ factor: Float, _ file: String) throws -> [[Float]] {
        var x = x, ranges = [[Float]]()
        for (l, layer) in lowered.layers.enumerated() {
            var failure: Error?
            let codes = tensors.layers[l]
            var scale: Float?
            x = lowered.apply(layer: l, input: x) { rows in
                do {
                    var crossbar = try CrossbarLayer(codes: codes.codes, inputs: layer.inputs, outputs: layer.outputs,
                                                     columnScales: codes.columnScales, hardware: hardware, seed: 0,
                                                     signedInputs: layer.signedInput)
                    if calibratesDAC {
                        let s = inputScale(of: rows)
                        try crossbar.setInputScale(s, file: file)
                        scale = s
                    }
                    crossbar.calibrate(rows)
                    ranges.append(crossbar.adcRanges.map { $0 * factor })
                    try crossbar.setADCRanges(ranges[l], file: file)
                    var rng = SeededRandom(seed: 0), counts = ActionCounts()
                    return crossbar.forward(rows, rng: &rng, counts: &counts)
                } catch {
                    failure = error
                    return Matrix(rows: rows.rows, cols: layer.outputs)
                }
            }.next
            if let failure { throw failure }
            if let scale { tensors.layers[l].inputScale = scale }
        }
        return ranges
    }

    /// Codes q = round(w / s) clipped to +-limit, with s per layer or per column from the
    /// clipping percentile of |w|; returns the number of weights clipped.
    public static func quantize(_ w: Matrix, limit: Int, options: MapOptions) -> (codes: [Int32], scales: [Float], clipped: Int) {
        func percentile(_ values: [Float]) -> Float {
            guard !values.isEmpty else { return 0 }
            if options.clipPercentile >= 100 { return values.max() ?? 0 }
            let sorted = values.sorted()
            let rank = Int((options.clipPercentile / 100 * Double(sorted.count - 1)).rounded())
            return sorted[max(0, min(sorted.count - 1, rank))]
        }
        var scales = [Float](repeating: 1, count: w.cols)
        switch options.weightScale {
        case .perLayer:
            let top = percentile(w.storage.map { abs($0) })
            scales = [Float](repeating: top > 0 ? top / Float(limit) : 1, count: w.cols)
        case .perColumn:
            for j in 0..<w.cols {
                let top = percentile((0..<w.rows).map { abs(w[$0, j]) })
                scales[j] = top > 0 ? top / Float(limit) : 1
            }
        }
        var codes = [Int32](repeating: 0, count: w.count)
        var clipped = 0
        let l = Float(limit)
        for i in 0..<w.rows {
            for j in 0..<w.cols {
                let q = (w[i, j] / scales[j]).rounded()
                if abs(q) > l { clipped += 1 }
                codes[i * w.cols + j] = Int32(max(-l, min(l, q)))
            }
        }
        return (codes, scales, clipped)
    }

    /// The structure of a mapping (tiles, placement, schedule, resources): a function of the
    /// layer shapes, the hardware and the options only, so a loaded config can be checked
    /// against it.
    public struct Plan: Sendable {
        public var layers: [LayerMapping]
        public var tiles: [TileMapping]
        public var corePlacement: CorePlacement?
        public var core: CoreMapping?
        public var taskGraph: TaskGraph
        public var resources: Resources
    }

    public static func plan(lowered: LoweredModel, hardware d: HardwareDescription, options: MapOptions) throws -> Plan {
        return try plan(shapes: lowered.layers, readoutLayers: lowered.readoutLayers, groups: lowered.coreGroups, algorithm: lowered.algorithm,
                        passes: lowered.passes, classCount: lowered.classCount, hardware: d, options: options)
    }

    public static func plan<Shape: LayerShape>(shapes: [Shape], readoutLayers: [Int], groups: [CorePlacement.Group], algorithm: Algorithm,
                            passes: Int, classCount: Int, hardware d: HardwareDescription, options: MapOptions) throws -> Plan {
        let h = HardwareModel(d)
        let rows = h.array.rows, columns = h.array.columns
        let slices = h.array.weightSlices
        let differential = h.array.weightEncoding == .differential
        let perOutput = slices * (differential ? 2 : 1)
        // Offset encoding: each array keeps one reference column per slice.
        let usable = columns - (differential ? 0 : slices)
        let outputsPerTile = usable / perOutput
        guard outputsPerTile >= 1 else {
            throw InputError.data(file: d.origin, field: "crossbar.columns",
                                  "\(columns) columns hold no weight column of \(perOutput) cells (\(slices) slices\(differential ? " x 2 for the differential pair" : " plus reference columns"))")
        }
        if !options.duplication.isEmpty && options.duplication.count != shapes.count {
            throw InputError.usage(flag: "--duplicate", "expected \(shapes.count) counts (one per crossbar layer), got \(options.duplication.count)")
        }
        let duplication = options.duplication.isEmpty ? [Int](repeating: 1, count: shapes.count) : options.duplication
        // Tiles, layer by layer, placed along a serpentine path over the mesh so that each
        // layer's tiles sit next to the previous layer's.
        let sites = h.chip.tileSites, width = h.chip.tileSitesPerRow
        var needed = 0
        for (l, s) in shapes.enumerated() {
            needed += ((s.inputs + rows - 1) / rows) * ((s.outputs + outputsPerTile - 1) / outputsPerTile) * duplication[l]
        }
        if needed > sites {
            let side = Int(Double(needed).squareRoot().rounded(.up))
            throw InputError(.doesNotFit, "\(d.origin): chip.tileSites: the model needs \(needed) tiles of \(rows) x \(columns), the hardware has \(sites) tile sites: \(needed - sites) short; --set chip.tileSites=\(needed) (or --set chip.tileSites=\(side * side) --set chip.tileSitesPerRow=\(side)) would fit")
        }
        if h.chip.interconnect.isWire && !(h.chip.sitePitchMillimeters > 0) {
            throw InputError.data(file: d.origin, field: "area.tileSquareMillimeters",
                                  "chip.interconnect \(h.chip.interconnect.rawValue) needs the site pitch: a tile area above 0 (its square root is the pitch)")
        }
        let floorplan = Floorplan(h)
        func position(_ site: Int) -> (Int, Int) {
            let y = site / width, x = site % width
            return (y % 2 == 0 ? x : width - 1 - x, y)
        }
        var tiles = [TileMapping]()
        var layers = [LayerMapping]()
        var next = 0
        let weightCellsTotal = shapes.enumerated().reduce(0) { $0 + $1.element.inputs * $1.element.outputs * perOutput * duplication[$1.offset] }
        for (l, s) in shapes.enumerated() {
            let rowTiles = (s.inputs + rows - 1) / rows
            let columnTiles = (s.outputs + outputsPerTile - 1) / outputsPerTile
            var ids = [Int]()
            var hub = (0, 0), hubSite = 0
            // With adder trees, a processing element (the row tiles of one column tile) takes
            // neighbouring sites: column-tile-major order.
            let peMajor = h.chip.partialSumReduction == .adderTree
            let (outer, inner) = peMajor ? (columnTiles, rowTiles) : (rowTiles, columnTiles)
            for replica in 0..<duplication[l] {
                for o in 0..<outer {
                    for k in 0..<inner {
                        let (r, c) = peMajor ? (k, o) : (o, k)
                        let site = next
                        next += 1
                        let (x, y) = position(site)
                        if ids.isEmpty { hub = (x, y); hubSite = site }
                        let outs = [c * outputsPerTile, min(s.outputs, (c + 1) * outputsPerTile)]
                        tiles.append(TileMapping(id: tiles.count, layer: l, replica: replica, rowTile: r, columnTile: c,
                                                 rows: [r * rows, min(s.inputs, (r + 1) * rows)], outputs: outs,
                                                 physicalColumns: (outs[1] - outs[0]) * perOutput + (differential ? 0 : slices),
                                                 site: site, x: x, y: y, hopsToHub: floorplan.hops(x, y, hub.0, hub.1)))
                        ids.append(tiles.count - 1)
                    }
                }
            }
            let cells = ids.count * rows * columns
            layers.append(LayerMapping(index: l, role: s.role, inputs: s.inputs, outputs: s.outputs, inputScaling: s.inputScaling,
                                       normalizeOutput: s.normalizeOutput, signedInput: s.signedInput,
                                       readoutGroup: readoutLayers.firstIndex(of: l), rowTiles: rowTiles, columnTiles: columnTiles,
                                       outputsPerColumnTile: outputsPerTile, slices: slices, physicalColumnsPerOutput: perOutput,
                                       duplication: duplication[l], tiles: ids, partialSumsPerOutput: rowTiles,
                                       accumulatorBits: h.chip.accumulatorBits,
                                       utilization: Double(s.inputs * s.outputs * perOutput * duplication[l]) / Double(cells),
                                       hubSite: hubSite, hopsToNextLayer: 0, codeLimit: CrossbarLayer.codeLimit(d), clippedWeights: 0,
                                       conv: s.conv?.recomputed))
        }
        // Links from each layer's hub to the next layer's tiles (the inputs' fan-out).
        for l in 0..<max(0, layers.count - 1) {
            let (hx, hy) = position(layers[l].hubSite)
            layers[l].hopsToNextLayer = layers[l + 1].tiles.reduce(0) { $0 + floorplan.hops(tiles[$1].x, tiles[$1].y, hx, hy) }
        }
        // The read-out on the learning cores.
        var corePlacement: CorePlacement?
        var core: CoreMapping?
        if !groups.isEmpty {
            let placement = try CorePlacement.greedy(groups: groups, core: h.learningCore, context: d.origin)
            corePlacement = placement
            core = CoreMapping(placement: placement)
        }
        let adcsPerTile = h.adc.perArray
        let coresUsed = corePlacement.map { Set($0.neurons.map(\.core)).count } ?? 0
        let graph = TaskGraph.build(layers: layers, tiles: tiles, algorithm: algorithm, passes: passes, classCount: classCount,
                                    inputSize: shapes.first?.inputs ?? 0,
                                    cores: corePlacement.map { Array(Set($0.neurons.map(\.core))) } ?? [], hardware: h)
        let tileArea = h.chip.tileSquareMillimeters, coreArea = h.chip.learningCoreSquareMillimeters
        let hops = tiles.reduce(0) { $0 + $1.hopsToHub } + layers.reduce(0) { $0 + $1.hopsToNextLayer } + readoutLayers.count
        let resources = Resources(tiles: tiles.count, arrays: tiles.count, adcs: tiles.count * adcsPerTile, dacs: tiles.count * rows,
                                  tileSites: sites, learningCores: coresUsed, learningCoreNeurons: corePlacement?.neurons.count ?? 0,
                                  learningCoresAvailable: h.learningCore.cores,
                                  utilization: tiles.isEmpty ? 0 : Double(weightCellsTotal) / Double(tiles.count * rows * columns),
                                  siteUtilization: Double(tiles.count) / Double(sites), weightCells: weightCellsTotal,
                                  hopsPerInference: hops,
                                  areaSquareMillimeters: tileArea > 0 || coreArea > 0 ? Double(tiles.count) * tileArea + Double(coresUsed) * coreArea : nil)
        return Plan(layers: layers, tiles: tiles, corePlacement: corePlacement, core: core, taskGraph: graph, resources: resources)
    }
}
