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
        /// The layer's output z, the next layer's input.
        public var z: Matrix
        /// Class logits without the margin (for accuracy and the read-out).
        public var logits: Matrix
    }

    /// Loss and gradients of one HFF layer on a batch (see the type's documentation).
    public static func lossAndGradients(layer: DenseLayer, prototypes: Matrix, input x: Matrix, labels: [Int],
                                        classCount: Int, perClass: Int, tau: Float, margin: Float) -> Gradients {
        let b = x.rows
        let width = layer.outputs
        let (z, norms) = forward(layer: layer, input: x)
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
        var dz = Matrix.uninitialized(rows: b, cols: width)
        GEMM.multiply(dcos, unit, into: &dz)
        var dp = Matrix.uninitialized(rows: unit.rows, cols: width)
        GEMM.multiply(dcos, transA: true, z, into: &dp)
        projectOntoTangent(&dp, unit: unit, norms: pNorms)
        // Through the normalisation and the ReLU (z > 0 exactly where h > 0): dz becomes dh in place.
        let db = Kernels.reluNormalizeBackward(&dz, z: z, norms: norms, epsilon: epsilon)
        var dW = Matrix.uninitialized(rows: layer.inputs, cols: width)
        GEMM.multiply(x, transA: true, dz, into: &dW)
        return Gradients(loss: lossSum / Double(b), weight: dW, bias: db, prototypes: dp, z: z, logits: logits)
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
