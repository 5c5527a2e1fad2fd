import TestSupport
import XCTest
import Compiler
import Hardware
import HFF
@testable import Simulator

/// The architecture's choices (mesh or H-tree, broadcast inputs, adder-tree reduction, buffer
/// access width, switch matrix and mux) against distances and counts worked out by hand.
extension SimulatorTests {
    /// 4 x 4 sites, 0.5 mm apart (0.25 mm^2 each), on an H-tree.
    func hTree4x4() throws -> Floorplan {
        Floorplan(HardwareModel(try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "chip.interconnect=h-tree", "area.tileSquareMillimeters=0.25", "chip.tileSites=16", "chip.tileSitesPerRow=4"])))
    }

    func testHTreePathsFollowTheTreeNotTheManhattanDistance() throws {
        let f = try hTree4x4()
        // The root sits at the centre of the 4 x 4 grid; the tree splits it into left and right
        // halves (1 pitch from the centre to each half's centre), each half into an upper and a
        // lower quadrant (1 pitch), and so on down: 0.5 + 0.5 pitches inside a 2 x 2 quadrant.
        // Side by side in one quadrant, (0,0) and (1,0) meet at its centre: 2 x (0.5 + 0.5)
        // pitches = 1 mm; one above the other, (0,0) and (0,1), at its left half's centre:
        // 2 x 0.5 pitches = 0.5 mm.
        XCTAssertEqual(f.millimeters(0, 0, 1, 0), 1)
        XCTAssertEqual(f.millimeters(0, 0, 1, 1), 1)
        XCTAssertEqual(f.millimeters(0, 0, 0, 1), 0.5)
        // Across the middle, (1,0) and (2,0) meet only at the root: 2 x 3 pitches. In the same
        // (left) half but different quadrants, (0,0) and (1,2) meet at the half's centre:
        // 2 x (1 + 1) pitches = 2 mm.
        XCTAssertEqual(f.millimeters(1, 0, 2, 0), 3)
        XCTAssertEqual(f.millimeters(0, 0, 3, 3), 3)
        XCTAssertEqual(f.millimeters(0, 0, 1, 2), 2)
        XCTAssertEqual(f.millimeters(2, 2, 2, 2), 0)
        XCTAssertEqual(f.hops(0, 0, 3, 3), 0, "an H-tree has no routers")
        // A broadcast to one site runs the path to it, for every pair of the grid.
        for a in 0..<16 { for b in 0..<16 {
            XCTAssertEqual(f.multicast(from: (a % 4, a / 4), to: [(b % 4, b / 4)]).millimeters, f.millimeters(a % 4, a / 4, b % 4, b / 4))
        } }
        // A broadcast from (0,0) to its quadrant: the quadrant's whole tree, 2 x 0.5 + 4 x 0.5
        // pitches = 1.5 mm, where three unicasts would run 1 + 0.5 + 1 mm.
        XCTAssertEqual(f.multicast(from: (0, 0), to: [(1, 0), (0, 1), (1, 1)]).millimeters, 1.5)
        // The top row from (0,0): in each of the two quadrants holding it, its two sites'
        // branches and their halves' (2 x (2 x 0.5 + 2 x 0.5) pitches), and the quadrants'
        // branches up to the root (4 x 1 pitch) = 8 pitches, where unicasts run
        // 1 + 3 + 3 mm.
        XCTAssertEqual(f.multicast(from: (0, 0), to: [(0, 0), (1, 0), (2, 0), (3, 0)]).millimeters, 4)
    }

    func testMeshBroadcastSharesTheLinksOfItsXYRoutes() throws {
        let f = Floorplan(HardwareModel(try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM)))
        // (0,0) -> (2,0) and (0,0) -> (2,0) -> (2,1): 3 links, where unicasts cross 2 + 3.
        XCTAssertEqual(f.multicast(from: (0, 0), to: [(2, 0), (2, 1)]).hops, 3)
        XCTAssertEqual(f.millimeters(0, 0, 2, 1), 0, "a mesh prices hops, not mm")
    }

    func testHTreeWireEnergyAndDelayOfAPipeline() throws {
        // As testHopCountChangesNetworkEnergyAndLatency: layer 0 (16 -> 12) on 4 column tiles
        // at (0,0) (1,0) (2,0) (3,0), its hub (0,0); layer 1 (12 -> 2) one tile at (4,0). On a
        // 20 x 20 grid (tree side 32), 0.5 mm apart: from the hub 0, 1, 3, 3 mm; hub to hub 7 mm
        // (they meet at the centre of the 8 x 8 region: 2 x 7 pitches).
        let m = model(.backprop, widths: [12], inputs: 16, classes: 2)
        let x = raw(20, m.inputSize, seed: 3)
        let labels = [Int](repeating: 0, count: 20)
        func run(_ extra: [String]) throws -> (HardwareConfig, RunResult) {
            let config = try map(m, try timingHardware(["chip.interconnect=h-tree", "area.tileSquareMillimeters=0.25"] + extra))
            return (config, try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions()))
        }
        let (config, slow) = try run(["timing.wireNanosecondsPerMillimeter=5"])
        let (_, fast) = try run(["timing.wireNanosecondsPerMillimeter=0"])
        // Bits x mm: 16 input bytes to each tile, 128 x (0 + 1 + 3 + 3); 3 outputs x 3 bytes of
        // partial sums back from each, 72 x 7; 12 activation bytes hub to hub, 96 x 7; layer 1's
        // tile is its hub. 896 + 504 + 672 = 2072 bit mm at 0.0723 pJ, no hops; the inputs'
        // 896 are counted apart (their bits toggle at the input rate, 1 here).
        XCTAssertEqual(slow.actions(layer: nil)[.inputLinkBitMillimeters], 896)
        XCTAssertEqual(slow.actions(layer: nil)[.linkBitMillimeters], 504 + 672)
        XCTAssertEqual(slow.actions(layer: nil)[.linkByteHops], 0)
        XCTAssertEqual(slow.energyByComponent[.network]!, 2072 * 0.0723, accuracy: 1e-9)
        // Delay: the longest wire of each transfer, 5 ns per mm: inputs 3 mm, partial sums
        // 3 mm, activations 7 mm.
        XCTAssertEqual(slow.latencyCycles - fast.latencyCycles, 13 * 5, accuracy: 1e-9)
        XCTAssertEqual(executor(config, reads: [[1, 1]]).cost(stage: stage(config, "layer 0 activations to layer 1"), sample: 0).delay, 35_000)
        // Broadcast: one copy of the 16 bytes passes the port and the row's tree of 4 mm.
        let (b, broadcast) = try run(["chip.inputDelivery=broadcast"])
        XCTAssertEqual(stage(b, "layer 0 inputs to tiles").actions.linkBytes, 16)
        XCTAssertEqual(broadcast.actions(layer: 0)[.inputLinkBitMillimeters], 128 * 4)
        XCTAssertEqual(broadcast.actions(layer: 0)[.linkBitMillimeters], 504 + 672)
    }

    func testAdderTreesAddPartialSumsInsideTheProcessingElement() throws {
        // Layer 0: 32 inputs -> 12 outputs on 16-row arrays: 2 row tiles x 4 column tiles.
        let m = model(.backprop, widths: [12], inputs: 32, classes: 2)
        let hub = try map(m, try timingHardware())
        let tree = try map(m, try timingHardware(["chip.partialSumReduction=adder-tree", "timing.adderTreeLevelNanoseconds=7"]))
        XCTAssertEqual([hub.layers[0].rowTiles, hub.layers[0].columnTiles], [2, 4])
        // The hub: every tile sends its 3 outputs x 3 bytes; tiles row-major at x = 0...7, so
        // 9 x (0 + 1 + ... + 7) = 252 byte-hops; the buffer holds 2 partial sums per output.
        let g = stage(hub, "layer 0 partial sums to hub").actions
        XCTAssertEqual([g.linkBytes, g.linkByteHops], [72, 252])
        XCTAssertEqual(stage(hub, "layer 0 partial sums buffered").actions.bufferWriteBytes, 12 * 2 * 3)
        XCTAssertEqual(stage(hub, "layer 0 accumulate and finish").actions.accumulations, 12)
        // Adder trees: a processing element's two row tiles take neighbouring sites (column
        // tile c at x = 2c and 2c + 1); only its first tile sends, one reduced sum per output:
        // 9 x (0 + 2 + 4 + 6) = 108 byte-hops; 12 additions in the trees, none at the hub.
        XCTAssertEqual(tree.tiles.filter { $0.layer == 0 }.map { [$0.rowTile, $0.columnTile, $0.x] }.prefix(4),
                       [[0, 0, 0], [1, 0, 1], [0, 1, 2], [1, 1, 3]])
        let t = stage(tree, "layer 0 partial sums to hub").actions
        XCTAssertEqual([t.linkBytes, t.linkByteHops], [36, 108])
        // The reduced sums are final (one per output): they go from the link to the digital
        // unit, with no buffer stage.
        XCTAssertNil(tree.taskGraph.stages.first { $0.name == "layer 0 partial sums buffered" })
        XCTAssertEqual(stage(tree, "layer 0 accumulate and finish").dependsOn, [stage(tree, "layer 0 partial sums to hub").index])
        XCTAssertEqual(stage(tree, "layer 0 accumulate and finish").actions.accumulations, 0)
        let reduce = stage(tree, "layer 0 adder trees")
        XCTAssertEqual(reduce.dependsOn.count, 2, "after both row tiles' reads")
        let (d, _, r) = executor(tree, reads: [[1, 1, 1, 1]]).cost(stage: reduce, sample: 0)
        XCTAssertEqual(r[.adderTreeAdds], 12)
        // Each element's second row tile sends its 9 bytes one hop to the first: 4 x 9 = 36
        // byte-hops, 9 bytes through each element's port.
        XCTAssertEqual([reduce.actions.linkByteHops, reduce.actions.peakPortBytes, reduce.actions.linkHops], [36, 9, 1])
        // Time: 9 bytes x 1/32 ns + 1 hop x 1 ns to arrive, then 3 outputs per element on 6
        // trees (one per ADC: 24 columns / 4), one round of ceil(log2 2) = 1 level, 7 ns:
        // 8.28 ns, 9 whole cycles.
        XCTAssertEqual(d, 9_000)
        XCTAssertNil(hub.taskGraph.stages.first { $0.kind == .reduce }, "no adder trees at the hub")
    }

    func testBufferTrafficIsWholeAccessesOfThePortWidth() throws {
        // Layer 0 (16 -> 12, unicast to 4 column tiles): the 16 input bytes written once and
        // read once per tile. 32-byte accesses: 1 + 4; 8-byte accesses: 2 + 4 x 2.
        let m = model(.backprop, widths: [12], inputs: 16, classes: 2)
        for (width, accesses) in [(32, [1, 4]), (8, [2, 8])] {
            let config = try map(m, try timingHardware(["chip.bufferAccessBytes=\(width)", "timing.bufferNanosecondsPerAccess=3"]))
            let s = stage(config, "layer 0 input buffer")
            XCTAssertEqual([s.actions.bufferWriteBytes, s.actions.bufferReadBytes], [16, 64], "bytes do not depend on the width")
            XCTAssertEqual([s.actions.bufferWriteAccesses, s.actions.bufferReadAccesses], accesses)
            let (d, _, r) = executor(config, reads: [[1]]).cost(stage: s, sample: 0)
            XCTAssertEqual(d, Int64(3 * (accesses[0] + accesses[1])) * 1000, "3 ns per access")
            XCTAssertEqual(EnergyTable(HardwareModel(config.hardware)).price(r)[.buffers]!, Double(accesses[0] + accesses[1]) * 20.45, accuracy: 1e-9)
        }
    }

    func testSwitchMatrixAndMuxArePricedPerToggleAndSelection() throws {
        // As testConversionsPerReadAreADCsTimesConversionsPerADCInTimingAndEnergy: 7 reads of
        // 8 rows, 6 ADCs x 2 conversions each: 56 word-line toggles, 84 mux selections.
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware(["energy.switchMatrixFemtojoules=2", "energy.columnMuxFemtojoules=5"]))
        let (_, _, r) = executor(config, reads: [[4, 3]]).cost(stage: stage(config, "layer 0 row tile 0 reads"), sample: 0)
        XCTAssertEqual([r[.switchMatrixToggles], r[.columnMuxSelections]], [56, 84])
        XCTAssertEqual(EnergyTable(HardwareModel(config.hardware)).price(r)[.switchesAndMux]!, (56 * 2 + 84 * 5) / 1000, accuracy: 1e-12)
    }
}

