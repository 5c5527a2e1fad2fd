import Foundation
import XCTest

/// `train --hardware` and `train --chip` from the command line: the model file records the
/// hardware, results do not depend on the thread count, and misuse is refused naming the flag.
final class HardwareAwareCLITests: XCTestCase {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-hwa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// The tensors (and the metadata but for wall-clock seconds) of a model file.
    func contents(_ path: String) throws -> (header: String, body: Data) {
        let m = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(m.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = String(decoding: m[8..<(8 + n)], as: UTF8.self)
            .replacingOccurrences(of: #"\\"seconds\\":[0-9.e+-]+"#, with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespaces)
        return (header, m[(8 + n)...])
    }

    func testHardwareAwareTrainingIsThreadIndependentAndRecordsTheHardware() throws {
        let dir = try tempDir()
        var files = [(header: String, body: Data)]()
        for threads in ["1", "2", "3"] {
            let out = dir.appendingPathComponent("m\(threads).safetensors").path
            let r = try Hffsim.run(["train", "--layers", "24,16,8", "--epochs", "1", "--seed", "3", "--threads", threads,
                                    "--hardware", "pcm-aihwkit", "--set", "crossbar.adc.bits=5", "--drift-range", "1h,1d", "--output", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            files.append(try contents(out))
        }
        XCTAssertEqual(files[0].body, files[1].body, "tensor bytes differ between 1 and 2 threads")
        XCTAssertEqual(files[0].body, files[2].body, "tensor bytes differ between 1 and 3 threads")
        XCTAssertEqual(files[0].header, files[1].header)
        let h = files[0].header
        for field in [#"\"mode\":\"hardware-aware\""#, #"\"hardware\":\"pcm-aihwkit\""#, #"\"sets\":[\"crossbar.adc.bits=5\"]"#,
                      #"\"driftSeconds\":[3600,86400]"#] {
            XCTAssertTrue(h.contains(field), "\(field) missing from \(h)")
        }
        XCTAssertFalse(h.contains("hardwareFraction"), h)
        // A mixed schedule: also independent of the thread count, recorded, and not the all-hardware model.
        var mixed = [(header: String, body: Data)]()
        for threads in ["1", "2"] {
            let out = dir.appendingPathComponent("x\(threads).safetensors").path
            let r = try Hffsim.run(["train", "--layers", "24,16,8", "--epochs", "1", "--seed", "3", "--threads", threads,
                                    "--hardware", "pcm-aihwkit", "--set", "crossbar.adc.bits=5", "--drift-range", "1h,1d",
                                    "--hardware-fraction", "0.5", "--output", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            mixed.append(try contents(out))
        }
        XCTAssertEqual(mixed[0].body, mixed[1].body, "tensor bytes differ between 1 and 2 threads")
        XCTAssertNotEqual(mixed[0].body, files[0].body)
        XCTAssertTrue(mixed[0].header.contains(#"\"hardwareFraction\":0.5"#), mixed[0].header)
    }

    func testChipInTheLoopWritesAModelAndItsChipCost() throws {
        let dir = try tempDir()
        let plain = dir.appendingPathComponent("p.safetensors").path
        let config = dir.appendingPathComponent("p.json").path
        let out = dir.appendingPathComponent("c.safetensors").path
        XCTAssertEqual(try Hffsim.run(["train", "--layers", "16,8", "--epochs", "1", "--output", plain]).status, 0)
        XCTAssertEqual(try Hffsim.run(["map", plain, "--hardware", "pcm-aihwkit", "--output", config]).status, 0)
        let r = try Hffsim.run(["train", "--chip", config, "--chip-seed", "2", "--epochs", "1", "--output", out, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        // Every layer ran the 1,000 training samples of the shipped subset once on the chip.
        XCTAssertEqual(json["layerPasses"] as? [Int], [1000, 1000])
        XCTAssertGreaterThan(json["chipEnergyJoules"] as! Double, 0)
        let h = try contents(out).header
        XCTAssertTrue(h.contains(#"\"mode\":\"chip-in-the-loop\""#) && h.contains(#"\"chipSeed\":2"#), h)
        XCTAssertFalse(h.contains("ownLayerOnChip"), h)
        // The own layer on the chip: every batch of every layer's training reprograms it,
        // ceil(1000 / 128) = 8 batches in its one epoch; each batch's samples pass through it
        // too, on top of the 1,000 outputs handed to the next stage.
        let own = dir.appendingPathComponent("o.safetensors").path
        let o = try Hffsim.run(["train", "--chip", config, "--chip-seed", "2", "--epochs", "1", "--chip-own-layer", "--output", own, "--json"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let oj = try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(oj["reprogrammings"] as? [Int], [8, 8])
        XCTAssertEqual(oj["layerPasses"] as? [Int], [2000, 2000])
        XCTAssertTrue(try contents(own).header.contains(#"\"ownLayerOnChip\":true"#))
        XCTAssertNotEqual(try contents(own).body, try contents(out).body)
        let bad = try Hffsim.run(["train", "--chip", config, "--hardware-fraction", "0.5", "--output", own])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--hardware-fraction") && bad.stderr.contains("--chip-own-layer"), bad.stderr)
    }

    func testMisuseIsRefusedNamingTheFlag() throws {
        let dir = try tempDir()
        let out = dir.appendingPathComponent("m.safetensors").path
        let cases: [([String], String)] = [
            (["train", "--set", "crossbar.adc.bits=4", "--output", out], "--set"),
            (["train", "--drift-range", "1h,1y", "--output", out], "--drift-range"),
            (["train", "--chip-seed", "2", "--output", out], "--chip-seed"),
            (["train", "--hardware-fraction", "0.5", "--output", out], "--hardware-fraction"),
            (["train", "--chip-own-layer", "--output", out], "--chip-own-layer"),
            (["train", "--hardware", "pcm-aihwkit", "--hardware-fraction", "0", "--output", out], "--hardware-fraction"),
            (["train", "--hardware", "pcm-aihwkit", "--hardware-fraction", "1.5", "--output", out], "--hardware-fraction"),
            (["train", "--algorithm", "ff", "--hardware", "pcm-aihwkit", "--output", out], "--hardware"),
            (["train", "--hardware", "nope", "--output", out], "nope: no such hardware file or preset"),
            (["train", "--hardware", "pcm-aihwkit", "--drift-range", "1y,1h", "--output", out], "--drift-range"),
            (["train", "--hardware", "pcm-aihwkit", "--drift-range", "1h", "--output", out], "--drift-range"),
            (["train", "--hardware", "pcm-aihwkit", "--set", "crossbar.adc.bits=99", "--output", out], "crossbar.adc.bits"),
            (["train", "--layers", "8", "--initial-model", "/nonexistent.safetensors", "--output", out], "nonexistent"),
            (["train", "--layers", "8", "--initial-model", out, "--output", out], "one of this command's inputs"),
        ]
        for (args, needle) in cases {
            let r = try Hffsim.run(args)
            XCTAssertTrue([64, 65].contains(r.status), "\(args): exit \(r.status)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
