import TestSupport
import XCTest
import Compiler
import Hardware
import HFF
@testable import Simulator

/// The issue-12 cost model (NeuroSim V1.4's components) against counts and prices worked out by
/// hand: each array's own word lines and row registers, the X-Y bus, wire toggle rates, the
/// crossbar layers' own latency, energy and throughput bound.
extension SimulatorTests {
    func testBusRunsOneHorizontalAndOneVerticalWireAcrossItsSinks() throws {
        let f = Floorplan(HardwareModel(try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "chip.interconnect=bus", "area.tileSquareMillimeters=0.25", "chip.tileSites=16", "chip.tileSitesPerRow=4"])))
        // 0.5 mm pitch. Unicast: the X-Y distance, (2 + 1) pitches.
        XCTAssertEqual(f.millimeters(0, 0, 2, 1), 1.5)
        XCTAssertEqual(f.hops(0, 0, 2, 1), 0, "a bus has no routers")
        // Broadcast from (0,0) to (3,0) and (1,2): one horizontal wire over columns 0...3 and one
        // vertical over rows 0...2, each bit once: (3 + 2) pitches, where unicasts run 3 + 3.
        XCTAssertEqual(f.multicast(from: (0, 0), to: [(3, 0), (1, 2)]).millimeters, 2.5)
        // The source inside the sinks' span adds nothing; sinks on both sides span both ways.
        XCTAssertEqual(f.multicast(from: (1, 1), to: [(0, 0), (3, 3)]).millimeters, 3)
        XCTAssertEqual(f.multicast(from: (1, 1), to: [(1, 1)]).millimeters, 0)
    }

    func testEveryArrayOfARowTileDrivesItsOwnRowsAndClocksItsRowRegisters() throws {
        // 16 -> 12 on 16 x 24 arrays: one row tile of 4 column tiles (3 outputs x 4 slices x 2
        // cells each), two row groups of 8 rows. Sample 0 reads group 0 twice and group 1 once,
        // 8 driven rows per read (the `executor` helper): 3 reads x 8 rows x 4 arrays = 96 word
        // lines driven, each through its switch matrix; 3 reads x 4 arrays = 12 array reads,
        // each clocking 16 row registers.
        let m = model(.backprop, widths: [12], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware(["energy.rowDriverFemtojoules=7", "energy.switchMatrixFemtojoules=2",
                                                     "energy.rowRegisterFemtojoules=0.5", "energy.columnMuxFemtojoules=0"]))
        XCTAssertEqual(config.layers[0].columnTiles, 4)
        let (_, _, r) = executor(config, reads: [[2, 1]]).cost(stage: stage(config, "layer 0 row tile 0 reads"), sample: 0)
        XCTAssertEqual([r[.rowActivations], r[.switchMatrixToggles], r[.arrayReads]], [96, 96, 12])
        let e = EnergyTable(HardwareModel(config.hardware)).price(r)
        XCTAssertEqual(e[.dac]!, 96 * 7 / 1000, accuracy: 1e-12)
        let switches: Double = 96 * 2, registers: Double = 12 * 16 * 0.5
        XCTAssertEqual(e[.switchesAndMux]!, (switches + registers) / 1000, accuracy: 1e-12)
    }

    func testWireBitsArePricedAtTheirToggleRates() throws {
        // As testHTreeWireEnergyAndDelayOfAPipeline: 896 bit mm of inputs, 1,176 of partial sums
        // and activations; inputs toggle at 0.2, the rest at 0.5: (896 x 0.2 + 1,176 x 0.5) x 0.1 pJ.
        let m = model(.backprop, widths: [12], inputs: 16, classes: 2)
        let x = raw(20, m.inputSize, seed: 3)
        let config = try map(m, try timingHardware(["chip.interconnect=h-tree", "area.tileSquareMillimeters=0.25",
                                                     "energy.wirePicojoulesPerBitMillimeter=0.1",
                                                     "energy.inputWireToggleFraction=0.2", "energy.outputWireToggleFraction=0.5"]))
        let r = try Simulation.run(config: config, model: m, raw: x, labels: [Int](repeating: 0, count: 20), options: RunOptions())
        let inputs: Double = 896 * 0.2, outputs: Double = 1176 * 0.5
        XCTAssertEqual(r.energyByComponent[.network]!, (inputs + outputs) * 0.1, accuracy: 1e-9)
    }

    func testTheCrossbarLayersFiguresLeaveOutTheReadOut() throws {
        let x = raw(12, 30, seed: 4)
        let labels = [Int](repeating: 0, count: 12)
        // Backprop has no learning core: the layers' units are every unit but the host link.
        let bp = model(.backprop, widths: [12], inputs: 30, classes: 2)
        let b = try Simulation.run(config: try map(bp, try timingHardware()), model: bp, raw: x, labels: labels, options: RunOptions())
        // After the last layer only the result's 4 bytes go back to the host: 4 / 32 ns, one
        // whole 1 GHz cycle.
        XCTAssertEqual(b.latencyNanoseconds - b.layersLatencyNanoseconds, 1, accuracy: 1e-9)
        let hostPicojoules = b.unitEnergy(b.units.firstIndex { $0.kind == .host }!).values.reduce(0, +)
        XCTAssertEqual(b.layersPicojoules + hostPicojoules, b.energyPerInferencePicojoules, accuracy: 1e-6, "unused sites are power-gated")
        // The bound is 1 / the busiest layer unit's busy time per inference.
        let busiest = b.layerUnits.map { Double(b.ledger.busyTicks[$0]) / Double(b.inferences) }.max()!
        XCTAssertEqual(b.layersThroughputBoundPerSecond, 1e12 / busiest, accuracy: 1e-6)
        // HFF's read-out runs on the learning core after the last layer: left out.
        let hff = model(.hff, widths: [12], inputs: 30, classes: 2)
        let h = try Simulation.run(config: try map(hff, try timingHardware()), model: hff, raw: x, labels: labels, options: RunOptions())
        XCTAssertLessThan(h.layersLatencyNanoseconds, h.latencyNanoseconds)
        XCTAssertLessThan(h.layersPicojoules, h.energyPerInferencePicojoules - h.energyByComponent[.learningCore]!)
    }
}
