/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018), with its
/// state expanded from a 64-bit seed by SplitMix64.
///
/// Every random draw in hffsim comes from one of these, so the same seed gives the same numbers on
/// every machine. `split(_:)` derives an independent child stream from the parent's seed and a key
/// (for example a thread's chunk index or a layer number) without advancing the parent, so results
/// do not depend on how work is divided among threads.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        s0 = SeededRandom.splitMix(&sm); s1 = SeededRandom.splitMix(&sm)
        s2 = SeededRandom.splitMix(&sm); s3 = SeededRandom.splitMix(&sm)
    }

    @inlinable static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent stream keyed by `key`; the same (seed, key) always gives the same stream.
    public func split(_ key: UInt64) -> SeededRandom {
        var h = seed ^ (key &* 0xD6E8_FEB8_6659_FD93)
        return SeededRandom(seed: SeededRandom.splitMix(&h) ^ key)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1), 24 bits of resolution.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Standard normal N(0, 1) by the Box-Muller transform (double precision inside).
    public mutating func gaussian() -> Float {
        let u1 = (Double(next() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)  // (0, 1)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// Fills `buffer` with standard normal draws: Box-Muller in Float, both values of each pair
    /// used (about twice as fast per draw as `gaussian()`, a different sequence).
    public mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var i = 0
        let n = buffer.count
        while i < n {
            let u1 = (Float(next() >> 40) + 0.5) * (1.0 / 16_777_216.0)  // (0, 1)
            let u2 = Float(next() >> 40) * (1.0 / 16_777_216.0)
            let r = (-2 * _logf32(u1)).squareRoot()
            let a = 2 * Float.pi * u2
            buffer[i] = r * _cosf32(a)
            if i + 1 < n { buffer[i + 1] = r * _sinf32(a) }
            i += 2
        }
    }

    /// Uniform integer in 0..<bound (bound > 0), unbiased.
    public mutating func below(_ bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }

    /// A seeded Fisher-Yates permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                p.swapAt(i, below(i + 1))
            }
        }
        return p
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@usableFromInline func _logf32(_ x: Float) -> Float { Glibc.logf(x) }
@usableFromInline func _cosf32(_ x: Float) -> Float { Glibc.cosf(x) }
@usableFromInline func _sinf32(_ x: Float) -> Float { Glibc.sinf(x) }
#elseif canImport(Darwin)
import Darwin
@usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@usableFromInline func _logf32(_ x: Float) -> Float { Darwin.logf(x) }
@usableFromInline func _cosf32(_ x: Float) -> Float { Darwin.cosf(x) }
@usableFromInline func _sinf32(_ x: Float) -> Float { Darwin.sinf(x) }
#endif
