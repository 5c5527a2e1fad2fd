import Foundation
import XCTest

/// `hffsim validate`: a malformed points file is refused naming the point and field (exit 65),
/// before any model is trained. (The shipped points run in .ci/run on the release binary; the
/// bands' arithmetic is tested in ValidationTests.)
extension CLITests {
    func validationPoints(_ list: [[String: Any]]) throws -> String {
        let path = try tempDir().appendingPathComponent("points.json").path
        try JSONSerialization.data(withJSONObject: ["points": list]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func validationPoint(_ quantity: String, reference: Double, band: [Double]) -> [String: Any] {
        ["id": "p", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": quantity,
         "reference": reference, "band": band, "source": "test", "samples": 20]
    }

    func testAMalformedPointIsRefusedNamingItsField() throws {
        var p = validationPoint("arraysUsed", reference: 750, band: [0.5, 2])
        p["quantity"] = "joules"
        let r = try run(["validate", "--points", try validationPoints([p])])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("points[0].quantity"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        p = validationPoint("arraysUsed", reference: 750, band: [2, 0.5])
        let b = try run(["validate", "--points", try validationPoints([p])])
        XCTAssertEqual(b.status, 65)
        XCTAssertTrue(b.stderr.contains("points[0].band"), b.stderr)
    }
}
