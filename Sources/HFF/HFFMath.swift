import Numerics

/// The maths of one Hyperspherical Forward-Forward layer.
///
/// Forward, for input rows x (batch B):
///
///     h = x W + b,  a = ReLU(h),  z = a / max(||a||, eps)            (z on the unit sphere)
///     p^_j = p_j / ||p_j||                                            (K*M unit prototypes)
///     s_{k,m} = (z . p^_{k*M+m}) / tau
///     c_k = LogSumExp_m s_{k,m}   (M = 1: c_k = s_k)
///     training only: c_y -= margin / tau                              (additive cosine margin)
///     loss = mean_i [ -log softmax(c)_y ]
///
/// Backward stays inside the layer (the input x is a constant: no gradient crosses layers):
///
///     dc = (softmax(c) - onehot(y)) / B
///     ds_{k,m} = dc_k softmax_m(s_{k,.}),  dcos = ds / tau
///     dZ = dcos P^,  dP^ = dcos^T Z
///     dp_j = (dp^_j - p^_j (p^_j . dp^_j)) / ||p_j||
///     da_i = (dz_i - z_i (z_i . dz_i)) / ||a_i||   (dz_i / eps when ||a_i|| < eps)
///     dh = da * [h > 0],  dW = x^T dh,  db = sum_i dh_i
public enum HFFMath {
    /// Floor of the activation norm in z = a / max(||a||, eps).
    public static let epsilon: Float = 1e-6

    /// z = normalise(ReLU(x W + b)).
    public static func normalizedActivation(layer: DenseLayer, input: Matrix) -> Matrix {
        forward(layer: layer, input: input).z
    }

    /// z = normalise(ReLU(x W + b)) and the norms of ReLU(x W + b).
    static func forward(layer: DenseLayer, input: Matrix) -> (z: Matrix, norms: [Float]) {
        var z = Matrix.uninitialized(rows: input.rows, cols: layer.outputs)
        GEMM.multiply(input, layer.weight, into: &z)
        let norms = Kernels.biasReluNormalizeRows(&z, bias: layer.bias, epsilon: epsilon)
        return (z, norms)
    }

    /// Cosine logits s = z P^T / tau of every prototype, rows = samples, cols = K*M prototypes.
    static func prototypeLogits(z: Matrix, unitPrototypes: Matrix, tau: Float) -> Matrix {
        var s = Matrix.uninitialized(rows: z.rows, cols: unitPrototypes.rows)
        GEMM.multiply(z, unitPrototypes, transB: true, into: &s, alpha: 1 / tau)
        return s
    }

    /// Pools K*M prototype logits into K class logits by LogSumExp over each class's M prototypes.
    /// Also returns, for M > 1, the within-class softmax weights (needed by the backward pass).
    static func poolClasses(_ s: Matrix, classCount: Int, perClass: Int) -> (logits: Matrix, weights: Matrix) {
        if perClass == 1 { return (s, Matrix(rows: 0, cols: 0)) }
        var c = Matrix(rows: s.rows, cols: classCount)
        var w = Matrix(rows: s.rows, cols: s.cols)
        for i in 0..<s.rows {
            for k in 0..<classCount {
                var mx = -Float.infinity
                for m in 0..<perClass { mx = max(mx, s[i, k * perClass + m]) }
                var sum: Float = 0
                for m in 0..<perClass {
                    let e = Kernels.exp(s[i, k * perClass + m] - mx)
                    w[i, k * perClass + m] = e
                    sum += e
                }
                for m in 0..<perClass { w[i, k * perClass + m] /= sum }
                c[i, k] = mx + Kernels.log(sum)
            }
        }
        return (c, w)
    }

    /// Class logits c (B x K) of normalised activations z against raw prototypes.
    public static func classLogits(z: Matrix, prototypes: Matrix, classCount: Int, perClass: Int, tau: Float) -> Matrix {
        var unit = prototypes
        Kernels.normalizeRows(&unit, epsilon: epsilon)
        let s = prototypeLogits(z: z, unitPrototypes: unit, tau: tau)
        return poolClasses(s, classCount: classCount, perClass: perClass).logits
    }

    /// What one training step of a layer needs and produces.
    public struct Gradients {
        /// Mean cross-entropy over the batch (with the margin, as trained).
        public var loss: Double
        public var weight: Matrix
        public var bias: [Float]
        public var prototypes: Matrix
        /// The unit rows scored against the prototypes (a dense layer's output; a conv block's
        /// pooled vector), which the EMA prototype update reads.
        public var z: Matrix
        /// Class logits without the margin (for accuracy and the read-out).
        public var logits: Matrix
        /// The next layer's input: z for a dense layer, the output map for a conv block.
        public var output: Matrix
    }

