import Foundation
import XCTest
@testable import Simulator

/// A reference point's band and tolerance, worked by hand.
final class ValidationTests: XCTestCase {
    func point(reference: Double, band: (Double, Double)? = nil, tolerance: Double? = nil) -> ReferencePoint {
        ReferencePoint(id: "p", preset: "rram-neurosim", sets: [], workload: "hff-784-1000-1000-1000", quantity: "arraysUsed",
                       reference: reference, unit: "", band: band, tolerance: tolerance, source: "test", note: "",
                       samples: nil, chipSeeds: nil, timeSinceProgrammingSeconds: nil, weightsSHA256: nil, dataset: nil)
    }

    func testARatioBandIncludesItsEnds() {
        let p = point(reference: 90.2, band: (0.5, 2))
        // 45.1 / 90.2 = 0.5 and 180.4 / 90.2 = 2 are inside; a hair beyond either end is not.
        XCTAssertTrue(p.passes(45.1))
        XCTAssertTrue(p.passes(180.4))
        XCTAssertTrue(p.passes(152.4))
        XCTAssertFalse(p.passes(45.0))
        XCTAssertFalse(p.passes(180.5))
        XCTAssertFalse(point(reference: 0, band: (0.5, 2)).passes(0), "a ratio to zero is no pass")
    }

    func testAnAbsoluteToleranceIsSymmetric() {
        // Accuracy in points: 88.91 against aihwkit's 89.2 within 0.5 points.
        let p = point(reference: 89.2, tolerance: 0.5)
        XCTAssertTrue(p.passes(88.91))
        XCTAssertTrue(p.passes(89.69))
        XCTAssertFalse(p.passes(88.6))
        XCTAssertFalse(p.passes(89.8))
    }

    func testPointsOfOneSimulationShareItsKey() {
        var a = point(reference: 1, band: (0.5, 2)), b = a
        b.quantity = "adcNanojoules"
        XCTAssertEqual(a.runKey, b.runKey)
        a.sets = ["crossbar.adc.bits=6"]
        XCTAssertNotEqual(a.runKey, b.runKey)
    }

    func testZeroAndOneAreNumbersNotBooleans() throws {
        // JSON 0 and 1 read back as NSNumber, as true and false do: a reference of 1, a tolerance
        // of 0 and one chip seed are numbers; a band of booleans is not.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func load(_ p: [String: Any]) throws -> [ReferencePoint] {
            let path = dir.appendingPathComponent("p.json").path
            try JSONSerialization.data(withJSONObject: ["points": [p]]).write(to: URL(fileURLWithPath: path))
            return try Validation.load(path: path)
        }
        let p: [String: Any] = ["id": "p", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent",
                                "reference": 1, "tolerance": 0, "chipSeeds": 1, "timeSinceProgrammingSeconds": 0, "source": "test"]
        let loaded = try load(p)
        XCTAssertEqual(loaded[0].reference, 1)
        XCTAssertEqual(loaded[0].tolerance, 0)
        XCTAssertEqual(loaded[0].chipSeeds, 1)
        var b = p
        b["tolerance"] = nil
        b["band"] = [true, true]
        XCTAssertThrowsError(try load(b))
    }
}
