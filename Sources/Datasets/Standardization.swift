import Numerics

/// Feature standardisation x' = (x - mean) / std, fitted on the training split and applied
/// unchanged to every other split (and stored in model files, hence `Codable`).
///
/// Two modes, told apart by the array lengths (`mean.count == std.count` always):
/// - global (length 1, the default): one mean and one std over every value of the training
///   matrix. For images this keeps the relative contrast between pixels.
/// - per feature (length `featureCount`): each column standardised on its own.
///
/// Statistics are accumulated in Double (two passes: mean, then squared deviations) and std is the
/// population standard deviation. Floors keep the division safe:
/// - every std is at least `minimumStd` (1e-6), so a constant input gives zeros, not NaN;
/// - per feature, every std is also at least 1e-2 of the global std. Columns that are (almost)
///   constant in the training data, such as the always-black border pixels of MNIST-style
///   images, would otherwise get a tiny std and turn the small deviations of unseen samples into
///   huge inputs; the relative floor caps that amplification at 100x the global scale.
public struct Standardization: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    /// The absolute floor on every std.
    public static let minimumStd: Double = 1e-6
    /// Per-feature mode: the floor on each std as a fraction of the global std.
    public static let relativeFloor: Double = 1e-2

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty, "mean and std must have the same, non-zero length")
        self.mean = mean
        self.std = std
    }

    /// The identity transform (mean 0, std 1).
    public static let identity = Standardization(mean: [0], std: [1])

    /// True for one global mean and std.
    public var isGlobal: Bool { mean.count == 1 }

    /// True when this transform can be applied to rows of `featureCount` values.
    public func isCompatible(featureCount: Int) -> Bool { isGlobal || mean.count == featureCount }

    /// Fits on `features` (n x d). An empty matrix gives the identity (mean 0, std 1) in global
    /// mode and d identities per feature.
    public static func fit(_ features: Matrix, perFeature: Bool = false) -> Standardization {
        let n = features.rows, d = features.cols
        let (globalMean, globalStd) = features.storage.withUnsafeBufferPointer { globalMoments($0) }
        let gStd = max(globalStd, minimumStd)
        if !perFeature {
            return Standardization(mean: [Float(globalMean)], std: [Float(gStd)])
        }
        if d == 0 { return .identity }
        if n == 0 { return Standardization(mean: [Float](repeating: 0, count: d), std: [Float](repeating: 1, count: d)) }
        var mean = [Double](repeating: 0, count: d)
        var ss = [Double](repeating: 0, count: d)
        features.storage.withUnsafeBufferPointer { p in
            mean.withUnsafeMutableBufferPointer { m in
                ss.withUnsafeMutableBufferPointer { s in
                    columnMoments(p, rows: n, cols: d, mean: m, squares: s)
                }
            }
        }
        let floor = max(minimumStd, relativeFloor * gStd)
        return Standardization(mean: mean.map { Float($0) },
                               std: ss.map { Float(max(($0 / Double(n)).squareRoot(), floor)) })
    }

    /// Standardises `m` in place. Precondition: `isCompatible(featureCount: m.cols)`.
    public func apply(to m: inout Matrix) {
        precondition(isCompatible(featureCount: m.cols),
                     "standardisation fitted on \(mean.count) features applied to \(m.cols)")
        let d = m.cols
        if d == 0 { return }
        let inv = std.map { Float(1 / Double($0)) }
        m.storage.withUnsafeMutableBufferPointer { p in
            if isGlobal {
                Standardization.shiftScale(p, mean: mean[0], invStd: inv[0])
            } else {
                mean.withUnsafeBufferPointer { mu in
                    inv.withUnsafeBufferPointer { iv in Standardization.shiftScaleColumns(p, cols: d, mean: mu, invStd: iv) }
                }
            }
        }
    }

    /// A standardised copy of `m`.
    public func applied(to m: Matrix) -> Matrix {
        var out = m
        apply(to: &out)
        return out
    }

    // MARK: - Kernels

    /// Mean and population std of all values, in Double.
    static func globalMoments(_ x: UnsafeBufferPointer<Float>) -> (Double, Double) {
        if x.isEmpty { return (0, 1) }
        var sum = 0.0
        for v in x { sum += Double(v) }
        let mean = sum / Double(x.count)
        var ss = 0.0
        for v in x { let t = Double(v) - mean; ss += t * t }
        return (mean, (ss / Double(x.count)).squareRoot())
    }

    /// Column means into `mean` and column sums of squared deviations into `squares`.
    static func columnMoments(_ x: UnsafeBufferPointer<Float>, rows: Int, cols: Int,
                              mean: UnsafeMutableBufferPointer<Double>, squares: UnsafeMutableBufferPointer<Double>) {
        let base = x.baseAddress!
        for i in 0..<rows {
            let row = base + i * cols
            for j in 0..<cols { mean[j] += Double(row[j]) }
        }
        for j in 0..<cols { mean[j] /= Double(rows) }
        for i in 0..<rows {
            let row = base + i * cols
            for j in 0..<cols { let t = Double(row[j]) - mean[j]; squares[j] += t * t }
        }
    }

    static func shiftScale(_ x: UnsafeMutableBufferPointer<Float>, mean: Float, invStd: Float) {
        for i in 0..<x.count { x[i] = (x[i] - mean) * invStd }
    }

    static func shiftScaleColumns(_ x: UnsafeMutableBufferPointer<Float>, cols: Int,
                                  mean: UnsafeBufferPointer<Float>, invStd: UnsafeBufferPointer<Float>) {
        let base = x.baseAddress!
        for i in 0..<(x.count / cols) {
            let row = base + i * cols
            for j in 0..<cols { row[j] = (row[j] - mean[j]) * invStd[j] }
        }
    }
}
