import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
@testable import Simulator
import TestSupport

final class SimulatorTests: XCTestCase {
    func model(_ algorithm: Algorithm, widths: [Int] = [40, 24], inputs: Int = 30, classes: Int = 4, seed: UInt64 = 1) -> Model {
        TestModels.model(algorithm, widths: widths, inputs: inputs, classes: classes, seed: seed)
    }

    func raw(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix { TestModels.raw(rows, cols, seed: seed) }

    func map(_ m: Model, _ hw: HardwareDescription) throws -> HardwareConfig {
        try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: hw, options: MapOptions(), calibration: raw(64, m.inputSize, seed: 5))
    }

    func testIdealPresetHardwareAccuracyEqualsFloatAccuracy() throws {
        for algorithm in Algorithm.allCases {
            let m = model(algorithm)
            // Every sample, near-tied classes included: the ideal preset's 22-bit inputs, 24-bit
            // weights and ADC leave errors below a Float's rounding, and its ranges (twice the
            // calibration set's largest currents) let samples beyond the calibration set through.
            let x = raw(400, m.inputSize, seed: 2)
            // Labels: the float model's own predictions on half the samples, shifted on the rest,
            // so that float accuracy is 50% and any disagreement would show.
            var labels = Kernels.argmaxRows(m.scores(x))
            for i in stride(from: 1, to: labels.count, by: 2) { labels[i] = (labels[i] + 1) % m.classCount }
            // ADC ranges calibrated on other samples.
            let config = try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: try HardwareDescription.load("ideal"),
                                        options: MapOptions(), calibration: raw(64, m.inputSize, seed: 3))
            var options = RunOptions()
            options.chipSeeds = 2
            let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
            XCTAssertEqual(r.floatAccuracy, Double((labels.count + 1) / 2) / Double(labels.count), accuracy: 1e-12, "\(algorithm)")
            XCTAssertEqual(r.hardwareAccuracy, [r.floatAccuracy, r.floatAccuracy], "\(algorithm)")
            XCTAssertEqual(r.agreement, [1, 1], "\(algorithm)")
        }
    }

    /// A hardware with small arrays: 16 rows read 8 at a time (two row groups per tile), 24
    /// columns, 4 columns per ADC (two differential pairs: 6 ADCs, 2 conversions each per full
    /// read), 1 ns pulse, 3 ns conversions, 5 ns settle, 2 ns shift-add, at 1 GHz, no sample-and-hold.
    func timingHardware(_ extra: [String] = []) throws -> HardwareDescription {
        try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + [
            "crossbar.rows=16", "crossbar.rowsPerRead=8", "crossbar.columns=24", "crossbar.adc.columnsPerADC=4",
            "crossbar.readPulseNanoseconds=1", "crossbar.adc.sampleAndHold=false",
            "crossbar.adc.conversionNanoseconds=3", "timing.rowDriveSettleNanoseconds=5", "timing.shiftAddNanoseconds=2",
            "technology.clockGigahertz=1", "chip.tileSites=400", "chip.tileSitesPerRow=20"] + extra)
    }

    /// An executor over `config` whose layer-0 row groups did `reads` physical reads for sample
    /// i (`reads[i][group]`), each driving 8 rows; other layers nothing.
    func executor(_ config: HardwareConfig, reads: [[Int32]]) -> Executor {
        let h = HardwareModel(config.hardware)
        var activity = [[[GroupActivity]]]()
        for _ in 0..<config.model.passes {
            activity.append(config.layers.map { layer in
                let g = (layer.inputs + h.array.rowsPerRead - 1) / h.array.rowsPerRead
                var a = [GroupActivity](repeating: GroupActivity(), count: reads.count * g)
                if layer.index == 0 {
                    for (i, row) in reads.enumerated() { for (k, r) in row.enumerated() { a[i * g + k].reads = r; a[i * g + k].rowActivations = 8 * r } }
                }
                return a
            })
        }
        return Executor(config: config, model: h, activity: activity, core: nil)
    }

    func stage(_ config: HardwareConfig, _ name: String) -> TaskGraph.Stage {
        config.taskGraph.stages.first { $0.name == name }!
    }

    func testOneTileReadTakesItsClosedForm() throws {
        // 3 outputs x 4 slices x 2 cells = 24 columns: one full tile, 12 pairs on 6 ADCs.
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware())
        XCTAssertEqual(config.layers[0].rowTiles, 1)
        let e = executor(config, reads: [[8, 5], [0, 0]])
        let s = stage(config, "layer 0 row tile 0 reads")
        let (d0, _, r0) = e.cost(stage: s, sample: 0)
        // Per read: settle 5 + 2 conversions x (pulse 1 + convert 3) = 13 ns; 13 reads, then one shift-add.
        XCTAssertEqual(d0, (13 * 13 + 2) * 1000, "ticks: a picosecond, 1000 per cycle at 1 GHz")
        XCTAssertEqual(r0[.tileReads], 13)
        XCTAssertEqual(r0[.rowActivations], 13 * 8)
        XCTAssertEqual(r0[.cellReads], 13 * 8 * 24)
        XCTAssertEqual(e.cost(stage: s, sample: 1).duration, 0, "all-zero bit-planes are skipped")
        // With sample-and-hold the next pulse overlaps the conversion: 5 + 1 + max(1, 3) + 3 = 12 ns.
        let held = executor(try map(m, try timingHardware(["crossbar.adc.sampleAndHold=true"])), reads: [[8, 5]])
        XCTAssertEqual(held.cost(stage: s, sample: 0).duration, (13 * 12 + 2) * 1000)
        // The pulse counts: 10 ns instead of 1 adds 2 x 9 ns per read.
        let slow = executor(try map(m, try timingHardware(["crossbar.readPulseNanoseconds=10"])), reads: [[8, 5]])
        XCTAssertEqual(slow.cost(stage: s, sample: 0).duration, (13 * (13 + 18) + 2) * 1000)
    }

    func testConversionsPerReadAreADCsTimesConversionsPerADCInTimingAndEnergy() throws {
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware())
        let s = stage(config, "layer 0 row tile 0 reads")
        // 24 columns / 4 per ADC = 6 ADCs, each converting its 2 differential pairs.
        XCTAssertEqual(s.tileRead!.adcs, 6)
        XCTAssertEqual(s.tileRead!.conversionsPerADC, 2)
        let (d, _, r) = executor(config, reads: [[4, 3]]).cost(stage: s, sample: 0)
        XCTAssertEqual(r[.adcConversions], 7 * 6 * 2, "energy record: reads x ADCs x conversions per ADC")
        XCTAssertEqual(d, (7 * (5 + 2 * (1 + 3)) + 2) * 1000, "timing (ticks): the same 2 conversions per ADC per read")
        // One output: 8 columns, on 2 ADCs of 2 pairs each.
        let one = try map(model(.backprop, widths: [1], inputs: 16, classes: 2), try timingHardware())
        let t = stage(one, "layer 0 row tile 0 reads").tileRead!
        XCTAssertEqual([t.adcs, t.conversionsPerADC, t.conversionsPerRead], [2, 2, 4])
    }

    func testTwoTilesSharingOneADCTakeTwiceAsLong() throws {
        // 6 outputs need two column tiles, which then share an ADC bank.
        let m = model(.backprop, widths: [6], inputs: 16, classes: 2)
        var durations = [Int64]()
        for share in [1, 2] {
            let config = try map(m, try timingHardware(["chip.tilesPerADC=\(share)"]))
            XCTAssertEqual(config.layers[0].columnTiles, 2)
            durations.append(executor(config, reads: [[8, 8]]).cost(stage: stage(config, "layer 0 row tile 0 reads"), sample: 0).duration)
        }
        // 16 reads x (settle 5 + conversions x 4), plus a shift-add: 2 conversions alone, 4 shared.
        let expected: [Int64] = [(16 * (5 + 2 * 4) + 2) * 1000, (16 * (5 + 4 * 4) + 2) * 1000]  // ticks
        XCTAssertEqual(durations, expected)
    }

    func testDACInputScalingIsACostedDigitalStage() throws {
        // 16 inputs: 16 compares for the largest magnitude and 16 scalings = 32 operations on
        // 64 lanes, one 1 ns step at 1 GHz, 32 x 0.565 pJ.
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware())
        let s = stage(config, "layer 0 input scaling")
        XCTAssertEqual(config.taskGraph.units[s.units[0]].kind, .digital)
        XCTAssertEqual(stage(config, "layer 0 inputs to tiles").dependsOn, [s.index])
        let (d, _, r) = executor(config, reads: [[1, 1]]).cost(stage: s, sample: 0)
        XCTAssertEqual(d, 1000, "one cycle: 1000 ticks")
        XCTAssertEqual(r[.digitalOperations], 32)
        XCTAssertEqual(EnergyTable(HardwareModel(config.hardware)).price(r)[.digital]!, 32 * 0.565, accuracy: 1e-12)
    }

    func testTasksOnOneUnitWaitTheirTurn() {
        // One stage on unit 0, then one on no unit: two inferences admitted at once.
        let t = EventEngine.Template(dependsOn: [[], [0]], final: 1, units: 1)
        var e = EventEngine(template: t)
        e.admit(sample: 0, durations: [10, 3], delays: [0, 0], units: [0, -1])
        e.admit(sample: 1, durations: [5, 3], delays: [0, 0], units: [0, -1])
        var done = [EventEngine.Completion]()
        while let c = e.next() { done.append(c) }
        let b = done.first { $0.sample == 1 && $0.stage == 0 }!
        XCTAssertEqual([b.ready, b.start, b.end], [0, 10, 15], "sample 1 waits for sample 0 on the shared unit")
        XCTAssertEqual(done.last!.end, 18)
        XCTAssertEqual(e.unitBusy, [15])
        XCTAssertEqual(e.unitStalls, [10])
        XCTAssertEqual(e.unitMaxQueue, [1], "sample 1's task waited alone in the queue")
    }

    func testTwoStagePipelineFollowsTheBottleneckRule() {
        // Stage A (10 cycles on unit 0, then 7 cycles in flight) feeds stage B (4 cycles on
        // unit 1). With all n inferences admitted at once, unit 0 is the bottleneck: inference k
        // leaves A at 10(k + 1) and B at 10(k + 1) + 7 + 4, so the makespan is 10n + 11 and the
        // steady state completes one inference every 10 cycles.
        let t = EventEngine.Template(dependsOn: [[], [0]], final: 1, units: 2)
        var e = EventEngine(template: t)
        let n = 50
        for i in 0..<n { e.admit(sample: i, durations: [10, 4], delays: [7, 0], units: [0, 1]) }
        var ends = [Int64]()
        while let c = e.next() { if c.stage == 1 { ends.append(c.end) } }
        XCTAssertEqual(ends.last, Int64(10 * n + 11))
        XCTAssertEqual(ends[0], 21, "the first inference: its latency alone")
        XCTAssertEqual(Double(ends[n - 5] - ends[5]) / Double(n - 10), 10)
        let busy: [Int64] = [Int64(10 * n), Int64(4 * n)]
        XCTAssertEqual(e.unitBusy, busy)
        // With B the slower stage (12 cycles), B is the bottleneck: 10 + 7 + 12n.
        var f = EventEngine(template: t)
        for i in 0..<n { f.admit(sample: i, durations: [10, 12], delays: [7, 0], units: [0, 1]) }
        var last: Int64 = 0
        while let c = f.next() { last = c.end }
        XCTAssertEqual(last, Int64(17 + 12 * n))
    }

    func testAFullLayerHoldsTheOneBeforeIt() {
        // Layer A (10 ticks on unit 0) feeds layer B (30 ticks on unit 1); each layer holds one
        // inference. B's stage takes B's place and gives back A's; it gives back B's at its end.
        // Three inferences admitted at t = 0, worked by hand:
        //   i0: A 0-10, enters B at 10 (A frees), B 10-40.
        //   i1: waits for A's place until 10, A 10-20, waits for B's place until 40, B 40-70.
        //   i2: waits for A's place until i1 leaves it at 40, A 40-50, B 70-100.
        // Without the bound, i2's A would run at 20-30 and wait in B's queue instead.
        let t = EventEngine.Template(dependsOn: [[], [0]], final: 1, units: 2, gate: [0, 1], handoff: [-1, 0], exit: [-1, 1], capacity: [1, 1])
        var e = EventEngine(template: t)
        for i in 0..<3 { e.admit(sample: i, durations: [10, 30], delays: [0, 0], units: [0, 1]) }
        var done = [EventEngine.Completion]()
        while let c = e.next() { done.append(c) }
        func at(_ i: Int, _ s: Int) -> [Int64] { let c = done.first { $0.sample == i && $0.stage == s }!; return [c.start, c.end] }
        XCTAssertEqual([at(0, 0), at(0, 1)], [[0, 10], [10, 40]])
        XCTAssertEqual([at(1, 0), at(1, 1)], [[10, 20], [40, 70]])
        XCTAssertEqual([at(2, 0), at(2, 1)], [[40, 50], [70, 100]])
        XCTAssertEqual(e.placeMaxHeld, [1, 1])
        // Waits at the gates: A's 10 (i1) + 40 (i2); B's 20 (i1) + 20 (i2).
        XCTAssertEqual(e.placeWaits, [50, 40])
        XCTAssertEqual(e.unitMaxQueue, [0, 0], "the places bound the queues: nothing waits at a unit")
        // Two places per layer: i0 and i1 both enter A at 0 (i1 queues for unit 0), i2 enters A
        // at 10 (queues behind i1), i1 enters B's second place at 20 (queues for unit 1) and i2
        // waits for B's place until 40: one waiting task per unit at most.
        let two = EventEngine.Template(dependsOn: [[], [0]], final: 1, units: 2, gate: [0, 1], handoff: [-1, 0], exit: [-1, 1], capacity: [2, 2])
        var f = EventEngine(template: two)
        for i in 0..<3 { f.admit(sample: i, durations: [10, 30], delays: [0, 0], units: [0, 1]) }
        var ends = [Int64]()
        while let c = f.next() { if c.stage == 1 { ends.append(c.end) } }
        XCTAssertEqual(ends, [40, 70, 100], "B is the bottleneck either way")
        XCTAssertEqual(f.unitMaxQueue, [1, 1])
        XCTAssertEqual(f.placeWaits, [10, 10])
    }

    func testLoadedRunAdmitsAtMostInFlightInferences() throws {
        // One full tile read of 13 reads per sample (171 cycles) is the slowest stage; with one
        // inference in flight the run is n unloaded latencies back to back, with many it is the
        // bottleneck's.
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware())
        let e = executor(config, reads: [[Int32]](repeating: [8, 5], count: 40))
        let alone = e.unloadedLatency(0)
        let one = e.loaded(samples: 40, inFlight: 1, traceSamples: 0)
        XCTAssertEqual(one.makespan, 40 * alone)
        XCTAssertEqual(one.ledger.stallTicks.reduce(0, +), 0, "nothing waits with one in flight")
        let many = e.loaded(samples: 40, inFlight: 8, traceSamples: 0)
        // 1 GHz: a cycle is 1000 ticks (picoseconds).
        XCTAssertEqual(many.steadyStateInferencesPerTick, 1.0 / 171_000, accuracy: 1e-12)
        XCTAssertEqual(one.ledger.actions, many.ledger.actions, "the load changes time, not actions")
        // The compiled graph's layer places bound the load: 8 in flight, never more than
        // `chip.layerBufferInferences` (2) in a layer, and the first layer full at some point.
        XCTAssertEqual(config.taskGraph.layerBufferInferences, 2)
        XCTAssertEqual(many.layerMaxHeld.first, 2)
        XCTAssertTrue(many.layerMaxHeld.allSatisfy { $0 <= 2 }, "\(many.layerMaxHeld)")
        XCTAssertEqual(one.layerMaxHeld.max(), 1)
    }

    func testReplicatedLayersHoldMoreInferences() throws {
        // Two places per replica: one layer in 3 replicas holds 6 inferences (the default load
        // is 6 + 2 = 8), where one replica holds 2 (default 4).
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        var options = MapOptions()
        options.duplication = [3, 1]
        let hw = try timingHardware()
        let three = try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: hw, options: options, calibration: raw(64, m.inputSize, seed: 5))
        let one = try map(m, hw)
        XCTAssertEqual(three.taskGraph.layerPlaces(three.layers), [6, 2])
        XCTAssertEqual(RunOptions.defaultInFlight(three), (6 + 2) + 2)
        XCTAssertEqual(RunOptions.defaultInFlight(one), (2 + 2) + 2)
        let run = executor(three, reads: [[Int32]](repeating: [8, 5], count: 40)).loaded(samples: 40, inFlight: 12, traceSamples: 0)
        XCTAssertEqual(run.layerMaxHeld[0], 6, "the three replicas' places fill")
    }

    func testStaticEnergyIsLeakagePowerTimesTime() throws {
        let m = model(.hff)
        let x = raw(40, m.inputSize, seed: 3)
        let labels = [Int](repeating: 0, count: 40)
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM)
        for unused in ["power-gated", "leaking"] {
            let config = try map(m, try hw.overriding(["chip.unusedTileSites=\(unused)"]))
            let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions())
            // Powered over the whole run: the used tiles at 3.25 mW each and the used cores, plus
            // (leaking) every other tile site; mW x ns = pJ at 1 GHz.
            let tiles = Double(config.resources.tiles), cores = Double(config.resources.learningCores)
            var milliwatts = tiles * 3.25 + cores * hw.number("learningCore.energy.staticMilliwattsPerCore")
            if unused == "leaking" { milliwatts += (2304 - tiles) * 3.25 }
            let expected = milliwatts * Double(r.makespanCycles) / 1.0 / 40
            XCTAssertEqual(r.energyByComponent[.static]!, expected, accuracy: 1e-9 * expected, unused)
        }
        // Power-gated idle units leak only while a task holds them: per unit, its tiles at 3.25
        // mW and its cores, times its busy ticks (ps; mW x ps = fJ).
        let config = try map(m, try hw.overriding(["chip.idleUnits=power-gated"]))
        let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions())
        let core = hw.number("learningCore.energy.staticMilliwattsPerCore")
        var femtojoules = 0.0
        for (u, unit) in r.units.enumerated() {
            femtojoules += (Double(unit.tiles) * 3.25 + Double(unit.cores) * core) * Double(r.ledger.busyTicks[u])
        }
        let expected = femtojoules / 1000 / 40
        XCTAssertGreaterThan(expected, 0)
        XCTAssertEqual(r.energyByComponent[.static]!, expected, accuracy: 1e-9 * expected)
        let leaking = try Simulation.run(config: try map(m, hw), model: m, raw: x, labels: labels, options: RunOptions())
        XCTAssertLessThan(r.energyByComponent[.static]!, leaking.energyByComponent[.static]!)
        XCTAssertEqual(r.energyByComponent[.adc], leaking.energyByComponent[.adc], "gating changes static energy only")
    }

    func testHopCountChangesNetworkEnergyAndLatency() throws {
        // Layer 0 (16 -> 12) fills 4 column tiles, sites 0-3; layer 1 (12 -> 2) one tile, site 4.
        // Serpentine placement, 20 sites per row: (0,0) (1,0) (2,0) (3,0) | (4,0): hops to the
        // hub 0, 1, 2, 3 and 4 hub to hub. 2 per row: (0,0) (1,0) (1,1) (0,1) | (0,2): hops 0, 1,
        // 2, 1 and 2.
        let m = model(.backprop, widths: [12], inputs: 16, classes: 2)
        let x = raw(20, m.inputSize, seed: 3)
        var results = [RunResult]()
        for width in [20, 2] {
            let config = try map(m, try timingHardware(["chip.tileSitesPerRow=\(width)", "timing.networkHopNanoseconds=5"]))
            XCTAssertEqual(config.layers[0].columnTiles, 4)
            results.append(try Simulation.run(config: config, model: m, raw: x, labels: [Int](repeating: 0, count: 20), options: RunOptions()))
        }
        // Byte-hops: 16 input bytes to each tile, 3 outputs x 3 accumulator bytes back, 12
        // activation bytes hub to hub: 16 x 6 + 9 x 6 + 12 x 4 = 198, and 16 x 4 + 9 x 4 + 12 x 2 = 124.
        XCTAssertEqual(results[0].energyByComponent[.network]!, 198 * 0.648, accuracy: 1e-9)
        XCTAssertEqual(results[1].energyByComponent[.network]!, 124 * 0.648, accuracy: 1e-9)
        // Latency: the farthest hop of each transfer, 5 ns each: (3 + 3 + 4) vs (2 + 2 + 2) hops.
        XCTAssertEqual(results[0].latencyCycles - results[1].latencyCycles, 4 * 5, accuracy: 1e-9)
    }

    func testFFPassesRunInTheExecutedGraph() throws {
        // FF with 4 classes: every inference runs 4 passes, each overlaying its label, then the
        // goodness and argmax.
        let m = model(.ff, widths: [20], inputs: 16, classes: 4)
        let config = try map(m, try timingHardware())
        let e = executor(config, reads: [[2, 2], [2, 2]])
        let run = e.loaded(samples: 2, inFlight: 2, traceSamples: 1)
        let mine = run.traced.filter { $0.sample == 0 }.map { config.taskGraph.stages[$0.stage] }
        XCTAssertEqual(Set(mine.filter { $0.kind == .overlay }.compactMap(\.pass)), [0, 1, 2, 3])
        XCTAssertEqual(Set(mine.filter { $0.kind == .tileReads }.compactMap(\.pass)), [0, 1, 2, 3])
        XCTAssertEqual(mine.filter { $0.kind == .goodness }.count, 1)
        let goodness = run.traced.first { $0.sample == 0 && config.taskGraph.stages[$0.stage].kind == .goodness }!
        let lastRead = run.traced.filter { $0.sample == 0 && config.taskGraph.stages[$0.stage].kind == .accumulateFinish }.map(\.end).max()!
        XCTAssertGreaterThanOrEqual(goodness.start, lastRead, "goodness waits for every pass")
        // Every pass reads its tiles: 4 passes x 4 reads of sample 0 and of sample 1.
        let tileUnit = stage(config, "layer 0 row tile 0 reads (pass 0)").units[0]
        XCTAssertEqual(run.ledger.actions[tileUnit][.tileReads], 2 * 4 * 4)
    }

    func testTotalEnergyEqualsCountsTimesTheTable() throws {
        let m = model(.hff)
        let x = raw(50, m.inputSize, seed: 3)
        let labels = [Int](repeating: 0, count: 50)
        let hw = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM)
        let config = try map(m, hw)
        var options = RunOptions()
        options.chipSeeds = 2
        let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
        let n = Double(r.inferences)
        XCTAssertEqual(r.inferences, 100)
        let all = r.actions(layer: nil)
        func close(_ a: Double, _ b: Double, _ what: String) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(abs(b), 1), what) }
        // Prices from the preset, by hand: cells V^2 x uS x ns = fJ; row drivers 3.5 fJ; ADC 0.051 pJ.
        close(r.energyByComponent[.array]!, all[.cellMicrosiemensNanoseconds] * 0.55 * 0.55 / 1000, "array")
        close(r.energyByComponent[.dac]!, all[.rowActivations] * 3.5 / 1000, "dac")
        close(r.energyByComponent[.adc]!, all[.adcConversions] * hw.adcConversionPicojoules, "adc")
        close(r.energyByComponent[.buffers]!, (all[.bufferReadAccesses] + all[.bufferWriteAccesses]) * 20.45, "buffers: 256-bit accesses")
        close(r.energyPerInferencePicojoules, Component.allCases.reduce(0) { $0 + (r.energyByComponent[$1] ?? 0) }, "total")
        let byLayer = r.energyByLayer.reduce(0.0) { $0 + Component.total($1) }
        close(byLayer, r.energyPerInferencePicojoules, "layers, read-out and chip rows")
        XCTAssertGreaterThan(all[.adcConversions], 0)
        XCTAssertGreaterThan(n, 0)
    }

    func testResultsAreIdenticalForAnyThreadCount() throws {
        let m = model(.hff)
        let x = raw(300, m.inputSize, seed: 4)
        let labels = [Int](repeating: 1, count: 300)
        let config = try map(m, try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM))
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
            XCTAssertEqual(r.makespanCycles, results[0].makespanCycles)
            XCTAssertEqual(r.energyPerInferencePicojoules, results[0].energyPerInferencePicojoules)
        }
    }

    func testIdenticalChipsAddUpAsThreeTimesOne() throws {
        // rram-neurosim's crossbars have no noise: every chip seed does the same work (the core's
        // mismatch changes scores, not events), so 3 chips record 3 x one
        // chip's actions and busy time, with the same latency and throughput (the simulator
        // reuses the first chip's timing for a chip that did exactly the same work). With read
        // noise the chips differ and each is simulated.
        let m = model(.hff)
        let x = raw(120, m.inputSize, seed: 4)
        let labels = [Int](repeating: 1, count: 120)
        let config = try map(m, try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM))
        var options = RunOptions()
        let one = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
        options.chipSeeds = 3
        let three = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
        XCTAssertEqual(three.ledger.actions.map { $0.counts }, one.ledger.actions.map { $0.counts.map { 3 * $0 } })
        XCTAssertEqual(three.ledger.busyTicks, one.ledger.busyTicks.map { 3 * $0 })
        XCTAssertEqual(three.latencyCycles, one.latencyCycles)
        XCTAssertEqual(three.throughputInferencesPerSecond, one.throughputInferencesPerSecond, accuracy: 1e-9 * one.throughputInferencesPerSecond)
        XCTAssertEqual(three.hardwareAccuracy, [Double](repeating: one.hardwareAccuracy[0], count: 3))
        let noisy = try map(m, try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + ["noise.readRelative=0.05"]))
        let n3 = try Simulation.run(config: noisy, model: m, raw: x, labels: labels, options: options)
        options.chipSeeds = 1
        let n1 = try Simulation.run(config: noisy, model: m, raw: x, labels: labels, options: options)
        XCTAssertNotEqual(n3.ledger.actions.map { $0.counts }, n1.ledger.actions.map { $0.counts.map { 3 * $0 } }, "noisy chips differ")
    }
}

