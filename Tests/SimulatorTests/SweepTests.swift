import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
@testable import Simulator
import TestSupport

/// The sweep: spec refusals, the plan's order, identities and shards, the Pareto front on a set
/// worked by hand, and a real sweep sharded, merged and resumed against the unsharded run.
final class SweepTests: XCTestCase {
    func spec(_ tree: [String: Any]) throws -> SweepSpec { try SweepSpec(tree, file: "s.json") }

    func base(_ extra: [String: Any] = [:]) -> [String: Any] {
        var t: [String: Any] = ["models": ["m.safetensors"], "hardware": ["rram-neurosim"]]
        for (k, v) in extra { t[k] = v }
        return t
    }

    /// The field at fault is named, and the error is bad data (exit 65).
    func assertRefused(_ tree: [String: Any], field: String, plan: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let s = try spec(tree)
            if plan { _ = try SweepPlan(s, modelDigests: ["d"]) }
            XCTFail("accepted; expected a refusal naming \(field)", file: file, line: line)
        } catch let e as InputError {
            XCTAssertEqual(e.kind, .data, e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains("s.json") && e.message.contains(field), "\(e.message) should name s.json and \(field)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testSpecRefusalsNameTheField() {
        assertRefused(["hardware": ["rram-neurosim"]], field: "models")
        assertRefused(base(["colour": 1]), field: "colour")
        assertRefused(base(["description": 1]), field: "description")
        assertRefused(base(["samples": 0]), field: "samples")
        assertRefused(base(["chipSeeds": "two"]), field: "chipSeeds")
        assertRefused(base(["objectives": ["energy"]]), field: "objectives[0]")
        assertRefused(base(["grid": [["key": "crossbar.nonsense", "values": [1]]]]), field: "crossbar.nonsense")
        assertRefused(base(["grid": [["key": "crossbar.adc.bits", "values": [4]], ["key": "crossbar.adc.bits", "values": [5]]]]), field: "grid")
        assertRefused(base(["random": ["count": 3, "axes": [] as [Any]]]), field: "random.axes")
        assertRefused(base(["random": ["count": 3, "axes": [["key": "crossbar.adc.bits", "range": [3, 8], "log": "yes"]]]]), field: "random.axes[0].log")
        assertRefused(base(["random": ["count": 3, "axes": [["key": "crossbar.adc.bits", "range": [3, 8], "integer": 1]]]]), field: "random.axes[0].integer")
        // A value out of the key's range is the spec's fault, found when the plan checks each value alone.
        assertRefused(base(["grid": [["key": "crossbar.adc.bits", "values": [4, 0]]]]), field: "grid[0].values[1]", plan: true)
        assertRefused(base(["set": ["--duplicate=-1"]]), field: "set[0]", plan: true)
        // 57 x 201 x 24 x 8 = 2,199,744 combinations: more than a plan holds, refused before they are made.
        assertRefused(base(["grid": [["key": "chip.accumulatorBits", "values": Array(8...64)] as [String: Any],
                                     ["key": "chip.tileSites", "values": Array(1000...1200)] as [String: Any],
                                     ["key": "crossbar.adc.bits", "values": Array(1...24)] as [String: Any],
                                     ["key": "crossbar.adc.columnsPerADC", "values": Array(1...8)] as [String: Any]]]),
                      field: "2199744 points; at most 1000000", plan: true)
    }

    func testPlanOrderIdentitiesAndShards() throws {
        let s = try spec(base(["grid": [["key": "crossbar.adc.bits", "values": [4, 5, 6]],
                                        ["keys": ["crossbar.rows", "crossbar.rowsPerRead"], "values": [[64, 64], [128, 128]]]],
                               "samples": 10]))
        let plan = try SweepPlan(s, modelDigests: ["digest-a"])
        XCTAssertEqual(plan.columns, ["crossbar.adc.bits", "crossbar.rows", "crossbar.rowsPerRead"])
        // The first axis outermost; a linked axis moves its keys together.
        XCTAssertEqual(plan.points.map(\.values), [["4", "64", "64"], ["4", "128", "128"], ["5", "64", "64"], ["5", "128", "128"], ["6", "64", "64"], ["6", "128", "128"]])
        XCTAssertEqual(plan.points[3].hardware?.integer("crossbar.adc.bits"), 5)
        XCTAssertEqual(plan.points[3].hardware?.integer("crossbar.rows"), 128)
        // Identities: distinct, reproducible, and a function of the model too.
        XCTAssertEqual(Set(plan.points.map(\.id)).count, 6)
        XCTAssertEqual(try SweepPlan(s, modelDigests: ["digest-a"]).points.map(\.id), plan.points.map(\.id))
        XCTAssertTrue(Set(try SweepPlan(s, modelDigests: ["digest-b"]).points.map(\.id)).isDisjoint(with: plan.points.map(\.id)))
        // Every point has its own hardware here, so its own compiled config.
        XCTAssertEqual(Set(plan.points.map(\.mapKey)).count, 6)
        // Shards: index mod N, together every point once.
        XCTAssertEqual(plan.shard(1, of: 4).map(\.index), [1, 5])
        XCTAssertEqual((0..<4).flatMap { plan.shard($0, of: 4).map(\.index) }.sorted(), Array(0..<6))
        // A run option does not change the compiled config: one map group for both times.
        let t = try SweepPlan(try spec(base(["grid": [["key": "--time-since-programming", "values": ["1h", "1y"]]]])), modelDigests: ["d"])
        XCTAssertEqual(t.points.map { $0.options.timeSinceProgrammingSeconds }, [3600, 31_557_600])
        XCTAssertEqual(Set(t.points.map(\.mapKey)).count, 1)
        XCTAssertEqual(SweepRunner.groups(t.points).map { $0.map(\.index) }, [[0, 1]])
    }

    func testRandomSamplesAreSeededAndInRange() throws {
        let tree = base(["random": ["count": 20, "seed": 7, "axes": [["key": "crossbar.adc.bits", "range": [3, 8], "integer": true],
                                                                      ["key": "noise.readRelative", "range": [0.001, 0.1], "log": true]]]])
        let a = try SweepPlan(try spec(tree), modelDigests: ["d"]), b = try SweepPlan(try spec(tree), modelDigests: ["d"])
        XCTAssertEqual(a.points.map(\.values), b.points.map(\.values))
        XCTAssertEqual(a.points.count, 20)
        for p in a.points {
            let bits = Int(p.values[0])!, read = Double(p.values[1])!
            XCTAssertTrue((3...8).contains(bits) && read >= 0.001 && read <= 0.1, "\(p.values)")
        }
        XCTAssertGreaterThan(Set(a.points.map { $0.values[0] }).count, 3)
    }

    func testParetoFrontOnAHandWorkedSet() {
        func row(_ drop: Double, _ nJ: Double, ok: Bool = true) -> [String: Any] {
            ["status": ok ? "ok" : "does-not-fit", "result": ["accuracyDrop": drop, "energyPerInferenceNanojoules": nJ]]
        }
        // (drop, energy): a (1, 10) and b (2, 5) trade off; c (2, 10) is beaten by both; d equals
        // b (on the front together); e (0.5, 50) is the most accurate; f did not run.
        let rows = [row(1, 10), row(2, 5), row(2, 10), row(2, 5), row(0.5, 50), row(0, 0, ok: false)]
        let objectives = [SweepSpec.Objective(column: "accuracyDrop", maximise: false), SweepSpec.Objective(column: "energyPerInferenceNanojoules", maximise: false)]
        XCTAssertEqual(SweepTable.paretoFront(rows, objectives), [true, true, false, true, true, false])
        // Maximising the drop instead turns the order round: c (2, 10) is now beaten only by b.
        let perverse = [SweepSpec.Objective(column: "accuracyDrop", maximise: true), objectives[1]]
        XCTAssertEqual(SweepTable.paretoFront(rows, perverse), [false, true, false, true, false, false])
        // One objective: only the minimum.
        XCTAssertEqual(SweepTable.paretoFront(rows, [objectives[1]]), [false, true, false, true, false, false])
    }

    /// A real sweep of a small model: two shards merged give the unsharded run's bytes (tables and
    /// report), two workers give one worker's, and a rerun runs only what is missing.
    func testShardedMergedAndResumedSweepsGiveTheSameBytes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-sweep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = TestModels.model(.hff, widths: [24, 16], inputs: 30, classes: 4, seed: 3)
        try ModelFile.save(model, to: root + "/m.safetensors")
        let x = TestModels.raw(40, 30, seed: 9)
        let labels = Kernels.argmaxRows(model.scores(x)).enumerated().map { i, c in i % 5 == 0 ? (c + 1) % 4 : c }
        let data: [SweepRunner.ModelData] = [(Dataset(name: "t", features: TestModels.raw(64, 30, seed: 4), labels: Array(repeating: 0, count: 64), classCount: 4), x, labels)]
        let s = try SweepSpec(["models": ["m.safetensors"], "hardware": ["rram-neurosim"], "chipSeeds": 2,
                               "grid": [["key": "crossbar.adc.bits", "values": [3, 6]], ["key": "crossbar.adc.columnsPerADC", "values": [1, 8]],
                                        ["key": "--time-since-programming", "values": ["1h", "1y"]]]], file: root + "/s.json")
        let sources = try s.models.map(Experiment.ModelSource.load)
        let plan = try SweepPlan(s, modelDigests: sources.map(\.digest))
        func sweep(_ dir: String, shard: Int = 0, of count: Int = 1, jobs: Int = 1) throws -> Int {
            try SweepIndex.makeDirectory(dir)
            try SweepIndex.makeDirectory(dir + "/points")
            let index = SweepIndex(plan)
            try AtomicFile.write(Data(index.jsonText().utf8), to: dir + "/plan.json")
            let share = plan.shard(shard, of: count)
            let todo = SweepRunner.pending(share, dir: dir).todo
            try SweepRunner.run(SweepRunner.groups(todo), plan: plan, sources: sources, data: data, dir: dir, jobs: jobs) { _, _, _, _ in }
            var rows = [String: [String: Any]]()
            for p in share { rows[p.id] = SweepIndex.readRow(dir: dir, id: p.id) }
            let shareIndex = index.shard(shard, of: count)
            try shareIndex.writeTables(rows: rows, into: dir)
            return todo.count
        }
        XCTAssertEqual(try sweep(root + "/one"), 8)
        XCTAssertEqual(try sweep(root + "/two-jobs", jobs: 2), 8)
        XCTAssertEqual(try sweep(root + "/s0", shard: 0, of: 3), 3)
        XCTAssertEqual(try sweep(root + "/s1", shard: 1, of: 3), 3)
        XCTAssertEqual(try sweep(root + "/s2", shard: 2, of: 3), 2)
        _ = try SweepIndex.merge([root + "/s0", root + "/s1", root + "/s2"], into: root + "/merged")
        for f in ["results.csv", "results.jsonl", "front.txt", "plan.json", "report.html", "pareto.svg"] {
            let one = FileManager.default.contents(atPath: root + "/one/" + f)
            XCTAssertNotNil(one, f)
            XCTAssertEqual(one, FileManager.default.contents(atPath: root + "/merged/" + f), "merged \(f)")
            XCTAssertEqual(one, FileManager.default.contents(atPath: root + "/two-jobs/" + f), "two jobs \(f)")
        }
        // The front's per-layer time: the model's two crossbar layers, then rram-neurosim's
        // learning core, which holds the read-out.
        let layersSVG = String(decoding: FileManager.default.contents(atPath: root + "/one/front-layers.svg")!, as: UTF8.self)
        XCTAssertTrue(layersSVG.contains(">layer 0</text>") && layersSVG.contains(">layer 1</text>") && layersSVG.contains(">read-out</text>"), layersSVG)
        XCTAssertFalse(layersSVG.contains(">layer 2</text>"), layersSVG)
        // Every point ran and the table has one line per point with its settings.
        let csv = String(decoding: FileManager.default.contents(atPath: root + "/one/results.csv")!, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(csv.count, 9)
        XCTAssertTrue(csv[0].hasPrefix("index,id,status,model,hardware,crossbar.adc.bits,crossbar.adc.columnsPerADC,--time-since-programming,"))
        XCTAssertEqual(csv.dropFirst().filter { $0.split(separator: ",")[2] == "ok" }.count, 8)
        // Resume: nothing left; remove one point and exactly it runs again, to the same bytes.
        XCTAssertEqual(try sweep(root + "/one"), 0)
        let before = FileManager.default.contents(atPath: root + "/one/results.csv")
        try FileManager.default.removeItem(atPath: SweepIndex.pointPath(dir: root + "/one", id: plan.points[5].id))
        XCTAssertEqual(SweepRunner.pending(plan.points, dir: root + "/one").todo.map(\.index), [5])
        XCTAssertEqual(try sweep(root + "/one"), 1)
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/one/results.csv"), before)
        // A merge with a point missing everywhere is refused, naming it, and writes nothing.
        XCTAssertThrowsError(try SweepIndex.merge([root + "/s0", root + "/s1"], into: root + "/partial")) { e in
            XCTAssertTrue((e as? InputError)?.message.contains("point 2 ") == true, "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/partial"))
    }

    /// A chip too small for the model is a row of the table (status and the compiler's reason),
    /// off the front, and the sweep goes on.
    func testAPointThatDoesNotFitIsARecordedResult() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-sweep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/out/points", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = TestModels.model(.hff, widths: [24, 16], inputs: 30, classes: 4, seed: 3)
        try ModelFile.save(model, to: root + "/m.safetensors")
        let x = TestModels.raw(20, 30, seed: 9)
        let data: [SweepRunner.ModelData] = [(Dataset(name: "t", features: TestModels.raw(64, 30, seed: 4), labels: Array(repeating: 0, count: 64), classCount: 4),
                                              x, Kernels.argmaxRows(model.scores(x)))]
        let s = try SweepSpec(["models": ["m.safetensors"], "hardware": ["rram-neurosim"],
                               "grid": [["key": "chip.tileSites", "values": [1, 768]]]], file: root + "/s.json")
        let sources = try s.models.map(Experiment.ModelSource.load)
        let plan = try SweepPlan(s, modelDigests: sources.map(\.digest))
        try SweepRunner.run(SweepRunner.groups(plan.points), plan: plan, sources: sources, data: data, dir: root + "/out", jobs: 1) { _, _, _, _ in }
        let rows = plan.points.map { SweepIndex.readRow(dir: root + "/out", id: $0.id)! }
        XCTAssertEqual(rows.map { $0["status"] as? String }, ["does-not-fit", "ok"])
        XCTAssertTrue((rows[0]["reason"] as? String)?.contains("chip.tileSites") == true, "\(rows[0])")
        XCTAssertNil(SweepTable.value(rows[0], "energyPerInferenceNanojoules"))
        let objectives = [SweepSpec.Objective(column: "accuracyDrop", maximise: false)]
        XCTAssertEqual(SweepTable.paretoFront(rows, objectives), [false, true])
        let csv = SweepTable.csv(rows, indices: [0, 1], columns: plan.columns, front: [false, true])
        XCTAssertTrue(csv.split(separator: "\n")[1].hasPrefix("0,\(plan.points[0].id),does-not-fit,m.safetensors,rram-neurosim,1,"), csv)
    }
}
