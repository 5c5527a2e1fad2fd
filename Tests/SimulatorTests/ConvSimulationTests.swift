import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
@testable import Simulator
import TestSupport

/// Conv models on the hardware (issue 14 points 4 and 5): lowering against the float model's own
/// conv path, ideal hardware against float, a conv layer's actions worked by hand, output rows
/// streaming through the tiles, and replicas taking output rows in turn.
final class ConvSimulationTests: XCTestCase {
    let shape = ImageShape(channels: 1, height: 6, width: 6)

    func raw(_ rows: Int, seed: UInt64) -> Matrix { TestModels.raw(rows, shape.count, seed: seed) }

    func map(_ m: Model, _ hw: HardwareDescription, duplication: [Int] = []) throws -> HardwareConfig {
        var options = MapOptions()
        options.duplication = duplication
        return try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: hw, options: options, calibration: raw(16, seed: 5))
    }

    /// Small arrays on the generic RRAM chip the mechanism tests use (`TestHardware`).
    func hardware(_ extra: [String] = []) throws -> HardwareDescription {
        try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.columns=24", "crossbar.adc.columnsPerADC=8",
            "chip.tileSites=400", "chip.tileSitesPerRow=20"] + extra)
    }

    /// The lowered model (standardisation folded into the first block's filters, padding with the
    /// raw mean, pooling and normalisation after the product) scores as the float model does on
    /// standardised images with zero padding (`ConvBlock.forward`, `HFFMath.convForward`): the
    /// fold is exact, so only float rounding separates them.
    func testLoweredConvModelsScoreAsTheFloatModel() throws {
        let cases: [(Algorithm, String, ConvScoring, Readout)] = [
            (.hff, "c4k3,p2,c5k3s2pad0,f7", .map, .sum), (.hff, "c4k3,a2,c3k2pad1,f7", .average, .sum),
            (.hff, "c4k3,p2,f7", .map, .last), (.hff, "c6k3", .map, .last), (.backprop, "c4k3,p2,c5k3s2pad0,f7", .map, .sum),
        ]
        for (algorithm, arch, scoring, readout) in cases {
            let m = try TestModels.conv(algorithm, arch, shape: shape, scoring: scoring, readout: readout)
            let x = raw(40, seed: 3)
            let lowered = LoweredModel(m)
            let expected = m.scores(x), got = lowered.scores(x)
            let scale = max(1, expected.storage.map(abs).max()!)
            for k in 0..<expected.count { XCTAssertEqual(got.storage[k], expected.storage[k], accuracy: 1e-4 * scale, "\(arch) \(k)") }
            XCTAssertEqual(lowered.layers.count, m.convBlocks.count + m.layers.count + (algorithm == .backprop ? 1 : 0))
            // The read-out groups: every scored layer (sum) or the last, over the map, its
            // channels (average) or a dense layer's outputs.
            if algorithm == .hff {
                let scored = m.convBlocks.map { scoring == .average ? $0.geometry.output.channels : $0.geometry.output.count } + m.widths
                XCTAssertEqual(lowered.coreGroups.map(\.inputs), readout == .sum ? scored : [scored.last!], arch)
            }
        }
    }

    /// Ideal hardware (22-bit inputs, 24-bit weights and ADC) agrees with the float model on
    /// every image, with half the labels wrong so that any disagreement would show.
    func testIdealHardwareAgreesWithFloatOnConvModels() throws {
        for (algorithm, arch) in [(Algorithm.hff, "c4k3,p2,c5k3s2pad0,f7"), (.backprop, "c4k3,p2,f7")] {
            let m = try TestModels.conv(algorithm, arch, shape: shape)
            let x = raw(120, seed: 2)
            var labels = Kernels.argmaxRows(m.scores(x))
            for i in stride(from: 1, to: labels.count, by: 2) { labels[i] = (labels[i] + 1) % m.classCount }
            let config = try map(m, try HardwareDescription.load("ideal"))
            let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions())
            XCTAssertEqual(r.floatAccuracy, 0.5, accuracy: 1e-12, arch)
            XCTAssertEqual(r.hardwareAccuracy, [0.5], arch)
            XCTAssertEqual(r.agreement, [1], arch)
        }
    }

    /// The line buffer fetches each input row once (stride 1), skips rows no window covers
    /// (stride above the kernel), and nothing for padding. Worked by hand.
    func testTheLineBufferFetchesEachInputRowOnce() throws {
        func rows(_ arch: String, _ height: Int) throws -> [Int] {
            let g = ConvGeometry(input: ImageShape(channels: 1, height: height, width: 5), spec: try Architecture.parse(arch).convs[0])
            let c = ConvShape(g, scoring: nil)
            return (0..<c.convOutput.height).map { c.newInputRows(outputRow: $0) }
        }
        XCTAssertEqual(try rows("c1k3", 4), [2, 1, 1, 0])            // rows [-1, 2), [0, 3), [1, 4), [2, 5)
        XCTAssertEqual(try rows("c1k3s2pad0", 7), [3, 2, 2])         // [0, 3), [2, 5), [4, 7)
        XCTAssertEqual(try rows("c1k2s3pad0", 6), [2, 2])            // [0, 2), [3, 5): rows 2 and 5 never read
        XCTAssertEqual(try rows("c1k5pad2", 3), [3, 0, 0])           // every window holds the whole image
    }

    /// One 1x6x6 image through `c4k3,p2,f5` (3 x 3 kernel, padding 1: 36 positions in 6 output
    /// rows, one row tile of 9 rows) on the generic chip (8-bit bit-serial DAC, scaled per
    /// window). Layer 0's actions per inference, by hand:
    /// - buffer writes: the map (36 bytes) and each input row once into the line buffer (36);
    /// - buffer reads: each input row fetched once (36) and 36 windows of 9 values (324);
    /// - tile reads: a window's largest value codes to 255, all eight bit-planes set, so every
    ///   position is 8 reads: 288;
    /// - digital operations: window scaling 2 x 9 x 36 = 648, bias and ReLU 2 x 4 x 36 = 288,
    ///   2 x 2 max pooling 3 compares x 4 x 3 x 3 = 108, the map's normalisation 2 x 36 = 72:
    ///   1,116.
    /// And the rows stream: the inference takes less than its units' busy times added up, and
    /// no less than the busiest unit's.
    func testAConvLayersActionsWorkedByHand() throws {
        let m = try TestModels.conv(.hff, "c4k3,p2,f5", shape: shape)
        let config = try map(m, try hardware())
        let x = raw(1, seed: 7)
        let r = try Simulation.run(config: config, model: m, raw: x, labels: [0], options: RunOptions())
        let a = r.actions(layer: 0)
        XCTAssertEqual(a[.bufferWriteBytes], 72)
        XCTAssertEqual(a[.bufferReadBytes], 360)
        XCTAssertEqual(a[.tileReads], 288)
        XCTAssertEqual(a[.digitalOperations], 1116)
        XCTAssertEqual(a[.accumulations], 0)
        XCTAssertEqual(config.layers[0].positions, 36)
        XCTAssertEqual(config.taskGraph.stages.filter { $0.layer == 0 && $0.kind == .tileReads }.count, 6, "one read stage per output row")
        let busy = r.ledger.busyTicks.map { Double($0) / Double(HardwareModel(config.hardware).ticksPerCycle) }
        XCTAssertLessThan(r.latencyCycles, busy.reduce(0, +))
        XCTAssertGreaterThanOrEqual(r.latencyCycles, busy.max()!)
    }

    /// `--duplicate 2,1`: layer 0's replica 0 reads output rows 0, 2, 4 and replica 1 rows 1, 3,
    /// 5. The reads (and their energy) are the same as with one copy; their time splits over
    /// the two units, each busy for its own rows' reads, and the inference ends sooner.
    func testConvReplicasTakeOutputRowsInTurn() throws {
        let m = try TestModels.conv(.hff, "c4k3,p2,f5", shape: shape)
        let x = raw(1, seed: 7)
        let one = try map(m, try hardware()), two = try map(m, try hardware(), duplication: [2, 1])
        XCTAssertEqual(two.layers[0].tiles.count, 2 * one.layers[0].tiles.count)
        let r1 = try Simulation.run(config: one, model: m, raw: x, labels: [0], options: RunOptions())
        let r2 = try Simulation.run(config: two, model: m, raw: x, labels: [0], options: RunOptions())
        XCTAssertEqual(r2.actions(layer: 0)[.tileReads], r1.actions(layer: 0)[.tileReads])
        XCTAssertEqual(r2.actions(layer: 0)[.adcConversions], r1.actions(layer: 0)[.adcConversions])
        let tiles1 = one.taskGraph.units.indices.filter { one.taskGraph.units[$0].kind == .tiles && one.taskGraph.units[$0].layer == 0 }
        let tiles2 = two.taskGraph.units.indices.filter { two.taskGraph.units[$0].kind == .tiles && two.taskGraph.units[$0].layer == 0 }
        XCTAssertEqual(tiles2.count, 2)
        XCTAssertEqual(tiles2.map { r2.ledger.busyTicks[$0] }.reduce(0, +), r1.ledger.busyTicks[tiles1[0]])
        for (k, u) in tiles2.enumerated() {
            let rows = two.taskGraph.stages.filter { $0.kind == .tileReads && $0.layer == 0 && $0.units == [u] }.compactMap(\.outputRow)
            XCTAssertEqual(rows, Array(stride(from: k, to: 6, by: 2)))
        }
        XCTAssertLessThan(r2.latencyCycles, r1.latencyCycles)
        // Replicas of a conv layer share one inference's rows: they add no buffer places.
        XCTAssertEqual(two.taskGraph.layerPlaces(two.layers), one.taskGraph.layerPlaces(one.layers))
    }

    /// The same bytes for any thread count (patches go through the crossbar in chunks of
    /// samples, each chunk's blocks drawing from their own streams).
    func testConvResultsAreIdenticalForAnyThreadCount() throws {
        let m = try TestModels.conv(.hff, "c4k3,p2,c5k3s2pad0,f7", shape: shape)
        let x = raw(900, seed: 4)
        let labels = [Int](repeating: 1, count: x.rows)
        let config = try map(m, try hardware(["noise.readRelative=0.05"]))
        var results = [RunResult]()
        let saved = GEMM.defaultThreads
        defer { GEMM.defaultThreads = saved }
        for threads in [1, 2, 3] {
            GEMM.defaultThreads = threads
            results.append(try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions()))
        }
        for r in results.dropFirst() {
            XCTAssertEqual(r.hardwareAccuracy, results[0].hardwareAccuracy)
            XCTAssertEqual(r.ledger.actions, results[0].ledger.actions)
            XCTAssertEqual(r.latencyCycles, results[0].latencyCycles)
        }
    }

    /// A conv config round-trips; an edited geometry is refused naming the key; a conv model
    /// with per-pixel standardisation (which cannot fold into shared filters) is refused.
    func testConvConfigsRoundTripAndRefuseEditedGeometry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let m = try TestModels.conv(.hff, "c4k3,p2,f5", shape: shape)
        let config = try map(m, try hardware())
        let path = dir.appendingPathComponent("c.json").path
        try config.write(to: path)
        XCTAssertEqual(try HardwareConfig.load(path: path), config)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (from, to, key) in [("\"kernel\" : 3", "\"kernel\" : 0", "layers[0].conv.spec.kernel"),
                                ("\"stride\" : 1", "\"stride\" : 2", "layers[0].conv.convOutput")] {
            XCTAssertTrue(text.contains(from), from)
            try text.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try HardwareConfig.load(path: path)) { e in
                XCTAssertTrue("\(e)".contains(key), "\(e)")
            }
        }
        var perPixel = m
        perPixel.normalization = Standardization(mean: [Float](repeating: 0.4, count: 36), std: [Float](repeating: 0.3, count: 36))
        XCTAssertThrowsError(try map(perPixel, try hardware())) { e in
            XCTAssertEqual((e as? InputError)?.kind, .usage)
            XCTAssertTrue("\(e)".contains("per-pixel standardisation"), "\(e)")
        }
    }
}
