import Datasets
import Numerics

/// Robustness of a trained float model to Gaussian input noise and to white-box L-infinity
/// attacks (FGSM, PGD), all in the model's standardised input space x = (raw - mean) / std
/// (`Model.normalization`), where every layer sees its input (docs/robustness.md).
///
/// The attack loss of a row is the softmax cross-entropy of the model's own prediction scores S
/// against the true label y,
///
///     l(x) = -log softmax(S(x))_y,   dl/dS = softmax(S) - onehot(y),
///
/// where S is what `Model.predict` takes the argmax of: HFF's read-out (sum over layers of
/// log-softmax of the pooled cosine logits, or the last layer's logits), FF's goodness summed over
/// layers for each of the K overlaid labels, backprop's head logits. `lossAndInputGradient`
/// returns dl/dx for every row, back through every layer (unlike training, where HFF and FF
/// layers are independent).
///
/// Attacks on each row, with g = dl/dx and sign(0) = 0:
///
///     FGSM:  x' = x + eps sign(g(x))
///     PGD:   x_0 = x (or x + U(-eps, eps) with a random start),
///            x_{t+1} = x + clip(x_t + alpha sign(g(x_t)) - x, -eps, eps),  t < steps
///
/// There is no box constraint: the perturbed input may leave the range of real images.
public enum Robustness {
    /// The attacks `hffsim eval --attack` offers.
    public enum Attack: String, CaseIterable, Sendable {
        case fgsm
        case pgd
    }

    /// How to run an attack. `stepSize` nil: alpha = 2.5 eps / steps (Madry et al. 2018).
    public struct AttackSettings: Sendable {
        public var attack: Attack
        public var steps: Int
        public var stepSize: Float?
        public var randomStart: Bool
        /// Seed of the random start's uniform draws (row i uses `SeededRandom(seed).split(i)`).
        public var seed: UInt64

        public init(attack: Attack, steps: Int = 10, stepSize: Float? = nil, randomStart: Bool = false, seed: UInt64 = 0) {
            self.attack = attack
            self.steps = steps
            self.stepSize = stepSize
            self.randomStart = randomStart
            self.seed = seed
        }

        /// The PGD step alpha for radius `epsilon`.
        public func alpha(epsilon: Float) -> Float { stepSize ?? 2.5 * epsilon / Float(max(steps, 1)) }
    }

    /// Why a model cannot be attacked (nil: it can): the input gradient is written for dense
    /// networks only.
    public static func attackRefusal(_ model: Model) -> String? {
        model.convBlocks.isEmpty ? nil : "the input gradient is implemented for dense models; this model has \(model.convBlocks.count) convolution block(s)"
    }

    // MARK: - Prediction on standardised rows

    /// Predicted classes of standardised rows (the argmax of the model's scores).
    public static func predictStandardized(_ model: Model, _ x: Matrix) -> [Int] {
        Kernels.argmaxRows(model.scoresStandardized(x))
    }

    /// Rows `range` of `raw`, standardised with the model's own statistics.
    static func standardizedRows(_ model: Model, _ raw: Matrix, _ range: Range<Int>) -> Matrix {
        var x = raw.rows(range)
        model.normalization.apply(to: &x)
        return x
    }

    // MARK: - Input noise

    /// Standard normal draws for rows `rows` of a `cols`-wide input: row i is filled by
    /// `SeededRandom(seed).split(i).fillGaussian`, so a row's draws depend on (seed, i) only, not
    /// on how rows are batched or on the thread count.
    public static func standardNormalRows(_ rows: Range<Int>, cols: Int, seed: UInt64) -> Matrix {
        var out = Matrix(rows: rows.count, cols: cols)
        let base = SeededRandom(seed: seed)
        out.storage.withUnsafeMutableBufferPointer { p in
            for (r, i) in rows.enumerated() {
                var rng = base.split(UInt64(i))
                rng.fillGaussian(UnsafeMutableBufferPointer(rebasing: p[(r * cols)..<((r + 1) * cols)]))
            }
        }
        return out
    }

