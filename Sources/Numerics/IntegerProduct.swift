import CKernels

/// A real matrix W (k x n) stored for an exact integer product with unsigned 8-bit inputs.
///
/// Each column j is represented by 16-bit codes q_ij = round(W_ij / s_j), s_j = max_i |W_ij| / 32512,
/// split into two signed bytes q = 256 h + l (h in -127...127, l in -128...127). A product with
/// inputs a in 0...255 is then two exact int32 sums per output, sum_i a_i h_ij and sum_i a_i l_ij,
/// recombined as (256 H + L) s_j. The only error is the representation of W:
/// |W_ij - q_ij s_j| <= s_j / 2 = max_i |W_ij| / 65024 (about 16 bits), the same order as float32
/// rounding of a few hundred products. On x86-64 CPUs with AVX-512 VNNI one instruction does 64
/// byte multiply-adds where a float FMA does 16, so the two integer sums cost half a float product;
/// CPUs with AVX2 run a 16-bit multiply-add kernel that gives the same sums.
///
/// Invariant: `packed` holds `panels` panels of 16 columns in the kernel's layout (per quad of
/// rows, 64 bytes of high digits then 64 of low digits; see `hffsim_u8s8_product`); columns
/// past `cols` and rows past `rows` are zero.
public struct PackedInt8Matrix: Sendable {
    public let rows: Int
    public let cols: Int
    /// Rows rounded up to a multiple of 4, in quads.
    public let quads: Int
    public let panels: Int
    public let packed: [Int8]
    /// Per column: s_j.
    public let scale: [Float]

    /// True when this CPU has a fast integer kernel, AVX-512 VNNI or AVX2 (elsewhere a slow
    /// portable loop computes the same sums, so callers should prefer float GEMM). Every kernel
    /// writes the same bits, so results do not depend on which of them runs.
    public static let available: Bool = hffsim_u8s8_available() != 0
    /// The kernel's name: "avx512-vnni", "avx2" or "portable".
    public static let kernelName: String = ["portable", "avx2", "avx512-vnni"][Int(hffsim_u8s8_available())]

    /// Largest |code|: 127 x 256, so that the high digit stays within -127...127.
    public static let codeLimit: Float = 32512

    public init(_ w: Matrix) {
        rows = w.rows
        cols = w.cols
        quads = (w.rows + 3) / 4
        precondition(quads * 4 <= 65536, "an exact int32 sum needs at most 65,536 rows")
        panels = (w.cols + 15) / 16
        var scale = [Float](repeating: 0, count: cols)
        for i in 0..<rows {
            for j in 0..<cols { scale[j] = max(scale[j], abs(w[i, j])) }
        }
        for j in 0..<cols { scale[j] = scale[j] > 0 ? scale[j] / PackedInt8Matrix.codeLimit : 1 }
        var packed = [Int8](repeating: 0, count: panels * quads * 128)
        let quads = quads
        for i in 0..<rows {
            let q = i / 4, r = i % 4
            for j in 0..<cols {
                let code = Int32((w[i, j] / scale[j]).rounded())
                let high = (code + 128) >> 8
                let low = code - (high << 8)
                let p = j / 16, c = j % 16
                packed[((p * quads + q) * 32 + c) * 4 + r] = Int8(high)
                packed[((p * quads + q) * 32 + 16 + c) * 4 + r] = Int8(low)
            }
        }
        self.packed = packed
        self.scale = scale
    }

    /// Bytes per row of the input matrix the product reads: `rows` rounded up to a multiple of 4.
    public var inputStride: Int { quads * 4 }

    /// out[i, j] = factor sum_k a[i, k] W[k, j] for i < m, j < cols, where `a` holds m rows of
    /// `inputStride` bytes (zero past `rows`) and `out` has row stride `ldo`.
    /// `reference` runs the portable loops instead of the vector kernel (for tests).
    public func product(_ a: UnsafePointer<UInt8>, m: Int, factor: Float,
                        into out: UnsafeMutablePointer<Float>, ldo: Int, reference: Bool = false) {
        packed.withUnsafeBufferPointer { bp in
            scale.withUnsafeBufferPointer { sp in
                let kernel = reference ? hffsim_u8s8_product_reference : hffsim_u8s8_product
                kernel(Int32(m), Int32(cols), Int32(quads), a, inputStride, bp.baseAddress!, sp.baseAddress!, factor, out, ldo)
            }
        }
    }

    /// The matrix this stands for: q_ij s_j.
    public var represented: Matrix {
        var w = Matrix(rows: rows, cols: cols)
        for i in 0..<rows {
            for j in 0..<cols {
                let p = j / 16, c = j % 16, q = i / 4, r = i % 4
                let high = Float(packed[((p * quads + q) * 32 + c) * 4 + r])
                let low = Float(packed[((p * quads + q) * 32 + 16 + c) * 4 + r])
                w[i, j] = (high * 256 + low) * scale[j]
            }
        }
        return w
    }
}
