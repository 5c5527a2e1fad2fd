/// Polynomial elementary functions on 16 floats at once, for random number transforms where a
/// library call per lane would dominate. Accuracy: relative error about 1e-7 (a few ulp).
public enum SIMDMath {
    /// Natural logarithm of positive, finite, normal x (Cephes `logf`: x = m 2^e with m in
    /// [sqrt(1/2), sqrt(2)), ln x = e ln 2 + ln m, ln(1 + f) by a degree-9 polynomial).
    @inlinable
    public static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // Branch-free (SIMD masks compile to per-lane loops): small = 1 where m < sqrt(1/2).
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let mBits = (bits & 0x807F_FFFF) | 0x3F00_0000
        let m = unsafeBitCast(mBits, to: SIMD16<Float>.self)  // [0.5, 1)
        let small = SIMD16<Float>((mBits &- 0x3F35_04F3) &>> 31)
        let e = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (bits &>> 23) & 0xFF) &- 126) - small
        let f = m * (1 + small) - 1
        let z = f * f
        var y: SIMD16<Float> = SIMD16(repeating: 7.0376836292e-2)
        y = SIMD16<Float>(repeating: -1.1514610310e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: 1.1676998740e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: -1.2420140846e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: 1.4249322787e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: -1.6668057665e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: 2.0000714765e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: -2.4999993993e-1).addingProduct(y, f)
        y = SIMD16<Float>(repeating: 3.3333331174e-1).addingProduct(y, f)
        y = y * f * z
        y += -2.12194440e-4 * e
        y += -0.5 * z
        return f + y + 0.693359375 * e
    }

    /// (cos, sin) of 2 pi t for t = k / 2^24, k in 0..<2^24 (a 24-bit turn fraction). The quadrant
    /// comes from the top two bits; within it the angle a in [0, pi/2) goes through Taylor
    /// polynomials to a^12 (cos) and a^11 (sin), truncation error below 6e-8.
    @inlinable
    public static func cosSinTurn(_ k: SIMD16<UInt32>) -> (SIMD16<Float>, SIMD16<Float>) {
        let quadrant = k &>> 22
        let a = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: k & 0x3F_FFFF)) * (Float.pi / 2 / 4_194_304)
        let a2 = a * a
        var c: SIMD16<Float> = SIMD16(repeating: 1.0 / 479_001_600)  // 1/12!
        c = SIMD16<Float>(repeating: -1.0 / 3_628_800).addingProduct(c, a2)
        c = SIMD16<Float>(repeating: 1.0 / 40_320).addingProduct(c, a2)
        c = SIMD16<Float>(repeating: -1.0 / 720).addingProduct(c, a2)
        c = SIMD16<Float>(repeating: 1.0 / 24).addingProduct(c, a2)
        c = SIMD16<Float>(repeating: -0.5).addingProduct(c, a2)
        c = SIMD16<Float>(repeating: 1).addingProduct(c, a2)
        var s: SIMD16<Float> = SIMD16(repeating: -1.0 / 39_916_800)  // -1/11!
        s = SIMD16<Float>(repeating: 1.0 / 362_880).addingProduct(s, a2)
        s = SIMD16<Float>(repeating: -1.0 / 5_040).addingProduct(s, a2)
        s = SIMD16<Float>(repeating: 1.0 / 120).addingProduct(s, a2)
        s = SIMD16<Float>(repeating: -1.0 / 6).addingProduct(s, a2)
        s = (s * a2 + 1) * a
        // Rotate by the quadrant: q = 1: (-s, c); q = 2: (-c, -s); q = 3: (s, -c). Bitwise, without
        // masks: swap where q is odd, negate cos where q is 1 or 2, sin where q is 2 or 3.
        let cBits = unsafeBitCast(c, to: SIMD16<UInt32>.self), sBits = unsafeBitCast(s, to: SIMD16<UInt32>.self)
        let swap = 0 &- (quadrant & 1)
        let cosSign = ((quadrant ^ (quadrant &>> 1)) & 1) &<< 31
        let sinSign = (quadrant &>> 1) &<< 31
        let cosOut = unsafeBitCast(((cBits & ~swap) | (sBits & swap)) ^ cosSign, to: SIMD16<Float>.self)
        let sinOut = unsafeBitCast(((sBits & ~swap) | (cBits & swap)) ^ sinSign, to: SIMD16<Float>.self)
        return (cosOut, sinOut)
    }
}
