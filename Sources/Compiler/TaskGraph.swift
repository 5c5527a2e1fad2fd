import Hardware
import HFF

/// The task graph of one inference, as the compiler emits it into the config and the simulator
/// executes it: units (hardware with occupancy, one task at a time), and stages, each on one unit
/// (one of `units` per layer replica), with the actions it performs. One builder
/// (`TaskGraph.build`), so the schedule written and the schedule run cannot differ; the config's
/// loader rebuilds it and refuses a hand-edited graph.
///
/// Per inference: the host sends the raw input (`hostInput`) to the first layer's buffer. Per
/// pass (FF: one per candidate label, the label written over the input by `overlay`) and layer:
/// the buffer is written and read by the column tiles (`inputBuffer`: once per row tile when the
/// chip broadcasts, once per column tile when it unicasts), the digital unit finds the input's
/// largest magnitude and scales it for the DAC (`inputScaling`, as the functional model does per
/// sample; no such stage with a calibrated scale), the inputs travel to the tiles (`distribute`),
/// every row tile reads (`tileReads`: its physical reads come from the functional run; each is a
/// settle, the read pulses and conversions of its column-mux steps), with adder trees the
/// processing elements add their row tiles' partial sums (`reduce`), the partial sums travel to
/// the layer's hub (`gather`), are written to and read from its
/// buffer (`partialBuffer`), added and finished by the digital unit (`accumulateFinish`), and
/// the activations travel to the next layer's hub (`activations`). Then the read-out on the
/// learning core (HFF), the goodness sums and argmax (FF) or the head's argmax (backprop), and the
/// result back to the host (`result`).
public struct TaskGraph: Codable, Equatable, Sendable {
    public enum UnitKind: String, Codable, Sendable { case host, buffer, tiles, adderTree, link, digital, core }

    public struct Unit: Codable, Equatable, Sendable {
        public var name: String
        public var kind: UnitKind
        public var layer: Int?
        /// Tiles the unit holds (a row tile's column tiles) and learning cores it stands for:
        /// what leaks while it is powered.
        public var tiles: Int
        public var cores: Int
    }

    public enum StageKind: String, Codable, Sendable {
        case hostInput, overlay, inputBuffer, inputScaling, distribute, tileReads, reduce, gather, partialBuffer, accumulateFinish, activations
        case readout, goodness, argmax, result
        /// A conv layer's line buffer fetching input rows and reading out windows, and its pooling
        /// and normalisation of the finished map (`addConvLayer`).
        case lineBuffer, pool
    }

    /// Actions a stage performs on every inference regardless of its data (bytes, hops,
    /// operations). A tile read's and the read-out's actions depend on the data and come from
    /// the functional run.
    public struct Actions: Codable, Equatable, Sendable {
        public var bufferReadBytes = 0
        public var bufferWriteBytes = 0
        /// The same traffic in accesses of `chip.bufferAccessBytes`, each transfer rounded up to
        /// whole accesses: what buffer energy and time follow.
        public var bufferReadAccesses = 0
        public var bufferWriteAccesses = 0
        /// Bytes through the unit's port, their sum of bytes x hops, and the farthest hops (mesh);
        /// their sum of bits x mm of wire, and the longest wire in mm (H-tree): `Floorplan`.
        public var linkBytes = 0
        public var linkByteHops = 0
        public var linkHops = 0
        public var linkBitMillimeters = 0.0
        public var linkMillimeters = 0.0
        public var hostBytes = 0
        /// Row-tile partial sums added, and other digital operations (offset, scale, bias, ReLU,
        /// normalisation, goodness, argmax).
        public var accumulations = 0
        public var operations = 0
        /// Additions in the processing elements' adder trees, and the adder-tree levels the
        /// busiest one takes (its outputs one after another per tree, ceil(log2 rows) levels each).
        public var adderTreeAdds = 0
        public var adderTreeLevels = 0
        /// Bytes into the busiest processing element's adder trees from its other row tiles
        /// (the elements receive in parallel, each on its own wires).
        public var peakPortBytes = 0
        public init() {}
    }