    /// Accuracy on x + sigma n for each sigma, x the standardised rows of `raw` and n ~ N(0, I)
    /// drawn once per row (`standardNormalRows`): every sigma sees the same draws scaled, so the
    /// curve over sigma is not blurred by fresh noise at each point. sigma = 0 gives x exactly.
    public static func noiseAccuracies(model: Model, raw: Matrix, labels: [Int], sigmas: [Float], seed: UInt64,
                                       batchRows: Int = 1000, progress: ((Double) -> Void)? = nil) -> [Double] {
        var hits = [Int](repeating: 0, count: sigmas.count)
        forEachBatch(raw.rows, batchRows) { range in
            let x = standardizedRows(model, raw, range)
            let noise = standardNormalRows(range, cols: raw.cols, seed: seed)
            for (s, sigma) in sigmas.enumerated() {
                var noisy = x
                addScaled(&noisy, noise, sigma)
                hits[s] += hitCount(predictStandardized(model, noisy), labels, range)
            }
            progress?(Double(range.upperBound) / Double(max(raw.rows, 1)))
        }
        return hits.map { Double($0) / Double(max(raw.rows, 1)) }
    }

    // MARK: - Attacks

    /// What an attack over several radii measured.
    public struct AttackOutcome: Equatable, Sendable {
        /// Accuracy at each eps, in the order given.
        public var accuracies: [Double]
        /// Rows whose loss gradient at the clean input is exactly zero (the softmax saturated in
        /// Float): FGSM leaves them unchanged, and PGD too unless a step or the random start
        /// leaves the saturated region.
        public var zeroGradientRows: Int
    }

    /// Accuracy under `settings.attack` at each radius eps (standardised units), rows batched
    /// `batchRows` at a time. FGSM computes the gradient once per batch and reuses it for every
    /// eps; PGD runs once per eps (eps = 0 leaves x unchanged: every step is clipped to zero).
    public static func attack(model: Model, raw: Matrix, labels: [Int], epsilons: [Float], settings: AttackSettings,
                              batchRows: Int = 1000, progress: ((Double) -> Void)? = nil) -> AttackOutcome {
        precondition(attackRefusal(model) == nil)
        var hits = [Int](repeating: 0, count: epsilons.count), zeroRows = 0
        forEachBatch(raw.rows, batchRows) { range in
            let x = standardizedRows(model, raw, range)
            let y = Array(labels[range])
            let clean = lossAndInputGradient(model: model, standardized: x, labels: y).gradient
            zeroRows += zeroRowCount(clean)
            for (e, epsilon) in epsilons.enumerated() {
                let adversarial = settings.attack == .fgsm
                    ? signStep(x, clean, epsilon)
                    : pgd(model: model, standardized: x, labels: y, epsilon: epsilon, settings: settings, firstRow: range.lowerBound)
                hits[e] += hitCount(predictStandardized(model, adversarial), labels, range)
            }
            progress?(Double(range.upperBound) / Double(max(raw.rows, 1)))
        }
        return AttackOutcome(accuracies: hits.map { Double($0) / Double(max(raw.rows, 1)) }, zeroGradientRows: zeroRows)
    }

    /// `attack(...).accuracies`.
    public static func attackAccuracies(model: Model, raw: Matrix, labels: [Int], epsilons: [Float], settings: AttackSettings,
                                        batchRows: Int = 1000) -> [Double] {
        attack(model: model, raw: raw, labels: labels, epsilons: epsilons, settings: settings, batchRows: batchRows).accuracies
    }

    /// FGSM (Goodfellow et al. 2015): x' = x + eps sign(dl/dx), one gradient.
    public static func fgsm(model: Model, standardized x: Matrix, labels: [Int], epsilon: Float) -> Matrix {
        signStep(x, lossAndInputGradient(model: model, standardized: x, labels: labels).gradient, epsilon)
    }

