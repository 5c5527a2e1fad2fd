import XCTest
import Numerics

final class GEMMTests: XCTestCase {
    /// The textbook triple loop in Double, the reference every kernel result is compared with.
    func naive(_ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool, _ c0: Matrix, alpha: Float, beta: Float) -> [Double] {
        let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = ta ? a[p, i] : a[i, p]
                    let bv = tb ? b[j, p] : b[p, j]
                    s += Double(av) * Double(bv)
                }
                out[i * n + j] = Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * Double(c0[i, j]))
            }
        }
        return out
    }

    func random(_ r: Int, _ c: Int, _ rng: inout SeededRandom) -> Matrix {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.uniform(-1, 1) })
    }

    func testAllTransposeCombinationsOnOddShapes() {
        var rng = SeededRandom(seed: 42)
        // Shapes straddle the 8 x 32 register block, the 256-deep panel and the 128-row block, and
        // the thin path (n <= 16 with B transposed).
        let shapes = [(1, 1, 1), (7, 33, 5), (9, 31, 257), (17, 65, 300), (130, 70, 3), (3, 200, 513), (129, 1025, 17),
                      (37, 10, 1000), (10, 1000, 131), (16, 47, 33), (40, 16, 19)]
        for (m, n, k) in shapes {
            for ta in [false, true] {
                for tb in [false, true] {
                    for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(-2))] {
                        let a = ta ? random(k, m, &rng) : random(m, k, &rng)
                        let b = tb ? random(n, k, &rng) : random(k, n, &rng)
                        let c0 = random(m, n, &rng)
                        var c = c0
                        GEMM.multiply(a, transA: ta, b, transB: tb, into: &c, alpha: alpha, beta: beta, threads: 2)
                        let ref = naive(a, ta, b, tb, c0, alpha: alpha, beta: beta)
                        var worst = 0.0
                        for i in 0..<ref.count { worst = max(worst, abs(Double(c.storage[i]) - ref[i])) }
                        XCTAssertLessThan(worst, 1e-4 * Double(k).squareRoot() + 1e-5,
                                          "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb) alpha=\(alpha) beta=\(beta)")
                    }
                }
            }
        }
    }

    /// Every element of a packed product is, bit for bit, one fused multiply-add chain over each
    /// 256-deep panel of k in order, times alpha (when not 1), added to beta C (first panel) or to
    /// the previous panels' sum (fused inside whole 8 x 32 blocks; rounded product then sum in
    /// the edge blocks, which go through a buffer): what the Swift micro-kernel computes and the
    /// AVX2 kernel (`hffsim_sgemm_8x32_avx2`, used on CPUs without AVX-512) must reproduce, so
    /// results do not depend on the CPU's kernel. The reference is scalar `addingProduct`.
    func testEveryElementIsOneFusedChainPerPanelOnAnyKernel() {
        var rng = SeededRandom(seed: 7)
        for (m, n, k, alpha, beta) in [(19, 45, 300, Float(1), Float(0)), (8, 32, 7, 0.5, 2), (33, 70, 513, 1, 1)] {
            let a = random(m, k, &rng), b = random(k, n, &rng), c0 = random(m, n, &rng)
            var c = c0
            GEMM.multiply(a, b, into: &c, alpha: alpha, beta: beta, threads: 1)
            for i in 0..<m {
                for j in 0..<n {
                    var out = c0[i, j]
                    var p0 = 0
                    while p0 < k {
                        var acc: Float = 0
                        for p in p0..<min(k, p0 + 256) { acc = acc.addingProduct(a[i, p], b[p, j]) }
                        if alpha != 1 { acc *= alpha }
                        let betaHere: Float = p0 == 0 ? beta : 1
                        let whole = (i / 8 + 1) * 8 <= m && (j / 32 + 1) * 32 <= n
                        out = betaHere == 0 ? acc : whole ? acc.addingProduct(betaHere, out) : betaHere * out + acc
                        p0 += 256
                    }
                    XCTAssertEqual(c[i, j].bitPattern, out.bitPattern, "\(m)x\(n)x\(k) [\(i), \(j)]")
                }
            }
        }
    }

    func testBetaZeroIgnoresNaNInOutput() {
        var rng = SeededRandom(seed: 1)
        let a = random(9, 5, &rng), b = random(5, 40, &rng)
        var c = Matrix(rows: 9, cols: 40, repeating: .nan)
        GEMM.multiply(a, b, into: &c)
        XCTAssertTrue(c.isFinite)
    }

    func testZeroDepthScalesOutput() {
        let a = Matrix(rows: 3, cols: 0), b = Matrix(rows: 0, cols: 4)
        var c = Matrix(rows: 3, cols: 4, repeating: 2)
        GEMM.multiply(a, b, into: &c, beta: 0.5)
        XCTAssertEqual(c.storage, [Float](repeating: 1, count: 12))
    }

    func testResultsIdenticalForAnyThreadCount() {
        var rng = SeededRandom(seed: 9)
        // (m, n, k): general blocks, and a thin product large enough (19 MFLOP) to be split.
        for (ta, tb, m, n, k) in [(false, false, 130, 257, 300), (true, false, 130, 257, 300), (false, true, 130, 257, 300),
                                  (false, true, 600, 16, 1000)] {
            let a = ta ? random(k, m, &rng) : random(m, k, &rng)
            let b = tb ? random(n, k, &rng) : random(k, n, &rng)
            var c1 = Matrix(rows: m, cols: n), c2 = c1, c3 = c1
            GEMM.multiply(a, transA: ta, b, transB: tb, into: &c1, threads: 1)
            GEMM.multiply(a, transA: ta, b, transB: tb, into: &c2, threads: 2)
            GEMM.multiply(a, transA: ta, b, transB: tb, into: &c3, threads: 5)
            XCTAssertEqual(c1.storage, c2.storage)
            XCTAssertEqual(c1.storage, c3.storage)
        }
    }

    func testStatisticsCountFlops() {
        var rng = SeededRandom(seed: 3)
        let a = random(10, 20, &rng), b = random(20, 30, &rng)
        GEMM.statistics = .init()
        GEMM.collectStatistics = true
        _ = GEMM.product(a, b)
        GEMM.collectStatistics = false
        let s = GEMM.statistics
        GEMM.statistics = .init()
        XCTAssertEqual(s.calls, 1)
        XCTAssertEqual(s.flops, 2 * 10 * 20 * 30)
    }
}