    /// What one physical read of a row tile involves, over its column tiles.
    public struct TileRead: Codable, Equatable, Sendable {
        /// Row groups [lower, upper) of the layer this row tile reads.
        public var groups: [Int]
        /// Weight-holding cells on one row of the row tile (every slice, both cells of a pair).
        public var cellsPerRow: Int
        /// Conversions of one physical read, summed over the column tiles.
        public var conversionsPerRead: Int
        /// Conversions of the busiest ADC in one physical read (its mux steps, times the tiles
        /// sharing its bank): what the read's time follows.
        public var conversionsPerADC: Int
        /// ADCs converting for this row tile (those with at least one used column).
        public var adcs: Int
        /// Shift-adds of one physical read (one per output and slice).
        public var shiftAddsPerRead: Int
        /// Arrays the read drives at once (the row tile's column tiles): each has its own word
        /// lines, drivers and switch matrix.
        public var arrays: Int
    }

    public struct Stage: Codable, Equatable, Sendable {
        public var index: Int
        public var name: String
        public var kind: StageKind
        /// The unit, per replica of the layer (inference i uses replica i mod count).
        public var units: [Int]
        public var layer: Int?
        public var pass: Int?
        public var dependsOn: [Int]
        public var actions: Actions
        public var tileRead: TileRead?
        /// The layer whose buffers this stage takes a place in before it may begin, the layer
        /// whose place it gives back on taking it (the one it came from), and the layer whose
        /// place it gives back when it ends (the last layer's last stage of a pass).
        public var entersLayer: Int? = nil
        public var handsOffLayer: Int? = nil
        public var exitsLayer: Int? = nil
        /// A conv layer's stage for one output row (its positions' reads, sums and finish).
        public var outputRow: Int? = nil
    }

    /// The learning core's units (HFF): its event source, its winner-take-all unit, and per core
    /// of the chip the unit standing for it (-1 when it holds no neuron). The read-out stage
    /// expands, per sample, into the core's events on these units (`CoreProgram`).
    public struct CoreUnits: Codable, Equatable, Sendable {
        public var source: Int
        public var winnerTakeAll: Int
        public var cores: [Int]
    }

    public var units: [Unit]
    public var stages: [Stage]
    public var learningCore: CoreUnits?
    /// Places in each layer replica's buffers (`chip.layerBufferInferences`): inferences, or FF
    /// passes, in a layer at once, times its replicas (`layerPlaces`).
    public var layerBufferInferences: Int
    /// Places of each layer: `layerBufferInferences` per replica (each replica's tiles hold
    /// their own inputs and partial sums).
    /// A conv layer's replicas share one inference's output rows, so they add no places.
    public func layerPlaces(_ layers: [LayerMapping]) -> [Int] {
        layers.map { layerBufferInferences * ($0.conv == nil ? $0.duplication : 1) }
    }
    /// The stage whose end completes an inference.
    public var final: Int { stages.count - 1 }
}

