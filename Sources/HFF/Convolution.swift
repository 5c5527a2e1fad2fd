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

/// The data movements of convolution and pooling on batches of images stored one per row,
/// channel-major (NCHW). Each works row by row with no shared state, so results never depend on
/// threading.
public enum ConvKernels {
    /// Patches: row b * P + (oy * W' + ox), column (c * k + ky) * k + kx, holding
    /// x[b, c, oy * stride - pad + ky, ox * stride - pad + kx] (`padValue`, zero by default,
    /// outside the image: the hardware reads raw pixels, whose standardised zero is the mean).
    public static func im2col(_ x: Matrix, _ g: ConvGeometry, padValue: Float = 0) -> Matrix {
        let b = x.rows, p = g.positions, k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let (ci, h, w) = (g.input.channels, g.input.height, g.input.width)
        let (oh, ow) = (g.convOutput.height, g.convOutput.width)
        let cols = g.patch
        var out = Matrix.uninitialized(rows: b * p, cols: cols)
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    let image = src.baseAddress! + n * ci * h * w
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var row = dst.baseAddress! + ((n * oh + oy) * ow + ox) * cols
                            let x0 = ox * s - pad
                            // Windows inside the image's columns copy k contiguous values per kernel row.
                            let inside = x0 >= 0 && x0 + k <= w
                            for c in 0..<ci {
                                let plane = image + c * h * w
                                for ky in 0..<k {
                                    let y = oy * s - pad + ky
                                    if y < 0 || y >= h {
                                        for kx in 0..<k { row[kx] = padValue }
                                    } else if inside {
                                        let from = plane + y * w + x0
                                        for kx in 0..<k { row[kx] = from[kx] }
                                    } else {
                                        let line = plane + y * w
                                        for kx in 0..<k {
                                            let xx = x0 + kx
                                            row[kx] = xx >= 0 && xx < w ? line[xx] : padValue
                                        }
                                    }
                                    row += k
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The adjoint of `im2col`: each patch value added back to the pixel it came from.
    public static func col2im(_ cols: Matrix, _ g: ConvGeometry, batch b: Int) -> Matrix {
        let k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let (ci, h, w) = (g.input.channels, g.input.height, g.input.width)
        let (oh, ow) = (g.convOutput.height, g.convOutput.width)
        let width = g.patch
        var out = Matrix(rows: b, cols: ci * h * w)
        cols.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    let image = dst.baseAddress! + n * ci * h * w
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var row = src.baseAddress! + ((n * oh + oy) * ow + ox) * width
                            for c in 0..<ci {
                                let plane = image + c * h * w
                                for ky in 0..<k {
                                    let y = oy * s - pad + ky
                                    if y >= 0 && y < h {
                                        let x0 = ox * s - pad
                                        for kx in 0..<k where x0 + kx >= 0 && x0 + kx < w { plane[y * w + x0 + kx] += row[kx] }
                                    }
                                    row += k
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Position-major (row b * P + q, column c) to channel-major (row b, column c * P + q).
    public static func toChannels(_ m: Matrix, batch b: Int, positions p: Int) -> Matrix {
        let c = m.cols
        var out = Matrix.uninitialized(rows: b, cols: c * p)
        m.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    for q in 0..<p {
                        let from = src.baseAddress! + (n * p + q) * c
                        let to = dst.baseAddress! + n * c * p + q
                        for ch in 0..<c { to[ch * p] = from[ch] }
                    }
                }
            }
        }
        return out
    }

    /// Channel-major to position-major (the inverse of `toChannels`).
    public static func toPositions(_ m: Matrix, channels c: Int, positions p: Int) -> Matrix {
        let b = m.rows
        var out = Matrix.uninitialized(rows: b * p, cols: c)
        m.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    for q in 0..<p {
                        let to = dst.baseAddress! + (n * p + q) * c
                        let from = src.baseAddress! + n * c * p + q
                        for ch in 0..<c { to[ch] = from[ch * p] }
                    }
                }
            }
        }
        return out
    }

