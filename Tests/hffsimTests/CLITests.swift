import Foundation
import XCTest

/// Spawns the built `hffsim` binary, as a user would run it.
final class CLITests: XCTestCase {
    @discardableResult
    func run(_ args: [String]) throws -> CLIResult { try Hffsim.run(args) }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], "stdout is not one JSON object: \(s)")
    }

    func testTrainsTinyModelsOnShippedSubsetAndEvaluatesThem() throws {
        let dir = try tempDir()
        // Ten balanced classes: chance is 10%. HFF and backprop beat it clearly after two epochs on
        // 1,000 images; FF learns more slowly from so little data and gets five epochs (38% at seed 3).
        let runs = [("hff", ["--layers", "64,32", "--epochs", "2"], 0.5),
                    ("backprop", ["--layers", "64,32", "--epochs", "2"], 0.5),
                    ("ff", ["--layers", "128", "--epochs", "5"], 0.25)]
        for (algorithm, flags, floor) in runs {
            let model = dir.appendingPathComponent("\(algorithm).safetensors").path
            let t = try run(["train", "--algorithm", algorithm, "--seed", "3", "--output", model, "--json"] + flags)
            XCTAssertEqual(t.status, 0, t.stderr)
            let tj = try json(t.stdout)
            let acc = try XCTUnwrap(tj["testAccuracy"] as? Double)
            XCTAssertGreaterThan(acc, floor, "\(algorithm) test accuracy \(acc)")
            XCTAssertNotNil(tj["secondsPerEpoch"] as? Double)
            XCTAssertEqual((tj["history"] as? [Any])?.count, Int(flags[3]))

            let e = try run(["eval", model, "--json"])
            XCTAssertEqual(e.status, 0, e.stderr)
            let ej = try json(e.stdout)
            XCTAssertEqual(try XCTUnwrap(ej["testAccuracy"] as? Double), acc, accuracy: 1e-12, "eval must reproduce train's final test accuracy")
            let confusion = try XCTUnwrap(ej["confusionMatrix"] as? [[Int]])
            XCTAssertEqual(confusion.count, 10)
            XCTAssertEqual(confusion.flatMap { $0 }.reduce(0, +), 500)
            XCTAssertEqual(ej["forwardPasses"] as? Int, algorithm == "ff" ? 10 : 1)

            // The prototype read-out on the learning core: HFF only.
            let c = try run(["eval", model, "--core", "ideal", "--json"])
            if algorithm != "hff" {
                XCTAssertEqual(c.status, 64, c.stderr)
                XCTAssertTrue(c.stderr.contains("--core"), c.stderr)
                continue
            }
            XCTAssertEqual(c.status, 0, c.stderr)
            let core = try XCTUnwrap(try json(c.stdout)["core"] as? [String: Any])
            XCTAssertEqual(try XCTUnwrap(core["floatAccuracy"] as? Double), acc, accuracy: 1e-12)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(core["agreement"] as? Double), 0.99, "16-bit weights, no mismatch")
            XCTAssertGreaterThan(try XCTUnwrap(core["energyPerInferenceNanojoules"] as? Double), 0)
            XCTAssertGreaterThan(try XCTUnwrap(core["latencyNanoseconds"] as? Double), 0)
            let d = try run(["eval", model, "--core", "rram-neurosim", "--chip-seeds", "2", "--json"])
            XCTAssertEqual(d.status, 0, d.stderr)
            let dynap = try XCTUnwrap(try json(d.stdout)["core"] as? [String: Any])
            XCTAssertEqual((dynap["coreAccuracyPerSeed"] as? [Double])?.count, 2)
            XCTAssertEqual(dynap["weightBits"] as? Int, 4)
            // Class-incremental: class 3 left out, allocated and learned on the chip from 5 samples.
            let l = try run(["eval", model, "--core", "rram-neurosim", "--learn-class", "3", "--shots", "5", "--json"])
            XCTAssertEqual(l.status, 0, l.stderr)
            let learned = try XCTUnwrap((try json(l.stdout)["core"] as? [String: Any])?["learnedClass"] as? [String: Any])
            XCTAssertEqual(learned["shots"] as? Int, 5)
            XCTAssertEqual(learned["synapticUpdates"] as? Int, 5 * 3 * (64 + 32))  // 5 samples x 3 passes x D per group
            XCTAssertGreaterThan(try XCTUnwrap(learned["classAccuracy"] as? Double), 0.3, "chance is 0.1")
        }
    }

    /// Conv HFF and backprop through the binary on the shipped subset: trained, evaluated to
    /// the accuracy train reported, deterministic for any thread count; mapped and run on the
    /// ideal preset with the float model's accuracy; FF or CSV data refuse --arch.
    func testConvModelsTrainEvaluateMapAndRun() throws {
        let dir = try tempDir()
        for algorithm in ["hff", "backprop"] {
            var digests = Set<String>()
            for threads in ["1", "2"] {
                let model = dir.appendingPathComponent("\(algorithm)-\(threads).safetensors").path
                let t = try run(["train", "--algorithm", algorithm, "--arch", "c4k3,p2,c8k3s2,a1,f16", "--epochs", "4", "--seed", "1",
                                 "--threads", threads, "--output", model, "--json"])
                XCTAssertEqual(t.status, 0, t.stderr)
                let tj = try json(t.stdout)
                XCTAssertEqual(tj["architecture"] as? String, "c4k3,p2,c8k3s2,a1,f16")
                let acc = try XCTUnwrap(tj["testAccuracy"] as? Double)
                XCTAssertGreaterThan(acc, 0.4, "\(algorithm) conv test accuracy \(acc) on 1,000 images after 4 epochs (chance 10%; 52-54% at seed 1)")
                let e = try run(["eval", model, "--json"])
                XCTAssertEqual(e.status, 0, e.stderr)
                XCTAssertEqual(try XCTUnwrap(try json(e.stdout)["testAccuracy"] as? Double), acc, accuracy: 1e-12)
                // The tensor bytes (after the header, whose history holds wall-clock seconds).
                let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
                let n = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
                digests.insert(bytes[(8 + n)...].base64EncodedString())
            }
            XCTAssertEqual(digests.count, 1, "\(algorithm): the same model for 1 and 2 threads (tensors)")
        }
        let model = dir.appendingPathComponent("hff-1.safetensors").path
        let config = dir.appendingPathComponent("c.json").path
        let m = try run(["map", model, "--hardware", "ideal", "--output", config])
        XCTAssertEqual(m.status, 0, m.stderr)
        let r = try run(["run", config, "--samples", "100", "--output-dir", dir.appendingPathComponent("out").path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rj = try json(r.stdout)
        let accuracy = try XCTUnwrap(rj["floatAccuracy"] as? Double)
        XCTAssertEqual(try XCTUnwrap(rj["hardwareAccuracy"] as? Double), accuracy, "ideal hardware, conv model")
        let trace = try String(contentsOfFile: dir.appendingPathComponent("out/trace.json").path, encoding: .utf8)
        XCTAssertTrue(trace.contains("layer 0 output row 27: row tile 0 reads"), "the trace shows output rows streaming through the tiles")
        let ff = try run(["train", "--algorithm", "ff", "--arch", "c4k3,f16", "--output", dir.appendingPathComponent("f.safetensors").path])
        XCTAssertEqual(ff.status, 64, ff.stderr)
        XCTAssertTrue(ff.stderr.hasPrefix("error: --arch: "), ff.stderr)
        let both = try run(["train", "--arch", "c4k3,f16", "--layers", "16", "--output", dir.appendingPathComponent("f.safetensors").path])
        XCTAssertEqual(both.status, 64, both.stderr)
        var csv = ""
        for i in 0..<40 { csv += "\(i % 7),\(i % 5),\(i % 3),\(i % 2)\n" }
        let data = dir.appendingPathComponent("d.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let flat = try run(["train", "--arch", "c4k3,f16", "--dataset", "csv:\(data)", "--holdout", "0.25", "--output", dir.appendingPathComponent("f.safetensors").path])
        XCTAssertEqual(flat.status, 64, flat.stderr)
        XCTAssertTrue(flat.stderr.contains("no image shape"), flat.stderr)
    }

    func testCoreFlagErrors() throws {
        let dir = try tempDir()
        let model = dir.appendingPathComponent("m.safetensors").path
        XCTAssertEqual(try run(["train", "--layers", "16", "--epochs", "1", "--output", model]).status, 0)
        for (args, status, mention) in [(["--set", "learningCore.cores=2"], Int32(64), "--set"),
                                        (["--core", "ideal", "--chip-seeds", "0"], 64, "--chip-seeds"),
                                        (["--core", "nope"], 65, "nope"),
                                        (["--core", "ideal", "--set", "learningCore.cores=0"], 64, "--set: learningCore.cores"),
                                        (["--core", "ideal", "--set", "learningCore.neuronsPerCore=1"], 65, "does not fit"),
                                        (["--core", "ideal", "--learn-class", "10"], 64, "--learn-class"),
                                        (["--core", "ideal", "--shots", "3"], 64, "--shots")] {
            let r = try run(["eval", model] + args)
            XCTAssertEqual(r.status, status, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
    }

    func testBenchCoreJSON() throws {
        let r = try run(["bench", "core", "--layers", "100,50", "--prototypes", "3", "--inputs", "20", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try json(r.stdout)
        XCTAssertGreaterThan(try XCTUnwrap(out["eventsPerSecond"] as? Double), 0)
        XCTAssertEqual(out["neurons"] as? Int, 3 * (2 + 1) + 3 * (1 + 0))
    }

    func testSameSeedGivesIdenticalModelsForAnyThreadCount() throws {
        let dir = try tempDir()
        var headers = [String](), bodies = [Data]()
        // Three layers, so that 2 and 3 threads run the concurrent layer wavefront.
        for (i, threads) in ["1", "2", "3"].enumerated() {
            let path = dir.appendingPathComponent("m\(i).safetensors").path
            let r = try run(["train", "--layers", "32,16,8", "--epochs", "2", "--seed", "9", "--threads", threads, "--output", path])
            XCTAssertEqual(r.status, 0, r.stderr)
            let m = try Data(contentsOf: URL(fileURLWithPath: path))
            let n = Int(m.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            // The history stores wall-clock seconds, the one field allowed to differ.
            let header = String(decoding: m[8..<(8 + n)], as: UTF8.self)
            headers.append(header.replacingOccurrences(of: #"\\"seconds\\":[0-9.e+-]+"#, with: "", options: .regularExpression)
                .trimmingCharacters(in: .whitespaces))
            bodies.append(m[(8 + n)...])
        }
        XCTAssertGreaterThan(bodies[0].count, 784 * 32 * 4)
        XCTAssertEqual(bodies[0], bodies[1], "tensor bytes differ between 1 and 2 threads")
        XCTAssertEqual(bodies[0], bodies[2], "tensor bytes differ between 1 and 3 threads")
        XCTAssertEqual(headers[0], headers[1])
        XCTAssertEqual(headers[0], headers[2])
    }

    func testUsageErrorsExit64WithOneLine() throws {
        let dir = try tempDir()
        let out = dir.appendingPathComponent("m.safetensors").path
        let cases: [([String], String)] = [
            (["train", "--epochs", "0", "--output", out], "--epochs"),
            (["train", "--batch-size", "-3", "--output", out], "--batch-size"),
            (["train", "--tau", "0", "--output", out], "--tau"),
            (["train", "--learning-rate", "nan", "--output", out], "--learning-rate"),
            (["train", "--layers", "100,0", "--output", out], "--layers"),
            (["train", "--bogus", "--output", out], "--bogus"),
            (["train", "--algorithm", "sgd", "--output", out], "--algorithm"),
            (["train", "--dataset", "nope", "--output", out], "--dataset"),
            (["train", "--output", "/nonexistent-dir/m.safetensors"], "--output"),
            (["train", "--output", dir.path], "--output"),
            (["train", "--output", ""], "--output"),
            (["train", "--batch-size", "9223372036854775807", "--output", out], "--batch-size"),
            (["train", "--layers", "9223372036854775807", "--output", out], "--layers"),
            (["train", "--layers", "1000000,1000000,1000000", "--output", out], "--layers"),
            (["train", "--layers", "1048576,1000", "--output", out], "more than the memory budget"),
            (["train", "--prototypes-per-class", "9223372036854775807", "--output", out], "--prototypes-per-class"),
            (["train", "--threads", "9223372036854775807", "--output", out], "--threads"),
            (["train", "--tau", "1e-45", "--output", out], "--tau"),
            (["bench", "gemm", "--seconds", "1e30"], "--seconds"),
            (["bench", "tile", "--size", "8000", "--inputs", "1000000"], "--inputs"),
            (["bench", "tile", "--layers", "784"], "--layers"),
            (["bench", "tile", "--layers", "784,0"], "--layers"),
            (["bench", "tile", "--repeats", "0"], "--repeats"),
            (["train"], "--output"),
            // Issue 13 point 3: a value that is an option, and a single-valued option given twice.
            (["map", "m.safetensors", "--output", "--json"], "--output: missing value <config.json>, got the option '--json'"),
            (["train", "--seed", "--output", out], "--seed: missing value"),
            (["train", "--epochs", "2", "--epochs", "3", "--output", out], "--epochs: given more than once"),
            (["train", "--output", out, "--output", out], "--output: given more than once"),
            (["eval", ""], "argument 1 is an empty string"),
            (["map", "m.safetensors", "--hardware", "", "--output", out], "--hardware: expected <preset>, got an empty string"),
            (["hardware", "show", "rram-neurosim", "--set", "crossbar.rows=64"], "--set: crossbar.rowsPerRead: expected at most crossbar.rows (64)"),
            (["frobnicate"], "frobnicate"),
            (["eval"], "eval"),
            (["bench", "nope"], "nope"),
        ]
        for (args, mention) in cases {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args) should name \(mention): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output file after a usage error")
    }

    func testDataErrorsExit65AndLeaveNoOutput() throws {
        let dir = try tempDir()
        let bad = dir.appendingPathComponent("bad.safetensors")
        try Data("not a model".utf8).write(to: bad)
        let r = try run(["eval", bad.path])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains(bad.path))
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
        let missing = try run(["eval", dir.appendingPathComponent("absent.safetensors").path])
        XCTAssertEqual(missing.status, 65, missing.stderr)
        let preset = try run(["bench", "tile", "--hardware", "nope", "--inputs", "1"])
        XCTAssertEqual(preset.status, 65, preset.stderr)
        XCTAssertTrue(preset.stderr.contains("nope: no such hardware file or preset"), preset.stderr)

        let csv = dir.appendingPathComponent("ragged.csv")
        try Data("1,2,3,0\n4,5,1\n".utf8).write(to: csv)
        let out = dir.appendingPathComponent("m.safetensors").path
        let t = try run(["train", "--dataset", "csv:\(csv.path)", "--holdout", "0.5", "--output", out])
        XCTAssertEqual(t.status, 65, t.stderr)
        XCTAssertTrue(t.stderr.contains("line 2"), t.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }, [])
    }

    func testHelpOnEveryCommand() throws {
        for args in [["--help"], ["train", "--help"], ["eval", "--help"], ["bench", "--help"], ["bench", "gemm", "--help"], ["bench", "train", "--help"], ["bench", "tile", "--help"], ["bench", "core", "--help"], ["map", "--help"], ["sweep", "--help"], ["sweep", "merge", "--help"], ["sweep", "new", "--help"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 0, "\(args)")
            for section in ["OVERVIEW:", "USAGE:", "OPTIONS:"] {
                XCTAssertTrue(r.stdout.contains(section), "\(args) help lacks \(section)")
            }
        }
        let train = try run(["train", "--help"])
        for flag in ["--tau", "--prototypes-per-class", "--margin", "--optimizer", "--learning-rate", "--batch-size", "--readout", "--seed", "--epochs", "--layers"] {
            XCTAssertTrue(train.stdout.contains(flag), "train --help lacks \(flag)")
        }
    }

    func testBenchGemmJSON() throws {
        let r = try run(["bench", "gemm", "--seconds", "0.01", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let shapes = try XCTUnwrap(try json(r.stdout)["shapes"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(shapes.count, 5)
        for s in shapes { XCTAssertGreaterThan(try XCTUnwrap(s["gflops"] as? Double), 0) }
    }

    func testBenchTileTimesANetworkOnEachPreset() throws {
        let r = try run(["bench", "tile", "--layers", "20,9,5", "--inputs", "30", "--repeats", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try json(r.stdout)
        XCTAssertEqual(out["layers"] as? [Int], [20, 9, 5])
        let presets = try XCTUnwrap(out["presets"] as? [[String: Any]])
        XCTAssertEqual(presets.map { $0["hardware"] as? String }, ["rram-neurosim", "pcm-aihwkit", "ideal"])
        for p in presets {
            XCTAssertGreaterThan(try XCTUnwrap(p["seconds"] as? Double), 0)
            XCTAssertGreaterThan(try XCTUnwrap(p["reads"] as? Int), 0)
        }
    }

    func testMapWritesAConfigAndReportsResources() throws {
        let dir = try tempDir()
        let model = dir.appendingPathComponent("m.safetensors").path
        XCTAssertEqual(try run(["train", "--layers", "64,32", "--epochs", "1", "--output", model]).status, 0)
        for preset in ["rram-neurosim", "pcm-aihwkit", "ideal"] {
            let config = dir.appendingPathComponent("\(preset).json").path
            let r = try run(["map", model, "--hardware", preset, "--output", config, "--json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let out = try json(r.stdout)
            for key in ["tiles", "arrays", "learningCores", "utilization"] { XCTAssertNotNil(out[key], "\(preset): --json lacks \(key)") }
            XCTAssertGreaterThan(try XCTUnwrap(out["tiles"] as? Int), 0)
            XCTAssertTrue(FileManager.default.fileExists(atPath: config))
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(preset).tensors.safetensors").path))
        }
        // Too few tile sites: what is short, by how much, and the --set that fits.
        let small = dir.appendingPathComponent("small.json").path
        let r = try run(["map", model, "--hardware", "rram-neurosim", "--set", "chip.tileSites=10", "--output", small])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("short") && r.stderr.contains("--set chip.tileSites="), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: small))
        for (args, mention) in [(["map", model, "--hardware", "ideal"], "--output"),
                                (["map", model, "--output", small, "--duplicate", "1,2,3"], "--duplicate"),
                                (["map", model, "--output", small, "--weight-scale", "per-row"], "--weight-scale"),
                                (["map", model, "--output", small, "--clip-percentile", "10"], "--clip-percentile")] {
            let u = try run(args)
            XCTAssertEqual(u.status, 64, "\(args): \(u.stderr)")
            XCTAssertTrue(u.stderr.contains(mention), "\(args): \(u.stderr)")
        }
        XCTAssertEqual(try run(["map", "--help"]).status, 0)
    }

    func testRunAndCompareOnTheShippedSubset() throws {
        let dir = try tempDir()
        var models = [String]()
        for (algorithm, flags) in [("hff", ["--layers", "32,16"]), ("ff", ["--layers", "32"]), ("backprop", ["--layers", "32"])] {
            let path = dir.appendingPathComponent("\(algorithm).safetensors").path
            XCTAssertEqual(try run(["train", "--algorithm", algorithm, "--epochs", "1", "--output", path] + flags).status, 0)
            models.append(path)
        }
        let config = dir.appendingPathComponent("hff.json").path
        XCTAssertEqual(try run(["map", models[0], "--hardware", "rram-neurosim", "--output", config]).status, 0)
        let out = dir.appendingPathComponent("run").path
        let r = try run(["run", config, "--samples", "60", "--chip-seeds", "2", "--output-dir", out, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try json(r.stdout)
        for key in ["floatAccuracy", "hardwareAccuracy", "accuracyDropStd", "latencyNanoseconds", "energyPerInferenceNanojoules", "throughputInferencesPerSecond"] {
            XCTAssertNotNil(j[key], "run --json lacks \(key)")
        }
        XCTAssertEqual((j["hardwareAccuracyPerChip"] as? [Double])?.count, 2)
        for file in ["summary.json", "layers.csv", "components.csv", "stats.txt", "trace.json", "report.html", "energy-by-layer.svg", "layer-time.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        // The report carries the figures inline, with the headline numbers of summary.json.
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<figure><svg").count - 1, 2)
        XCTAssertTrue(html.contains(String(format: "%.2f%%", try XCTUnwrap(j["hardwareAccuracy"] as? Double) * 100)), "report.html shows the hardware accuracy")
        // The trace opens as Chrome trace JSON: complete slices with a track per unit.
        let trace = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/trace.json"))) as? [String: Any])
        let events = try XCTUnwrap(trace["traceEvents"] as? [[String: Any]])
        XCTAssertGreaterThan(events.filter { $0["ph"] as? String == "X" }.count, 10)
        XCTAssertTrue(events.contains { $0["ph"] as? String == "C" })
        XCTAssertTrue(events.contains { ($0["args"] as? [String: Any])?["name"] as? String == "learning core 0" })
        XCTAssertTrue(events.contains { $0["name"] as? String == "end of vector" }, "the core's events are drawn on its units")
        let stats = try String(contentsOfFile: out + "/stats.txt", encoding: .utf8)
        XCTAssertTrue(stats.contains("energy.total") && stats.contains(" # "), stats)
        // A config edited by hand is refused with the key path.
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"rowTiles\" : 7", with: "\"rowTiles\" : 6")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try run(["run", config, "--samples", "5"])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("layers[0].rowTiles"), bad.stderr)

        let compareDir = dir.appendingPathComponent("compare").path
        let c = try run(["compare"] + models + ["--hardware", "rram-neurosim", "--samples", "40", "--output-dir", compareDir, "--json"])
        XCTAssertEqual(c.status, 0, c.stderr)
        let compareCSV = try String(contentsOfFile: compareDir + "/compare.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(compareCSV.map { $0.split(separator: ",").first.map(String.init) }, ["algorithm", "hff", "ff", "backprop"])
        for file in ["report.html", "energy-by-model.svg", "layer-time-by-model.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: compareDir + "/" + file), file)
        }
        let rows = try XCTUnwrap(try json(c.stdout)["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["algorithm"] as? String }, ["hff", "ff", "backprop"])
        XCTAssertEqual(rows[1]["passesPerInference"] as? Int, 10, "FF runs one pass per class")
        for row in rows { XCTAssertGreaterThan(try XCTUnwrap(row["energyPerInferenceNanojoules"] as? Double), 0) }
        XCTAssertEqual(try run(["run", "--help"]).status, 0)
        XCTAssertEqual(try run(["compare", "--help"]).status, 0)
        XCTAssertEqual(try run(["run", config, "--time-since-programming", "soon"]).status, 64)
    }

    /// `sweep new`, a sweep, the same sweep in two shards merged, and the refusals (issue 15).
    func testSweepNewShardMergeAndRefusals() throws {
        let dir = try tempDir()
        XCTAssertEqual(try run(["train", "--layers", "24", "--epochs", "1", "--output", dir.appendingPathComponent("m.safetensors").path]).status, 0)
        let spec = dir.appendingPathComponent("s.json").path
        XCTAssertEqual(try Hffsim.run(["sweep", "new", "m.safetensors", "--output", "s.json"], directory: dir).status, 0)
        // Shrink the starter spec: 2 x 2 points, 30 samples.
        var tree = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: spec))) as? [String: Any])
        XCTAssertEqual(tree["models"] as? [String], ["m.safetensors"], "model paths relative to the spec")
        tree["grid"] = [["key": "crossbar.adc.bits", "values": [4, 6]], ["key": "crossbar.adc.columnsPerADC", "values": [1, 8]]]
        tree["samples"] = 30
        try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: spec))
        let whole = try run(["sweep", spec, "--output-dir", dir.appendingPathComponent("whole").path, "--json"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertEqual(try json(whole.stdout)["ran"] as? Int, 4)
        for i in 0..<2 {
            XCTAssertEqual(try run(["sweep", spec, "--shard", "\(i)/2", "--output-dir", dir.appendingPathComponent("part\(i)").path]).status, 0)
        }
        let merged = dir.appendingPathComponent("merged").path
        let m = try run(["sweep", "merge", dir.appendingPathComponent("part0").path, dir.appendingPathComponent("part1").path, "--output-dir", merged])
        XCTAssertEqual(m.status, 0, m.stderr)
        for f in ["results.csv", "results.jsonl", "front.txt", "report.html"] {
            XCTAssertEqual(FileManager.default.contents(atPath: merged + "/" + f), FileManager.default.contents(atPath: dir.appendingPathComponent("whole/" + f).path), f)
        }
        // A rerun finds every point done.
        XCTAssertEqual(try json(try run(["sweep", spec, "--output-dir", dir.appendingPathComponent("whole").path, "--json"]).stdout)["ran"] as? Int, 0)
        let usage: [([String], String)] = [
            (["sweep", spec, "--shard", "2/2"], "--shard"),
            (["sweep", spec, "--shard", "one"], "--shard"),
            (["sweep", spec, "--jobs", "0"], "--jobs"),
            (["sweep", "merge", merged], "--output-dir"),
            (["sweep", "merge", merged, "--output-dir", merged], "--output-dir"),
            (["sweep", "new", "m.safetensors"], "--output"),
        ]
        for (args, mention) in usage {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args) should name \(mention): \(r.stderr)")
        }
        tree["grid"] = [["key": "crossbar.adc.bits", "values": [4, 99]]]
        try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: spec))
        let bad = try run(["sweep", spec, "--output-dir", dir.appendingPathComponent("bad").path])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("s.json") && bad.stderr.contains("grid[0].values[1]"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path), "nothing written")
        let partial = try run(["sweep", "merge", dir.appendingPathComponent("part0").path, "--output-dir", dir.appendingPathComponent("partial").path])
        XCTAssertEqual(partial.status, 65, partial.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("partial").path), "nothing written")
    }
}
