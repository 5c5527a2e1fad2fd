import Numerics

/// Hinton's supervised Forward-Forward (2022), the baseline HFF is measured against.
///
/// The label is written over the first K inputs (one-hot, scaled by `value`). Each layer sees its
/// input length-normalised, x^ = x / (||x|| + 1e-4), computes h = ReLU(x^ W + b) and its goodness
/// g = mean_j h_j^2. The layer loss is the logistic loss
///
///     L = mean over the 2B rows of softplus(theta - g_pos) and softplus(g_neg - theta)
///
/// for positive rows (true label) and negative rows (a random wrong label). The next layer receives
/// h (normalised on entry). Inference runs K passes, one per candidate label, and predicts the
/// label with the largest goodness summed over layers.
public enum FFMath {
    /// Added to the norm when length-normalising a layer's input.
    public static let normOffset: Float = 1e-4

    /// A copy of `x` whose first K features are the one-hot label times `value`.
    public static func overlay(_ x: Matrix, labels: [Int], classCount: Int, value: Float) -> Matrix {
        var out = x
        for i in 0..<x.rows {
            for k in 0..<classCount { out[i, k] = 0 }
            out[i, labels[i]] = value
        }
        return out
    }

    /// h = ReLU(x^ W + b) and the normalised input x^.
    public static func forward(layer: DenseLayer, input: Matrix) -> (h: Matrix, xhat: Matrix) {
        var xhat = input
        let norms = Kernels.rowNorms(xhat)
        let c = xhat.cols
        xhat.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<norms.count {
                let inv = 1 / (norms[i] + normOffset)
                for j in 0..<c { p[i * c + j] *= inv }
            }
        }
        var h = layer.preActivation(xhat)
        Kernels.relu(&h)
        return (h, xhat)
    }

    /// Goodness of each row: the mean of its squared activities.
    public static func goodness(_ h: Matrix) -> [Float] {
        let norms = Kernels.rowNorms(h)
        let inv = 1 / Float(max(h.cols, 1))
        return norms.map { $0 * $0 * inv }
    }

    public struct Gradients {
        public var loss: Double
        public var weight: Matrix
        public var bias: [Float]
        /// The layer's outputs on the stacked positive then negative rows (the next layer's input).
        public var h: Matrix
    }

    /// Loss and gradients on stacked rows: the first `positives` rows are positive data, the rest
    /// negative.
    public static func lossAndGradients(layer: DenseLayer, input: Matrix, positives: Int, threshold: Float) -> Gradients {
        let (h, xhat) = forward(layer: layer, input: input)
        let g = goodness(h)
        let n = input.rows
        var loss = 0.0
        var dg = [Float](repeating: 0, count: n)
        for i in 0..<n {
            // softplus(u) with u = theta - g (positive) or g - theta (negative); du/dg = -1 or +1.
            let sign: Float = i < positives ? -1 : 1
            let u = sign * (g[i] - threshold)
            loss += Double(u > 20 ? u : Kernels.log(1 + Kernels.exp(u)))
            let sig = 1 / (1 + Kernels.exp(-u))
            dg[i] = sign * sig / Float(n)
        }
        var dh = h
        let c = h.cols
        let scale = 2 / Float(c)
        dh.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let f = dg[i] * scale
                for j in 0..<c { p[i * c + j] *= f }   // d(mean h^2)/dh = 2h/c; zero where ReLU is off
            }
        }
        var dW = Matrix.uninitialized(rows: layer.inputs, cols: layer.outputs)
        GEMM.multiply(xhat, transA: true, dh, into: &dW)
        return Gradients(loss: loss / Double(n), weight: dW, bias: Kernels.columnSums(dh), h: h)
    }
}

/// The backpropagation network: conv blocks (conv, ReLU, pooling), ReLU hidden layers and a
/// linear softmax head, trained end to end on softmax cross-entropy.
public enum BackpropMath {
    public struct Gradients {
        public var loss: Double
        /// Per conv block (before the dense layers).
        public var blocks: [(weight: Matrix, bias: [Float])]
        public var layers: [(weight: Matrix, bias: [Float])]
        public var head: (weight: Matrix, bias: [Float])
        public var logits: Matrix
    }

    public static func lossAndGradients(blocks: [ConvBlock] = [], layers: [DenseLayer], head: DenseLayer, input: Matrix, labels: [Int]) -> Gradients {
        var forwards = [ConvBlock.Forward]()
        var x = input
        for block in blocks {
            let f = block.forward(x)
            x = f.output
            forwards.append(f)
        }
        var acts = [x]
        for layer in layers {
            var h = layer.preActivation(acts.last!)
            Kernels.relu(&h)
            acts.append(h)
        }
        let logits = head.preActivation(acts.last!)
        let b = input.rows
        var logp = logits
        Kernels.logSoftmaxRows(&logp)
        var loss = 0.0
        for i in 0..<b { loss -= Double(logp[i, labels[i]]) }
        var d = logits
        Kernels.softmaxRows(&d)
        let invB = 1 / Float(b)
        for i in 0..<b { d[i, labels[i]] -= 1 }
        d.storage.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= invB } }

        var headW = Matrix.uninitialized(rows: head.inputs, cols: head.outputs)
        GEMM.multiply(acts.last!, transA: true, d, into: &headW)
        let headB = Kernels.columnSums(d)
        var grads = [(weight: Matrix, bias: [Float])]()
        var upstream = head.weight
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            // dA = d W_next^T, then through the ReLU (acts[l+1] > 0).
            var da = Matrix.uninitialized(rows: b, cols: layers[l].outputs)
            GEMM.multiply(d, upstream, transB: true, into: &da)
            da.storage.withUnsafeMutableBufferPointer { p in
                acts[l + 1].storage.withUnsafeBufferPointer { a in
                    for i in 0..<p.count where a[i] <= 0 { p[i] = 0 }
                }
            }
            var dW = Matrix.uninitialized(rows: layers[l].inputs, cols: layers[l].outputs)
            GEMM.multiply(acts[l], transA: true, da, into: &dW)
            grads.append((dW, Kernels.columnSums(da)))
            d = da
            upstream = layers[l].weight
        }
        // Into the conv blocks: the gradient of the flattened map is d W_0^T.
        var blockGrads = [(weight: Matrix, bias: [Float])]()
        if !blocks.isEmpty {
            var dx = Matrix.uninitialized(rows: b, cols: layers[0].inputs)
            GEMM.multiply(d, upstream, transB: true, into: &dx)
            for c in stride(from: blocks.count - 1, through: 0, by: -1) {
                let g = blocks[c].backward(forwards[c], outputGradient: dx, batch: b, input: c > 0)
                blockGrads.append((g.weight, g.bias))
                if let next = g.input { dx = next }
            }
        }
        return Gradients(loss: loss / Double(b), blocks: blockGrads.reversed(), layers: grads.reversed(), head: (headW, headB), logits: logits)
    }
}