extension TaskGraph {
    /// The graph of `layers` on `tiles`, for `algorithm` with `passes` per inference.
    public static func build(layers: [LayerMapping], tiles: [TileMapping], algorithm: Algorithm, passes: Int, classCount: Int,
                             inputSize: Int, cores usedCores: [Int], hardware h: HardwareModel) -> TaskGraph {
        var b = Builder(layers: layers, tiles: tiles, hardware: h)
        b.addUnits(hff: algorithm == .hff, usedCores: usedCores)
        var a = Actions()
        a.hostBytes = (inputSize * h.chip.hostInputBits + 7) / 8
        let input = b.stage("input from host", .hostInput, [b.host], after: [], a)
        var ends = [Int](), readoutSources = [Int]()
        for pass in 0..<passes {
            var previous = input
            let suffix = passes > 1 ? " (pass \(pass))" : ""
            if algorithm == .ff {
                var o = Actions()
                o.bufferWriteBytes = classCount * h.dac.bytesPerInput
                o.bufferWriteAccesses = h.buffers.accesses(o.bufferWriteBytes)
                previous = b.stage("overlay label \(pass)", .overlay, [b.buffer[0]], layer: 0, pass: pass, after: [input], o)
            }
            for layer in layers {
                previous = layer.conv == nil ? b.addLayer(layer, pass: pass, suffix: suffix, after: previous)
                    : b.addConvLayer(layer, after: previous)
                if layer.readoutGroup != nil && algorithm == .hff { readoutSources.append(previous) }
                if layer.index + 1 < layers.count { previous = b.addActivations(layer, pass: pass, suffix: suffix, after: previous) }
            }
            // The pass leaves the last layer (its place frees) when its last stage ends.
            b.stages[previous].exitsLayer = layers.count - 1
            ends.append(previous)
        }
        let last = layers.count - 1
        let decision: Int
        switch algorithm {
        case .hff:
            decision = b.stage("read-out on the learning core", .readout, [b.coreUnits!.source], after: readoutSources)
        case .ff:
            var o = Actions()
            o.operations = passes * layers.reduce(0) { $0 + 2 * $1.outputs } + passes  // squares and sums per pass, then argmax
            decision = b.stage("goodness and argmax", .goodness, [b.digital[last]], layer: last, after: ends, o)
        case .backprop:
            var o = Actions()
            o.operations = classCount
            decision = b.stage("argmax", .argmax, [b.digital[last]], layer: last, after: ends, o)
        }
        var r = Actions()
        r.hostBytes = h.chip.hostResultBytes
        _ = b.stage("result to host", .result, [b.host], after: [decision], r)
        return TaskGraph(units: b.units, stages: b.stages, learningCore: b.coreUnits, layerBufferInferences: h.chip.layerBufferInferences)
    }

    /// The graph under construction: its units and stages.
    struct Builder {
        let layers: [LayerMapping]
        let tiles: [TileMapping]
        let h: HardwareModel
        let floorplan: Floorplan
        var units = [Unit](), stages = [Stage]()
        var host = -1
        var rowTileUnits = [[[Int]]]()  // [layer][row tile][replica]
        var adderTreeUnits = [[Int]]()  // [layer][replica], empty without adder trees
        var buffer = [Int](), link = [Int](), digital = [Int]()
        var coreUnits: CoreUnits?

        init(layers: [LayerMapping], tiles: [TileMapping], hardware: HardwareModel) {
            self.layers = layers; self.tiles = tiles; h = hardware; floorplan = Floorplan(hardware)
        }

        mutating func unit(_ name: String, _ kind: UnitKind, _ layer: Int?, tiles: Int = 0, cores: Int = 0) -> Int {
            units.append(Unit(name: name, kind: kind, layer: layer, tiles: tiles, cores: cores))
            return units.count - 1
        }

        mutating func stage(_ name: String, _ kind: StageKind, _ u: [Int], layer: Int? = nil, pass: Int? = nil, after deps: [Int],
                            _ actions: Actions = Actions(), tileRead: TileRead? = nil, outputRow: Int? = nil) -> Int {
            stages.append(Stage(index: stages.count, name: name, kind: kind, units: u, layer: layer, pass: pass, dependsOn: deps,
                                actions: actions, tileRead: tileRead, outputRow: outputRow))
            return stages.count - 1
        }

        /// The host link; per layer its row tiles (per replica), buffer, hub link and digital
        /// unit; the learning core's units (HFF).
        mutating func addUnits(hff: Bool, usedCores: [Int]) {
            host = unit("host link", .host, nil)
            for layer in layers {
                rowTileUnits.append((0..<layer.rowTiles).map { r in
                    (0..<layer.duplication).map { k in
                        unit("layer \(layer.index) row tile \(r)" + (layer.duplication > 1 ? " replica \(k)" : "") + " (\(layer.columnTiles) tiles)",
                             .tiles, layer.index, tiles: layer.columnTiles)
                    }
                })
                adderTreeUnits.append(!reducesInAdderTrees(layer) ? [] : (0..<layer.duplication).map { k in
                    unit("layer \(layer.index) adder trees" + (layer.duplication > 1 ? " replica \(k)" : "") + " (\(layer.columnTiles) processing elements)",
                         .adderTree, layer.index)
                })
                buffer.append(unit("layer \(layer.index) buffer", .buffer, layer.index))
                link.append(unit("layer \(layer.index) hub link", .link, layer.index))
                digital.append(unit("layer \(layer.index) digital unit", .digital, layer.index))
            }
            guard hff else { return }
            let source = unit("learning core: event source", .core, nil)
            var cores = [Int](repeating: -1, count: h.learningCore.cores)
            for k in usedCores.sorted() { cores[k] = unit("learning core \(k)", .core, nil, cores: 1) }
            coreUnits = CoreUnits(source: source, winnerTakeAll: unit("learning core: winner-take-all", .core, nil), cores: cores)
        }

