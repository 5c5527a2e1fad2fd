import Datasets
import Numerics

/// The sizes of one convolution block on a given input.
///
///     conv output: H' = floor((H + 2 pad - k) / stride) + 1   (likewise W'), C' = outChannels
///     each pooling of size s: H'' = floor(H' / s)              (PyTorch's floor mode)
///
/// The convolution is a GEMM over patches (im2col): one row per output position, one column per
/// weight of a filter, ordered (input channel, kernel row, kernel column) like PyTorch's
/// `nn.Conv2d` weight `[out, in, kh, kw]` flattened; so the block's weight matrix is
/// `patch x outChannels` and a filter is a column, as a crossbar holds it.
public struct ConvGeometry: Equatable, Sendable {
    public var input: ImageShape
    public var spec: ConvSpec
    public var convOutput: ImageShape
    /// After the pooling layers.
    public var output: ImageShape

    public init(input: ImageShape, spec: ConvSpec) {
        self.input = input
        self.spec = spec
        func out(_ n: Int) -> Int {
            let span = n + 2 * spec.padding - spec.kernel
            return span < 0 ? 0 : span / spec.stride + 1
        }
        convOutput = ImageShape(channels: spec.outChannels, height: out(input.height), width: out(input.width))
        var shape = convOutput
        for p in spec.pools { shape = ImageShape(channels: shape.channels, height: shape.height / p.size, width: shape.width / p.size) }
        output = shape
    }

    /// Weights per filter (rows of the weight matrix): in-channels x kernel x kernel.
    public var patch: Int { input.channels * spec.kernel * spec.kernel }
    /// Output positions of the convolution (reads of its crossbar per image).
    public var positions: Int { convOutput.positions }
}

/// One convolution block's parameters: the filters as a `patch x outChannels` matrix (a
/// `DenseLayer` over patches) and the geometry.
public struct ConvBlock: Equatable, Sendable {
    public var geometry: ConvGeometry
    public var conv: DenseLayer

    public init(geometry: ConvGeometry, conv: DenseLayer) {
        precondition(conv.inputs == geometry.patch && conv.outputs == geometry.spec.outChannels)
        self.geometry = geometry
        self.conv = conv
    }

    /// PyTorch's default `nn.Conv2d` initialisation: uniform in +-1/sqrt(fan_in), fan_in = patch.
    public static func initialised(input: ImageShape, spec: ConvSpec, rng: inout SeededRandom) -> ConvBlock {
        let g = ConvGeometry(input: input, spec: spec)
        return ConvBlock(geometry: g, conv: DenseLayer.initialised(inputs: g.patch, outputs: spec.outChannels, rng: &rng))
    }

    /// What the backward pass needs of a forward pass.
    public struct Forward {
        /// The patches, transposed (patch x b * positions: `ConvKernels.im2colT`).
        public var cols: Matrix
        /// ReLU(conv + bias), channel-major, before pooling.
        public var activation: Matrix
        /// Each pooling's input shape and (max) argmax.
        public var pools: [(shape: ImageShape, argmax: [Int32])]
        /// The block's output, channel-major.
        public var output: Matrix
    }

    /// conv, bias, ReLU, pooling; `keep` false drops what only the backward pass needs. The
    /// product runs channel-major over the batch, W^T patches^T (out-channels x b * positions),
    /// so that the patches and the maps are copied in contiguous runs.
    public func forward(_ x: Matrix, keep: Bool = true) -> Forward {
        let g = geometry
        let cols = ConvKernels.im2colT(x, g)
        var t = Matrix.uninitialized(rows: conv.outputs, cols: cols.cols)
        GEMM.multiply(conv.weight, transA: true, cols, into: &t)
        let a = ConvKernels.channelsFromT(t, bias: conv.bias, batch: x.rows, positions: g.positions)
        var y = a, shape = g.convOutput
        var pools = [(shape: ImageShape, argmax: [Int32])]()
        for p in g.spec.pools {
            let r = ConvKernels.pool(y, shape, p)
            if keep { pools.append((shape, r.argmax)) }
            y = r.y
            shape = ImageShape(channels: shape.channels, height: shape.height / p.size, width: shape.width / p.size)
        }
        return Forward(cols: keep ? cols : Matrix(rows: 0, cols: 0), activation: keep ? a : Matrix(rows: 0, cols: 0), pools: pools, output: y)
    }

    /// Gradients of the block's parameters (and, when `input` is true, of its input) from the
    /// gradient of its output.
    public func backward(_ f: Forward, outputGradient dy: Matrix, batch b: Int, input: Bool) -> (weight: Matrix, bias: [Float], input: Matrix?) {
        let g = geometry
        var d = dy
        for (p, cache) in zip(g.spec.pools, f.pools).reversed() {
            d = ConvKernels.poolBackward(d, cache.shape, p, argmax: cache.argmax)
        }
        // Through the ReLU (activation > 0), to the product's layout (out-channels x b * positions).
        let dt = ConvKernels.maskedToT(d, activation: f.activation, channels: conv.outputs, positions: g.positions)
        // dW^T = dT patches (out-channels x patch), then transposed.
        var dWT = Matrix.uninitialized(rows: conv.outputs, cols: g.patch)
        GEMM.multiply(dt, f.cols, transB: true, into: &dWT)
        var dW = Matrix.uninitialized(rows: g.patch, cols: conv.outputs)
        for i in 0..<g.patch { for j in 0..<conv.outputs { dW[i, j] = dWT[j, i] } }
        let db = Kernels.rowSums(dt)
        guard input else { return (dW, db, nil) }
        var dcols = Matrix.uninitialized(rows: g.patch, cols: dt.cols)
        GEMM.multiply(conv.weight, dt, into: &dcols)
        return (dW, db, ConvKernels.col2imT(dcols, g, batch: b))
    }
}
