import Foundation
import XCTest

/// Issue 13: hand-edited configs, outputs onto inputs, labels beyond the model's classes,
/// unwritable output directories and interruptions. Each case must end with one line naming the
/// file (or flag) and the field, exit 64 or 65 (74 for an output the system refuses), and leave
/// no output behind. The oracle is the contract itself: the exit code, the named field, and the
/// directory listing before and after.
final class HostileInputTests: XCTestCase {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// A tiny HFF model and its config on rram-neurosim, in `dir`.
    func mapped(in dir: URL) throws -> (model: String, config: String) {
        let model = dir.appendingPathComponent("m.safetensors").path, config = dir.appendingPathComponent("c.json").path
        let t = try Hffsim.run(["train", "--layers", "16", "--epochs", "1", "--output", model])
        XCTAssertEqual(t.status, 0, t.stderr)
        let m = try Hffsim.run(["map", model, "--output", config])
        XCTAssertEqual(m.status, 0, m.stderr)
        return (model, config)
    }

    func testHandEditedConfigsAreRefusedNamingTheField() throws {
        let dir = try tempDir()
        let (_, config) = try mapped(in: dir)
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as! [String: Any]
        func edited(_ section: String, _ edit: (inout [String: Any]) -> Void) -> [String: Any] {
            var c = original
            var s = c[section] as! [String: Any]
            edit(&s)
            c[section] = s
            return c
        }
        func layer0(_ key: String, _ value: Any) -> [String: Any] {
            var c = original
            var layers = c["layers"] as! [[String: Any]]
            layers[0][key] = value
            c["layers"] = layers
            return c
        }
        var nullCore = original
        nullCore["learningCore"] = NSNull()
        let cases: [(String, [String: Any], String)] = [
            ("negative inputs", layer0("inputs", -5), "layers[0].inputs: expected a whole number in 1..."),
            ("negative duplication", edited("options") { $0["duplication"] = [-1] }, "options.duplication[0]"),
            ("huge duplication", edited("options") { $0["duplication"] = [4_611_686_018_427_387_904] }, "options.duplication[0]"),
            ("passes -1", edited("model") { $0["passes"] = -1 }, "model.passes: expected 1"),
            ("passes 1e9", edited("model") { $0["passes"] = 1_000_000_000 }, "model.passes: expected 1"),
            ("no read-out", nullCore, "learningCore: expected the read-out's placement"),
            ("class count 0", edited("model") { $0["classCount"] = 0 }, "model.classCount"),
            ("tau 0", edited("model") { $0["tau"] = 0 }, "model.tau"),
            ("bogus read-out", edited("model") { $0["readout"] = "bogus" }, "model.readout"),
            ("widths", edited("model") { $0["widths"] = [5] }, "model.widths[0]: expected 16 (the model file's), got 5"),
        ]
        for (name, tree, mention) in cases {
            let path = dir.appendingPathComponent("x.json").path
            try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: path))
            let out = dir.appendingPathComponent("out-\(name.replacingOccurrences(of: " ", with: "-"))").path
            let r = try Hffsim.run(["run", path, "--samples", "5", "--output-dir", out])
            XCTAssertEqual(r.status, 65, "\(name): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(mention), "\(name) should name \(mention): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(name): output directory left behind")
        }
    }

    func testAConfigPointingAtAnotherModelIsRefused() throws {
        let dir = try tempDir()
        let (_, config) = try mapped(in: dir)
        let other = dir.appendingPathComponent("other.safetensors").path
        XCTAssertEqual(try Hffsim.run(["train", "--layers", "24,8", "--epochs", "1", "--seed", "4", "--output", other]).status, 0)
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as! [String: Any]
        var model = tree["model"] as! [String: Any]
        model["file"] = "other.safetensors"
        model["sha256"] = try sha256(of: other)
        tree["model"] = model
        try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: config))
        let r = try Hffsim.run(["run", config, "--samples", "5"])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains("(the model file's)"), r.stderr)
    }

    func sha256(of path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return String(text.prefix(64))
    }

    func testNoCommandWritesOverItsOwnInputs() throws {
        let dir = try tempDir()
        let (model, _) = try mapped(in: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        for args in [["map", model, "--output", model], ["map", model, "--output", dir.appendingPathComponent("./m.safetensors").path],
                     ["train", "--layers", "8", "--epochs", "1", "--dataset", "csv:\(model)", "--holdout", "0.5", "--output", model]] {
            let r = try Hffsim.run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--output: ") && r.stderr.contains("is one of this command's inputs"), r.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: model)), before, "the model is untouched")
    }

    func testLabelsBeyondTheModelsClassesAreRefused() throws {
        let dir = try tempDir()
        let (model, config) = try mapped(in: dir)
        var rows = ""
        for i in 0..<12 { rows += (0..<784).map { _ in "0" }.joined(separator: ",") + ",\(i)\n" }
        let csv = dir.appendingPathComponent("labels.csv").path
        try rows.write(toFile: csv, atomically: true, encoding: .utf8)
        // (--allow-other-data: the model was trained on the subset's pixels, the CSV is other data.)
        for args in [["run", config, "--dataset", "csv:\(csv)", "--test-dataset", "csv:\(csv)", "--allow-other-data"],
                     ["compare", model, "--dataset", "csv:\(csv)", "--test-dataset", "csv:\(csv)", "--allow-other-data"]] {
            let r = try Hffsim.run(args)
            XCTAssertEqual(r.status, 65, "\(args[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("sample 10 has label 10") && r.stderr.contains("has 10 classes"), r.stderr)
        }
    }

    func testAnOutputDirectoryTheSystemRefusesIsAUsageErrorBeforeAnyWork() throws {
        let dir = try tempDir()
        let (_, config) = try mapped(in: dir)
        let r = try Hffsim.run(["run", config, "--output-dir", "/proc/hffsim-cannot-be-here"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: --output-dir: "), r.stderr)
        let e = try Hffsim.run(["eval", dir.appendingPathComponent("m.safetensors").path, "--learn-class", "3"])
        XCTAssertEqual(e.status, 64, e.stderr)
        XCTAssertTrue(e.stderr.contains("--learn-class: applies to --core"), e.stderr)
    }

    /// The binary started with `args`, sent SIGTERM after `delay` seconds, and waited for.
    func terminated(_ args: [String], after delay: Double) throws -> Process {
        let p = Process()
        p.executableURL = Hffsim.binary
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: delay)
        p.terminate()
        p.waitUntilExit()
        return p
    }

    /// SIGTERM at any moment during map leaves the config and its tensors together or neither,
    /// and no temporary file.
    func testAnInterruptedMapLeavesConfigAndTensorsTogetherOrNeither() throws {
        let dir = try tempDir()
        let (model, _) = try mapped(in: dir)
        for (n, delay) in [0.0, 0.01, 0.02, 0.04, 0.08, 0.16].enumerated() {
            let config = dir.appendingPathComponent("k\(n).json").path
            let p = try terminated(["map", model, "--output", config], after: delay)
            let both = [config, config.replacingOccurrences(of: ".json", with: ".tensors.safetensors")].map { FileManager.default.fileExists(atPath: $0) }
            XCTAssertEqual(both[0], both[1], "SIGTERM at \(delay) s left the config \(both[0] ? "with" : "without") its tensors \(both[1] ? "" : "missing")")
            if p.terminationReason == .uncaughtSignal {
                // Killed before main installed its handlers: nothing was written yet.
                XCTAssertEqual(both, [false, false], "killed at \(delay) s before the handlers")
            } else if p.terminationStatus != 0 {
                XCTAssertEqual(p.terminationStatus, 128 + SIGTERM, "SIGTERM at \(delay) s ends map through its handler")
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// SIGTERM at any moment leaves either every report or none, and no staging directory.
    func testAnInterruptedRunLeavesAllReportsOrNone() throws {
        let dir = try tempDir()
        let (_, config) = try mapped(in: dir)
        for delay in [0.05, 0.2, 0.4] {
            let out = dir.appendingPathComponent("out-\(delay)").path
            let p = try terminated(["run", config, "--chip-seeds", "3", "--output-dir", out], after: delay)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: out).sorted()) ?? []
            if p.terminationStatus == 0 && p.terminationReason == .exit {
                XCTAssertEqual(files, ["components.csv", "energy-by-layer.svg", "layer-time.svg", "layers.csv", "report.html", "stats.txt", "summary.json", "trace.json"], "finished before \(delay) s")
            } else if p.terminationReason == .uncaughtSignal {
                XCTAssertEqual(files, [], "killed at \(delay) s before the handlers, yet \(files)")
            } else {
                XCTAssertEqual(p.terminationStatus, 128 + SIGTERM, "SIGTERM at \(delay) s ends the run through its handler")
                XCTAssertEqual(files, [], "SIGTERM at \(delay) s left \(files)")
                XCTAssertFalse(FileManager.default.fileExists(atPath: out), "SIGTERM at \(delay) s left the directory")
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".staging-") || $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}

/// Issue 13 point 4: the model carries its data set, split and scaling; eval, map and run use
/// them by default and refuse data that does not match.
final class DataProvenanceTests: XCTestCase {
    func testTheCSVHoldoutWorkflowCarriesItsSplitThroughTrainMapAndRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-provenance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 300 samples of 8 features, 3 classes; label last.
        var csv = ""
        for i in 0..<300 { csv += (0..<8).map { j in String(format: "%.3f", Double((i * 7 + j * 13) % 17) / 17 + Double(i % 3)) }.joined(separator: ",") + ",\(i % 3)\n" }
        let data = dir.appendingPathComponent("d.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("m.safetensors").path, config = dir.appendingPathComponent("c.json").path
        let t = try Hffsim.run(["train", "--dataset", "csv:\(data)", "--holdout", "0.2", "--seed", "1", "--layers", "16", "--epochs", "2", "--output", model, "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let trained = try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(trained["testSamples"] as? Int, 60)
        // eval without flags: the same 60 held-out samples and the accuracy train reported.
        let e = try Hffsim.run(["eval", model, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let evaluated = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(evaluated["samples"] as? Int, 60, e.stdout)
        XCTAssertEqual(evaluated["testAccuracy"] as? Double, trained["testAccuracy"] as? Double)
        // map calibrates on the training split and run simulates the held-out one, with no flags.
        let m = try Hffsim.run(["map", model, "--output", config])
        XCTAssertEqual(m.status, 0, m.stderr)
        let r = try Hffsim.run(["run", config, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ran = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(ran["samples"] as? Int, 60)
        XCTAssertEqual(ran["floatAccuracy"] as? Double, trained["testAccuracy"] as? Double)
        // Another split of the same file would test on training samples; other scaling is refused.
        for (args, flag) in [(["eval", model, "--holdout", "0.2", "--seed", "2"], "--holdout"),
                             (["eval", model, "--dataset", "fashion-mnist-subset"], "--dataset"),
                             (["run", config, "--dataset", "csv:\(data)", "--holdout", "0.5"], "--holdout")] {
            let bad = try Hffsim.run(args)
            XCTAssertEqual(bad.status, 64, "\(args): \(bad.stderr)")
            XCTAssertTrue(bad.stderr.hasPrefix("error: \(flag): "), bad.stderr)
        }
        // The file changed since training: refused; with --allow-other-data, a warning.
        try (csv.replacingOccurrences(of: ",0\n", with: ",1\n")).write(toFile: data, atomically: true, encoding: .utf8)
        let changed = try Hffsim.run(["eval", model])
        XCTAssertEqual(changed.status, 64, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("has changed since"), changed.stderr)
        let allowed = try Hffsim.run(["eval", model, "--allow-other-data"])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(allowed.stderr.contains("warning: --dataset:"), allowed.stderr)
    }

    /// A feature column taken for the label (the issue: `--label-column 400`, a pixel, trained a
    /// 256-class model). Worked by hand on a file the test writes: column 0 holds 0...255 (each 8 times,
    /// so no class is missing), column 1 holds 0, 2, 4, ... (odd classes missing), the last
    /// column the true labels 0...2.
    func testALabelColumnThatIsAFeatureIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-labelcolumn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = ""
        for i in 0..<2048 { csv += "\(i % 256),\(2 * (i % 20)),\(Double(i % 7) / 7),\(i % 3)\n" }
        let data = dir.appendingPathComponent("d.csv").path, model = dir.appendingPathComponent("m.safetensors").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        func train(_ extra: [String]) throws -> CLIResult {
            try Hffsim.run(["train", "--dataset", "csv:\(data)", "--holdout", "0.25", "--layers", "4", "--epochs", "1", "--output", model] + extra)
        }
        // 256 classes: more than 100 must be stated.
        let wide = try train(["--label-column", "0"])
        XCTAssertEqual(wide.status, 64, wide.stderr)
        XCTAssertTrue(wide.stderr.hasPrefix("error: --label-column: ") && wide.stderr.contains("256 classes"), wide.stderr)
        // Labels 0, 2, ..., 38: classes 1, 3, ... never appear.
        let gaps = try train(["--label-column", "1"])
        XCTAssertEqual(gaps.status, 65, gaps.stderr)
        XCTAssertTrue(gaps.stderr.contains("label column (--label-column 1)") && gaps.stderr.contains("classes 1, 3, 5, 7, 9 and 14 more have no training sample"), gaps.stderr)
        // A stated count that is not the labels' is refused; stated right, 256 classes train.
        let wrong = try train(["--label-column", "0", "--classes", "200"])
        XCTAssertEqual(wrong.status, 64, wrong.stderr)
        XCTAssertTrue(wrong.stderr.hasPrefix("error: --classes: "), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: model))
        let stated = try train(["--label-column", "0", "--classes", "256", "--seed", "3"])
        XCTAssertEqual(stated.status, 0, stated.stderr)
        // The real label column trains as before.
        try FileManager.default.removeItem(atPath: model)
        XCTAssertEqual(try train([]).status, 0)
    }
}
