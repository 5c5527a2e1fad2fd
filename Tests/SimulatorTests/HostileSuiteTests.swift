import Foundation
import XCTest
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator
import TestSupport

/// Issue 13's hostile-input suite, in process: seeded mutations of valid files of every format
/// the project reads (model safetensors, hardware JSON, config JSON and its tensors, CSV, gzip,
/// IDX), each handed to its reader. A reader must either accept the file or throw an
/// `InputError` whose one-line message names the file; a trap ends the test run, a hang its time
/// limit. What it accepts must be well-formed by `HostileOracle` (else: garbage, a failure). The counts by outcome are printed (the closing note quotes them). The command-line side
/// (exit codes, leftovers) is HostileInputTests in hffsimTests.
final class HostileSuiteTests: XCTestCase {
    enum Outcome: String, CaseIterable { case named, unnamed, accepted, garbage }

    struct Format {
        var name: String
        var file: String
        var valid: Data
        /// Reads the file at `path`; throws what the reader throws.
        var read: (String) throws -> Void
        var json: Bool
    }

    func testSeededMutationsOfEveryFormatGetNamedErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-suite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        // Valid files.
        let model = TestModels.model(.hff, widths: [12], inputs: 10, classes: 3, seed: 5)
        let modelBytes = try ModelFile.encode(model).encode()
        let hardware = try HardwareDescription.load("rram-neurosim")
        let hardwareBytes = try JSONSerialization.data(withJSONObject: hardware.jsonObject(), options: [.sortedKeys])
        let config = try Mapper.map(model: model, modelPath: "m.safetensors", modelDigest: SHA256.hex(modelBytes), hardware: hardware,
                                    options: MapOptions(), calibration: TestModels.raw(16, 10, seed: 2))
        try config.write(to: path("valid.json"))
        // The model the config names, beside it: configs are read as `run` reads them, cross-checked against it.
        try modelBytes.write(to: URL(fileURLWithPath: path("m.safetensors")))
        let configBytes = try Data(contentsOf: URL(fileURLWithPath: path("valid.json")))
        let tensorsBytes = try Data(contentsOf: URL(fileURLWithPath: HardwareConfig.tensorsPath(for: path("valid.json"))))
        var csv = ""
        for i in 0..<40 { csv += (0..<5).map { j in "\((i * 3 + j * 7) % 11)" }.joined(separator: ",") + ",\(i % 3)\n" }
        var idx = Data([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3])
        idx.append(contentsOf: (0..<36).map { UInt8(($0 * 37) % 256) })