        /// One pass through one layer, from its input buffer to its accumulate-and-finish (the
        /// stage returned). The input buffer stage takes a place in the layer and gives back the
        /// pass's place in the layer before.
        mutating func addLayer(_ layer: LayerMapping, pass: Int, suffix: String, after previous: Int) -> Int {
            let l = layer.index, inBytes = h.dac.bytesPerInput, accBytes = h.chip.accumulatorBytes
            let mine = tiles.filter { $0.layer == l && $0.replica == 0 }
            var b = Actions()
            // Layer 0's input is written once (from the host); FF's later passes write only the label.
            b.bufferWriteBytes = l == 0 && pass > 0 ? 0 : layer.inputs * inBytes
            b.bufferWriteAccesses = h.buffers.accesses(b.bufferWriteBytes)
            // Each row tile's slice is read once (broadcast) or once per column tile (unicast).
            let copies = h.chip.inputDelivery == .broadcast ? 1 : layer.columnTiles
            for t in mine where t.columnTile == 0 {
                let slice = (t.rows[1] - t.rows[0]) * inBytes
                b.bufferReadBytes += copies * slice
                b.bufferReadAccesses += copies * h.buffers.accesses(slice)
            }
            let buffered = stage("layer \(l) input buffer" + suffix, .inputBuffer, [buffer[l]], layer: l, pass: pass, after: [previous], b)
            stages[buffered].entersLayer = l
            stages[buffered].handsOffLayer = l > 0 ? l - 1 : nil
            let hub = tiles[layer.tiles[0]]
            let d = h.chip.inputDelivery == .broadcast ? broadcast(mine, from: hub, bytesPerInput: inBytes)
                : links(mine, to: hub) { ($0.rows[1] - $0.rows[0]) * inBytes }
            // The DAC's per-sample abs-max scaling: one compare and one scale per input (none
            // with a calibrated, fixed scale).
            var scaled = buffered
            if h.dac.inputScaling == .perSample {
                var q = Actions()
                q.operations = 2 * layer.inputs
                scaled = stage("layer \(l) input scaling" + suffix, .inputScaling, [digital[l]], layer: l, pass: pass, after: [buffered], q)
            }
            let distributed = stage("layer \(l) inputs to tiles" + suffix, .distribute, [link[l]], layer: l, pass: pass, after: [scaled], d)
            var reads = [Int]()
            for r in 0..<layer.rowTiles {
                reads.append(stage("layer \(l) row tile \(r) reads" + suffix, .tileReads, rowTileUnits[l][r], layer: l, pass: pass,
                                   after: [distributed], tileRead: tileRead(layer, rowTile: r, of: mine)))
            }
            // Partial sums per output reaching the hub: one per row tile, or one reduced by the
            // processing element's adder trees (sent from its first row tile's site).
            var senders = mine, sumsPerOutput = layer.rowTiles, summed = reads
            if reducesInAdderTrees(layer) {
                let roots = mine.filter { $0.rowTile == 0 }
                let t = adderTreeActions(layer, tiles: mine, roots: roots)
                summed = [stage("layer \(l) adder trees" + suffix, .reduce, adderTreeUnits[l], layer: l, pass: pass, after: reads, t)]
                senders = roots
                sumsPerOutput = 1
            }
            let g = links(senders, to: hub) { ($0.outputs[1] - $0.outputs[0]) * accBytes }
            let gathered = stage("layer \(l) partial sums to hub" + suffix, .gather, [link[l]], layer: l, pass: pass, after: summed, g)
            // Partial sums are written as each sender's arrive and read in one stream by the
            // accumulation. Sums that are already final (one per output: a single row tile, or
            // the adder trees added them all) go from the link straight to the digital unit, as
            // NeuroSim's accumulation feeds its activation units: no buffer stage.
            var finished = gathered
            if sumsPerOutput > 1 {
                var p = Actions()
                for t in senders { p.bufferWriteAccesses += h.buffers.accesses((t.outputs[1] - t.outputs[0]) * accBytes) }
                p.bufferWriteBytes = layer.outputs * sumsPerOutput * accBytes
                p.bufferReadBytes = p.bufferWriteBytes
                p.bufferReadAccesses = h.buffers.accesses(p.bufferReadBytes)
                finished = stage("layer \(l) partial sums buffered" + suffix, .partialBuffer, [buffer[l]], layer: l, pass: pass, after: [gathered], p)
            }
            var f = Actions()
            f.accumulations = layer.outputs * (sumsPerOutput - 1)
            f.operations = layer.finishOperations
            return stage("layer \(l) accumulate and finish" + suffix, .accumulateFinish, [digital[l]], layer: l, pass: pass, after: [finished], f)
        }

