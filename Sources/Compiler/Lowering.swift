import Datasets
import Hardware
import HFF
import Numerics

/// One matrix-vector layer as the hardware runs it: the crossbar computes y = x W on the raw
/// (unstandardised, non-negative where possible) input, and the digital periphery finishes
///
///     h = (y + offset) s + bias,   s = 1 or 1 / (||x_std|| + 1e-4) (FF's input normalisation)
///     a = ReLU(h) (hidden layers) or h (backprop's head);  z = a / max(||a||, eps) (HFF)
public struct LoweredLayer: Equatable, Sendable {
    public enum Role: String, Codable, Sendable { case hidden, head }
    public enum InputScaling: String, Codable, Sendable {
        /// s = 1.
        case none
        /// s = 1 / (||x_std|| + 1e-4): FF length-normalises each layer's input, a per-sample scalar
        /// applied after the product.
        case inverseNorm = "inverse-norm"
    }
    public var role: Role
    public var weight: Matrix
    public var bias: [Float]
    /// Added before the per-sample scale: FF's folded standardisation (zero elsewhere).
    public var offset: [Float]
    public var inputScaling: InputScaling
    /// HFF: the output is length-normalised (it feeds the next layer and the read-out).
    public var normalizeOutput: Bool
    /// True when the layer's input can be negative (the DAC then takes two passes).
    public var signedInput: Bool
    /// A convolution block: the weight holds its filters (patch x outChannels) and every output
    /// position is one product; nil for a dense layer.
    public var convolution: LoweredConv? = nil

    /// Crossbar rows (a conv layer's patch) and columns (its filters).
    public var inputs: Int { weight.rows }
    public var outputs: Int { weight.cols }
    /// Values per sample the layer hands on (a conv layer's pooled map).
    public var outputValues: Int { convolution?.geometry.output.count ?? outputs }
    /// Values per sample its prototypes score (HFF): its output, or a conv layer's channels when
    /// it scores the map's average over positions.
    public var readoutValues: Int {
        guard let c = convolution else { return outputs }
        return c.scoring == .average ? c.geometry.output.channels : outputValues
    }
}

/// A convolution block as the hardware runs it (`LoweredModel.apply`): the patches of the input
/// map (im2col, the line buffer's windows) times the filters on the crossbar, one product per
/// output position; then, in the digital unit, bias and ReLU per position, the pooling, and
/// (HFF) the normalisation of the pooled map.
public struct LoweredConv: Equatable, Sendable {
    public var geometry: ConvGeometry
    /// What the window holds outside the image: the first block reads raw pixels, so its padding
    /// is the raw value that standardises to 0 (the mean); later blocks pad with 0.
    public var padValue: Float
    /// HFF: what its prototypes score; nil: no read-out (backprop).
    public var scoring: ConvScoring?
}

/// A model lowered for the hardware: the input standardisation folded into the first layer, the
/// work split into crossbar layers, digital steps and (HFF) the prototype read-out.
public struct LoweredModel: Sendable {
    public var algorithm: Algorithm
    public var inputSize: Int
    public var classCount: Int
    public var layers: [LoweredLayer]
    /// HFF: the layers whose prototypes the read-out uses, their unit prototypes, and the rule.
    public var readoutLayers: [Int]
    public var prototypes: [Matrix]
    /// The read-out as the learning core holds it: per read-out layer, its width and prototypes.
    public var coreGroups: [CorePlacement.Group] {
        zip(readoutLayers, prototypes).map { CorePlacement.Group(inputs: layers[$0.0].readoutValues, prototypes: $0.1.rows) }
    }
    public var readout: CoreReadout?
    /// Forward passes per inference: FF runs one per candidate label (K input variants).
    public var passes: Int
    /// FF: the raw values written over the first K inputs for candidate label k (row k), so that
    /// they standardise to the one-hot overlay; and the standardisation, for ||x_std||.
    public var overlayRaw: Matrix
    public var normalization: Standardization

    /// Folds a standardisation into a first layer's weights (inputs x outputs): W_ij /= sigma_i,
    /// and returns the constant c_j = -sum_i (mu_i / sigma_i) W_ij, so that
    /// ((x - mu) / sigma) W = x W' + c.
    public static func foldStandardization(_ w: inout Matrix, mu: [Float], sigma: [Float]) -> [Float] {
        var constant = [Float](repeating: 0, count: w.cols)
        for i in 0..<w.rows {
            let inv = 1 / sigma[i]
            for j in 0..<w.cols {
                constant[j] -= mu[i] * inv * w[i, j]
                w[i, j] *= inv
            }
        }
        return constant
    }

