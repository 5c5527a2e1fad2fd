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

    func testPointsFileErrorsNameThePointBeforeAnyWork() throws {
        // Each refused before a model is trained (so in well under a second), naming the point.
        let base = validationPoint("arraysUsed", reference: 750, band: [0.5, 2])
        var badPreset = base; badPreset["preset"] = "no-such-chip"
        var badSet = base; badSet["sets"] = ["crossbar.adc.bits=99"]
        var unknown = base; unknown["sampels"] = 10
        var mismatch = base; mismatch["quantity"] = "mvmTops"
        var typed = base; typed["weightsSHA256"] = 5
        let cases: [([[String: Any]], String)] = [([badPreset], "points[0].preset"), ([badSet], "points[0].sets"),
                                                  ([unknown], "points[0].sampels"), ([mismatch], "points[0].quantity"),
                                                  ([typed], "points[0].weightsSHA256"), ([base, base], "points[1].id")]
        for (list, field) in cases {
            let r = try run(["validate", "--points", try validationPoints(list)])
            XCTAssertEqual(r.status, 65, field)
            XCTAssertTrue(r.stderr.contains(field), "\(field): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }
}
