/// The optimisers training can use.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// Adam (see `Adam`), the default.
    case adam
    /// Stochastic gradient descent with heavy-ball momentum, PyTorch's convention:
    /// v <- mu v + g, p <- p - lr v.
    case sgd
}

/// One optimiser applied to parameter tensors, each with its own `State`.
public struct Optimizer: Sendable {
    public var kind: OptimizerKind
    public var learningRate: Float
    /// Momentum of SGD (unused by Adam).
    public var momentum: Float = 0.9

    public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0.9) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
    }

    /// Per-tensor state: Adam's two moments, or SGD's velocity (in `m`).
    public typealias State = Adam.State

    /// One update of `parameters` from `gradient`.
    public func step(_ parameters: inout [Float], gradient: [Float], state: inout State, threads: Int = GEMM.defaultThreads) {
        switch kind {
        case .adam:
            Adam(learningRate: learningRate).step(&parameters, gradient: gradient, state: &state, threads: threads)
        case .sgd:
            precondition(parameters.count == gradient.count && gradient.count == state.m.count)
            state.steps += 1
            let mu = momentum, lr = learningRate
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    state.m.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            v[i] = mu * v[i] + g[i]
                            p[i] -= lr * v[i]
                        }
                    }
                }
            }
        }
    }
}