    /// Lowers `model`. HFF and backprop: W' = diag(1/sigma) W and b' = b - (mu/sigma) W, so the
    /// first layer reads raw pixels (non-negative). FF normalises the standardised input before
    /// the product, so its fold keeps the constant apart: offset = -(mu/sigma) W, added before
    /// the per-sample scale.
    public init(_ model: Model) {
        algorithm = model.algorithm
        inputSize = model.inputSize
        classCount = model.classCount
        normalization = model.normalization
        let n = model.inputSize
        let mu = (0..<n).map { model.normalization.isGlobal ? model.normalization.mean[0] : model.normalization.mean[$0] }
        let sigma = (0..<n).map { model.normalization.isGlobal ? model.normalization.std[0] : model.normalization.std[$0] }
        var lowered = [LoweredLayer]()
        let hff = model.algorithm == .hff
        for (c, block) in model.convBlocks.enumerated() {
            // The first block reads raw pixels: with one global mean and std, (x - mu) / sigma W + b
            // = x (W / sigma) + (b - (mu / sigma) colsum W), and the padding is mu in raw terms.
            // (Per-pixel standardisation cannot fold into shared filters: `refusal`.)
            var w = block.conv.weight, bias = block.conv.bias, pad: Float = 0
            if c == 0 {
                let inv = 1 / sigma[0]
                for j in 0..<w.cols {
                    var sum: Float = 0
                    for i in 0..<w.rows { sum += w[i, j] }
                    bias[j] -= mu[0] * inv * sum
                }
                for i in 0..<w.rows { for j in 0..<w.cols { w[i, j] *= inv } }
                pad = mu[0]
            }
            lowered.append(LoweredLayer(role: .hidden, weight: w, bias: bias, offset: [Float](repeating: 0, count: w.cols),
                                        inputScaling: .none, normalizeOutput: hff, signedInput: false,
                                        convolution: LoweredConv(geometry: block.geometry, padValue: pad,
                                                                 scoring: hff ? model.hyperparameters.convScoring : nil)))
        }
        for (l, layer) in model.layers.enumerated() {
            var w = layer.weight
            var bias = layer.bias
            var offset = [Float](repeating: 0, count: layer.outputs)
            if l == 0 && model.convBlocks.isEmpty {
                let constant = LoweredModel.foldStandardization(&w, mu: mu, sigma: sigma)
                if model.algorithm == .ff { offset = constant } else { for j in bias.indices { bias[j] += constant[j] } }
            }
            lowered.append(LoweredLayer(role: .hidden, weight: w, bias: bias, offset: offset,
                                        inputScaling: model.algorithm == .ff ? .inverseNorm : .none,
                                        normalizeOutput: model.algorithm == .hff, signedInput: false))
        }
        if let head = model.head {
            lowered.append(LoweredLayer(role: .head, weight: head.weight, bias: head.bias,
                                        offset: [Float](repeating: 0, count: head.outputs), inputScaling: .none,
                                        normalizeOutput: false, signedInput: false))
        }
        layers = lowered
        if model.algorithm == .hff {
            // Conv blocks first, then dense layers, as the float model scores them.
            let scored = model.scoredLayerCount
            readoutLayers = model.hyperparameters.readout == .sum ? Array(0..<scored) : [scored - 1]
            let unit = model.convPrototypes.map { p -> Matrix in
                var u = p
                Kernels.normalizeRows(&u, epsilon: HFFMath.epsilon)
                return u
            } + model.unitPrototypes
            prototypes = readoutLayers.map { unit[$0] }
            readout = CoreReadout(classCount: model.classCount, prototypesPerClass: model.hyperparameters.prototypesPerClass,
                                  tau: model.hyperparameters.tau, pooling: .logSumExp,
                                  combine: model.hyperparameters.readout == .sum ? .sumOfLogSoftmax : .last)
        } else {
            readoutLayers = []
            prototypes = []
            readout = nil
        }
        passes = model.algorithm == .ff ? model.classCount : 1
        var overlay = Matrix(rows: model.algorithm == .ff ? model.classCount : 0, cols: model.classCount)
        for k in 0..<overlay.rows {
            for j in 0..<model.classCount { overlay[k, j] = mu[j] + (j == k ? model.overlayValue * sigma[j] : 0) }
        }
        overlayRaw = overlay
    }

    /// Why `model` cannot be lowered, or nil. A conv model's first block folds the input's
    /// standardisation into its shared filters, which needs one global mean and std.
    public static func refusal(_ model: Model) -> String? {
        guard !model.convBlocks.isEmpty, !model.normalization.isGlobal else { return nil }
        return "per-pixel standardisation (\(model.normalization.mean.count) means) cannot fold into the first conv block's shared filters; train it with global standardisation (the default) to map it"
    }

