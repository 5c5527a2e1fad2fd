import CKernels
import Dispatch
import Foundation

/// General matrix multiply on row-major `Float` data:
///
///     C = alpha * op(A) * op(B) + beta * C,   op(X) = X or X^T
///
/// with op(A) of shape m x k, op(B) of shape k x n and C of shape m x n. Transposed operands are
/// read in place (the packing step reads them with swapped strides), so A^T*B and A*B^T cost the
/// same as A*B and never materialise a transpose.
///
/// Method (Goto and van de Geijn, 2008): B is packed into K_C x N_R slivers and A into M_R x K_C
/// slivers; an 8 x 32 register-blocked micro-kernel (16 SIMD16 accumulators, fused multiply-add)
/// computes each C block. Work is split across threads by contiguous ranges of rows or columns of
/// C; every element of C is summed in the same order whatever the thread count, so results are
/// bit-identical for any number of threads.
///
/// Invariant: `beta == 0` overwrites C without reading it (NaN in C does not propagate).
public enum GEMM {
    /// Time and arithmetic spent in GEMM while `collectStatistics` is on, for `hffsim bench
    /// train`'s breakdown. Calls from several threads add up (seconds are thread-seconds, counting
    /// the threads each call actually used). Read and reset it under `statisticsLock`, or while no
    /// GEMM runs.
    public struct Statistics {
        public var calls = 0
        public var flops = 0.0
        public var seconds = 0.0
        /// Calls, GFLOP and seconds per shape ("m x n x k, op"), for the per-shape breakdown.
        public var byShape: [String: (calls: Int, flops: Double, seconds: Double)] = [:]
        public init() {}
    }
    nonisolated(unsafe) public static var statistics = Statistics()
    public static let statisticsLock = NSLock()
    /// Whether calls are counted in `statistics`. Switch it only while no GEMM runs.
    nonisolated(unsafe) public static var collectStatistics = false

    /// Rows of the register block.
    public static let mr = 8
    /// Columns of the register block (two SIMD16 vectors).
    public static let nr = 32
    /// Depth of one packed panel.
    static let kc = 256
    /// Rows of A packed at once (fits in L2 next to the B sliver in L1).
    static let mc = 128
    /// Columns of B packed at once.
    static let nc = 1024

