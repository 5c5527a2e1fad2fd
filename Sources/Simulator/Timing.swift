import Compiler
import Hardware
import Numerics

/// The task graph of inferences on the hardware units, for the event engine.
///
/// Units (resources, one task at a time): the host link; per layer its buffer (input vector
/// written and read by the column tiles, partial sums written and read), per replica and row tile,
/// the group of column tiles (each with its own ADC bank unless `chip.tilesPerADC` > 1, when
/// neighbouring column tiles take turns on a shared bank); per layer the hub's link and the
/// digital unit; the learning core. One inference: the host sends the input; per pass (FF: one
/// per candidate label) and layer, every row tile reads (a duration that depends on the
/// inference's non-zero bit-planes), the partial sums travel to the hub, the digital unit
/// accumulates and finishes, and the activations travel on; the read-out runs on the core; the
/// result goes back to the host.
///
/// One tile's read of an input vector takes, in cycles,
///
///     reads x columnsPerADC x conversion x share + settle + shift-add      (0 when reads = 0)
///
/// where reads counts the physical reads (row groups x converted bit-planes, each covering every
/// weight slice), share = min(tilesPerADC, column tiles), settle the row drive and settle before
/// the first read (later reads settle while the ADCs convert the previous one), shift-add the
/// last recombination.
struct Timing {
    let config: HardwareConfig
    let cyclesPerNanosecond: Double
    let groupReads: [[[Int32]]]
    let coreLatency: [Double]?
    let coreOccupancy: [Double]?
    let convert: Int64, settle: Int64, shiftAdd: Int64, columnsPerADC: Int64, tilesPerADC: Int
    let inputBytes: Double, accumulatorBytes: Double, networkNsPerByte: Double, bufferNsPerByte: Double, lanes: Double, operationNs: Double
    let groupsPerTile: Int, rowsPerRead: Int
    /// Resource ids.
    var resourceNames: [String] = []
    var resourceLayer: [Int] = []
    var resourceKind: [String] = []
    var tileResource: [[[Int]]] = []  // [layer][replica][row tile]
    var linkResource: [Int] = [], digitalResource: [Int] = [], bufferResource: [Int] = []
    var coreResource = -1
    let hostResource = 0

    init(config: HardwareConfig, hardware h: HardwareDescription, groupReads: [[[Int32]]], coreLatency: [Double]?, coreOccupancy: [Double]?) {
        self.config = config
        cyclesPerNanosecond = h.number("technology.clockGigahertz")
        self.groupReads = groupReads
        self.coreLatency = coreLatency
        self.coreOccupancy = coreOccupancy
        func cycles(_ ns: Double) -> Int64 { Int64((ns * h.number("technology.clockGigahertz")).rounded(.up)) }
        convert = cycles(h.number("crossbar.adc.conversionNanoseconds"))
        settle = cycles(h.number("timing.rowDriveSettleNanoseconds"))
        shiftAdd = cycles(h.number("timing.shiftAddNanoseconds"))
        columnsPerADC = Int64(h.integer("crossbar.adc.columnsPerADC"))
        tilesPerADC = h.integer("chip.tilesPerADC")
        inputBytes = Double((h.integer("crossbar.dac.inputBits") + 7) / 8)
        accumulatorBytes = Double((h.integer("chip.accumulatorBits") + 7) / 8)
        networkNsPerByte = h.number("timing.networkNanosecondsPerByte")
        bufferNsPerByte = h.number("timing.bufferNanosecondsPerByte")
        lanes = Double(h.integer("chip.digitalLanes"))
        operationNs = h.number("timing.normalizationOperationNanoseconds")
        rowsPerRead = h.integer("crossbar.rowsPerRead")
        groupsPerTile = h.integer("crossbar.rows") / rowsPerRead
        func add(_ name: String, _ layer: Int, _ kind: String) -> Int {
            resourceNames.append(name); resourceLayer.append(layer); resourceKind.append(kind)
            return resourceNames.count - 1
        }
        _ = add("host link", -1, "host")
        for layer in config.layers {
            var replicas = [[Int]]()
            for k in 0..<layer.duplication {
                replicas.append((0..<layer.rowTiles).map { r in
                    add("layer \(layer.index) row tile \(r)" + (layer.duplication > 1 ? " replica \(k)" : "") + " (\(layer.columnTiles) tiles)", layer.index, "tiles")
                })
            }
            tileResource.append(replicas)
            bufferResource.append(add("layer \(layer.index) buffer", layer.index, "buffer"))
            linkResource.append(add("layer \(layer.index) hub link", layer.index, "link"))
            digitalResource.append(add("layer \(layer.index) digital unit", layer.index, "digital"))
        }
        if config.learningCore != nil { coreResource = add("learning core", config.layers.count, "core") }
    }

