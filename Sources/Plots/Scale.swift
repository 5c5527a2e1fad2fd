import Foundation

/// A map from data values to a pixel interval: linear or base-10 logarithmic, over a domain
/// widened to round tick values ("nice" numbers: 1, 2 or 5 times a power of ten).
///
/// Linear: `pixel(v) = a + (v - lo) / (hi - lo) * (b - a)`. Logarithmic: the same in log10(v).
public struct Scale: Sendable, Equatable {
    public var lo: Double
    public var hi: Double
    public var logarithmic: Bool
    /// The tick values, from `lo` to `hi`.
    public var ticks: [Double]

    /// A scale covering `values` (empty or non-finite ones left out) with about `count` ticks.
    /// A log scale needs positive values; it falls back to linear when one is not.
    public init(covering values: [Double], logarithmic wanted: Bool = false, count: Int = 5, includeZero: Bool = false) {
        var v = values.filter(\.isFinite)
        let log = wanted && !v.isEmpty && v.allSatisfy { $0 > 0 }
        logarithmic = log
        if includeZero && !log { v.append(0) }
        guard var low = v.min(), var high = v.max() else {
            lo = 0; hi = 1; ticks = [0, 0.5, 1]
            return
        }
        if log {
            let a = floor(log10(low)), b = ceil(log10(high))
            lo = pow(10, a); hi = pow(10, max(b, a + 1))
            let decades = Int(log10(hi / lo).rounded())
            // Every power of ten; with few decades, 2 and 5 times them too.
            let steps: [Double] = decades <= 2 ? [1, 2, 5] : [1]
            var t = [Double]()
            for d in 0...decades { for s in steps { let x = s * pow(10, a + Double(d)); if x <= hi * 1.000001 { t.append(x) } } }
            ticks = t
            return
        }
        if low == high { low -= abs(low) > 0 ? abs(low) * 0.1 : 1; high += abs(high) > 0 ? abs(high) * 0.1 : 1 }
        let step = Scale.niceStep((high - low) / Double(max(1, count)))
        let a = floor(low / step) * step, b = ceil(high / step) * step
        lo = a
        hi = b
        ticks = (0...Int(((b - a) / step).rounded())).map { a + Double($0) * step }
    }

    /// 1, 2 or 5 times a power of ten, the nearest at or above `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, floor(log10(raw)))
        let f = raw / p
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p
    }

    /// Where `v` falls between pixel `a` (at lo) and pixel `b` (at hi).
    public func pixel(_ v: Double, _ a: Double, _ b: Double) -> Double {
        let t = logarithmic ? (log10(max(v, lo)) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo)
        return a + t * (b - a)
    }

    /// A tick's label: few significant digits, no trailing zeros, powers of ten as 1e6.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let m = abs(v)
        if m >= 1e5 || m < 1e-3 { return String(format: "%.0e", v).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