    /// PGD (Madry et al. 2018) in the L-infinity ball of radius eps around x:
    /// x_{t+1} = x + clip(x_t + alpha sign(dl/dx(x_t)) - x, -eps, eps) for `settings.steps` steps,
    /// from x_0 = x, or with `randomStart` from x + u, u_j ~ U(-eps, eps) drawn from
    /// `SeededRandom(seed).split(firstRow + r)` for row r (independent of batching and threads).
    public static func pgd(model: Model, standardized x: Matrix, labels: [Int], epsilon: Float, settings: AttackSettings,
                           firstRow: Int = 0) -> Matrix {
        if epsilon == 0 { return x }
        let alpha = settings.alpha(epsilon: epsilon)
        var current = x
        if settings.randomStart {
            let base = SeededRandom(seed: settings.seed)
            for r in 0..<x.rows {
                var rng = base.split(UInt64(firstRow + r))
                for j in 0..<x.cols { current[r, j] = x[r, j] + rng.uniform(-epsilon, epsilon) }
            }
        }
        for _ in 0..<settings.steps {
            let g = lossAndInputGradient(model: model, standardized: current, labels: labels).gradient
            current = signStep(current, g, alpha)
            project(&current, onto: x, epsilon: epsilon)
        }
        return current
    }

    /// x + step sign(g), element-wise, with sign(0) = 0.
    static func signStep(_ x: Matrix, _ g: Matrix, _ step: Float) -> Matrix {
        precondition(x.rows == g.rows && x.cols == g.cols)
        var out = x
        out.storage.withUnsafeMutableBufferPointer { o in
            g.storage.withUnsafeBufferPointer { gp in
                for i in 0..<o.count { o[i] += gp[i] > 0 ? step : (gp[i] < 0 ? -step : 0) }
            }
        }
        return out
    }

    /// Projection onto the L-infinity ball: x' <- center + clip(x' - center, -eps, eps).
    static func project(_ x: inout Matrix, onto center: Matrix, epsilon: Float) {
        x.storage.withUnsafeMutableBufferPointer { p in
            center.storage.withUnsafeBufferPointer { c in
                for i in 0..<p.count { p[i] = c[i] + min(max(p[i] - c[i], -epsilon), epsilon) }
            }
        }
    }

    // MARK: - The attack loss and its input gradient

    /// Per-row attack loss l_i = -log softmax(S(x_i))_{y_i} and its gradient dl_i/dx_i (rows of
    /// standardised inputs; the gradient of row i depends on row i only). Dense models.
    public static func lossAndInputGradient(model: Model, standardized x: Matrix, labels: [Int]) -> (losses: [Float], gradient: Matrix) {
        precondition(attackRefusal(model) == nil && labels.count == x.rows)
        switch model.algorithm {
        case .hff: return hffLossAndGradient(model, x, labels)
        case .ff: return ffLossAndGradient(model, x, labels)
        case .backprop: return backpropLossAndGradient(model, x, labels)
        }
    }

    /// Softmax cross-entropy of score rows S against labels: l_i = -log softmax(S_i)_{y_i} and
    /// dl_i/dS_i = softmax(S_i) - onehot(y_i), whose true-class entry p_y - 1 is computed as
    /// -sum_{k != y} p_k (equal, as the p sum to 1): on a confident row p_y rounds to 1 in Float
    /// while the other p_k stay positive, and p_y - 1 = 0 would drop the true class's term from
    /// the gradient and turn its direction.
    static func crossEntropy(_ scores: Matrix, _ labels: [Int]) -> (losses: [Float], dScores: Matrix) {
        var logp = scores
        Kernels.logSoftmaxRows(&logp)
        var d = scores
        Kernels.softmaxRows(&d)
        var losses = [Float](repeating: 0, count: scores.rows)
        for i in 0..<scores.rows {
            losses[i] = -logp[i, labels[i]]
            var others: Float = 0
            for k in 0..<scores.cols where k != labels[i] { others += d[i, k] }
            d[i, labels[i]] = -others
        }
        return (losses, d)
    }
}

// MARK: - HFF

