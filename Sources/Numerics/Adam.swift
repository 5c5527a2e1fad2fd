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

    /// One update of `parameters` from `gradient` (same length as the state).
    public func step(_ parameters: inout [Float], gradient: [Float], state: inout State) {
        precondition(parameters.count == gradient.count && gradient.count == state.m.count)
        state.steps += 1
        let t = Double(state.steps)
        let c1 = Float(1 / (1 - _pow(Double(beta1), t)))
        let c2 = Float(1 / (1 - _pow(Double(beta2), t)))
        let b1 = beta1, b2 = beta2, lr = learningRate, eps = epsilon
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let vi = b2 * v[i] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[i] = vi
                            p[i] -= lr * (mi * c1) / ((vi * c2).squareRoot() + eps)
                        }
                    }
                }
            }
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
