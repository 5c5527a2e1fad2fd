import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator
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
            // Random weights leave some samples with near-tied classes, which any rounding may
            // flip; keep the samples whose two best float scores differ by 5% of the score range.
            // (At 2%, one backprop sample flips: its second layer's inputs on the hardware differ
            // slightly from the float activations the ranges were calibrated on, and one reading
            // clips at its calibrated maximum; with worst-case ranges it does not.)
            let all = raw(400, m.inputSize, seed: 2)
            let scores = m.scores(all)
            let range = (scores.storage.max()! - scores.storage.min()!)
            let keep = (0..<all.rows).filter { i in
                let row = (0..<m.classCount).map { scores[i, $0] }.sorted(by: >)
                return row[0] - row[1] > 0.05 * range
            }
            XCTAssertGreaterThan(keep.count, 100, "\(algorithm)")
            let x = all.gatherRows(keep)
            // Labels: the float model's own predictions on half the samples, shifted on the rest,
            // so that float accuracy is 50% and any disagreement would show.
            var labels = Kernels.argmaxRows(m.scores(x))
            for i in stride(from: 1, to: labels.count, by: 2) { labels[i] = (labels[i] + 1) % m.classCount }
            // ADC ranges calibrated on these samples (so none clips).
            let config = try Mapper.map(model: m, modelPath: "m", modelDigest: "0", hardware: try HardwareDescription.load("ideal"),
                                        options: MapOptions(), calibration: x)
            var options = RunOptions()
            options.chipSeeds = 2
            let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
            XCTAssertEqual(r.floatAccuracy, Double((labels.count + 1) / 2) / Double(labels.count), accuracy: 1e-12, "\(algorithm)")
            XCTAssertEqual(r.hardwareAccuracy, [r.floatAccuracy, r.floatAccuracy], "\(algorithm)")
            XCTAssertEqual(r.agreement, [1, 1], "\(algorithm)")
        }
    }

    /// A hardware with small arrays: 16 rows read 8 at a time (two row groups per tile), 24
    /// columns, 4 columns per ADC, 3 ns conversions, 5 ns settle, 2 ns shift-add, at 1 GHz.
    func timingHardware(_ extra: [String] = []) throws -> HardwareDescription {
        try HardwareDescription.load("rram-neurosim", sets: [
            "crossbar.rows=16", "crossbar.rowsPerRead=8", "crossbar.columns=24", "crossbar.adc.columnsPerADC=4",
            "crossbar.adc.conversionNanoseconds=3", "timing.rowDriveSettleNanoseconds=5", "timing.shiftAddNanoseconds=2",
            "technology.clockGigahertz=1", "chip.tileSites=400", "chip.tileSitesPerRow=20"] + extra)
    }

    func testOneTileReadTakesItsClosedForm() throws {
        let m = model(.backprop, widths: [3], inputs: 16, classes: 2)
        let config = try map(m, try timingHardware())
        XCTAssertEqual(config.layers[0].rowTiles, 1)
        // Layer 0: one row tile of two row groups; sample 0 converts 8 + 5 reads, sample 1 none.
        let reads: [[[Int32]]] = [[[8, 5, 0, 0], [1, 0]]]
        var e = Simulation.engine(config: config, samples: 2, groupReads: reads)
        e.run()
        let tile = e.tasks.filter { $0.name == "layer 0 row tile 0 reads" }
        // reads x columns per ADC x conversion cycles, plus the fill (settle + shift-add).
        XCTAssertEqual(tile[0].duration, 13 * 4 * 3 + 5 + 2)
        XCTAssertEqual(tile[1].duration, 0, "all-zero bit-planes are skipped")
        XCTAssertEqual(tile[0].end - tile[0].start, tile[0].duration)
    }

    func testTwoTilesSharingOneADCTakeTwiceAsLong() throws {
        // 3 outputs x 4 slices x 2 = 24 columns per output column of... a 3-output layer fits one
        // tile; 6 outputs need two column tiles, which then share an ADC bank.
        let m = model(.backprop, widths: [6], inputs: 16, classes: 2)
        let reads: [[[Int32]]] = [[[8, 8], [1, 0]]]
        var durations = [Int64]()
        for share in [1, 2] {
            let config = try map(m, try timingHardware(["chip.tilesPerADC=\(share)"]))
            XCTAssertEqual(config.layers[0].columnTiles, 2)
            var e = Simulation.engine(config: config, samples: 1, groupReads: reads)
            e.run()
            durations.append(e.tasks.first { $0.name == "layer 0 row tile 0 reads" }!.duration)
        }
        let fill: Int64 = 5 + 2
        XCTAssertEqual(durations[1] - fill, 2 * (durations[0] - fill))
    }

    func testTasksOnOneUnitWaitTheirTurn() {
        var e = EventEngine(resources: 1)
        let a = e.add("a", resource: 0, duration: 10, sample: 0)
        let b = e.add("b", resource: 0, duration: 5, sample: 1)
        let c = e.add("c", resource: -1, duration: 3, sample: 1, after: [b])
        XCTAssertEqual(e.run(), 18)
        XCTAssertEqual(e.tasks[a].start, 0)
        XCTAssertEqual(e.tasks[b].start, 10, "b waits for a on the shared unit")
        XCTAssertEqual(e.tasks[b].start - e.tasks[b].ready, 10)
        XCTAssertEqual(e.tasks[c].end, 18)
    }

    func testTotalEnergyEqualsCountsTimesTheTable() throws {
        let m = model(.hff)
        let x = raw(50, m.inputSize, seed: 3)
        let labels = [Int](repeating: 0, count: 50)
        let hw = try HardwareDescription.load("rram-neurosim")
        let config = try map(m, hw)
        var options = RunOptions()
        options.chipSeeds = 2
        let r = try Simulation.run(config: config, model: m, raw: x, labels: labels, options: options)
        let n = Double(r.inferences)
        XCTAssertEqual(r.inferences, 100)
        let cells = r.countsByLayer.reduce(0) { $0 + $1.cellReads }, rows = r.countsByLayer.reduce(0) { $0 + $1.rowActivations }
        let conversions = r.countsByLayer.reduce(0) { $0 + $1.adcConversions }
        func close(_ a: Double, _ b: Double, _ what: String) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(abs(b), 1), what) }
        close(r.energyByComponent[.array]! * n, Double(cells) * hw.number("energy.cellReadFemtojoules") / 1000, "array")
        close(r.energyByComponent[.dac]! * n, Double(rows) * hw.number("energy.rowDriverFemtojoules") / 1000, "dac")
        close(r.energyByComponent[.adc]! * n, Double(conversions) * hw.adcConversionPicojoules, "adc")
        close(r.energyByComponent[.learningCore]! * n, r.coreCounts.picojoules(CoreParameters(hw)), "learning core")
        close(r.energyPerInferencePicojoules, Component.allCases.reduce(0) { $0 + (r.energyByComponent[$1] ?? 0) }, "total")
        let byLayer = r.energyByLayer.reduce(0.0) { $0 + Component.total($1) }
        close(byLayer + r.energyByComponent[.static]!, r.energyPerInferencePicojoules, "layers plus static")
        XCTAssertGreaterThan(conversions, 0)
    }

    func testResultsAreIdenticalForAnyThreadCount() throws {
        let m = model(.hff)
        let x = raw(300, m.inputSize, seed: 4)
        let labels = [Int](repeating: 1, count: 300)
        let config = try map(m, try HardwareDescription.load("rram-neurosim"))
        var results = [RunResult]()
        let saved = GEMM.defaultThreads
        defer { GEMM.defaultThreads = saved }
        for threads in [1, 2, 3] {
            GEMM.defaultThreads = threads
            results.append(try Simulation.run(config: config, model: m, raw: x, labels: labels, options: RunOptions()))
        }
        for r in results.dropFirst() {
            XCTAssertEqual(r.hardwareAccuracy, results[0].hardwareAccuracy)
            XCTAssertEqual(r.countsByLayer, results[0].countsByLayer)
            XCTAssertEqual(r.latencyCycles, results[0].latencyCycles)
            XCTAssertEqual(r.makespanCycles, results[0].makespanCycles)
            XCTAssertEqual(r.energyPerInferencePicojoules, results[0].energyPerInferencePicojoules)
        }
    }
}