extension SimulatorTests {
    func testACalibratedDACScaleIsInTheTensorsAndRemovesTheScalingStage() throws {
        let m = model(.hff)
        let perSample = try map(m, try timingHardware())
        let calibrated = try map(m, try timingHardware(["crossbar.dac.inputScaling=calibrated"]))
        XCTAssertEqual(perSample.taskGraph.stages.filter { $0.kind == .inputScaling }.count, m.layers.count)
        XCTAssertTrue(calibrated.taskGraph.stages.allSatisfy { $0.kind != .inputScaling })
        XCTAssertTrue(perSample.tensors.layers.allSatisfy { $0.inputScale == nil })
        // Layer 0's scale: the largest |input| of the 64 calibration samples `map` passes.
        let calibration = raw(64, m.inputSize, seed: 5)
        XCTAssertEqual(calibrated.tensors.layers[0].inputScale, calibration.storage.map(abs).max())
        XCTAssertTrue(calibrated.tensors.layers.allSatisfy { ($0.inputScale ?? 0) > 0 })
    }
}

extension SimulatorTests {
    func testEfficiencyCountsTwoOperationsPerWeightAndPass() throws {
        // HFF 30 -> 40 -> 24: 30 x 40 + 40 x 24 = 2,160 weights, 4,320 operations per inference;
        // FF on the same widths runs 4 passes (4 classes): 17,280.
        let x = raw(40, 30, seed: 3)
        let labels = [Int](repeating: 0, count: 40)
        for (algorithm, operations) in [(Algorithm.hff, 4_320.0), (.ff, 17_280.0)] {
            let m = model(algorithm)
            let config = try map(m, try timingHardware(["area.tileSquareMillimeters=0.5"]))
            let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions())
            let e = Efficiency(r, config: config)
            XCTAssertEqual(e.operationsPerInference, operations, "\(algorithm)")
            // 1 operation per pJ is 1 TOPS/W.
            XCTAssertEqual(e.topsPerWatt, operations / r.energyPerInferencePicojoules, accuracy: 1e-12)
            XCTAssertEqual(e.topsPerWattDynamic, operations / (r.energyPerInferencePicojoules - r.energyByComponent[.static]!), accuracy: 1e-12)
            XCTAssertEqual(e.tops, operations * r.throughputInferencesPerSecond / 1e12, accuracy: 1e-15)
            // The area: the tiles' 0.5 mm^2 each (the preset gives the learning core none).
            XCTAssertEqual(e.topsPerSquareMillimeter!, e.tops / (Double(config.resources.tiles) * 0.5), accuracy: 1e-15)
        }
    }
}