    /// Layer l on x (samples x the layer's input values, a conv layer's input maps): `product` computes rows x W on the
    /// crossbar or in float (for a conv layer the rows are its patches, samples x positions of
    /// them); returns what the next layer takes and what the read-out scores (HFF; otherwise the
    /// same matrix).
    ///
    /// Conv layer: y = patches W + b per position, ReLU, to channel-major maps, the pooling
    /// (`ConvBlock.forward`'s steps); HFF then hands on the map scaled to unit RMS
    /// (`HFFMath.passOn`) and scores normalise(map) or normalise(its average over positions).
    public func apply(layer l: Int, input x: Matrix, product: (Matrix) -> Matrix) -> (next: Matrix, readout: Matrix) {
        let layer = layers[l]
        guard let conv = layer.convolution else {
            let h = finish(layer: l, product: product(x), scale: inputScale(layer: l, input: x))
            return (h, h)
        }
        let g = conv.geometry
        var y = product(ConvKernels.im2col(x, g, padValue: conv.padValue))
        Kernels.addRowVector(&y, layer.bias)
        Kernels.relu(&y)
        var map = ConvKernels.toChannels(y, batch: x.rows, positions: g.positions), shape = g.convOutput
        for p in g.spec.pools {
            map = ConvKernels.pool(map, shape, p).y
            shape = ImageShape(channels: shape.channels, height: shape.height / p.size, width: shape.width / p.size)
        }
        guard let scoring = conv.scoring else { return (map, map) }
        var z = scoring == .average ? ConvKernels.globalAveragePool(map, channels: shape.channels, positions: shape.positions) : map
        Kernels.normalizeRows(&z, epsilon: HFFMath.epsilon)
        return (HFFMath.passOn(map), z)
    }

    /// Samples a conv model takes at once (its patches are positions times larger than its input).
    static let convChunk = 256

    /// FF: raw inputs with candidate label k written over the first K features.
    public func variant(_ raw: Matrix, label k: Int) -> Matrix {
        var x = raw
        for i in 0..<x.rows { for j in 0..<classCount { x[i, j] = overlayRaw[k, j] } }
        return x
    }

    /// The per-sample scale s of a layer for inputs x (raw for layer 0, else the previous
    /// layer's output).
    public func inputScale(layer l: Int, input x: Matrix) -> [Float] {
        guard layers[l].inputScaling == .inverseNorm else { return [Float](repeating: 1, count: x.rows) }
        var standardized = x
        if l == 0 { normalization.apply(to: &standardized) }
        return Kernels.rowNorms(standardized).map { 1 / ($0 + FFMath.normOffset) }
    }

    /// The digital periphery after the product y = x W of layer l: offset, scale, bias, activation,
    /// normalisation.
    public func finish(layer l: Int, product y: Matrix, scale: [Float]) -> Matrix {
        let layer = layers[l]
        var h = y
        for i in 0..<h.rows {
            for j in 0..<h.cols {
                var v = (h[i, j] + layer.offset[j]) * scale[i] + layer.bias[j]
                if layer.role == .hidden { v = max(0, v) }
                h[i, j] = v
            }
        }
        if layer.normalizeOutput { Kernels.normalizeRows(&h, epsilon: HFFMath.epsilon) }
        return h
    }

    /// Class scores of raw inputs in float, through the lowered layers: what the hardware computes
    /// without noise or quantisation. Equals `Model.scores` up to float rounding.
    public func scores(_ raw: Matrix) -> Matrix {
        if layers.contains(where: { $0.convolution != nil }) && raw.rows > LoweredModel.convChunk {
            // Patches of every sample at once would need positions x the input's memory.
            var out = Matrix(rows: raw.rows, cols: classCount)
            var start = 0
            while start < raw.rows {
                let end = min(raw.rows, start + LoweredModel.convChunk)
                let s = scores(raw.rows(start..<end))
                for i in 0..<s.rows { for k in 0..<s.cols { out[start + i, k] = s[i, k] } }
                start = end
            }
            return out
        }
        switch algorithm {
        case .hff:
            var x = raw
            var readoutInputs = [Matrix]()
            for l in layers.indices {
                let r = apply(layer: l, input: x) { GEMM.product($0, layers[l].weight) }
                x = r.next
                if readoutLayers.contains(l) { readoutInputs.append(r.readout) }
            }
            let scores = zip(readoutInputs, prototypes).map { GEMM.product($0, $1, transB: true) }
            return LearningCore.combine(scores, readout: readout!)
        case .ff:
            var total = Matrix(rows: raw.rows, cols: classCount)
            for k in 0..<classCount {
                var x = variant(raw, label: k)
                for l in layers.indices {
                    x = finish(layer: l, product: GEMM.product(x, layers[l].weight), scale: inputScale(layer: l, input: x))
                    let g = FFMath.goodness(x)
                    for i in 0..<raw.rows { total[i, k] += g[i] }
                }
            }
            return total
        case .backprop:
            var x = raw
            for l in layers.indices { x = apply(layer: l, input: x) { GEMM.product($0, layers[l].weight) }.next }
            return x
        }
    }
}
