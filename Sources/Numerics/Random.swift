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

    /// Fills `buffer` with standard normal draws by the Box-Muller transform in Float, 16 pairs at a
    /// time. 16 xoshiro256** lanes, seeded by 64 draws from this generator, run side by side; each
    /// 64-bit lane output gives u1 = (top 24 bits + 1/2) / 2^24 in (0, 1) and u2 = (low 24 bits) /
    /// 2^24 in [0, 1); r = sqrt(-2 ln u1), and the pair is r (cos 2 pi u2, sin 2 pi u2). ln, sin
    /// and cos are polynomials (`SIMDMath`) with errors near 1e-7, so the draws are standard normal
    /// to float precision. A different sequence from `gaussian()`.
    public mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let n = buffer.count
        guard n > 0 else { return }
        var v0 = SIMD16<UInt64>(), v1 = SIMD16<UInt64>(), v2 = SIMD16<UInt64>(), v3 = SIMD16<UInt64>()
        for l in 0..<16 { v0[l] = next(); v1[l] = next(); v2[l] = next(); v3[l] = next() }
        var i = 0
        while i < n {
            let x = ((v1 &* 5) &<< 7 | (v1 &* 5) &>> 57) &* 9
            let t = v1 &<< 17
            v2 ^= v0; v3 ^= v1; v1 ^= v2; v0 ^= v3
            v2 ^= t
            v3 = (v3 &<< 45) | (v3 &>> 19)
            let hi = SIMD16<UInt32>(truncatingIfNeeded: x &>> 40)
            let lo = SIMD16<UInt32>(truncatingIfNeeded: x) & 0xFF_FFFF
            let u1 = (SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: hi)) + 0.5) * (1.0 / 16_777_216.0)
            let r = (-2 * SIMDMath.log(u1)).squareRoot()
            let (c, s) = SIMDMath.cosSinTurn(lo)
            let z0 = r * c, z1 = r * s
            if i + 32 <= n {
                UnsafeMutableRawPointer(buffer.baseAddress! + i).storeBytes(of: z0, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(buffer.baseAddress! + i + 16).storeBytes(of: z1, as: SIMD16<Float>.self)
            } else {
                for l in 0..<16 where i + l < n { buffer[i + l] = z0[l] }
                for l in 0..<16 where i + 16 + l < n { buffer[i + 16 + l] = z1[l] }
            }
            i += 32
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
