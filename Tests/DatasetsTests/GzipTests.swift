import Foundation
import XCTest
import Numerics
import Datasets

final class GzipTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir.remove() }

    /// Bytes that compress somewhat but not trivially.
    func sample(_ n: Int, seed: UInt64 = 1) -> Data {
        var rng = SeededRandom(seed: seed)
        return Data((0..<n).map { _ in UInt8(rng.below(16)) })
    }

    func testRoundTripThroughOwnCompressor() throws {
        let original = sample(300_000)
        let gz = Gzip.compress(original)
        XCTAssertTrue(Gzip.isGzip(gz))
        XCTAssertFalse(Gzip.isGzip(original))
        XCTAssertLessThan(gz.count, original.count)
        XCTAssertEqual(try Gzip.decompress(gz, file: "x.gz"), original)
        // Deterministic output (mtime 0): the same bytes every time.
        XCTAssertEqual(Gzip.compress(original), gz)
    }

    func testReadsFilesWrittenByTheGzipTool() throws {
        let original = sample(100_000, seed: 2)
        let path = try dir.write("plain.bin", original)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        p.arguments = ["-k", "-9", path]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") else { throw XCTSkip("no /usr/bin/gzip") }
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(try Gzip.readMaybeGzip(path: path + ".gz"), original)
        // A raw file is returned as it is, and detection is by content, not by name.
        XCTAssertEqual(try Gzip.readMaybeGzip(path: path), original)
        try FileManager.default.moveItem(atPath: path + ".gz", toPath: path + ".dat")
        XCTAssertEqual(try Gzip.readMaybeGzip(path: path + ".dat"), original)
    }

    func testEmptyPayloadAndHighRatio() throws {
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(Data()), file: "e.gz"), Data())
        let zeros = Data(count: 20_000_000)
        let gz = Gzip.compress(zeros)
        XCTAssertLessThan(gz.count, 100_000)
        XCTAssertEqual(try Gzip.decompress(gz, file: "z.gz"), zeros)
    }

    func testMultiMemberStreamsConcatenate() throws {
        // A large first member and a small last one: the ISIZE size hint (from the last member) is
        // far too small, so the output buffer must grow.
        let a = sample(2_000_000, seed: 3), b = sample(1000, seed: 4)
        let joined = Gzip.compress(a) + Gzip.compress(b)
        XCTAssertEqual(try Gzip.decompress(joined, file: "ab.gz"), a + b)
        // Zero padding after the last member is ignored.
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(b) + Data(count: 512), file: "pad.gz"), b)
    }

    func testTruncatedStreamIsAnError() throws {
        let gz = Gzip.compress(sample(50_000, seed: 5))
        for cut in [gz.count - 1, gz.count - 8, gz.count / 2, 11] {
            assertInputError(.data, contains: ["t.gz", "corrupt gzip stream", "truncated"]) {
                try Gzip.decompress(gz.prefix(cut), file: "t.gz")
            }
        }
        assertInputError(.data, contains: ["e.gz", "corrupt gzip stream"]) { try Gzip.decompress(Data(), file: "e.gz") }
    }

    func testCorruptStreamIsAnError() throws {
        let original = sample(50_000, seed: 6)
        let gz = Gzip.compress(original)
        // Damage the CRC32 in the trailer: the data inflates but fails the check.
        var badCRC = gz
        badCRC[badCRC.count - 6] ^= 0xFF
        assertInputError(.data, contains: ["c.gz", "corrupt gzip stream"]) { try Gzip.decompress(badCRC, file: "c.gz") }
        // Garbage deflate data right after the header.
        var badData = gz
        for i in 10..<40 { badData[i] = 0xFF }
        assertInputError(.data, contains: ["d.gz", "corrupt gzip stream"]) { try Gzip.decompress(badData, file: "d.gz") }
        // Garbage after a complete member.
        assertInputError(.data, contains: ["g.gz", "trailing garbage"]) { try Gzip.decompress(gz + Data("junk".utf8), file: "g.gz") }
        // Every single-byte truncation and corruption of a small stream fails cleanly, never traps.
        let small = Gzip.compress(Data("hello, hello, hello world".utf8))
        for i in 0..<small.count {
            var bad = small
            bad[i] ^= 0x55
            if let out = try? Gzip.decompress(bad, file: "s.gz") {
                // Only header flag/mtime/OS bytes may change without detection.
                XCTAssertEqual(out, Data("hello, hello, hello world".utf8), "byte \(i) changed the output silently")
            }
        }
    }

    func testMissingFileIsADataError() {
        assertInputError(.data, contains: ["/nonexistent/file.gz", "no such file"]) {
            try Gzip.readMaybeGzip(path: "/nonexistent/file.gz")
        }
        assertInputError(.data, contains: [dir.path, "directory"]) { try Gzip.readMaybeGzip(path: dir.path) }
    }
}