        /// The layer's activations over the mesh to the next layer's hub.
        mutating func addActivations(_ layer: LayerMapping, pass: Int, suffix: String, after previous: Int) -> Int {
            let l = layer.index
            let n = links([tiles[layers[l].tiles[0]]], to: tiles[layers[l + 1].tiles[0]]) { _ in layer.outputValues * h.dac.bytesPerInput }
            return stage("layer \(l) activations to layer \(l + 1)" + suffix, .activations, [link[l]], layer: l, pass: pass, after: [previous], n)
        }

        /// Whether the layer's row-tile partial sums are added in its processing elements' adder
        /// trees (`chip.partialSumReduction`; a layer of one row tile has nothing to add).
        func reducesInAdderTrees(_ layer: LayerMapping) -> Bool {
            h.chip.partialSumReduction == .adderTree && layer.rowTiles > 1
        }

        /// The actions of a layer's adder trees: (R - 1) x outputs additions, the busiest
        /// element's levels (one tree per ADC of an array, NeuroSim V1.4 ProcessingUnit.cpp:
        /// columns / numColMuxed trees; ceil(log2 R) levels per output), and the other row
        /// tiles' partial sums reaching their element's trees, at its first row tile's site
        /// (`roots`), over the interconnect.
        func adderTreeActions(_ layer: LayerMapping, tiles mine: [TileMapping], roots: [TileMapping]) -> Actions {
            let accBytes = h.chip.accumulatorBytes
            var t = Actions()
            t.adderTreeAdds = layer.outputs * (layer.rowTiles - 1)
            let outputs = roots.map { $0.outputs[1] - $0.outputs[0] }.max() ?? 0
            var levels = 0
            while 1 << levels < layer.rowTiles { levels += 1 }
            t.adderTreeLevels = (outputs + h.adc.perArray - 1) / h.adc.perArray * levels
            for root in roots {
                let members = mine.filter { $0.columnTile == root.columnTile && $0.rowTile > 0 }
                let inner = links(members, to: root) { ($0.outputs[1] - $0.outputs[0]) * accBytes }
                t.linkBytes += inner.linkBytes
                t.linkByteHops += inner.linkByteHops
                t.linkBitMillimeters += inner.linkBitMillimeters
                t.linkHops = max(t.linkHops, inner.linkHops)
                t.linkMillimeters = max(t.linkMillimeters, inner.linkMillimeters)
                t.peakPortBytes = max(t.peakPortBytes, inner.linkBytes)
            }
            return t
        }

        /// The link actions of moving `bytes(t)` between each tile t and the site of `hub`:
        /// bytes through the hub's port, bytes x hops and bits x mm summed, the farthest hops
        /// and the longest wire (`Floorplan`).
        func links(_ senders: [TileMapping], to hub: TileMapping, bytes: (TileMapping) -> Int) -> Actions {
            var a = Actions()
            for t in senders {
                let b = bytes(t)
                let hops = floorplan.hops(t.x, t.y, hub.x, hub.y), mm = floorplan.millimeters(t.x, t.y, hub.x, hub.y)
                a.linkBytes += b
                a.linkByteHops += b * hops
                a.linkHops = max(a.linkHops, hops)
                a.linkBitMillimeters += Double(8 * b) * mm
                a.linkMillimeters = max(a.linkMillimeters, mm)
            }
            return a
        }