    /// Loss and gradients of one HFF layer on a batch (see the type's documentation).
    ///
    /// With `product` (hardware-aware training, `LayerProduct`), h = product + b replaces
    /// x W + b and dW = x^T dh is the straight-through estimate.
    public static func lossAndGradients(layer: DenseLayer, prototypes: Matrix, input x: Matrix, labels: [Int],
                                        classCount: Int, perClass: Int, tau: Float, margin: Float,
                                        product: Matrix? = nil) -> Gradients {
        let (z, norms) = product.map { y -> (Matrix, [Float]) in
            var z = y
            let norms = Kernels.biasReluNormalizeRows(&z, bias: layer.bias, epsilon: epsilon)
            return (z, norms)
        } ?? forward(layer: layer, input: x)
        var head = prototypeLoss(z: z, prototypes: prototypes, labels: labels, classCount: classCount, perClass: perClass, tau: tau, margin: margin)
        // Through the normalisation and the ReLU (z > 0 exactly where h > 0): dz becomes dh in place.
        let db = Kernels.reluNormalizeBackward(&head.dz, z: z, norms: norms, epsilon: epsilon)
        var dW = Matrix.uninitialized(rows: layer.inputs, cols: layer.outputs)
        GEMM.multiply(x, transA: true, head.dz, into: &dW)
        return Gradients(loss: head.loss, weight: dW, bias: db, prototypes: head.dp, z: z, logits: head.logits, output: z)
    }

    /// The prototype head on unit rows z: the loss (with the margin), the class logits (without
    /// it), and the gradients of z and of the raw prototypes.
    static func prototypeLoss(z: Matrix, prototypes: Matrix, labels: [Int], classCount: Int, perClass: Int, tau: Float,
                              margin: Float) -> (loss: Double, logits: Matrix, dz: Matrix, dp: Matrix) {
        let b = z.rows
        var unit = prototypes
        let pNorms = Kernels.normalizeRows(&unit, epsilon: epsilon)
        let s = prototypeLogits(z: z, unitPrototypes: unit, tau: tau)
        let (logits, within) = poolClasses(s, classCount: classCount, perClass: perClass)

        // Softmax cross-entropy with the margin on the true class.
        var probs = logits
        let shift = margin / tau
        if shift != 0 { for i in 0..<b { probs[i, labels[i]] -= shift } }
        var lossSum = 0.0
        var logp = probs
        Kernels.logSoftmaxRows(&logp)
        for i in 0..<b { lossSum -= Double(logp[i, labels[i]]) }
        Kernels.softmaxRows(&probs)
        let invB = 1 / Float(b)
        for i in 0..<b { probs[i, labels[i]] -= 1 }
        // dcos = ds / tau, with ds from the pooled dc.
        var dcos = Matrix(rows: b, cols: s.cols)
        for i in 0..<b {
            for k in 0..<classCount {
                let dc = probs[i, k] * invB / tau
                if perClass == 1 {
                    dcos[i, k] = dc
                } else {
                    for m in 0..<perClass { dcos[i, k * perClass + m] = dc * within[i, k * perClass + m] }
                }
            }
        }
        // dZ = dcos P^ ; dP^ = dcos^T Z.
        var dz = Matrix.uninitialized(rows: b, cols: z.cols)
        GEMM.multiply(dcos, unit, into: &dz)
        var dp = Matrix.uninitialized(rows: unit.rows, cols: z.cols)
        GEMM.multiply(dcos, transA: true, z, into: &dp)
        projectOntoTangent(&dp, unit: unit, norms: pNorms)
        return (lossSum / Double(b), logits, dz, dp)
    }