    /// Threads used by default: one per active processor.
    nonisolated(unsafe) public static var defaultThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// C = alpha * op(A) op(B) + beta * C on raw row-major buffers with leading dimensions.
    ///
    /// - Parameters:
    ///   - transA: when true, `a` holds A^T, i.e. a k x m matrix with leading dimension `lda`.
    ///   - transB: when true, `b` holds B^T, i.e. an n x k matrix with leading dimension `ldb`.
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int = GEMM.defaultThreads
    ) {
        multiply(collectingStatistics: GEMM.collectStatistics, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                 b: b, ldb: ldb, transB: transB, beta: beta, c: c, ldc: ldc, threads: threads)
    }

    static func multiply(
        collectingStatistics: Bool,
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        if m == 0 || n == 0 { return }
        if collectingStatistics {
            let t0 = DispatchTime.now().uptimeNanoseconds
            defer {
                let flops = 2 * Double(m) * Double(n) * Double(k)
                // Thread-seconds: a product split across several threads keeps all of them busy.
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                    * Double(threadsUsed(m: m, n: n, k: k, transA: transA, transB: transB, threads: threads))
                statisticsLock.lock()
                defer { statisticsLock.unlock() }
                GEMM.statistics.calls += 1
                GEMM.statistics.flops += flops
                GEMM.statistics.seconds += seconds
                let key = "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")"
                let old = GEMM.statistics.byShape[key] ?? (0, 0, 0)
                GEMM.statistics.byShape[key] = (old.calls + 1, old.flops + flops, old.seconds + seconds)
            }
            multiply(collectingStatistics: false, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
                     beta: beta, c: c, ldc: ldc, threads: threads)
            return
        }
        if k == 0 || alpha == 0 {
            scale(c: c, ldc: ldc, m: m, n: n, beta: beta)
            return
        }
        let t = threadsUsed(m: m, n: n, k: k, transA: transA, transB: transB, threads: threads)
        // Thin products (a handful of prototypes or classes against a batch, B transposed) skip
        // packing, which would pad 10 columns to 32: each output is one contiguous dot product.
        if isThin(n: n, transA: transA, transB: transB) {
            thinColumns(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: t)
            return
        }

        if t == 1 {
            serial(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                   b: b, ldb: ldb, transB: transB, beta: beta, c: c, ldc: ldc)
            return
        }
        // Split the larger dimension of C into `t` contiguous, block-aligned parts.
        let splitRows = m >= n
        let extent = splitRows ? m : n
        let unit = splitRows ? mr : nr
        let units = (extent + unit - 1) / unit
        let parts = t
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = (units * p / parts) * unit
            let hi = min(extent, (units * (p + 1) / parts) * unit)
            if lo >= hi { return }
            if splitRows {
                let aStart = transA ? a + lo : a + lo * lda
                serial(m: hi - lo, n: n, k: k, alpha: alpha, a: aStart, lda: lda, transA: transA,
                       b: b, ldb: ldb, transB: transB, beta: beta, c: c + lo * ldc, ldc: ldc)
            } else {
                let bStart = transB ? b + lo * ldb : b + lo
                serial(m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                       b: bStart, ldb: ldb, transB: transB, beta: beta, c: c + lo, ldc: ldc)
            }
        }
    }

    /// C = alpha * op(A) op(B) + beta * C on matrices. Shapes are checked with preconditions
    /// (programming errors, never user input).
    public static func multiply(
        _ a: Matrix, transA: Bool = false, _ b: Matrix, transB: Bool = false,
        into c: inout Matrix, alpha: Float = 1, beta: Float = 0, threads: Int = GEMM.defaultThreads
    ) {
        let m = transA ? a.cols : a.rows
        let k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows
        let n = transB ? b.rows : b.cols
        precondition(k == kb, "GEMM inner dimensions differ: \(k) vs \(kb)")
        precondition(c.rows == m && c.cols == n, "GEMM output is \(c.rows)x\(c.cols), expected \(m)x\(n)")
        let ldc = c.cols
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    guard let ap = pa.baseAddress, let bp = pb.baseAddress, let cp = pc.baseAddress else {
                        // An empty operand: only the scaling of C remains.
                        if let cp = pc.baseAddress { scale(c: cp, ldc: ldc, m: m, n: n, beta: beta) }
                        return
                    }
                    multiply(m: m, n: n, k: k, alpha: alpha, a: ap, lda: a.cols, transA: transA,
                             b: bp, ldb: b.cols, transB: transB, beta: beta, c: cp, ldc: ldc, threads: threads)
                }
            }
        }
    }

    /// op(A) op(B) as a new matrix.
    public static func product(_ a: Matrix, transA: Bool = false, _ b: Matrix, transB: Bool = false,
                               threads: Int = GEMM.defaultThreads) -> Matrix {
        var c = Matrix(rows: transA ? a.cols : a.rows, cols: transB ? b.rows : b.cols)
        multiply(a, transA: transA, b, transB: transB, into: &c, threads: threads)
        return c
    }

    /// Products with at most 16 columns and a transposed B take the dot-product path.
    static func isThin(n: Int, transA: Bool, transB: Bool) -> Bool { transB && !transA && n <= 16 }

    /// The threads a product uses: one below 2 MFLOP (8 MFLOP on the thin path), where a thread
    /// hand-off costs more than it saves, and never more than there are blocks to share.
    static func threadsUsed(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, threads: Int) -> Int {
        let flops = 2 * m * n * k
        if k == 0 || m == 0 || n == 0 { return 1 }
        if isThin(n: n, transA: transA, transB: transB) { return flops < 8_000_000 ? 1 : max(1, min(threads, m)) }
        let t = max(1, min(threads, flops / 2_000_000 + 1))
        let units = m >= n ? (m + mr - 1) / mr : (n + nr - 1) / nr
        return min(t, units)
    }

    /// C = alpha A B^T + beta C for n <= 16: C[i, j] is the dot product of row i of A and row j
    /// of B, both contiguous, summed in sixteen lanes (four columns of C at a time, so four
    /// independent chains hide the FMA latency) and then reduced. Rows of C are split across
    /// threads; each element's summation order does not depend on the split.
    static func thinColumns(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                            threads: Int) {
        typealias V = SIMD16<Float>
        func rows(_ lo: Int, _ hi: Int) {
            for i in lo..<hi {
                let ar = UnsafeRawPointer(a + i * lda)
                var j = 0
                while j < n {
                    let g = min(4, n - j)
                    // Rows of B beyond the group repeat its first row; their sums are discarded.
                    let b0 = UnsafeRawPointer(b + j * ldb)
                    let b1 = UnsafeRawPointer(b + (g > 1 ? j + 1 : j) * ldb)
                    let b2 = UnsafeRawPointer(b + (g > 2 ? j + 2 : j) * ldb)
                    let b3 = UnsafeRawPointer(b + (g > 3 ? j + 3 : j) * ldb)
                    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
                    var off = 0
                    while off + 64 <= k * 4 {
                        let av = ar.loadUnaligned(fromByteOffset: off, as: V.self)
                        s0.addProduct(av, b0.loadUnaligned(fromByteOffset: off, as: V.self))
                        s1.addProduct(av, b1.loadUnaligned(fromByteOffset: off, as: V.self))
                        s2.addProduct(av, b2.loadUnaligned(fromByteOffset: off, as: V.self))
                        s3.addProduct(av, b3.loadUnaligned(fromByteOffset: off, as: V.self))
                        off += 64
                    }
                    for jj in 0..<g {
                        var s = jj == 0 ? s0.sum() : jj == 1 ? s1.sum() : jj == 2 ? s2.sum() : s3.sum()
                        for kk in (off / 4)..<k { s += a[i * lda + kk] * b[(j + jj) * ldb + kk] }
                        let cij = c + i * ldc + j + jj
                        cij.pointee = beta == 0 ? alpha * s : alpha * s + beta * cij.pointee
                    }
                    j += g
                }
            }
        }
        let parts = min(threads, m)
        if parts <= 1 { rows(0, m); return }
        DispatchQueue.concurrentPerform(iterations: parts) { part in rows(m * part / parts, m * (part + 1) / parts) }
    }

    static func scale(c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, beta: Float) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
        }
    }

    // MARK: - Serial blocked algorithm

    static func serial(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let ncEff = min(nc, roundUp(n, nr))
        let kcEff = min(kc, k)
        let mcEff = min(mc, roundUp(m, mr))
        // Per-thread packing buffers, reused across calls: they stay warm in cache and are never
        // faulted in again.
        let scratch = Scratch.current
        let packedB = scratch.buffer(0, capacity: kcEff * ncEff + 64)
        let packedA = scratch.buffer(1, capacity: kcEff * mcEff + 64)

        var jc = 0
        while jc < n {
            let nb = min(ncEff, n - jc)
            var pc = 0
            while pc < k {
                let kb = min(kcEff, k - pc)
                let betaHere: Float = pc == 0 ? beta : 1
                packB(b: b, ldb: ldb, trans: transB, row0: pc, col0: jc, rows: kb, cols: nb, into: packedB)
                var ic = 0
                while ic < m {
                    let mb = min(mcEff, m - ic)
                    packA(a: a, lda: lda, trans: transA, row0: ic, col0: pc, rows: mb, cols: kb, into: packedA)
                    macroKernel(mb: mb, nb: nb, kb: kb, alpha: alpha, beta: betaHere,
                                packedA: packedA, packedB: packedB, c: c + ic * ldc + jc, ldc: ldc)
                    ic += mb
                }
                pc += kb
            }
            jc += nb
        }
    }

    @inline(__always) static func roundUp(_ x: Int, _ to: Int) -> Int { (x + to - 1) / to * to }

    /// Packs op(B)[row0 ..< row0+rows, col0 ..< col0+cols] into slivers of `nr` columns:
    /// sliver s holds, for each k, the `nr` values op(B)[k, col0 + s*nr ..< +nr] (zero-padded).
    static func packB(b: UnsafePointer<Float>, ldb: Int, trans: Bool, row0: Int, col0: Int,
                      rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        var dst = out
        var j = 0
        while j < cols {
            let w = min(nr, cols - j)
            if !trans {
                // op(B)[kk, col] = b[(row0+kk)*ldb + col]: contiguous runs of w floats.
                for kk in 0..<rows {
                    let src = b + (row0 + kk) * ldb + col0 + j
                    if w == nr {
                        (dst + kk * nr).update(from: src, count: nr)
                    } else {
                        (dst + kk * nr).update(from: src, count: w)
                        (dst + kk * nr + w).update(repeating: 0, count: nr - w)
                    }
                }
            } else {
                // op(B)[kk, col] = b[col*ldb + row0+kk]: read each column's run of k values.
                // Blocks of 8 k-values keep the 32 destination rows in L1 while each column is
                // read one cache line at a time.
                if w < nr { dst.update(repeating: 0, count: rows * nr) }
                var k0 = 0
                if avx2Kernel {
                    // Whole 8 x 8 blocks transposed in registers; the rest below, as before.
                    while k0 + 8 <= rows {
                        var jj = 0
                        while jj + 8 <= w {
                            hffsim_transpose8x8_avx2(b + (col0 + j + jj) * ldb + row0 + k0, ldb, dst + k0 * nr + jj, nr)
                            jj += 8
                        }
                        for c in jj..<w {
                            let src = b + (col0 + j + c) * ldb + row0 + k0
                            for kk in 0..<8 { dst[(k0 + kk) * nr + c] = src[kk] }
                        }
                        k0 += 8
                    }
                }
                while k0 < rows {
                    let kn = min(8, rows - k0)
                    for jj in 0..<w {
                        let src = b + (col0 + j + jj) * ldb + row0 + k0
                        let d = dst + k0 * nr + jj
                        for kk in 0..<kn { d[kk * nr] = src[kk] }
                    }
                    k0 += 8
                }
            }
            dst += rows * nr
            j += nr
        }
    }

    /// Packs op(A)[row0 ..< row0+rows, col0 ..< col0+cols] into slivers of `mr` rows:
    /// sliver s holds, for each k, the `mr` values op(A)[row0 + s*mr ..< +mr, k] (zero-padded).
    static func packA(a: UnsafePointer<Float>, lda: Int, trans: Bool, row0: Int, col0: Int,
                      rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        var dst = out
        var i = 0
        while i < rows {
            let h = min(mr, rows - i)
            if trans {
                // op(A)[row, kk] = a[(col0+kk)*lda + row]: one 8-float run per k.
                if h == mr {
                    for kk in 0..<cols {
                        let v = UnsafeRawPointer(a + (col0 + kk) * lda + row0 + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(dst + kk * mr).storeBytes(of: v, as: SIMD8<Float>.self)
                    }
                } else {
                    for kk in 0..<cols {
                        let src = a + (col0 + kk) * lda + row0 + i
                        for ii in 0..<h { dst[kk * mr + ii] = src[ii] }
                        for ii in h..<mr { dst[kk * mr + ii] = 0 }
                    }
                }
            } else if h == mr {
                // Eight row streams read in step, one 8-float column written per k (eight k at a
                // time transposed in registers with AVX2).
                let r0 = a + (row0 + i) * lda + col0
                var first = 0
                if avx2Kernel {
                    while first + 8 <= cols {
                        hffsim_transpose8x8_avx2(r0 + first, lda, dst + first * mr, mr)
                        first += 8
                    }
                }
                for kk in first..<cols {
                    let v = SIMD8<Float>(r0[kk], r0[lda + kk], r0[2 * lda + kk], r0[3 * lda + kk],
                                         r0[4 * lda + kk], r0[5 * lda + kk], r0[6 * lda + kk], r0[7 * lda + kk])
                    UnsafeMutableRawPointer(dst + kk * mr).storeBytes(of: v, as: SIMD8<Float>.self)
                }
            } else {
                dst.update(repeating: 0, count: cols * mr)
                for ii in 0..<h {
                    let src = a + (row0 + i + ii) * lda + col0
                    for kk in 0..<cols { dst[kk * mr + ii] = src[kk] }
                }
            }
            dst += cols * mr
            i += mr
        }
    }

    static func macroKernel(mb: Int, nb: Int, kb: Int, alpha: Float, beta: Float,
                            packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        var edge = [Float](repeating: 0, count: mr * nr)
        var j = 0
        while j < nb {
            let w = min(nr, nb - j)
            let bs = packedB + (j / nr) * kb * nr
            var i = 0
            while i < mb {
                let h = min(mr, mb - i)
                let asl = packedA + (i / mr) * kb * mr
                let cb = c + i * ldc + j
                if h == mr && w == nr {
                    microKernel(kb: kb, a: asl, b: bs, c: cb, ldc: ldc, alpha: alpha, beta: beta)
                } else {
                    edge.withUnsafeMutableBufferPointer { e in
                        let ep = e.baseAddress!
                        microKernel(kb: kb, a: asl, b: bs, c: ep, ldc: nr, alpha: alpha, beta: 0)
                        for ii in 0..<h {
                            let crow = cb + ii * ldc
                            for jj in 0..<w {
                                crow[jj] = beta == 0 ? ep[ii * nr + jj] : beta * crow[jj] + ep[ii * nr + jj]
                            }
                        }
                    }
                }
                i += mr
            }
            j += nr
        }
    }

    /// Whether this CPU runs the micro-kernel in C (AVX2 without AVX-512: `hffsim_sgemm_8x32_avx2`,
    /// the same bits with 8 live accumulators instead of 16 that spill).
    static let avx2Kernel = hffsim_sgemm_avx2_preferred() != 0

    /// The 8 x 32 register block: C[0..<8, 0..<32] = alpha * A_sliver B_sliver + beta * C.
    @inline(__always)
    static func microKernel(kb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                            c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
        if avx2Kernel {
            hffsim_sgemm_8x32_avx2(Int32(kb), a, b, c, ldc, alpha, beta)
            return
        }
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        let rb = UnsafeRawPointer(b)
        var pa = a
        var off = 0
        for _ in 0..<kb {
            let b0 = rb.loadUnaligned(fromByteOffset: off, as: V.self)
            let b1 = rb.loadUnaligned(fromByteOffset: off + 64, as: V.self)
            var av = V(repeating: pa[0]); c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = V(repeating: pa[1]); c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = V(repeating: pa[2]); c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = V(repeating: pa[3]); c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = V(repeating: pa[4]); c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = V(repeating: pa[5]); c50.addProduct(av, b0); c51.addProduct(av, b1)
            av = V(repeating: pa[6]); c60.addProduct(av, b0); c61.addProduct(av, b1)
            av = V(repeating: pa[7]); c70.addProduct(av, b0); c71.addProduct(av, b1)
            pa += 8
            off += 128
        }
        store(c, 0, ldc, c00, c01, alpha, beta)
        store(c, 1, ldc, c10, c11, alpha, beta)
        store(c, 2, ldc, c20, c21, alpha, beta)
        store(c, 3, ldc, c30, c31, alpha, beta)
        store(c, 4, ldc, c40, c41, alpha, beta)
        store(c, 5, ldc, c50, c51, alpha, beta)
        store(c, 6, ldc, c60, c61, alpha, beta)
        store(c, 7, ldc, c70, c71, alpha, beta)
    }

    @inline(__always)
    static func store(_ c: UnsafeMutablePointer<Float>, _ row: Int, _ ldc: Int,
                      _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ alpha: Float, _ beta: Float) {
        let p = UnsafeMutableRawPointer(c + row * ldc)
        var r0 = v0, r1 = v1
        if alpha != 1 { r0 *= alpha; r1 *= alpha }
        if beta != 0 {
            r0.addProduct(SIMD16(repeating: beta), p.loadUnaligned(as: SIMD16<Float>.self))
            r1.addProduct(SIMD16(repeating: beta), p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        p.storeBytes(of: r0, as: SIMD16<Float>.self)
        p.storeBytes(of: r1, toByteOffset: 64, as: SIMD16<Float>.self)
    }
}
