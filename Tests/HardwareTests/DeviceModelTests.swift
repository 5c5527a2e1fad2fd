import Foundation
import Numerics
import XCTest
import Hardware

/// Statistical checks of the device physics over many draws.
final class DeviceModelTests: XCTestCase {
    func model(_ preset: String, _ sets: [String] = []) throws -> DeviceModel {
        DeviceModel(try HardwareDescription.load(preset, sets: sets))
    }

    func moments(_ xs: [Double]) -> (mean: Double, std: Double) {
        let m = xs.reduce(0, +) / Double(xs.count)
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (m, v.squareRoot())
    }

    func testPCMProgrammingNoiseMatchesThePolynomialWithin5Percent() throws {
        // No drift, so the draw is the programmed conductance.
        let m = try model("pcm-aihwkit", ["noise.drift.timeSinceProgrammingSeconds=0"])
        var rng = SeededRandom(seed: 1)
        for r in [0.2, 0.5, 0.8, 1.0] {
            let target = r * m.gMax
            // aihwkit's drift at t = 0 leaves G but adds read noise; switch drift off entirely.
            var noDrift = m
            noDrift.drift = .none
            let draws = (0..<100_000).map { _ in noDrift.program(target, rng: &rng) }
            let (mean, std) = moments(draws)
            let expected = (0.26348 + 1.9650 * r - 1.1731 * r * r) * m.gMax / 25
            XCTAssertEqual(std, expected, accuracy: 0.05 * expected, "sigma at G/Gmax = \(r)")
            XCTAssertEqual(mean, target, accuracy: 0.05 * expected, "unbiased at G/Gmax = \(r)")
        }
    }

    func testPowerLawDriftMeanFollowsTheFormula() throws {
        for (nuMean, nuStd) in [(0.05, 0.0), (0.06, 0.01)] {
            var m = try model("rram-neurosim", ["noise.drift.t0Seconds=20", "noise.drift.timeSinceProgrammingSeconds=86400"])
            m.drift = .powerLaw
            m.nuMean = nuMean
            m.nuStd = nuStd
            var rng = SeededRandom(seed: 2)
            let g = m.gMax
            let draws = (0..<100_000).map { _ in m.program(g, rng: &rng) / g }
            let measured = moments(draws).mean
            let formula = Foundation.pow((86400.0 + 20) / 20, -nuMean)
            if nuStd == 0 { XCTAssertEqual(measured, formula, accuracy: 1e-12) }
            XCTAssertEqual(measured, m.meanPowerLawDriftFactor, accuracy: 2e-3, "nu ~ N(\(nuMean), \(nuStd))")
        }
    }

    func testPCMDriftLowersConductanceMoreForSmallTargets() throws {
        let m = try model("pcm-aihwkit", ["noise.drift.timeSinceProgrammingSeconds=86400"])
        var rng = SeededRandom(seed: 3)
        func meanRatio(_ r: Double) -> Double {
            (0..<20_000).map { _ in m.program(r * m.gMax, rng: &rng) / (r * m.gMax) }.reduce(0, +) / 20_000
        }
        let high = meanRatio(1.0), low = meanRatio(0.1)
        // nu's mean is 0.049 at G = Gmax and 0.06 at G = 0.1 Gmax: ((86400 + 20) / 20)^-nu.
        XCTAssertEqual(high, Foundation.pow(4321.0, -m.pcmNu(at: m.gMax).mean), accuracy: 0.03)
        XCTAssertLessThan(low, high)
    }

    func testStuckAtFractionsMatchTheirRates() throws {
        let m = try model("rram-neurosim", ["noise.stuckAtOnRate=0.02", "noise.stuckAtOffRate=0.05"])
        var rng = SeededRandom(seed: 4)
        let n = 200_000
        let mid = (m.gMin + m.gMax) / 2
        let draws = (0..<n).map { _ in m.program(mid, rng: &rng) }
        let on = Double(draws.filter { $0 == m.gMax }.count) / Double(n)
        let off = Double(draws.filter { $0 == m.gMin }.count) / Double(n)
        // Binomial standard errors: 3.1e-4 and 4.9e-4; allow 4 of them.
        XCTAssertEqual(on, 0.02, accuracy: 4 * (0.02 * 0.98 / Double(n)).squareRoot())
        XCTAssertEqual(off, 0.05, accuracy: 4 * (0.05 * 0.95 / Double(n)).squareRoot())
    }

    func testQuantisationAndDeviceVariation() throws {
        let m = try model("rram-neurosim", ["noise.deviceVariationRelative=0.1"])
        // 2-bit cells: 4 levels from Gmin to Gmax.
        let step = (m.gMax - m.gMin) / 3
        XCTAssertEqual(m.quantize(m.gMin + 1.4 * step), m.gMin + step, accuracy: 1e-12)
        XCTAssertEqual(m.quantize(m.gMax * 2), m.gMax)
        var rng = SeededRandom(seed: 5)
        let draws = (0..<100_000).map { _ in m.program(m.gMax, rng: &rng) / m.gMax - 1 }
        XCTAssertEqual(moments(draws).std, 0.1, accuracy: 0.005)
        let ideal = try model("ideal")
        var r2 = SeededRandom(seed: 6)
        XCTAssertEqual(ideal.program(3.21, rng: &r2), 3.21, accuracy: 1e-12, "the ideal preset programs exactly")
    }

    func testSameSeedSameChip() throws {
        let m = try model("pcm-aihwkit")
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        let x = (0..<1000).map { m.program(Double($0 % 25), rng: &a) }
        let y = (0..<1000).map { m.program(Double($0 % 25), rng: &b) }
        XCTAssertEqual(x, y)
    }
}