    func cycles(_ ns: Double) -> Int64 { Int64((ns * cyclesPerNanosecond).rounded(.up)) }

    func engine() -> EventEngine { EventEngine(resources: resourceNames.count) }

    /// Cycles of one tile's read for `reads` physical reads, with `columnTiles` neighbours.
    func tileCycles(reads: Int64, columnTiles: Int) -> Int64 {
        reads > 0 ? reads * columnsPerADC * convert * Int64(min(tilesPerADC, columnTiles)) + settle + shiftAdd : 0
    }

    /// Adds inference i's tasks; returns its last task.
    @discardableResult
    func addInference(_ i: Int, to e: inout EventEngine) -> Int {
        let layers = config.layers
        let input = e.add("input", resource: hostResource, duration: cycles(Double(config.model.inputSize) * networkNsPerByte), sample: i)
        var ends = [Int]()
        var readoutDone = [Int]()
        for pass in 0..<groupReads.count {
            var previous = input
            for layer in layers {
                let l = layer.index
                let replica = i % layer.duplication
                // The layer's input buffer: the vector written once, read by every column tile.
                previous = e.add("layer \(l) input buffer", resource: bufferResource[l],
                                 duration: cycles(Double(layer.inputs) * inputBytes * Double(1 + layer.columnTiles) * bufferNsPerByte),
                                 sample: i, after: [previous])
                let perSample = (layer.inputs + rowsPerRead - 1) / rowsPerRead
                var reads = [Int]()
                for r in 0..<layer.rowTiles {
                    var n: Int64 = 0
                    let first = r * groupsPerTile, last = min(perSample, first + groupsPerTile)
                    if first < last { for g in first..<last { n += Int64(groupReads[pass][l][i * perSample + g]) } }
                    reads.append(e.add("layer \(l) row tile \(r) reads", resource: tileResource[l][replica][r],
                                       duration: tileCycles(reads: n, columnTiles: layer.columnTiles), sample: i, after: [previous]))
                }
                let gather = e.add("layer \(l) partial sums to hub", resource: linkResource[l],
                                   duration: cycles(Double(layer.outputs * layer.rowTiles) * accumulatorBytes * networkNsPerByte), sample: i, after: reads)
                let partials = e.add("layer \(l) partial sums buffered", resource: bufferResource[l],
                                     duration: cycles(Double(layer.outputs * layer.rowTiles) * accumulatorBytes * 2 * bufferNsPerByte),
                                     sample: i, after: [gather])
                let costs = Double(layer.outputs * layer.rowTiles) + layer.finishOperations
                let digital = e.add("layer \(l) accumulate and finish", resource: digitalResource[l],
                                    duration: cycles((costs / lanes).rounded(.up) * operationNs), sample: i, after: [partials])
                if config.model.algorithm == "hff", layer.readoutGroup != nil { readoutDone.append(digital) }
                if l + 1 < layers.count {
                    previous = e.add("layer \(l) activations to layer \(l + 1)", resource: linkResource[l],
                                     duration: cycles(Double(layer.outputs) * inputBytes * networkNsPerByte), sample: i, after: [digital])
                } else {
                    previous = digital
                }
            }
            ends.append(previous)
        }
        var final = ends
        if coreResource >= 0, let latency = coreLatency, let occupancy = coreOccupancy {
            // The core is held for its busiest unit's busy time; the rest of the read-out's
            // latency (event injection, links, other cores) overlaps the next sample.
            let busy = cycles(occupancy[i])
            let held = e.add("read-out on the learning core", resource: coreResource, duration: busy, sample: i, after: readoutDone)
            final = [e.add("read-out drain", resource: -1, duration: max(0, cycles(latency[i]) - busy), sample: i, after: [held])]
        }
        return e.add("result to host", resource: hostResource, duration: cycles(4 * networkNsPerByte), sample: i, after: final)
    }
}
