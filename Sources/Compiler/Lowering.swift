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

    public var inputs: Int { weight.rows }
    public var outputs: Int { weight.cols }
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
        zip(readoutLayers, prototypes).map { CorePlacement.Group(inputs: layers[$0.0].outputs, prototypes: $0.1.rows) }
    }
    public var readout: CoreReadout?
    /// Forward passes per inference: FF runs one per candidate label (K input variants).
    public var passes: Int
    /// FF: the raw values written over the first K inputs for candidate label k (row k), so that
    /// they standardise to the one-hot overlay; and the standardisation, for ||x_std||.
    public var overlayRaw: Matrix
    public var normalization: Standardization

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
        for (l, layer) in model.layers.enumerated() {
            var w = layer.weight
            var bias = layer.bias
            var offset = [Float](repeating: 0, count: layer.outputs)
            if l == 0 {
                var constant = [Float](repeating: 0, count: layer.outputs)
                for i in 0..<n {
                    let inv = 1 / sigma[i]
                    for j in 0..<layer.outputs {
                        constant[j] -= mu[i] * inv * w[i, j]
                        w[i, j] *= inv
                    }
                }
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
            readoutLayers = model.readoutLayers
            let unit = model.unitPrototypes
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
        switch algorithm {
        case .hff:
            var x = raw
            var readoutInputs = [Matrix]()
            for l in layers.indices {
                x = finish(layer: l, product: GEMM.product(x, layers[l].weight), scale: inputScale(layer: l, input: x))
                if readoutLayers.contains(l) { readoutInputs.append(x) }
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
            for l in layers.indices {
                x = finish(layer: l, product: GEMM.product(x, layers[l].weight), scale: inputScale(layer: l, input: x))
            }
            return x
        }
    }
}
