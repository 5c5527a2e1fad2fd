import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import TestSupport

final class CompilerTests: XCTestCase {
    func model(_ algorithm: Algorithm, widths: [Int] = [37, 23], inputs: Int = 50, classes: Int = 4, seed: UInt64 = 1) -> Model {
        TestModels.model(algorithm, widths: widths, inputs: inputs, classes: classes, seed: seed)
    }

    func rawInputs(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix { TestModels.raw(rows, cols, seed: seed) }

    /// Small arrays so that the small models span several row and column tiles.
    func smallHardware(_ preset: String = "rram-neurosim", _ extra: [String] = []) throws -> HardwareDescription {
        try HardwareDescription.load(preset, sets: ["crossbar.rows=16", "crossbar.rowsPerRead=16", "crossbar.columns=24",
                                                    "crossbar.adc.columnsPerADC=8", "chip.tileSites=400", "chip.tileSitesPerRow=20"] + extra)
    }

    func map(_ m: Model, _ hw: HardwareDescription, _ options: MapOptions = MapOptions()) throws -> HardwareConfig {
        try Mapper.map(model: m, modelPath: "model.safetensors", modelDigest: "0", hardware: hw, options: options,
                       calibration: rawInputs(32, m.inputSize, seed: 9))
    }

    func testFoldingTheStandardisationLeavesFloatOutputsUnchanged() {
        for algorithm in Algorithm.allCases {
            let m = model(algorithm)
            let raw = rawInputs(20, m.inputSize, seed: 3)
            let lowered = LoweredModel(m)
            let expected = m.scores(raw), got = lowered.scores(raw)
            let scale = expected.storage.map { abs($0) }.max()!
            for k in 0..<expected.count {
                XCTAssertEqual(got.storage[k], expected.storage[k], accuracy: 1e-4 * max(scale, 1), "\(algorithm) score \(k)")
            }
            XCTAssertEqual(Kernels.argmaxRows(got), Kernels.argmaxRows(expected), "\(algorithm)")
            // The first crossbar layer reads raw, non-negative pixels.
            XCTAssertFalse(lowered.layers[0].signedInput)
            XCTAssertEqual(lowered.layers.count, m.layers.count + (algorithm == .backprop ? 1 : 0))
            XCTAssertEqual(lowered.passes, algorithm == .ff ? 4 : 1)
        }
    }

    func testTilingCoversEveryWeightExactlyOnceOrDuplicationTimes() throws {
        for (preset, extra, duplication) in [("rram-neurosim", [String](), [1, 1]), ("rram-neurosim", ["crossbar.weightEncoding=offset"], [2, 3]),
                                             ("pcm-aihwkit", [], [1, 2])] {
            let hw = try smallHardware(preset, extra)
            var options = MapOptions()
            options.duplication = duplication
            let config = try map(model(.hff), hw, options)
            for layer in config.layers {
                var cover = [Int](repeating: 0, count: layer.inputs * layer.outputs)
                for id in layer.tiles {
                    let t = config.tiles[id]
                    XCTAssertEqual(t.layer, layer.index)
                    XCTAssertLessThanOrEqual(t.rows[1] - t.rows[0], hw.integer("crossbar.rows"))
                    XCTAssertLessThanOrEqual(t.physicalColumns, hw.integer("crossbar.columns"))
                    for r in t.rows[0]..<t.rows[1] { for o in t.outputs[0]..<t.outputs[1] { cover[r * layer.outputs + o] += 1 } }
                }
                XCTAssertEqual(Set(cover), [layer.duplication], "\(preset) \(extra) layer \(layer.index)")
                XCTAssertEqual(layer.duplication, duplication[layer.index])
                XCTAssertEqual(layer.tiles.count, layer.rowTiles * layer.columnTiles * layer.duplication)
            }
            // Every tile on its own site, all sites on the mesh.
            XCTAssertEqual(Set(config.tiles.map(\.site)).count, config.tiles.count)
            XCTAssertEqual(config.resources.tiles, config.tiles.count)
        }
    }

    func testAModelThatDoesNotFitGetsANamedErrorWithTheFix() throws {
        let m = model(.hff)
        XCTAssertThrowsError(try map(m, try smallHardware("rram-neurosim", ["chip.tileSites=10"]))) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains("chip.tileSites") && s.contains("short") && s.contains("--set chip.tileSites="), s)
        }
        // With the suggested value it fits.
        let needed = try map(m, try smallHardware()).resources.tiles
        XCTAssertNoThrow(try map(m, try smallHardware("rram-neurosim", ["chip.tileSites=\(needed)"])))
        // Too few learning cores for the read-out.
        let wide = model(.hff, widths: [1000, 1000], inputs: 20, classes: 10)  // 2,000 input tags: two cores
        XCTAssertThrowsError(try map(wide, try HardwareDescription.load("ideal", sets: ["learningCore.cores=1"]))) { e in
            XCTAssertTrue("\(e)".contains("--set learningCore.cores="), "\(e)")
        }
    }

    func testQuantisationScalesAndClipping() {
        var w = Matrix(rows: 100, cols: 2)
        for i in 0..<100 { w[i, 0] = Float(i) / 100; w[i, 1] = -Float(i) / 10 }
        var options = MapOptions()
        let (codes, scales, clipped) = Mapper.quantize(w, limit: 255, options: options)
        XCTAssertEqual(clipped, 0)
        XCTAssertEqual(scales[0], 9.9 / 255, accuracy: 1e-6)  // one scale: the largest |w| of the layer
        XCTAssertEqual(codes[99 * 2 + 1], -255)
        options.weightScale = .perColumn
        options.clipPercentile = 90
        let (c2, s2, clipped2) = Mapper.quantize(w, limit: 255, options: options)
        XCTAssertEqual(s2[0], 0.89 / 255, accuracy: 1e-6)  // the 90th percentile of column 0
        XCTAssertEqual(s2[1], 8.9 / 255, accuracy: 1e-5)
        XCTAssertEqual(clipped2, 2 * 10)  // the 10 values above the percentile in each column
        XCTAssertEqual(c2.map { abs($0) }.max(), 255)
    }

    func testADCHeadroomWidensTheCalibratedRanges() throws {
        let hw = try smallHardware()
        var options = MapOptions()
        let plain = try map(model(.hff), hw, options)
        options.adcHeadroom = 0.25
        let wide = try map(model(.hff), hw, options)
        for (a, b) in zip(plain.tensors.layers, wide.tensors.layers) {
            XCTAssertFalse(a.adcRanges.isEmpty)
            for (x, y) in zip(a.adcRanges, b.adcRanges) { XCTAssertEqual(y, x * 1.25, accuracy: 1e-6 * x) }
        }
    }

    func testTheConfigRoundTripsThroughJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for algorithm in Algorithm.allCases {
            let config = try map(model(algorithm), try smallHardware())
            let path = dir.appendingPathComponent("\(algorithm).json").path
            try config.write(to: path)
            let loaded = try HardwareConfig.load(path: path)
            XCTAssertEqual(loaded, config, "\(algorithm)")
            XCTAssertEqual(loaded.tensors.layers.first?.adcRanges.isEmpty, false, "calibrated ranges travel with the config")
            // The summary comes first, for people opening the file.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("{\n  \"summary\": ["), String(text.prefix(40)))
        }
    }

    func testACalibratedDACScaleTravelsWithTheConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let m = model(.hff)
        let config = try map(m, try smallHardware("rram-neurosim", ["crossbar.dac.inputScaling=calibrated"]))
        // Layer 1's scale: the largest |activation| of layer 0 on the 32 calibration samples,
        // from the float model (its normalised ReLU outputs).
        let activations = m.layerActivations(rawInputs(32, m.inputSize, seed: 9))
        XCTAssertEqual(Double(config.tensors.layers[1].inputScale!), Double(activations[0].storage.map(abs).max()!), accuracy: 1e-5)
        let path = dir.appendingPathComponent("c.json").path
        try config.write(to: path)
        let loaded = try HardwareConfig.load(path: path)
        XCTAssertEqual(loaded.tensors.layers.map(\.inputScale), config.tensors.layers.map(\.inputScale))
        XCTAssertTrue(loaded.tensors.layers.allSatisfy { $0.inputScale != nil })
    }

    func testACorruptOrHandEditedConfigIsRefusedWithTheKeyPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.json").path
        try map(model(.hff), try smallHardware()).write(to: path)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let tree = try JSONSerialization.jsonObject(with: original) as! [String: Any]

        func edited(_ change: (inout [String: Any]) -> Void, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
            var t = tree
            change(&t)
            try JSONSerialization.data(withJSONObject: t).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try HardwareConfig.load(path: path), file: file, line: line) { e in
                for m in mentions { XCTAssertTrue("\(e)".contains(m), "\(e) should mention \(m)", file: file, line: line) }
            }
        }
        func setLayer(_ t: inout [String: Any], _ i: Int, _ key: String, _ v: Any) {
            var layers = t["layers"] as! [[String: Any]]
            layers[i][key] = v
            t["layers"] = layers
        }
        try edited({ setLayer(&$0, 1, "rowTiles", 7) }, mentions: ["c.json", "layers[1].rowTiles", "expected"])
        try edited({ setLayer(&$0, 0, "inputs", "many") }, mentions: ["layers[0].inputs"])
        try edited({ t in
            var tiles = t["tiles"] as! [[String: Any]]
            tiles[3]["site"] = 399
            t["tiles"] = tiles
        }, mentions: ["tiles[3].site"])
        try edited({ t in
            var hw = t["hardware"] as! [String: Any]
            var crossbar = hw["crossbar"] as! [String: Any]
            var adc = crossbar["adc"] as! [String: Any]
            adc["bits"] = ["value": 0, "source": "edited"]
            crossbar["adc"] = adc; hw["crossbar"] = crossbar; t["hardware"] = hw
        }, mentions: ["hardware.crossbar.adc.bits"])
        // A task graph edited by hand: the simulator runs the graph, so the loader rebuilds it.
        try edited({ t in
            var graph = t["taskGraph"] as! [String: Any]
            var stages = graph["stages"] as! [[String: Any]]
            var actions = stages[2]["actions"] as! [String: Any]
            actions["linkBytes"] = 1 + (actions["linkBytes"] as! Int)
            stages[2]["actions"] = actions
            graph["stages"] = stages; t["taskGraph"] = graph
        }, mentions: ["taskGraph.stages[2].actions.linkBytes", "expected"])
        try edited({ t in
            var graph = t["taskGraph"] as! [String: Any]
            var stages = graph["stages"] as! [[String: Any]]
            stages.removeLast()
            graph["stages"] = stages; t["taskGraph"] = graph
        }, mentions: ["taskGraph.stages"])
        try edited({ $0["schemaVersion"] = 7 }, mentions: ["schemaVersion"])
        try edited({ $0["options"] = ["weightScale": "per-layer", "clipPercentile": 100, "calibrationSamples": 256, "adcHeadroom": 0] }, mentions: ["options.duplication"])
        // The tensors file changed after the config was written.
        try original.write(to: URL(fileURLWithPath: path))
        let tensors = HardwareConfig.tensorsPath(for: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tensors))
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: tensors))
        XCTAssertThrowsError(try HardwareConfig.load(path: path)) { e in XCTAssertTrue("\(e)".contains("tensors.sha256"), "\(e)") }
        // Not JSON at all.
        try Data("{\"summary\": [".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HardwareConfig.load(path: path)) { e in XCTAssertTrue("\(e)".contains("not a JSON object"), "\(e)") }
    }
}

extension CompilerTests {
    func testCalibrationHeadroomScalesEveryCalibratedRange() throws {
        // crossbar.adc.calibrationHeadroom h multiplies each calibrated range by 1 + h; the map
        // option overrides the hardware's value.
        let m = TestModels.model(.backprop, widths: [12], inputs: 32, classes: 2, seed: 4)
        let plain = try map(m, try smallHardware("rram-neurosim", ["crossbar.adc.calibrationHeadroom=0"]))
        let doubled = try map(m, try smallHardware("rram-neurosim", ["crossbar.adc.calibrationHeadroom=1"]))
        var options = MapOptions()
        options.adcHeadroom = 0.5
        let overridden = try map(m, try smallHardware("rram-neurosim", ["crossbar.adc.calibrationHeadroom=1"]), options)
        for l in plain.tensors.layers.indices {
            let base = plain.tensors.layers[l].adcRanges
            XCTAssertFalse(base.isEmpty)
            XCTAssertEqual(doubled.tensors.layers[l].adcRanges, base.map { $0 * 2 })
            XCTAssertEqual(overridden.tensors.layers[l].adcRanges, base.map { $0 * 1.5 })
        }
    }
}
