import XCTest
@testable import Simulator

/// A reference point's band and tolerance, worked by hand.
final class ValidationTests: XCTestCase {
    func point(reference: Double, band: (Double, Double)? = nil, tolerance: Double? = nil) -> ReferencePoint {
        ReferencePoint(id: "p", preset: "rram-neurosim", sets: [], workload: "hff-784-1000-1000-1000", quantity: "arraysUsed",
                       reference: reference, unit: "", band: band, tolerance: tolerance, source: "test", note: "",
                       samples: nil, chipSeeds: nil, timeSinceProgrammingSeconds: nil, modelSHA256: nil)
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
}
