import Foundation
import XCTest

/// Sources/Hardware/EmbeddedPresets.swift is HardwareModels/ built into the binary (issue 13: a
/// copied or installed binary must find its presets). This keeps the two the same, and records
/// the file again under HFFSIM_RECORD=1.
final class EmbeddedPresetsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Swift source for every .json file under HardwareModels/, sorted by path.
    static func generated() throws -> String {
        let base = root.appendingPathComponent("HardwareModels")
        let enumerator = FileManager.default.enumerator(atPath: base.path)!
        var paths = [String]()
        while let p = enumerator.nextObject() as? String { if p.hasSuffix(".json") { paths.append(p) } }
        var out = """
        // Generated from HardwareModels/ by `HFFSIM_RECORD=1 swift test -c release --filter EmbeddedPresetsTests`.
        // Do not edit: edit the JSON files and record again (the test fails while they differ).

        /// The hardware presets, their parts and the validation points, built into the binary so
        /// that it finds them from any directory; files on disk (HardwareModels/) take precedence.
        enum EmbeddedPresets {
            static let files: [String: String] = [

        """
        for p in paths.sorted() {
            let text = try String(contentsOf: base.appendingPathComponent(p), encoding: .utf8)
            XCTAssertFalse(text.contains("\"\"\"###"), "\(p) holds the raw-string delimiter")
            out += "        \"\(p)\": ###\"\"\"\n\(text.hasSuffix("\n") ? text : text + "\n")\"\"\"###,\n"
        }
        out += "    ]\n}\n"
        return out
    }

    func testTheBuiltInPresetsAreHardwareModels() throws {
        let file = Self.root.appendingPathComponent("Sources/Hardware/EmbeddedPresets.swift")
        let expected = try Self.generated()
        if ProcessInfo.processInfo.environment["HFFSIM_RECORD"] == "1" {
            try expected.write(to: file, atomically: true, encoding: .utf8)
            XCTFail("recorded Sources/Hardware/EmbeddedPresets.swift; build and run again")
            return
        }
        let committed = try String(contentsOf: file, encoding: .utf8)
        XCTAssertEqual(committed, expected, "HardwareModels/ changed: HFFSIM_RECORD=1 swift test -c release --filter EmbeddedPresetsTests")
    }

    /// The binary, copied to a directory with no HardwareModels/ and run from there, still knows
    /// its presets and its reference points.
    func testACopiedBinaryFindsItsPresets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-copied-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("hffsim")
        try FileManager.default.copyItem(at: Hffsim.binary, to: copy)
        func run(_ args: [String]) throws -> CLIResult { try Hffsim.run(args, executable: copy, directory: dir) }
        for preset in ["rram-neurosim", "pcm-aihwkit", "ideal", "hermes-pcm", "neurram"] {
            let r = try run(["hardware", "show", preset, "--json"])
            XCTAssertEqual(r.status, 0, "\(preset): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("\"name\""), preset)
        }
        let bad = try run(["hardware", "show", "nope"])
        XCTAssertTrue(bad.stderr.contains("presets: hermes-pcm, ideal, neurram, pcm-aihwkit, rram-neurosim"), bad.stderr)
    }
}
