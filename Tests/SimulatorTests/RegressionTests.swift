import Foundation
import XCTest
import Numerics
import Simulator

/// The regression suite over Traces/ (see Traces/README.md). `HFFSIM_RECORD=1` rewrites the
/// references and fails, so a recording never passes silently.
final class RegressionTests: XCTestCase {
    let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Traces").path

    func testReferenceTracesMatchAFreshSimulation() throws {
        if ProcessInfo.processInfo.environment["HFFSIM_RECORD"] == "1" {
            _ = try Regression.check(traces: traces, record: true)
            XCTFail("recorded the references in \(traces); run the tests again without HFFSIM_RECORD")
            return
        }
        let differences = try Regression.check(traces: traces)
        XCTAssertEqual(differences.map(\.description), [])
    }

    func testChangingOneEnergyValueFailsNamingTheField() throws {
        let differences = try Regression.check(traces: traces, sets: ["energy.adcConversionPicojoules=0.06"])
        let fields = differences.map(\.field)
        XCTAssertTrue(fields.contains("energyByComponentNanojoules.adc"), "\(fields)")
        XCTAssertTrue(fields.contains("config.hardware.energy.adcConversionPicojoules.value"), "\(fields)")
        XCTAssertTrue(differences.contains { $0.file.hasSuffix("rram-neurosim/summary.json") })
        // Fields the change cannot move stay equal: accuracy does not depend on energy.
        XCTAssertFalse(fields.contains("hardwareAccuracy"), "\(fields)")
    }

    func testOutputsAreByteIdenticalAcrossRunsAndThreadCounts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-regression-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let saved = GEMM.defaultThreads
        defer { GEMM.defaultThreads = saved }
        for (i, threads) in [2, 2, 1].enumerated() {
            GEMM.defaultThreads = threads
            try Regression.simulate(traces: traces, into: "\(root)/\(i)")
        }
        for preset in Regression.presets {
            for file in Regression.files + ["stats.txt"] {
                let a = try Data(contentsOf: URL(fileURLWithPath: "\(root)/0/\(preset)/\(file)"))
                XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: "\(root)/1/\(preset)/\(file)")), "\(preset)/\(file): two runs")
                XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: "\(root)/2/\(preset)/\(file)")), "\(preset)/\(file): 1 and 2 threads")
            }
        }
    }
}
