import Datasets
import Numerics

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

    /// Patches transposed, for training: row (c * k + ky) * k + kx, column b * P + (oy * W' + ox),
    /// the same values as `im2col` (zero outside the image). For one (c, ky, kx) and output row oy
    /// the W' values come from one input row, contiguous at stride 1, so the copy runs along rows.
    public static func im2colT(_ x: Matrix, _ g: ConvGeometry) -> Matrix {
        let b = x.rows, p = g.positions, k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let (ci, h, w) = (g.input.channels, g.input.height, g.input.width)
        let (oh, ow) = (g.convOutput.height, g.convOutput.width)
        let ld = b * p
        var out = Matrix.uninitialized(rows: g.patch, cols: ld)
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                Kernels.parallelRanges(g.patch, minimum: 4) { rows in
                    for r in rows {
                        let (c, ky, kx) = (r / (k * k), r / k % k, r % k)
                        let row = dst.baseAddress! + r * ld
                        // Output columns ox whose input column ox s - pad + kx lies in the image.
                        let lo = max(0, (pad - kx + s - 1) / s), hi = min(ow, (w - 1 + pad - kx) / s + 1)
                        for n in 0..<b {
                            let plane = src.baseAddress! + (n * ci + c) * h * w
                            for oy in 0..<oh {
                                let to = row + n * p + oy * ow
                                let y = oy * s - pad + ky
                                if y < 0 || y >= h || lo >= hi {
                                    to.update(repeating: 0, count: ow)
                                    continue
                                }
                                if lo > 0 { to.update(repeating: 0, count: lo) }
                                let line = plane + y * w - pad + kx
                                if s == 1 {
                                    (to + lo).update(from: line + lo, count: hi - lo)
                                } else {
                                    for ox in lo..<hi { to[ox] = line[ox * s] }
                                }
                                if hi < ow { (to + hi).update(repeating: 0, count: ow - hi) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The adjoint of `im2colT`: each patch value added back to the pixel it came from.
    public static func col2imT(_ cols: Matrix, _ g: ConvGeometry, batch b: Int) -> Matrix {
        let p = g.positions, k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let (ci, h, w) = (g.input.channels, g.input.height, g.input.width)
        let (oh, ow) = (g.convOutput.height, g.convOutput.width)
        let ld = b * p
        var out = Matrix(rows: b, cols: ci * h * w)
        cols.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                Kernels.parallelRanges(b) { images in
                    for n in images {
                        for c in 0..<ci {
                            let plane = dst.baseAddress! + (n * ci + c) * h * w
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let row = src.baseAddress! + ((c * k + ky) * k + kx) * ld + n * p
                                    let lo = max(0, (pad - kx + s - 1) / s), hi = min(ow, (w - 1 + pad - kx) / s + 1)
                                    guard lo < hi else { continue }
                                    for oy in 0..<oh {
                                        let y = oy * s - pad + ky
                                        if y < 0 || y >= h { continue }
                                        let line = plane + y * w - pad + kx, from = row + oy * ow
                                        for ox in lo..<hi { line[ox * s] += from[ox] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Channel-major maps from a channel-major product over the batch: out[n, c * P + q] =
    /// max(0, t[c, n * P + q] + bias[c]) (runs of P values).
    static func channelsFromT(_ t: Matrix, bias: [Float], batch b: Int, positions p: Int) -> Matrix {
        let channels = t.rows
        var out = Matrix.uninitialized(rows: b, cols: channels * p)
        t.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                Kernels.parallelRanges(b) { images in
                    for n in images {
                        for c in 0..<channels {
                            let from = src.baseAddress! + c * b * p + n * p, to = dst.baseAddress! + (n * channels + c) * p
                            let v = bias[c]
                            for q in 0..<p { to[q] = max(0, from[q] + v) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The gradient through the ReLU (zero where the activation `a` is not positive), from
    /// channel-major maps (b x c * P) to the batch's channel-major product layout (c x b * P).
    static func maskedToT(_ d: Matrix, activation a: Matrix, channels: Int, positions p: Int) -> Matrix {
        let b = d.rows
        var out = Matrix.uninitialized(rows: channels, cols: b * p)
        d.storage.withUnsafeBufferPointer { dp in
            a.storage.withUnsafeBufferPointer { ap in
                out.storage.withUnsafeMutableBufferPointer { op in
                    Kernels.parallelRanges(b) { images in
                        for n in images {
                            for c in 0..<channels {
                                let from = (n * channels + c) * p, to = op.baseAddress! + c * b * p + n * p
                                for q in 0..<p { to[q] = ap[from + q] > 0 ? dp[from + q] : 0 }
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

    /// Pooling of every channel of every image; for max pooling also the index (within the
    /// image) of each window's first largest value, which the backward pass routes to.
    public static func pool(_ x: Matrix, _ shape: ImageShape, _ spec: PoolSpec) -> (y: Matrix, argmax: [Int32]) {
        let s = spec.size, (c, h, w) = (shape.channels, shape.height, shape.width)
        let (oh, ow) = (h / s, w / s)
        let b = x.rows
        var y = Matrix.uninitialized(rows: b, cols: c * oh * ow)
        var arg = spec.kind == .max ? [Int32](repeating: 0, count: b * c * oh * ow) : []
        let inv = 1 / Float(s * s)
        if spec.kind == .max && s == 2 {
            maxPool2(x, shape, into: &y, argmax: &arg)
            return (y, arg)
        }
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

    /// 2 x 2 max pooling, the common case, unrolled: the window's four values in the generic
    /// loop's order (the first largest wins), so results and argmax are the generic loop's.
    static func maxPool2(_ x: Matrix, _ shape: ImageShape, into y: inout Matrix, argmax arg: inout [Int32]) {
        let (c, h, w) = (shape.channels, shape.height, shape.width)
        let (oh, ow) = (h / 2, w / 2)
        let planes = x.rows * c
        x.storage.withUnsafeBufferPointer { src in
            y.storage.withUnsafeMutableBufferPointer { dst in
                arg.withUnsafeMutableBufferPointer { a in
                    Kernels.parallelRanges(planes, minimum: 16) { range in
                        for pl in range {
                            let plane = src.baseAddress! + pl * h * w, base = Int32((pl % c) * h * w)
                            let out = dst.baseAddress! + pl * oh * ow, at = a.baseAddress! + pl * oh * ow
                            for oy in 0..<oh {
                                let r0 = 2 * oy * w, r1 = r0 + w
                                for ox in 0..<ow {
                                    let i = r0 + 2 * ox, j = r1 + 2 * ox
                                    var best = plane[i], k = i
                                    if plane[i + 1] > best { best = plane[i + 1]; k = i + 1 }
                                    if plane[j] > best { best = plane[j]; k = j }
                                    if plane[j + 1] > best { best = plane[j + 1]; k = j + 1 }
                                    out[oy * ow + ox] = best
                                    at[oy * ow + ox] = base + Int32(k)
                                }
                            }
                        }
                    }
                }
            }
        }
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
                Kernels.parallelRanges(b) { images in
                    for n in images {
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
