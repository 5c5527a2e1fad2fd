import Foundation
import XCTest

/// docs/hardware-models.md is the output of `hffsim hardware keys --markdown`; this keeps them
/// equal. `HFFSIM_RECORD=1` rewrites the file and fails, so a recording never passes silently.
final class HardwareReferenceTests: XCTestCase {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/hardware-models.md")

    func testReferenceDocMatchesSchemaAndPresets() throws {
        let r = try Hffsim.run(["hardware", "keys", "--markdown"])
        XCTAssertEqual(r.status, 0, r.stderr)
        if ProcessInfo.processInfo.environment["HFFSIM_RECORD"] == "1" {
            try Data(r.stdout.utf8).write(to: Self.docs)
            XCTFail("recorded \(Self.docs.path); run again without HFFSIM_RECORD to check it")
            return
        }
        let committed = try String(contentsOf: Self.docs, encoding: .utf8)
        XCTAssertEqual(committed, r.stdout, "docs/hardware-models.md is stale: HFFSIM_RECORD=1 swift test -c release --filter HardwareReferenceTests")
    }

    func testHardwareCommandsExitCodes() throws {
        for preset in ["ideal", "rram-neurosim", "pcm-aihwkit"] {
            let show = try Hffsim.run(["hardware", "show", preset, "--json"])
            XCTAssertEqual(show.status, 0, show.stderr)
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(obj["name"] as? String, preset)
            let check = try Hffsim.run(["hardware", "check", "\(Self.docs.deletingLastPathComponent().deletingLastPathComponent().path)/HardwareModels/\(preset).json"])
            XCTAssertEqual(check.status, 0, check.stderr)
        }
        let bad = try Hffsim.run(["hardware", "show", "rram-neurosim", "--set", "crossbar.adc.bits=0"])
        XCTAssertEqual(bad.status, 64, "an override out of range is the flag's fault (issue 13)")
        XCTAssertTrue(bad.stderr.contains("--set: crossbar.adc.bits: expected a whole number in 1...24, got 0"), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1)
        let usage = try Hffsim.run(["hardware", "show", "rram-neurosim", "--set", "crossbar.adc.bits"])
        XCTAssertEqual(usage.status, 64)
        let missing = try Hffsim.run(["hardware", "check", "/nonexistent.json"])
        XCTAssertEqual(missing.status, 65)
        for args in [["hardware", "--help"], ["hardware", "show", "--help"], ["hardware", "check", "--help"], ["hardware", "keys", "--help"]] {
            let h = try Hffsim.run(args)
            XCTAssertEqual(h.status, 0)
            XCTAssertTrue(h.stdout.contains("USAGE:"), "\(args)")
        }
    }
}
