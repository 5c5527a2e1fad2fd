import Dispatch

/// Adam (Kingma and Ba, 2015) for one parameter tensor:
///
///     m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
///     p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
///
/// with the PyTorch defaults b1 = 0.9, b2 = 0.999, eps = 1e-8. The state holds the moment
/// estimates of one tensor; `step` is a single pass over contiguous memory.
public struct Adam: Sendable, Equatable, Codable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// The moments of one parameter tensor and the number of steps taken.
    public struct State: Sendable {
        public var m: [Float]
        public var v: [Float]
        public var steps: Int = 0
        public init(count: Int) {
            m = [Float](repeating: 0, count: count)
            v = [Float](repeating: 0, count: count)
        }
    }

    /// One update of `parameters` from `gradient` (same length as the state). Large tensors are
    /// split across threads in fixed chunks; every element's arithmetic is the same whatever the
    /// thread count, so results are identical.
    public func step(_ parameters: inout [Float], gradient: [Float], state: inout State, threads: Int = GEMM.defaultThreads) {
        precondition(parameters.count == gradient.count && gradient.count == state.m.count)
        state.steps += 1
        let t = Double(state.steps)
        let c1 = Float(1 / (1 - _pow(Double(beta1), t)))
        let c2 = Float(1 / (1 - _pow(Double(beta2), t)))
        let n = parameters.count
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        guard let pp = p.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
                        let chunk = 1 << 16
                        let chunks = (n + chunk - 1) / chunk
                        if chunks <= 1 || threads <= 1 {
                            update(pp, gp, mp, vp, 0, n, c1, c2)
                        } else {
                            let parts = min(threads, chunks)
                            DispatchQueue.concurrentPerform(iterations: parts) { part in
                                let lo = chunks * part / parts * chunk
                                let hi = min(n, chunks * (part + 1) / parts * chunk)
                                update(pp, gp, mp, vp, lo, hi, c1, c2)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The element-wise update over [lo, hi), sixteen lanes at a time.
    @inline(__always)
    func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                _ v: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, _ c1: Float, _ c2: Float) {
        typealias V = SIMD16<Float>
        let b1 = V(repeating: beta1), b2 = V(repeating: beta2)
        let a1 = V(repeating: 1 - beta1), a2 = V(repeating: 1 - beta2)
        let step = V(repeating: learningRate * c1), vc = V(repeating: c2), eps = V(repeating: epsilon)
        var i = lo
        while i + 16 <= hi {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + a1 * gi
            let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + a2 * gi * gi
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) - step * mi / ((vi * vc).squareRoot() + eps)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: V.self)
            i += 16
        }
        while i < hi {
            let gi = g[i]
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= (learningRate * c1) * mi / ((vi * c2).squareRoot() + epsilon)
            i += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
import Darwin
@usableFromInline func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