extension Robustness {
    /// HFF, forward through the dense layers (l = 0..L-1, x_0 = x):
    ///
    ///     h_l = x_l W_l + b_l,  a_l = ReLU(h_l),  z_l = a_l / max(||a_l||, eps),  x_{l+1} = z_l
    ///     s_l = z_l P^_l^T / tau,  c_{l,k} = LogSumExp_m s_{l,k,m}
    ///     S = sum_l log softmax(c_l)  (read-out sum)   or   S = c_{L-1}  (read-out last)
    ///
    /// Backward, with dS = softmax(S) - onehot(y) and u_l the gradient reaching z_l from layer
    /// l + 1 (u_{L-1} = 0):
    ///
    ///     dc_l = dS - softmax(c_l) sum_k dS_k  (sum; = dS, as sum_k dS_k = 0)   or dS (last, l = L-1)
    ///     ds_{l,k,m} = dc_{l,k} softmax_m(s_{l,k,.}),   dz_l = (ds_l / tau) P^_l + u_l
    ///     dh_l = [z_l > 0] (dz_l - z_l (z_l . dz_l)) / max(||a_l||, eps)   (Kernels.reluNormalizeBackward)
    ///     u_{l-1} = dx_l = dh_l W_l^T,   and dl/dx = dx_0.
    static func hffLossAndGradient(_ model: Model, _ x: Matrix, _ labels: [Int]) -> (losses: [Float], gradient: Matrix) {
        let hp = model.hyperparameters, k = model.classCount, m = hp.prototypesPerClass
        let units = model.unitPrototypes
        var zs = [Matrix](), norms = [[Float]](), logits = [Matrix](), within = [Matrix]()
        var input = x
        for (l, layer) in model.layers.enumerated() {
            let (z, n) = HFFMath.forward(layer: layer, input: input)
            let s = HFFMath.prototypeLogits(z: z, unitPrototypes: units[l], tau: hp.tau)
            let pooled = HFFMath.poolClasses(s, classCount: k, perClass: m)
            zs.append(z); norms.append(n); logits.append(pooled.logits); within.append(pooled.weights)
            input = z
        }
        let (losses, dS) = crossEntropy(hp.readout.scores(logits), labels)
        var upstream: Matrix?
        for l in stride(from: model.layers.count - 1, through: 0, by: -1) {
            var dz: Matrix
            if let dc = readoutBackward(hp.readout, dS, logits: logits[l], isLast: l == model.layers.count - 1) {
                let ds = poolBackward(dc, weights: within[l], perClass: m)
                dz = Matrix.uninitialized(rows: x.rows, cols: units[l].cols)
                GEMM.multiply(ds, units[l], into: &dz, alpha: 1 / hp.tau)
                if let u = upstream { Kernels.add(&dz, u) }
            } else {
                dz = upstream ?? Matrix(rows: x.rows, cols: units[l].cols)
            }
            _ = Kernels.reluNormalizeBackward(&dz, z: zs[l], norms: norms[l], epsilon: HFFMath.epsilon)
            upstream = GEMM.product(dz, model.layers[l].weight, transB: true)
        }
        return (losses, upstream!)
    }

    /// The gradient of one layer's class logits c_l from dS, the gradient of the read-out S
    /// (nil: the layer is not read out). `sum`: S = sum_l log softmax(c_l), so
    /// dc_l = dS - softmax(c_l) sum_k dS_k; `last`: dc = dS for the last layer only.
    static func readoutBackward(_ readout: Readout, _ dS: Matrix, logits: Matrix, isLast: Bool) -> Matrix? {
        switch readout {
        case .last:
            return isLast ? dS : nil
        case .sum:
            var dc = logits
            Kernels.softmaxRows(&dc)
            let total = Kernels.rowSums(dS)
            for i in 0..<dc.rows {
                for j in 0..<dc.cols { dc[i, j] = dS[i, j] - dc[i, j] * total[i] }
            }
            return dc
        }
    }

