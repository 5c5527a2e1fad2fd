import XCTest
import Datasets
import Numerics
import HFF

/// `--arch` strings and the shapes they give, worked by hand.
final class ArchitectureTests: XCTestCase {
    func testParsesAndWritesBackTheCompactForm() throws {
        let a = try Architecture.parse("c32k3,p2,c64k5s2pad0,a2,f1000,f10")
        XCTAssertEqual(a.convs.count, 2)
        XCTAssertEqual(a.convs[0], ConvSpec(outChannels: 32, kernel: 3, stride: 1, padding: 1, pools: [PoolSpec(kind: .max, size: 2)]))
        XCTAssertEqual(a.convs[1], ConvSpec(outChannels: 64, kernel: 5, stride: 2, padding: 0, pools: [PoolSpec(kind: .average, size: 2)]))
        XCTAssertEqual(a.widths, [1000, 10])
        XCTAssertEqual(a.description, "c32k3,p2,c64k5s2pad0,a2,f1000,f10")
        // 1 x 28 x 28: conv 3x3 pad 1 keeps 28, pool 2 -> 14; conv 5x5 stride 2 no padding -> floor(9 / 2) + 1 = 5, pool 2 -> 2.
        let (blocks, out) = try a.shapes(from: ImageShape(channels: 1, height: 28, width: 28))
        XCTAssertEqual(blocks, [ImageShape(channels: 1, height: 28, width: 28), ImageShape(channels: 32, height: 14, width: 14)])
        XCTAssertEqual(out, ImageShape(channels: 64, height: 2, width: 2))
        XCTAssertEqual(ConvGeometry(input: blocks[1], spec: a.convs[1]).patch, 32 * 25)
        XCTAssertEqual(ConvGeometry(input: blocks[1], spec: a.convs[1]).positions, 25)
    }

    func testBadArchitecturesNameTheFlagAndTheToken() {
        for (text, says) in [("c32", "kernel size"), ("p2,f10", "pooling follows a convolution"), ("f10,c8k3", "convolutions come before"),
                             ("c0k3,f10", "filter count"), ("c8k3,,f10", "empty layer"), ("x5", "unknown layer"), ("c8k3q,f10", "unexpected 'q'"),
                             ("f0", "width"), ("c8k99,f10", "kernel size")] {
            XCTAssertThrowsError(try Architecture.parse(text), text) { e in
                let m = (e as? InputError)?.message ?? ""
                XCTAssertEqual((e as? InputError)?.kind, .usage, text)
                XCTAssertTrue(m.hasPrefix("--arch: ") && m.contains(says), "\(text): \(m)")
            }
        }
        // A conv that does not fit its input: 5 x 5 without padding on 1 x 4 x 4.
        let small = try! Architecture.parse("c4k5pad0,f3")
        XCTAssertThrowsError(try small.shapes(from: ImageShape(channels: 1, height: 4, width: 4))) { e in
            XCTAssertTrue(((e as? InputError)?.message ?? "").contains("does not fit its 1x4x4 input"), "\(e)")
        }
    }
}