/// Point 1 of the one-core issue: every key of the schema is read by a model, or marked
/// informational, never both.
final class KeyCoverageTests: XCTestCase {
    func testEveryKeyIsReadOrMarkedInformational() throws {
        let loaded = try KeyReads.recording { _ = try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM) }
        XCTAssertEqual(loaded, [], "loading and validating reads no key through the models' accessors")
        var read = Set<String>()
        for (algorithm, preset) in [(Algorithm.hff, "rram-neurosim"), (.ff, "pcm-aihwkit"), (.backprop, "ideal")] {
            let m = TestModels.model(algorithm, widths: [40, 24], inputs: 30, classes: 4, seed: 1)
            let x = TestModels.raw(20, 30, seed: 2)
            read.formUnion(try KeyReads.recording {
                let config = try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: try HardwareDescription.load(preset),
                                            options: MapOptions(), calibration: x)
                _ = try Simulation.run(config: config, model: m, raw: x, labels: [Int](repeating: 0, count: 20), options: RunOptions())
            })
        }
        let informational = Set(HardwareSchema.keys.filter { $0.informational != nil }.map(\.path))
        let all = Set(HardwareSchema.keys.map(\.path))
        XCTAssertEqual(all.subtracting(read).subtracting(informational).sorted(), [], "keys neither read nor informational")
        XCTAssertEqual(read.intersection(informational).sorted(), [], "keys marked informational but read")
        XCTAssertEqual(informational, ["crossbar.cellType"])
    }

    func testReadVoltsAndPulseReachEnergyAndLatency() throws {
        let m = TestModels.model(.hff, widths: [40, 24], inputs: 30, classes: 4, seed: 1)
        let x = TestModels.raw(20, 30, seed: 2)
        func run(_ sets: [String]) throws -> RunResult {
            let config = try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: try HardwareDescription.load("rram-neurosim", sets: TestHardware.genericRRAM + sets),
                                        options: MapOptions(), calibration: x)
            return try Simulation.run(config: config, model: m, raw: x, labels: [Int](repeating: 0, count: 20), options: RunOptions())
        }
        let base = try run([]), volts = try run(["crossbar.readVolts=1.1"]), pulse = try run(["crossbar.readPulseNanoseconds=1000"])
        // Cell energy is V^2 G t: doubling the volts quadruples it; 100x the pulse is 100x.
        XCTAssertEqual(volts.energyByComponent[.array]! / base.energyByComponent[.array]!, 4, accuracy: 1e-9)
        XCTAssertEqual(pulse.energyByComponent[.array]! / base.energyByComponent[.array]!, 100, accuracy: 1e-9)
        XCTAssertEqual(volts.latencyCycles, base.latencyCycles)
        XCTAssertGreaterThan(pulse.latencyCycles, base.latencyCycles + 990)
    }
}