    /// Backward of the LogSumExp pooling c_k = LogSumExp_m s_{k,m}: ds_{k,m} = dc_k w_{k,m}, with
    /// w the within-class softmax weights `HFFMath.poolClasses` returns (M = 1: ds = dc).
    static func poolBackward(_ dc: Matrix, weights: Matrix, perClass: Int) -> Matrix {
        if perClass == 1 { return dc }
        var ds = weights
        for i in 0..<ds.rows {
            for j in 0..<ds.cols { ds[i, j] *= dc[i, j / perClass] }
        }
        return ds
    }
}

// MARK: - FF and backprop

extension Robustness {
    /// One FF layer's forward state on one candidate label's pass.
    struct FFLayerState {
        /// The layer's input length-normalised, x^ = x / (||x|| + delta), and ||x||.
        var xhat: Matrix
        var inputNorms: [Float]
        /// h = ReLU(x^ W + b).
        var h: Matrix
    }

    /// FF: for each candidate label k, the input is the raw x with its first K features
    /// overwritten by the label overlay, and per layer (x_0 = overlay_k(x), x_{l+1} = h_l)
    ///
    ///     x^_l = x_l / (||x_l|| + delta),  h_l = ReLU(x^_l W_l + b_l),  g_l = ||h_l||^2 / n_l
    ///     S_k = sum_l g_l  (on pass k)
    ///
    /// Backward on pass k, with dS = softmax(S) - onehot(y) and u_l the gradient reaching h_l
    /// from layer l + 1 (u_{L-1} = 0):
    ///
    ///     dh_l = dS_k 2 h_l / n_l + u_l,   dx^_l = ([h_l > 0] dh_l) W_l^T
    ///     dx_l = dx^_l / (||x_l|| + delta) - x^_l (x^_l . dx^_l) / ||x_l||   (`normalizeBackward`)
    ///     u_{l-1} = dx_l;  dl/dx = sum_k dx_0 with its first K columns zeroed (the overlay
    ///     overwrites them, so the raw features there do not reach the model).
    static func ffLossAndGradient(_ model: Model, _ x: Matrix, _ labels: [Int]) -> (losses: [Float], gradient: Matrix) {
        let k = model.classCount
        var passes = [[FFLayerState]]()
        var scores = Matrix(rows: x.rows, cols: k)
        for c in 0..<k {
            var input = FFMath.overlay(x, labels: [Int](repeating: c, count: x.rows), classCount: k, value: model.overlayValue)
            var states = [FFLayerState]()
            for layer in model.layers {
                let norms = Kernels.rowNorms(input)
                let (h, xhat) = FFMath.forward(layer: layer, input: input)
                let g = FFMath.goodness(h)
                for i in 0..<x.rows { scores[i, c] += g[i] }
                states.append(FFLayerState(xhat: xhat, inputNorms: norms, h: h))
                input = h
            }
            passes.append(states)
        }
        let (losses, dS) = crossEntropy(scores, labels)
        var gradient = Matrix(rows: x.rows, cols: x.cols)
        for c in 0..<k {
            var upstream: Matrix?
            for l in stride(from: model.layers.count - 1, through: 0, by: -1) {
                let s = passes[c][l]
                var dh = goodnessBackward(s.h, dS: dS, column: c)
                if let u = upstream { Kernels.add(&dh, u) }
                maskInactive(&dh, s.h)
                var dx = GEMM.product(dh, model.layers[l].weight, transB: true)
                normalizeBackward(&dx, xhat: s.xhat, norms: s.inputNorms)
                upstream = dx
            }
            Kernels.add(&gradient, upstream!)
        }
        for i in 0..<x.rows { for j in 0..<min(k, x.cols) { gradient[i, j] = 0 } }
        return (losses, gradient)
    }

    /// d S_c / d h for goodness g = ||h||^2 / n, scaled by dS_{i,c}: row i is dS_{i,c} 2 h_i / n.
    static func goodnessBackward(_ h: Matrix, dS: Matrix, column c: Int) -> Matrix {
        var out = h
        let scale = 2 / Float(max(h.cols, 1))
        for i in 0..<h.rows {
            let f = dS[i, c] * scale
            for j in 0..<h.cols { out[i, j] *= f }
        }
        return out
    }

