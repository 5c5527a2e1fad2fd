/// A dense row-major matrix of `Float`.
///
/// Element (i, j) lives at `storage[i * cols + j]`. The storage is a plain array so that value
/// semantics (copy on write) hold; hot loops borrow it through `withUnsafe(Mutable)BufferPointer`.
public struct Matrix: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    public var storage: [Float]

    /// A `rows` x `cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    /// A matrix over existing row-major storage; `storage.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "storage holds \(storage.count) values, not \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix whose elements are left uninitialised, for outputs that are overwritten in full
    /// before they are read (a GEMM with beta = 0). Saves the zero-fill of large gradients.
    public static func uninitialized(rows: Int, cols: Int) -> Matrix {
        let n = rows * cols
        return Matrix(rows: rows, cols: cols, storage: [Float](unsafeUninitializedCapacity: n) { _, count in count = n })
    }

    public var count: Int { rows * cols }

    @inlinable public subscript(row: Int, col: Int) -> Float {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    /// The rows `range` as a new matrix (a copy).
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The rows at `indices`, in that order, as a new matrix.
    public func gatherRows(_ indices: some Collection<Int>) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        let c = cols
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    for j in 0..<c { dst[r * c + j] = src[i * c + j] }
                }
            }
        }
        return out
    }

    /// The transpose as a new matrix. Kernels never need this (GEMM reads transposed operands in
    /// place); it exists for tests and small set-up work.
    public func transposed() -> Matrix {
        var out = Matrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { out.storage[j * rows + i] = storage[i * cols + j] } }
        return out
    }

    /// True when every element is finite (no NaN, no infinity).
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }
}
