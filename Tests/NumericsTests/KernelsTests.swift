import XCTest
import Numerics

final class KernelsTests: XCTestCase {
    func testAdamFirstStepMovesByLearningRate() {
        // After one step the bias-corrected update is lr * g / (|g| + eps) = lr * sign(g).
        var p: [Float] = [1, 1, 1]
        var s = Adam.State(count: 3)
        Adam(learningRate: 0.01).step(&p, gradient: [2, -0.5, 0], state: &s)
        XCTAssertEqual(p[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(p[1], 1.01, accuracy: 1e-6)
        XCTAssertEqual(p[2], 1, accuracy: 1e-7)
        XCTAssertEqual(s.steps, 1)
    }

    func testAdamMinimisesQuadratic() {
        var p: [Float] = [3, -4]
        var s = Adam.State(count: 2)
        let adam = Adam(learningRate: 0.05)
        for _ in 0..<2000 { adam.step(&p, gradient: p.map { 2 * $0 }, state: &s) }
        XCTAssertEqual(p[0], 0, accuracy: 1e-2)
        XCTAssertEqual(p[1], 0, accuracy: 1e-2)
    }

    func testAdamVectorAndScalarPathsAndThreadCountsAgree() {
        // 200,003 elements: several 65,536-element chunks, a SIMD body and a scalar tail.
        var rng = SeededRandom(seed: 4)
        let n = 200_003
        let start = (0..<n).map { _ in rng.gaussian() }
        let grads = (0..<3).map { _ in (0..<n).map { _ in rng.gaussian() } }
        var results = [[Float]]()
        for threads in [1, 2, 3] {
            var p = start
            var s = Adam.State(count: n)
            for g in grads { Adam(learningRate: 0.01).step(&p, gradient: g, state: &s, threads: threads) }
            results.append(p)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
        // The element in the scalar tail follows the same formula as a SIMD lane.
        var one = [start[n - 1]], s1 = Adam.State(count: 1)
        for g in grads { Adam(learningRate: 0.01).step(&one, gradient: [g[n - 1]], state: &s1) }
        XCTAssertEqual(one[0], results[0][n - 1], accuracy: 1e-7)
    }

    func testSGDWithMomentumFollowsPyTorchConvention() {
        // v1 = g1, p1 = p0 - lr g1; v2 = mu g1 + g2, p2 = p1 - lr v2.
        var p: [Float] = [1, -1]
        var s = Optimizer.State(count: 2)
        let sgd = Optimizer(kind: .sgd, learningRate: 0.1, momentum: 0.5)
        sgd.step(&p, gradient: [1, 2], state: &s)
        XCTAssertEqual(p[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(p[1], -1.2, accuracy: 1e-6)
        sgd.step(&p, gradient: [1, 0], state: &s)
        XCTAssertEqual(p[0], 0.9 - 0.1 * 1.5, accuracy: 1e-6)
        XCTAssertEqual(p[1], -1.2 - 0.1 * 1.0, accuracy: 1e-6)
    }

    func testLogSoftmaxAndSoftmaxAgreeAndAreStable() {
        var m = Matrix(rows: 2, cols: 3, storage: [1000, 1001, 999, -3, 0, 2])
        var s = m
        Kernels.logSoftmaxRows(&m)
        Kernels.softmaxRows(&s)
        for i in 0..<6 { XCTAssertEqual(Kernels.exp(m.storage[i]), s.storage[i], accuracy: 1e-5 * s.storage[i]) }
        XCTAssertEqual(s.storage[0..<3].reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertTrue(m.isFinite)
        XCTAssertEqual(Kernels.argmaxRows(s), [1, 2])
    }

    func testNormalizeRowsFloorsTinyNorms() {
        var m = Matrix(rows: 2, cols: 2, storage: [3, 4, 0, 0])
        let norms = Kernels.normalizeRows(&m, epsilon: 1e-6)
        XCTAssertEqual(norms, [5, 0])
        XCTAssertEqual(m.storage, [0.6, 0.8, 0, 0])
    }
}