        let formats: [Format] = [
            Format(name: "model", file: "model.safetensors", valid: modelBytes, read: { _ = try ModelFile.load(path: $0) }, json: false),
            Format(name: "hardware", file: "hw.json", valid: hardwareBytes, read: { _ = try HardwareDescription.load($0) }, json: true),
            Format(name: "config", file: "c.json", valid: configBytes, read: { p in
                // The config's tensors beside it, unchanged.
                try tensorsBytes.write(to: URL(fileURLWithPath: HardwareConfig.tensorsPath(for: p)))
                _ = try Experiment.loadConfig(path: p)
            }, json: true),
            Format(name: "config tensors", file: "t.json", valid: tensorsBytes, read: { p in
                // A mutated tensors file with the config's digest updated: what the shapes, codes and levels must survive.
                var tree = try JSONSerialization.jsonObject(with: configBytes) as! [String: Any]
                tree["tensors"] = ["file": "t.json.tensors", "sha256": SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: p)))]
                try FileManager.default.moveItem(atPath: p, toPath: p + ".tensors")
                try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: p))
                defer { try? FileManager.default.removeItem(atPath: p + ".tensors") }
                _ = try Experiment.loadConfig(path: p)
            }, json: false),
            Format(name: "csv", file: "d.csv", valid: Data(csv.utf8), read: { _ = try CSV.read(path: $0, labelColumn: .last) }, json: false),
            Format(name: "csv.gz", file: "d.csv.gz", valid: Gzip.compress(Data(csv.utf8)), read: { _ = try CSV.read(path: $0, labelColumn: .last) }, json: false),
            Format(name: "idx", file: "i.idx", valid: idx, read: { _ = try IDX.readImages(path: $0) }, json: false),
            Format(name: "idx.gz", file: "i.idx.gz", valid: Gzip.compress(idx), read: { _ = try IDX.readImages(path: $0) }, json: false),
        ]
        // Each valid file is accepted as it is.
        for f in formats {
            try f.valid.write(to: URL(fileURLWithPath: path(f.file)))
            XCTAssertNoThrow(try f.read(path(f.file)), "\(f.name) as written")
        }
        var counts = [String: [Outcome: Int]]()
        var rng = SeededRandom(seed: 13)
        let perFormat = 160
        for f in formats {
            for n in 0..<perFormat {
                let data = HostileMutation.mutate(f.valid, json: f.json, &rng)
                let p = path(f.file)
                try data.write(to: URL(fileURLWithPath: p))
                var outcome = Outcome.accepted
                do { try f.read(p) } catch let e as InputError {
                    let oneLine = !e.message.contains("\n")
                    let names = e.message.contains(p) || e.message.contains(URL(fileURLWithPath: p).lastPathComponent)
                    outcome = oneLine && names ? .named : .unnamed
                    if outcome == .unnamed { XCTFail("\(f.name) case \(n): \(e.message)") }
                } catch {
                    outcome = .unnamed
                    XCTFail("\(f.name) case \(n): not an InputError: \(error)")
                }
                // Accepted: well-formed by an independent judge, or garbage the reader let through.
                if outcome == .accepted, let why = HostileOracle.garbage(format: f.name, original: f.valid, mutated: data) {
                    outcome = .garbage
                    XCTFail("\(f.name) case \(n): accepted garbage: \(why)")
                }
                counts[f.name, default: [:]][outcome, default: 0] += 1
            }
        }
        var total = [Outcome: Int]()
        for f in formats {
            let c = counts[f.name] ?? [:]
            for o in Outcome.allCases { total[o, default: 0] += c[o] ?? 0 }
            print("hostile suite: \(f.name): " + Outcome.allCases.map { "\($0.rawValue) \(c[$0] ?? 0)" }.joined(separator: ", "))
        }
        print("hostile suite: \(formats.count * perFormat) cases: " + Outcome.allCases.map { "\($0.rawValue) \(total[$0] ?? 0)" }.joined(separator: ", "))
        XCTAssertGreaterThanOrEqual(formats.count * perFormat, 1000)
        XCTAssertEqual(total[.unnamed] ?? 0, 0)
        XCTAssertEqual(total[.garbage] ?? 0, 0)
        // Memory stays bounded: no case made the process grow past 1 GiB.
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        XCTAssertLessThan(usage.ru_maxrss, 1 << 20, "peak resident set \(usage.ru_maxrss) KiB")
    }

    /// The judge itself, on cases worked by hand: well-formed files pass, and one of each kind of
    /// garbage it is meant to catch is caught (a judge that passes everything would make the
    /// suite's "0 garbage" empty).
    func testTheOracleCatchesGarbageWorkedByHand() throws {
        let j = Data(#"{"a": {"value": 2, "source": "p. 3"}, "b": ["x", "y"], "c": true}"#.utf8)
        func json(_ t: String) -> String? { HostileOracle.garbage(format: "hardware", original: j, mutated: Data(t.utf8)) }
        XCTAssertNil(json(#"{"a": {"value": 2.5, "source": "anything"}, "b": ["x", "y"], "c": false}"#))
        XCTAssertNotNil(json(#"{"a": {"value": -2, "source": "p. 3"}, "b": ["x", "y"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"value": 1e300, "source": "p. 3"}, "b": ["x", "y"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"value": "2", "source": "p. 3"}, "b": ["x", "y"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"value": 2, "source": "p. 3"}, "b": ["x", "z"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"value": 2, "source": "p. 3"}, "b": ["x"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"valu": 2, "source": "p. 3"}, "b": ["x", "y"], "c": true}"#))
        XCTAssertNotNil(json(#"{"a": {"value": 2, "source": "p. 3"}, "b": ["x", "y"], "c": 1}"#))
        XCTAssertNotNil(json(#"{"a": {"value": 2, "source": "p. 3"}"#))
        // safetensors: header {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}, then 1.0 and 2.0.
        func st(_ header: String, _ floats: [Float]) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(contentsOf: header.utf8)
            for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
            return d
        }
        let h = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let valid = st(h, [1, 2])
        XCTAssertNil(HostileOracle.garbage(format: "model", original: valid, mutated: st(h, [3, -4])))
        XCTAssertNotNil(HostileOracle.garbage(format: "model", original: valid, mutated: st(h, [1, .nan])))
        XCTAssertNotNil(HostileOracle.garbage(format: "model", original: valid, mutated: valid.dropLast()))
        XCTAssertNotNil(HostileOracle.garbage(format: "model", original: valid, mutated: st(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [1, 2])))
        // CSV: ragged rows, a fractional label, a header of text; IDX: a size that is not the file's; gzip with trailing bytes.
        XCTAssertNil(HostileOracle.garbage(format: "csv", original: Data(), mutated: Data("a,b,label\n1,2,0\n3, 4 ,1\n\n".utf8)))
        XCTAssertNotNil(HostileOracle.garbage(format: "csv", original: Data(), mutated: Data("1,2,0\n3,1\n".utf8)))
        XCTAssertNotNil(HostileOracle.garbage(format: "csv", original: Data(), mutated: Data("1,2,0\n3,4,1.5\n".utf8)))
        XCTAssertNotNil(HostileOracle.garbage(format: "csv", original: Data(), mutated: Data("1,2,0\n3,nan,1\n".utf8)))
        let idx = Data([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 9, 9, 9, 9])
        XCTAssertNil(HostileOracle.garbage(format: "idx", original: idx, mutated: idx))
        XCTAssertNotNil(HostileOracle.garbage(format: "idx", original: idx, mutated: idx.dropLast()))
        XCTAssertNil(HostileOracle.garbage(format: "idx.gz", original: idx, mutated: Gzip.compress(idx)))
        XCTAssertNotNil(HostileOracle.garbage(format: "idx.gz", original: idx, mutated: Gzip.compress(idx) + Data([1, 2, 3])))
    }
}
