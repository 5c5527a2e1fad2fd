import Hardware

extension TaskGraph.Actions {
    /// The same transfer or work repeated n times: counts times n, the farthest hops and the
    /// longest wire unchanged (every repeat goes as far).
    func repeated(_ n: Int) -> TaskGraph.Actions {
        var a = self
        a.bufferReadBytes *= n; a.bufferWriteBytes *= n
        a.bufferReadAccesses *= n; a.bufferWriteAccesses *= n
        a.linkBytes *= n; a.linkByteHops *= n
        a.linkBitMillimeters *= Double(n)
        a.hostBytes *= n
        a.accumulations *= n; a.operations *= n
        a.adderTreeAdds *= n; a.adderTreeLevels *= n
        a.peakPortBytes *= n
        return a
    }
}

extension TaskGraph.Builder {
    /// One pass through a conv layer: its input map written once into the layer's buffer, then
    /// output row by output row (each `convOutput.width` positions):
    ///
    /// - `lineBuffer` (the layer's buffer): the input rows this output row's windows need that
    ///   the previous row's did not are fetched from the map and written into the line buffer,
    ///   and each position's window (a patch of in-channels x k x k values) is read out of it.
    ///   Line-buffer accesses are priced as the layer's buffer accesses (an assumption: a
    ///   register-file line buffer would cost less per access);
    /// - with `crossbar.dac.inputScaling` per-sample, each window is scaled for the DAC by its own
    ///   largest |value| (`inputScaling`: it is one input vector, as aihwkit scales every MVM of
    ///   an unfolded convolution);
    /// - the windows go to the tiles (`distribute`), every row tile reads every position of the
    ///   row (`tileReads`, on replica oy mod `duplication`: its reads are the positions' reads
    ///   from the functional run), the partial sums are added (adder trees or the hub's buffer)
    ///   and bias and ReLU applied per position (`accumulateFinish`), as a dense layer's are for
    ///   one input, times the row's positions;
    ///
    /// and the rows stream: each of these stages depends only on its own row's previous stage
    /// (and the line buffer on the previous row's fetch), so row oy + 1 is fetched and sent while
    /// row oy is read, as far as the units allow. The map is then pooled and (HFF) normalised by
    /// the digital unit (`pool`), which needs every row. Returns that stage.
    mutating func addConvLayer(_ layer: LayerMapping, after previous: Int) -> Int {
        let c = layer.conv!
        let l = layer.index, inBytes = h.dac.bytesPerInput, accBytes = h.chip.accumulatorBytes
        var b = TaskGraph.Actions()
        b.bufferWriteBytes = c.input.count * inBytes
        b.bufferWriteAccesses = h.buffers.accesses(b.bufferWriteBytes)
        let buffered = stage("layer \(l) input buffer", .inputBuffer, [buffer[l]], layer: l, pass: 0, after: [previous], b)
        stages[buffered].entersLayer = l
        stages[buffered].handsOffLayer = l > 0 ? l - 1 : nil
        var fetched = buffered
        let width = c.convOutput.width, rowBytes = c.input.width * c.input.channels * inBytes
        let hub = tiles[layer.tiles[0]]
        let sumsPerOutput = reducesInAdderTrees(layer) ? 1 : layer.rowTiles
        var finished = [Int]()
        for oy in 0..<c.convOutput.height {
            let name = "layer \(l) output row \(oy)"
            let fetch = c.newInputRows(outputRow: oy) * rowBytes
            var w = TaskGraph.Actions()
            w.bufferReadBytes = fetch + width * c.patch * inBytes
            w.bufferReadAccesses = h.buffers.accesses(fetch) + width * h.buffers.accesses(c.patch * inBytes)
            w.bufferWriteBytes = fetch
            w.bufferWriteAccesses = h.buffers.accesses(fetch)
            fetched = stage("\(name): line buffer", .lineBuffer, [buffer[l]], layer: l, pass: 0, after: [fetched], w, outputRow: oy)
            var window = fetched
            if h.dac.inputScaling == .perSample {
                // Each window is one input vector: its abs-max and one scale per value, as a
                // dense layer's input is scaled.
                var q = TaskGraph.Actions()
                q.operations = 2 * c.patch
                window = stage("\(name): window scaling", .inputScaling, [digital[l]], layer: l, pass: 0, after: [fetched],
                               q.repeated(width), outputRow: oy)
            }
            let replica = oy % layer.duplication
            let mine = tiles.filter { $0.layer == l && $0.replica == replica }
            let d = h.chip.inputDelivery == .broadcast ? broadcast(mine, from: hub, bytesPerInput: inBytes)
                : links(mine, to: hub) { ($0.rows[1] - $0.rows[0]) * inBytes }
            let distributed = stage("\(name): windows to tiles", .distribute, [link[l]], layer: l, pass: 0, after: [window],
                                    d.repeated(width), outputRow: oy)
            var reads = [Int]()
            for r in 0..<layer.rowTiles {
                reads.append(stage("\(name): row tile \(r) reads", .tileReads, [rowTileUnits[l][r][replica]], layer: l, pass: 0,
                                   after: [distributed], tileRead: tileRead(layer, rowTile: r, of: mine), outputRow: oy))
            }
            var senders = mine, summed = reads
            if reducesInAdderTrees(layer) {
                let roots = mine.filter { $0.rowTile == 0 }
                let t = adderTreeActions(layer, tiles: mine, roots: roots).repeated(width)
                summed = [stage("\(name): adder trees", .reduce, [adderTreeUnits[l][replica]], layer: l, pass: 0, after: reads, t, outputRow: oy)]
                senders = roots
            }
            let g = links(senders, to: hub) { ($0.outputs[1] - $0.outputs[0]) * accBytes }.repeated(width)
            var done = stage("\(name): partial sums to hub", .gather, [link[l]], layer: l, pass: 0, after: summed, g, outputRow: oy)
            if sumsPerOutput > 1 {
                var p = TaskGraph.Actions()
                for t in senders { p.bufferWriteAccesses += h.buffers.accesses((t.outputs[1] - t.outputs[0]) * accBytes) }
                p.bufferWriteBytes = layer.outputs * sumsPerOutput * accBytes
                p.bufferReadBytes = p.bufferWriteBytes
                p.bufferReadAccesses = h.buffers.accesses(p.bufferReadBytes)
                done = stage("\(name): partial sums buffered", .partialBuffer, [buffer[l]], layer: l, pass: 0, after: [done],
                             p.repeated(width), outputRow: oy)
            }
            // Row-tile sums added, then bias and ReLU per output and position.
            var f = TaskGraph.Actions()
            f.accumulations = layer.outputs * (sumsPerOutput - 1)
            f.operations = 2 * layer.outputs
            finished.append(stage("\(name): accumulate, bias and ReLU", .accumulateFinish, [digital[l]], layer: l, pass: 0, after: [done],
                                  f.repeated(width), outputRow: oy))
        }
        var p = TaskGraph.Actions()
        p.operations = c.mapOperations(normalize: layer.normalizeOutput, averageScoring: c.scoring == .average && layer.readoutGroup != nil)
        return stage("layer \(l) pooling" + (layer.normalizeOutput ? " and normalisation" : ""), .pool, [digital[l]], layer: l, pass: 0,
                     after: finished, p)
    }
}