        /// The link actions of broadcasting each row tile's slice of the input from `hub` to its
        /// column tiles: the slice passes the hub's port once and each link or wire of its
        /// multicast tree once (`Floorplan.multicast`); the farthest tile sets the delay.
        func broadcast(_ receivers: [TileMapping], from hub: TileMapping, bytesPerInput: Int) -> Actions {
            var a = Actions()
            let rowTiles = (receivers.map(\.rowTile).max() ?? -1) + 1
            for r in 0..<rowTiles {
                let row = receivers.filter { $0.rowTile == r }
                let b = (row[0].rows[1] - row[0].rows[0]) * bytesPerInput
                let tree = floorplan.multicast(from: (hub.x, hub.y), to: row.map { ($0.x, $0.y) })
                a.linkBytes += b
                a.linkByteHops += b * tree.hops
                a.linkBitMillimeters += Double(8 * b) * tree.millimeters
                for t in row {
                    a.linkHops = max(a.linkHops, floorplan.hops(t.x, t.y, hub.x, hub.y))
                    a.linkMillimeters = max(a.linkMillimeters, floorplan.millimeters(t.x, t.y, hub.x, hub.y))
                }
            }
            return a
        }

        /// What one physical read of row tile r involves, over its column tiles.
        func tileRead(_ layer: LayerMapping, rowTile r: Int, of mine: [TileMapping]) -> TileRead {
            let groupsPerTile = h.array.rows / h.array.rowsPerRead
            let groupCount = (layer.inputs + h.array.rowsPerRead - 1) / h.array.rowsPerRead
            let row = mine.filter { $0.rowTile == r }
            let converted = row.map { TaskGraph.convertedColumns($0, slices: layer.slices, encoding: h.array.weightEncoding) }
            // Columns sit side by side from column 0, each ADC muxing `columnsPerADC` of
            // them: a differential pair is one conversion of two columns.
            let perConversion = h.array.weightEncoding == .differential ? 2 : 1
            let capacity = max(1, h.adc.columnsPerADC / perConversion)
            let share = min(h.chip.tilesPerADC, layer.columnTiles)
            return TileRead(groups: [r * groupsPerTile, min(groupCount, (r + 1) * groupsPerTile)],
                            cellsPerRow: row.reduce(0) { $0 + ($1.outputs[1] - $1.outputs[0]) * layer.physicalColumnsPerOutput },
                            conversionsPerRead: converted.reduce(0, +),
                            conversionsPerADC: (converted.map { min($0, capacity) }.max() ?? 0) * share,
                            adcs: row.reduce(0) { $0 + ($1.physicalColumns + h.adc.columnsPerADC - 1) / h.adc.columnsPerADC },
                            shiftAddsPerRead: row.reduce(0) { $0 + ($1.outputs[1] - $1.outputs[0]) * layer.slices },
                            arrays: row.count)
        }
    }

    /// Columns converted per physical read of a tile: one per differential pair and slice, or
    /// one per cell plus a reference column per slice (offset encoding).
    static func convertedColumns(_ t: TileMapping, slices: Int, encoding: HardwareModel.WeightEncoding) -> Int {
        let outputs = t.outputs[1] - t.outputs[0]
        return encoding == .differential ? outputs * slices : outputs * slices + slices
    }

}

extension LayerMapping {
    /// Digital operations of the layer's finish per pass: offset/scale/bias per output, ReLU, the
    /// output's normalisation (square-accumulate and scale), and FF's input norm (square-accumulate
    /// and one scale per input).
    public var finishOperations: Int {
        var ops = outputs * (1 + (role == .hidden ? 1 : 0) + (normalizeOutput ? 2 : 0))
        if inputScaling == .inverseNorm { ops += 2 * inputs }
        return ops
    }
}
