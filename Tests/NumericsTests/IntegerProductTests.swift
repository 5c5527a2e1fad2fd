import Foundation
import XCTest
import Numerics

final class IntegerProductTests: XCTestCase {
    func random(_ r: Int, _ c: Int, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.gaussian() })
    }

    /// Odd shapes: rows not a multiple of 4, columns not a multiple of 16, samples not a
    /// multiple of the kernel's 12 rows.
    let shapes = [(m: 1, k: 1, n: 1), (m: 13, k: 7, n: 17), (m: 37, k: 130, n: 33), (m: 256, k: 512, n: 100)]

    func bytes(_ m: Int, _ stride: Int, _ k: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        var a = [UInt8](repeating: 0, count: m * stride)
        for i in 0..<m { for j in 0..<k { a[i * stride + j] = UInt8(rng.below(256)) } }
        return a
    }

    func testRepresentationErrorIsWithinHalfAStep() {
        for (_, k, n) in shapes {
            let w = random(k, n, seed: UInt64(k * n))
            let packed = PackedInt8Matrix(w)
            let r = packed.represented
            for j in 0..<n {
                let columnMax = (0..<k).map { abs(w[$0, j]) }.max()!
                for i in 0..<k {
                    // Half a code step, plus float rounding of w / s and of q s.
                    XCTAssertLessThanOrEqual(abs(r[i, j] - w[i, j]), columnMax / 65024 + columnMax * 0x1p-22, "(\(i), \(j))")
                }
            }
        }
        // A zero column stays zero.
        XCTAssertEqual(PackedInt8Matrix(Matrix(rows: 5, cols: 3)).represented, Matrix(rows: 5, cols: 3))
    }

    func testProductIsTheExactProductOfTheRepresentedMatrix() {
        for (m, k, n) in shapes {
            let packed = PackedInt8Matrix(random(k, n, seed: UInt64(k + n)))
            let a = bytes(m, packed.inputStride, k, seed: UInt64(m))
            var fast = [Float](repeating: .nan, count: m * n), slow = fast
            a.withUnsafeBufferPointer { ap in
                fast.withUnsafeMutableBufferPointer { packed.product(ap.baseAddress!, m: m, factor: 0.5, into: $0.baseAddress!, ldo: n) }
                slow.withUnsafeMutableBufferPointer {
                    packed.product(ap.baseAddress!, m: m, factor: 0.5, into: $0.baseAddress!, ldo: n, reference: true)
                }
            }
            // The vector kernel and the portable loops form the same exact integer sums.
            XCTAssertEqual(fast, slow, "m \(m) k \(k) n \(n)")
            // And those are the product of the represented matrix (in double, to float rounding).
            let r = packed.represented
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.0, magnitude = 0.0
                    for t in 0..<k {
                        exact += Double(a[i * packed.inputStride + t]) * Double(r[t, j])
                        magnitude += Double(a[i * packed.inputStride + t]) * Double(abs(r[t, j]))
                    }
                    XCTAssertEqual(Double(fast[i * n + j]), 0.5 * exact, accuracy: 1e-6 * magnitude + 1e-30, "(\(i), \(j))")
                }
            }
        }
    }

    func testOutputsPastTheColumnsAreLeftAlone() {
        let packed = PackedInt8Matrix(random(9, 5, seed: 4))
        let a = bytes(3, packed.inputStride, 9, seed: 5)
        var out = [Float](repeating: -7, count: 3 * 8)  // row stride 8, 5 columns written
        a.withUnsafeBufferPointer { ap in
            out.withUnsafeMutableBufferPointer { packed.product(ap.baseAddress!, m: 3, factor: 1, into: $0.baseAddress!, ldo: 8) }
        }
        for i in 0..<3 { for j in 5..<8 { XCTAssertEqual(out[i * 8 + j], -7) } }
    }
}

final class SHA256Tests: XCTestCase {
    func testKnownDigests() {
        // FIPS 180-4 examples, and a message that spans two blocks of padding.
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