    /// A convolution block's HFF loss (docs/hff.md, "Convolutional HFF"): its output map y
    /// (after ReLU and pooling) is averaged over positions, v = GAP(y) (C values), and
    /// z = v / max(||v||, eps) is scored against the prototypes like a dense layer's z. Backward:
    /// dv = (dz - z (z . dz)) / max(||v||, eps), dy = dv / P at every position, then through the
    /// pooling, the ReLU and the convolution (no gradient to the block's input). The next block
    /// gets y itself.
    public static func convLossAndGradients(block: ConvBlock, prototypes: Matrix, input x: Matrix, labels: [Int],
                                            classCount: Int, perClass: Int, tau: Float, margin: Float,
                                            scoring: ConvScoring = .average) -> Gradients {
        let f = block.forward(x)
        let out = block.geometry.output
        var z = scoring == .average ? ConvKernels.globalAveragePool(f.output, channels: out.channels, positions: out.positions) : f.output
        let norms = Kernels.normalizeRows(&z, epsilon: epsilon)
        var head = prototypeLoss(z: z, prototypes: prototypes, labels: labels, classCount: classCount, perClass: perClass, tau: tau, margin: margin)
        projectOntoTangent(&head.dz, unit: z, norms: norms)
        var dy = head.dz
        if scoring == .average {
            // Spread dv / P over every position of its channel.
            let p = out.positions, c = out.channels
            dy = Matrix.uninitialized(rows: x.rows, cols: c * p)
            let inv = 1 / Float(p)
            for i in 0..<x.rows {
                for ch in 0..<c {
                    let v = head.dz[i, ch] * inv
                    for q in 0..<p { dy.storage[(i * c + ch) * p + q] = v }
                }
            }
        }
        let g = block.backward(f, outputGradient: dy, batch: x.rows, input: false)
        return Gradients(loss: head.loss, weight: g.weight, bias: g.bias, prototypes: head.dp, z: z, logits: head.logits, output: passOn(f.output))
    }

    /// A conv block's normalised pooled vector z (the input of its prototypes) and its output map.
    public static func convForward(block: ConvBlock, input: Matrix, scoring: ConvScoring = .average) -> (z: Matrix, output: Matrix) {
        let f = block.forward(input, keep: false)
        let out = block.geometry.output
        var z = scoring == .average ? ConvKernels.globalAveragePool(f.output, channels: out.channels, positions: out.positions) : f.output
        Kernels.normalizeRows(&z, epsilon: epsilon)
        return (z, passOn(f.output))
    }

    /// What a conv block hands on: its map y scaled to unit root mean square per image,
    /// y sqrt(n) / max(||y||, eps) (n values), so the next block's inputs keep one scale while
    /// the block's weights grow (a dense HFF layer hands on z, of unit length, for the same reason).
    public static func passOn(_ y: Matrix) -> Matrix {
        var out = y
        Kernels.normalizeRows(&out, epsilon: epsilon)
        let scale = Float(y.cols).squareRoot()
        out.storage.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= scale } }
        return out
    }

    /// Backward of row normalisation u = v / max(||v||, eps): g <- (g - u (u . g)) / max(||v||, eps),
    /// the projection onto the sphere's tangent plane scaled by the inverse norm. Below the floor the
    /// map is v / eps, whose backward is g / eps.
    static func projectOntoTangent(_ g: inout Matrix, unit: Matrix, norms: [Float]) {
        let c = g.cols
        g.storage.withUnsafeMutableBufferPointer { gp in
            unit.storage.withUnsafeBufferPointer { up in
                for i in 0..<norms.count {
                    let gr = gp.baseAddress! + i * c
                    let ur = up.baseAddress! + i * c
                    let below = norms[i] < epsilon
                    var dot: Float = 0
                    if !below { for j in 0..<c { dot += ur[j] * gr[j] } }
                    let inv = 1 / max(norms[i], epsilon)
                    for j in 0..<c { gr[j] = (gr[j] - ur[j] * dot) * inv }
                }
            }
        }
    }

    /// EMA prototype update: each sample pulls the most similar prototype of its own class,
    /// p <- normalise(mu p + (1 - mu) mean(z of the samples assigned to p)).
    public static func emaUpdate(prototypes: inout Matrix, z: Matrix, labels: [Int], perClass: Int, momentum: Float) {
        var unit = prototypes
        Kernels.normalizeRows(&unit, epsilon: epsilon)
        var sums = Matrix(rows: prototypes.rows, cols: prototypes.cols)
        var counts = [Int](repeating: 0, count: prototypes.rows)
        for i in 0..<z.rows {
            var best = labels[i] * perClass
            if perClass > 1 {
                var bestDot = -Float.infinity
                for m in 0..<perClass {
                    let r = labels[i] * perClass + m
                    var d: Float = 0
                    for j in 0..<z.cols { d += z[i, j] * unit[r, j] }
                    if d > bestDot { bestDot = d; best = r }
                }
            }
            counts[best] += 1
            for j in 0..<z.cols { sums[best, j] += z[i, j] }
        }
        for r in 0..<prototypes.rows where counts[r] > 0 {
            let inv = 1 / Float(counts[r])
            for j in 0..<prototypes.cols {
                prototypes[r, j] = momentum * unit[r, j] + (1 - momentum) * sums[r, j] * inv
            }
        }
        Kernels.normalizeRows(&prototypes, epsilon: epsilon)
    }
}
