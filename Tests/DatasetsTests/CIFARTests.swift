import Foundation
import XCTest
import Numerics
import Datasets

/// The CIFAR binary readers on small files written here in the exact format of
/// https://www.cs.toronto.edu/~kriz/cifar.html ("Binary version"): CIFAR-10 records are a label
/// byte and 3,072 pixel bytes (red plane, green, blue, each 32 x 32 row-major); CIFAR-100
/// records a coarse label byte, a fine label byte, then the pixels.
final class CIFARTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir.remove() }

    /// Image `i`'s pixel bytes: channel c, row y, column x holds (i + 3c + 5y + 7x) mod 256.
    func pixels(_ i: Int) -> [UInt8] {
        var p = [UInt8]()
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 { p.append(UInt8((i + 3 * c + 5 * y + 7 * x) % 256)) } } }
        return p
    }

    func cifar10(records: [(label: UInt8, image: Int)]) -> Data {
        Data(records.flatMap { [$0.label] + pixels($0.image) })
    }

    func testCIFAR10BatchesAndTestBatch() throws {
        for b in 1...5 { try dir.write("data_batch_\(b).bin", cifar10(records: [(UInt8(b), 10 * b), (UInt8(9 - b), 10 * b + 1)])) }
        try dir.write("test_batch.bin", cifar10(records: [(0, 100), (9, 101), (4, 102)]))
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "cifar10:\(dir.path)"))
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(test.count, 3)
        XCTAssertEqual(train.featureCount, 3072)
        XCTAssertEqual(train.shape, ImageShape(channels: 3, height: 32, width: 32))
        XCTAssertEqual(test.shape, train.shape)
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(train.labels, [1, 8, 2, 7, 3, 6, 4, 5, 5, 4])
        XCTAssertEqual(test.labels, [0, 9, 4])
        // Batch 3's second image is 31: green (c = 1), row 2, column 5 is feature 1 * 1024 + 2 * 32 + 5.
        XCTAssertEqual(train.features[5, 1024 + 64 + 5], Float((31 + 3 + 10 + 35) % 256) / 255)
        XCTAssertEqual(test.features[2, 2 * 1024 + 31 * 32 + 31], Float((102 + 6 + 155 + 217) % 256) / 255)
    }

    func testCIFAR100FineAndCoarseLabels() throws {
        let records: [(coarse: UInt8, fine: UInt8, image: Int)] = [(3, 17, 0), (19, 99, 1), (0, 0, 2)]
        let data = Data(records.flatMap { [$0.coarse, $0.fine] + pixels($0.image) })
        try dir.write("train.bin", data)
        try dir.write("test.bin", data.prefix(2 * 3074))
        var o = DatasetOptions(dataset: "cifar100:\(dir.path)")
        let (fine, fineTest) = try DatasetLoader.load(o)
        XCTAssertEqual(fine.labels, [17, 99, 0])
        XCTAssertEqual(fine.classCount, 100)
        XCTAssertEqual(fineTest.labels, [17, 99])
        o.cifarLabel = .coarse
        let (coarse, _) = try DatasetLoader.load(o)
        XCTAssertEqual(coarse.labels, [3, 19, 0])
        XCTAssertEqual(coarse.classCount, 20)
        XCTAssertEqual(coarse.features[1, 0], Float(1) / 255)
        XCTAssertEqual(coarse.features[2, 1024], Float(5) / 255)
    }

    func testMalformedFilesAreRefusedNamingTheFile() throws {
        for b in 1...5 { try dir.write("data_batch_\(b).bin", cifar10(records: [(1, b)])) }
        // A partial record.
        let test = try dir.write("test_batch.bin", cifar10(records: [(1, 0)]).dropLast(7))
        XCTAssertThrowsError(try DatasetLoader.load(DatasetOptions(dataset: "cifar10:\(dir.path)"))) { e in
            let m = (e as? InputError)?.message ?? "\(e)"
            XCTAssertTrue(m.contains(test) && m.contains("3066 bytes is not a whole number of 3073-byte records"), m)
        }
        // A label beyond CIFAR-10's classes.
        try dir.write("test_batch.bin", cifar10(records: [(1, 0), (10, 1)]))
        XCTAssertThrowsError(try DatasetLoader.load(DatasetOptions(dataset: "cifar10:\(dir.path)"))) { e in
            let m = (e as? InputError)?.message ?? "\(e)"
            XCTAssertTrue(m.contains("record 1") && m.contains("label 10 is out of range: expected 0...9"), m)
        }
        // A missing batch; a fine label beyond 99; --label on CIFAR-10.
        try FileManager.default.removeItem(atPath: dir.path + "/data_batch_4.bin")
        XCTAssertThrowsError(try DatasetLoader.load(DatasetOptions(dataset: "cifar10:\(dir.path)"))) { e in
            XCTAssertTrue(((e as? InputError)?.message ?? "").contains("data_batch_4.bin: missing"), "\(e)")
        }
        try dir.write("train.bin", Data([1, 100] + pixels(0)))
        try dir.write("test.bin", Data([1, 2] + pixels(0)))
        XCTAssertThrowsError(try DatasetLoader.load(DatasetOptions(dataset: "cifar100:\(dir.path)"))) { e in
            XCTAssertTrue(((e as? InputError)?.message ?? "").contains("label 100 is out of range: expected 0...99"), "\(e)")
        }
        var o = DatasetOptions(dataset: "cifar10:\(dir.path)")
        o.cifarLabel = .coarse
        XCTAssertThrowsError(try DatasetLoader.load(o)) { e in
            XCTAssertEqual((e as? InputError)?.kind, .usage)
        }
    }
}