    /// Pooling of every channel of every image; for max pooling also the index (within the
    /// image) of each window's first largest value, which the backward pass routes to.
    public static func pool(_ x: Matrix, _ shape: ImageShape, _ spec: PoolSpec) -> (y: Matrix, argmax: [Int32]) {
        let s = spec.size, (c, h, w) = (shape.channels, shape.height, shape.width)
        let (oh, ow) = (h / s, w / s)
        let b = x.rows
        var y = Matrix.uninitialized(rows: b, cols: c * oh * ow)
        var arg = spec.kind == .max ? [Int32](repeating: 0, count: b * c * oh * ow) : []
        let inv = 1 / Float(s * s)
        x.storage.withUnsafeBufferPointer { src in
            y.storage.withUnsafeMutableBufferPointer { dst in
                arg.withUnsafeMutableBufferPointer { a in
                    for n in 0..<b {
                        for ch in 0..<c {
                            let plane = src.baseAddress! + (n * c + ch) * h * w
                            let out = (n * c + ch) * oh * ow
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    var best = -Float.infinity, at = 0, sum: Float = 0
                                    for dy in 0..<s {
                                        for dx in 0..<s {
                                            let i = (oy * s + dy) * w + ox * s + dx
                                            let v = plane[i]
                                            sum += v
                                            if v > best { best = v; at = i }
                                        }
                                    }
                                    if spec.kind == .max {
                                        dst[out + oy * ow + ox] = best
                                        a[out + oy * ow + ox] = Int32(ch * h * w + at)
                                    } else {
                                        dst[out + oy * ow + ox] = sum * inv
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (y, arg)
    }

    /// The pooling's adjoint: max routes each gradient to its window's largest input, average
    /// spreads it evenly over the window; inputs outside every window get zero.
    public static func poolBackward(_ dy: Matrix, _ shape: ImageShape, _ spec: PoolSpec, argmax: [Int32]) -> Matrix {
        let s = spec.size, (c, h, w) = (shape.channels, shape.height, shape.width)
        let (oh, ow) = (h / s, w / s)
        let b = dy.rows
        var dx = Matrix(rows: b, cols: c * h * w)
        let inv = 1 / Float(s * s)
        dy.storage.withUnsafeBufferPointer { src in
            dx.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    let image = dst.baseAddress! + n * c * h * w
                    for ch in 0..<c {
                        let out = (n * c + ch) * oh * ow
                        for q in 0..<oh * ow {
                            let g = src[out + q]
                            if spec.kind == .max {
                                image[Int(argmax[out + q])] += g
                            } else {
                                let (oy, ox) = (q / ow, q % ow)
                                for dy in 0..<s { for dx in 0..<s { image[ch * h * w + (oy * s + dy) * w + ox * s + dx] += g * inv } }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// The mean of each channel over its positions: b x (c * p) to b x c.
    public static func globalAveragePool(_ x: Matrix, channels c: Int, positions p: Int) -> Matrix {
        var out = Matrix.uninitialized(rows: x.rows, cols: c)
        let inv = 1 / Float(p)
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for n in 0..<x.rows {
                    for ch in 0..<c {
                        let plane = src.baseAddress! + (n * c + ch) * p
                        var sum: Float = 0
                        for q in 0..<p { sum += plane[q] }
                        dst[n * c + ch] = sum * inv
                    }
                }
            }
        }
        return out
    }
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
        /// The patches (b * positions x patch).
        public var cols: Matrix
        /// ReLU(conv + bias), channel-major, before pooling.
        public var activation: Matrix
        /// Each pooling's input shape and (max) argmax.
        public var pools: [(shape: ImageShape, argmax: [Int32])]
        /// The block's output, channel-major.
        public var output: Matrix
    }

    /// conv, bias, ReLU, pooling; `keep` false drops what only the backward pass needs.
    public func forward(_ x: Matrix, keep: Bool = true) -> Forward {
        let g = geometry
        let cols = ConvKernels.im2col(x, g)
        var h = Matrix.uninitialized(rows: cols.rows, cols: conv.outputs)
        GEMM.multiply(cols, conv.weight, into: &h)
        Kernels.addRowVector(&h, conv.bias)
        Kernels.relu(&h)
        let a = ConvKernels.toChannels(h, batch: x.rows, positions: g.positions)
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
        // Through the ReLU (activation > 0), then to positions.
        d.storage.withUnsafeMutableBufferPointer { dp in
            f.activation.storage.withUnsafeBufferPointer { ap in
                for i in 0..<dp.count where ap[i] <= 0 { dp[i] = 0 }
            }
        }
        let dh = ConvKernels.toPositions(d, channels: conv.outputs, positions: g.positions)
        var dW = Matrix.uninitialized(rows: g.patch, cols: conv.outputs)
        GEMM.multiply(f.cols, transA: true, dh, into: &dW)
        let db = Kernels.columnSums(dh)
        guard input else { return (dW, db, nil) }
        var dcols = Matrix.uninitialized(rows: dh.rows, cols: g.patch)
        GEMM.multiply(dh, conv.weight, transB: true, into: &dcols)
        return (dW, db, ConvKernels.col2im(dcols, g, batch: b))
    }
}
