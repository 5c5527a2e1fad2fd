import Foundation
import XCTest
import Numerics
import Datasets

/// Issue 13: what a file claims is checked before it is inflated or allocated. The oracles are
/// hand-made files whose headers claim sizes they do not hold, and the bytes a limit allows.
final class BudgetTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir.remove() }

    func testAnIDXHeaderClaimingAHugeImageIsRefusedBeforeInflating() throws {
        // A gzipped header claiming one 46341 x 46341 image, followed by 1 MB of zeros: the claim
        // alone is refused (2^24 pixels per image at most), whatever the stream holds.
        let header = idxBytes(dims: [1, 46341, 46341], payload: [])
        let path = try dir.write("bomb.gz", Gzip.compress(header + Data(count: 1 << 20)))
        XCTAssertThrowsError(try IDX.readImages(path: path)) { e in
            XCTAssertTrue((e as? InputError)?.message.contains("dimensions: images of 46341 x 46341 pixels: expected at most 16777216") ?? false, "\(e)")
        }
        // Many small images beyond the memory budget: 4 bytes per pixel as Float.
        let many = idxBytes(dims: [Int(UInt32.max), 64, 64], payload: [])
        XCTAssertThrowsError(try IDX.readImages(path: try dir.write("many", many))) { e in
            XCTAssertTrue((e as? InputError)?.message.contains("memory budget") ?? false, "\(e)")
        }
    }

    func testAGzippedIDXInflatesNoFurtherThanItsHeaderClaims() throws {
        // 2 images of 2 x 3 claimed, 1 MB more in the stream: refused at 16 + 12 + 1 bytes.
        let path = try dir.write("long.gz", Gzip.compress(idxBytes(dims: [2, 2, 3], payload: [UInt8](repeating: 1, count: 12)) + Data(count: 1 << 20)))
        XCTAssertThrowsError(try IDX.readImages(path: path)) { e in
            XCTAssertTrue((e as? InputError)?.message.contains("decompresses to more than 28 bytes") ?? false, "\(e)")
        }
    }

    func testDecompressionLimitAndPrefix() throws {
        let payload = Data((0..<10_000).map { UInt8($0 % 251) })
        let gz = Gzip.compress(payload)
        XCTAssertEqual(try Gzip.decompress(gz, file: "x", limit: 10_000), payload, "exactly the limit is allowed")
        XCTAssertThrowsError(try Gzip.decompress(gz, file: "x", limit: 9_999)) { e in
            XCTAssertTrue((e as? InputError)?.message.contains("x: gzip stream too large: decompresses to more than 9999 bytes") ?? false, "\(e)")
        }
        let head = try Gzip.decompress(gz, file: "x", prefix: 100)
        XCTAssertGreaterThanOrEqual(head.count, 100)
        XCTAssertLessThanOrEqual(head.count, 101, "no more than the prefix and one byte")
        XCTAssertEqual(head.prefix(100), payload.prefix(100))
    }
}
