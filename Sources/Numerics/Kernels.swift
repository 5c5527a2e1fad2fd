import Dispatch
/// Element-wise and row-wise kernels on row-major matrices, written as single passes over
/// contiguous memory so that the compiler vectorises them.
public enum Kernels {
    /// Runs `body` over 0..<count split into contiguous ranges, one per thread, on up to
    /// `GEMM.defaultThreads` threads (1 inside the training wavefront), each range at least
    /// `minimum` long. The body must write disjoint outputs and nothing shared: results are then
    /// the same for any thread count.
    public static func parallelRanges(_ count: Int, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(GEMM.defaultThreads, count / max(1, minimum)))
        if parts <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: parts) { part in body((count * part / parts)..<(count * (part + 1) / parts)) }
    }

    /// m[i, j] += v[j].
    public static func addRowVector(_ m: inout Matrix, _ v: [Float]) {
        precondition(v.count == m.cols)
        let c = m.cols
        m.storage.withUnsafeMutableBufferPointer { p in
            v.withUnsafeBufferPointer { q in
                for i in 0..<(p.count / max(c, 1)) {
                    let row = p.baseAddress! + i * c
                    for j in 0..<c { row[j] += q[j] }
                }
            }
        }
    }

    /// a += b, element-wise.
    public static func add(_ a: inout Matrix, _ b: Matrix) {
        precondition(a.rows == b.rows && a.cols == b.cols)
        a.storage.withUnsafeMutableBufferPointer { p in
            b.storage.withUnsafeBufferPointer { q in
                for i in 0..<p.count { p[i] += q[i] }
            }
        }
    }

    /// m = max(m, 0).
    public static func relu(_ m: inout Matrix) {
        m.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = max(p[i], 0) }
        }
    }

    /// Column sums: out[j] = sum_i m[i, j] (accumulated in Float, row by row).
    public static func columnSums(_ m: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: m.cols)
        let c = m.cols
        m.storage.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<m.rows {
                    let row = p.baseAddress! + i * c
                    for j in 0..<c { o[j] += row[j] }
                }
            }
        }
        return out
    }

    /// Row sums: out[i] = sum_j m[i, j], accumulated in Float in order of j (the same sums, in
    /// the same order, as `columnSums` of the transpose).
    public static func rowSums(_ m: Matrix) -> [Float] {
        let c = m.cols
        return m.storage.withUnsafeBufferPointer { p in
            (0..<m.rows).map { i in
                let row = p.baseAddress! + i * c
                var s: Float = 0
                for j in 0..<c { s += row[j] }
                return s
            }
        }
    }

    /// Euclidean norm of each row.
    public static func rowNorms(_ m: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: m.rows)
        let c = m.cols
        m.storage.withUnsafeBufferPointer { p in
            for i in 0..<m.rows {
                let row = p.baseAddress! + i * c
                var s: Float = 0
                for j in 0..<c { s += row[j] * row[j] }
                out[i] = s.squareRoot()
            }
        }
        return out
    }

    /// Divides each row by max(norm, eps) and returns the norms used (before the floor).
    @discardableResult
    public static func normalizeRows(_ m: inout Matrix, epsilon: Float) -> [Float] {
        let norms = rowNorms(m)
        let c = m.cols
        m.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<norms.count {
                let inv = 1 / max(norms[i], epsilon)
                let row = p.baseAddress! + i * c
                for j in 0..<c { row[j] *= inv }
            }
        }
        return norms
    }

    /// The forward of an HFF layer's non-linearity, fused into two passes per row:
    /// m <- normalise(ReLU(m + bias)), normalise(a) = a / max(||a||, eps). Returns the norms
    /// ||ReLU(m + bias)|| before the floor. The ReLU mask stays recoverable from the result
    /// (an output is positive exactly where the ReLU passed).
    @discardableResult
    public static func biasReluNormalizeRows(_ m: inout Matrix, bias: [Float], epsilon: Float) -> [Float] {
        precondition(bias.count == m.cols)
        let c = m.cols
        var norms = [Float](repeating: 0, count: m.rows)
        m.storage.withUnsafeMutableBufferPointer { p in
            bias.withUnsafeBufferPointer { bp in
                for i in 0..<norms.count {
                    let row = p.baseAddress! + i * c
                    var s: Float = 0
                    for j in 0..<c {
                        let v = max(row[j] + bp[j], 0)
                        row[j] = v
                        s += v * v
                    }
                    let norm = s.squareRoot()
                    norms[i] = norm
                    let inv = 1 / max(norm, epsilon)
                    for j in 0..<c { row[j] *= inv }
                }
            }
        }
        return norms
    }

    /// The backward of `biasReluNormalizeRows`, fused: for each row,
    /// g <- [z > 0] (g - z (z . g)) / max(norm, eps) (the projection onto the sphere's tangent
    /// plane, then the ReLU mask; below the floor the map is linear and the projection is skipped).
    /// Returns the column sums of the result (the bias gradient).
    public static func reluNormalizeBackward(_ g: inout Matrix, z: Matrix, norms: [Float], epsilon: Float) -> [Float] {
        let c = g.cols
        var sums = [Float](repeating: 0, count: c)
        g.storage.withUnsafeMutableBufferPointer { gp in
            z.storage.withUnsafeBufferPointer { zp in
                sums.withUnsafeMutableBufferPointer { sp in
                    for i in 0..<norms.count {
                        let gr = gp.baseAddress! + i * c
                        let zr = zp.baseAddress! + i * c
                        var dot: Float = 0
                        if norms[i] >= epsilon { for j in 0..<c { dot += zr[j] * gr[j] } }
                        let inv = 1 / max(norms[i], epsilon)
                        for j in 0..<c {
                            let v = zr[j] > 0 ? (gr[j] - zr[j] * dot) * inv : 0
                            gr[j] = v
                            sp[j] += v
                        }
                    }
                }
            }
        }
        return sums
    }

    /// Replaces each row by its log-softmax, computed stably (max subtracted first).
    public static func logSoftmaxRows(_ m: inout Matrix) {
        let c = m.cols
        m.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<(c == 0 ? 0 : p.count / c) {
                let row = p.baseAddress! + i * c
                var mx = -Float.infinity
                for j in 0..<c { mx = max(mx, row[j]) }
                var s: Float = 0
                for j in 0..<c { s += _exp(row[j] - mx) }
                // (x - max) - log(sum) keeps full precision when |x| is large; x - (max + log(sum)) would not.
                let logSum = _logf(s)
                for j in 0..<c { row[j] = (row[j] - mx) - logSum }
            }
        }
    }

    /// Replaces each row by its softmax.
    public static func softmaxRows(_ m: inout Matrix) {
        let c = m.cols
        m.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<(c == 0 ? 0 : p.count / c) {
                let row = p.baseAddress! + i * c
                var mx = -Float.infinity
                for j in 0..<c { mx = max(mx, row[j]) }
                var s: Float = 0
                for j in 0..<c { let e = _exp(row[j] - mx); row[j] = e; s += e }
                let inv = 1 / s
                for j in 0..<c { row[j] *= inv }
            }
        }
    }

    /// Index of the largest value of each row (the first one on ties).
    public static func argmaxRows(_ m: Matrix) -> [Int] {
        (0..<m.rows).map { i in
            var best = 0
            var bv = -Float.infinity
            for j in 0..<m.cols where m[i, j] > bv { bv = m[i, j]; best = j }
            return best
        }
    }

    /// Fraction of positions where `predicted` equals `labels`.
    public static func accuracy(_ predicted: [Int], _ labels: [Int]) -> Double {
        precondition(predicted.count == labels.count)
        if labels.isEmpty { return 0 }
        var hits = 0
        for i in 0..<labels.count where predicted[i] == labels[i] { hits += 1 }
        return Double(hits) / Double(labels.count)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) @usableFromInline func _exp(_ x: Float) -> Float { expf(x) }
@inline(__always) @usableFromInline func _logf(_ x: Float) -> Float { logf(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) @usableFromInline func _exp(_ x: Float) -> Float { expf(x) }
@inline(__always) @usableFromInline func _logf(_ x: Float) -> Float { logf(x) }
#endif

public extension Kernels {
    /// exp for Float (the platform's expf).
    @inline(__always) static func exp(_ x: Float) -> Float { _exp(x) }
    /// Natural logarithm for Float (the platform's logf).
    @inline(__always) static func log(_ x: Float) -> Float { _logf(x) }
}
