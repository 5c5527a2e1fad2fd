import Foundation
import XCTest
import Numerics

final class RandomTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5), c = SeededRandom(seed: 6)
        let xa = (0..<100).map { _ in a.next() }
        XCTAssertEqual(xa, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(xa, (0..<100).map { _ in c.next() })
    }

    func testSplitIsDeterministicIndependentAndLeavesParent() {
        var parent = SeededRandom(seed: 11)
        var s1 = parent.split(3), s2 = parent.split(3), s3 = parent.split(4)
        let x1 = (0..<50).map { _ in s1.next() }
        XCTAssertEqual(x1, (0..<50).map { _ in s2.next() })
        XCTAssertNotEqual(x1, (0..<50).map { _ in s3.next() })
        var fresh = SeededRandom(seed: 11)
        XCTAssertEqual(parent.next(), fresh.next(), "split must not advance the parent")
    }

    func testUniformAndGaussianMoments() {
        var r = SeededRandom(seed: 1)
        let n = 200_000
        var su = 0.0, sg = 0.0, sg2 = 0.0, sg4 = 0.0
        var lo: Float = 1, hi: Float = 0
        for _ in 0..<n {
            let u = r.uniform()
            lo = min(lo, u); hi = max(hi, u)
            su += Double(u)
            let g = Double(r.gaussian())
            sg += g; sg2 += g * g; sg4 += g * g * g * g
        }
        XCTAssertGreaterThanOrEqual(lo, 0)
        XCTAssertLessThan(hi, 1)
        XCTAssertEqual(su / Double(n), 0.5, accuracy: 0.005)
        XCTAssertEqual(sg / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(sg2 / Double(n), 1, accuracy: 0.02)
        XCTAssertEqual(sg4 / Double(n), 3, accuracy: 0.1, "Gaussian kurtosis")
    }

    func testFillGaussianMomentsAndOddLengths() {
        var r = SeededRandom(seed: 3)
        var xs = [Float](repeating: .nan, count: 200_001)
        xs.withUnsafeMutableBufferPointer { r.fillGaussian($0) }
        XCTAssertTrue(xs.allSatisfy { $0.isFinite })
        let n = Double(xs.count)
        let mean = xs.reduce(0.0) { $0 + Double($1) } / n
        let variance = xs.reduce(0.0) { $0 + Double($1) * Double($1) } / n - mean * mean
        let kurtosis = xs.reduce(0.0) { $0 + pow(Double($1), 4) } / n
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        XCTAssertEqual(kurtosis, 3, accuracy: 0.1)
        // Pairs are independent: the correlation of x[2k] and x[2k+1] is near 0.
        var cross = 0.0
        for k in stride(from: 0, to: xs.count - 1, by: 2) { cross += Double(xs[k]) * Double(xs[k + 1]) }
        XCTAssertEqual(cross / (n / 2), 0, accuracy: 0.01)
        // The two values of each Box-Muller pair (16 apart) are uncorrelated too.
        var pairs = 0.0, count = 0.0
        for k in stride(from: 0, to: xs.count - 32, by: 32) {
            for l in 0..<16 { pairs += Double(xs[k + l]) * Double(xs[k + 16 + l]); count += 1 }
        }
        XCTAssertEqual(pairs / count, 0, accuracy: 0.01)
        // Tails: P(|z| > 3) = 0.0026998 for a standard normal; 4 binomial standard errors.
        let tail = Double(xs.filter { abs($0) > 3 }.count) / n
        XCTAssertEqual(tail, 0.0026998, accuracy: 4 * (0.0027 / n).squareRoot())
    }

    func testSIMDMathMatchesTheLibrary() {
        var worstLog = 0.0, worstTrig = 0.0
        for start in stride(from: 1, to: 16_777_216, by: 16 * 997) {
            let k = SIMD16<UInt32>((0..<16).map { UInt32(start + $0 * 61) })
            let u = (SIMD16<Float>(k) + 0.5) * (1.0 / 16_777_216.0)
            let l = SIMDMath.log(u)
            let (c, s) = SIMDMath.cosSinTurn(k)
            for i in 0..<16 {
                let exact = Foundation.log(Double(u[i]))
                worstLog = max(worstLog, abs(Double(l[i]) - exact) / abs(exact))
                let angle = 2 * Double.pi * Double(k[i]) / 16_777_216
                worstTrig = max(worstTrig, abs(Double(c[i]) - Foundation.cos(angle)), abs(Double(s[i]) - Foundation.sin(angle)))
            }
        }
        XCTAssertLessThan(worstLog, 1e-6)
        XCTAssertLessThan(worstTrig, 1e-6)
    }

    func testPermutationIsAPermutationAndSeeded() {
        var a = SeededRandom(seed: 2), b = SeededRandom(seed: 2)
        let p = a.permutation(1000)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertEqual(p, b.permutation(1000))
        XCTAssertNotEqual(p, Array(0..<1000))
    }

    func testBelowStaysInRangeAndCoversIt() {
        var r = SeededRandom(seed: 8)
        var seen = Set<Int>()
        for _ in 0..<1000 { let v = r.below(7); XCTAssertTrue((0..<7).contains(v)); seen.insert(v) }
        XCTAssertEqual(seen.count, 7)
    }
}