    /// g <- g [h > 0] (the ReLU's derivative, 0 where the unit is off).
    static func maskInactive(_ g: inout Matrix, _ h: Matrix) {
        g.storage.withUnsafeMutableBufferPointer { p in
            h.storage.withUnsafeBufferPointer { a in
                for i in 0..<p.count where a[i] <= 0 { p[i] = 0 }
            }
        }
    }

    /// Backward of FF's input normalisation x^ = x / (n + delta), n = ||x||:
    /// dx = g / (n + delta) - x^ (x^ . g) / n, since d x^ / d x = I / (n + delta) - x x^T / (n (n + delta)^2)
    /// and x / (n + delta) = x^. At n = 0 (x^ = 0) only the first term remains.
    static func normalizeBackward(_ g: inout Matrix, xhat: Matrix, norms: [Float]) {
        let c = g.cols
        g.storage.withUnsafeMutableBufferPointer { gp in
            xhat.storage.withUnsafeBufferPointer { xp in
                for i in 0..<norms.count {
                    let gr = gp.baseAddress! + i * c, xr = xp.baseAddress! + i * c
                    var dot: Float = 0
                    for j in 0..<c { dot += xr[j] * gr[j] }
                    let inv = 1 / (norms[i] + FFMath.normOffset)
                    let proj = norms[i] > 0 ? dot / norms[i] : 0
                    for j in 0..<c { gr[j] = gr[j] * inv - xr[j] * proj }
                }
            }
        }
    }

    /// Backprop network: x_0 = x, x_{l+1} = ReLU(x_l W_l + b_l), S = x_L W_head + b_head.
    /// Backward: dS = softmax(S) - onehot(y), dx_L = dS W_head^T, then per layer
    /// dx_l = ([x_{l+1} > 0] dx_{l+1}) W_l^T; dl/dx = dx_0.
    static func backpropLossAndGradient(_ model: Model, _ x: Matrix, _ labels: [Int]) -> (losses: [Float], gradient: Matrix) {
        let head = model.head!
        var acts = [x]
        for layer in model.layers {
            var h = layer.preActivation(acts.last!)
            Kernels.relu(&h)
            acts.append(h)
        }
        let (losses, dS) = crossEntropy(head.preActivation(acts.last!), labels)
        var d = GEMM.product(dS, head.weight, transB: true)
        for l in stride(from: model.layers.count - 1, through: 0, by: -1) {
            maskInactive(&d, acts[l + 1])
            d = GEMM.product(d, model.layers[l].weight, transB: true)
        }
        return (losses, d)
    }
}

// MARK: - Helpers

extension Robustness {
    /// Calls `body` on consecutive row ranges of at most `batchRows` rows covering 0..<count.
    static func forEachBatch(_ count: Int, _ batchRows: Int, _ body: (Range<Int>) -> Void) {
        var start = 0
        while start < count {
            let end = min(count, start + max(1, batchRows))
            body(start..<end)
            start = end
        }
    }

    /// x += sigma n, element-wise.
    static func addScaled(_ x: inout Matrix, _ n: Matrix, _ sigma: Float) {
        x.storage.withUnsafeMutableBufferPointer { p in
            n.storage.withUnsafeBufferPointer { q in
                for i in 0..<p.count { p[i] += sigma * q[i] }
            }
        }
    }

    /// Rows of `g` that are zero everywhere.
    static func zeroRowCount(_ g: Matrix) -> Int {
        (0..<g.rows).filter { i in (0..<g.cols).allSatisfy { g[i, $0] == 0 } }.count
    }

    /// How many of `predicted` equal labels[range] (predicted[r] is row range.lowerBound + r).
    static func hitCount(_ predicted: [Int], _ labels: [Int], _ range: Range<Int>) -> Int {
        var hits = 0
        for (r, i) in range.enumerated() where predicted[r] == labels[i] { hits += 1 }
        return hits
    }
}
