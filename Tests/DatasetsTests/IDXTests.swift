import Foundation
import XCTest
import Numerics
import Datasets

final class IDXTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir.remove() }

    let pixels: [UInt8] = [0, 51, 255, 102, 1, 254,  10, 20, 30, 40, 50, 60]  // 2 images of 2 x 3

    func testImagesRawAndGzipped() throws {
        let data = idxBytes(dims: [2, 2, 3], payload: pixels)
        let raw = try dir.write("imgs", data)
        let gz = try dir.write("imgs-gz", Gzip.compress(data))  // gzip detected by content, not name
        for path in [raw, gz] {
            let m = try IDX.readImages(path: path)
            XCTAssertEqual(m.rows, 2)
            XCTAssertEqual(m.cols, 6)
            XCTAssertEqual(m.storage, pixels.map { Float($0) / 255 })
            XCTAssertEqual(m[0, 1], 0.2, accuracy: 1e-7)
            XCTAssertEqual(m[0, 2], 1)
            XCTAssertEqual(m[1, 0], Float(10) / 255)
        }
    }

    func testLabelsAndLoad() throws {
        let imgs = try dir.write("i", idxBytes(dims: [2, 2, 3], payload: pixels))
        let labs = try dir.write("l.gz", Gzip.compress(idxBytes(dims: [2], payload: [7, 3])))
        XCTAssertEqual(try IDX.readLabels(path: labs), [7, 3])
        let ds = try IDX.load(images: imgs, labels: labs, name: "t", classCount: 10)
        XCTAssertEqual(ds.count, 2)
        XCTAssertEqual(ds.featureCount, 6)
        XCTAssertEqual(ds.labels, [7, 3])
        XCTAssertEqual(ds.classCount, 10)
        // Without a fixed class count it is the largest label + 1.
        XCTAssertEqual(try IDX.load(images: imgs, labels: labs, name: "t", classCount: nil).classCount, 8)
    }

    func testWrongMagic() throws {
        var data = idxBytes(dims: [2, 2, 3], payload: pixels)
        data[0] = 0x01
        let p = try dir.write("bad-magic", data)
        assertInputError(.data, contains: [p, "not an IDX file"]) { try IDX.readImages(path: p) }
        let short = try dir.write("tiny", Data([0, 0]))
        assertInputError(.data, contains: [short, "not an IDX file"]) { try IDX.readLabels(path: short) }
    }

    func testUnsupportedElementType() throws {
        let p = try dir.write("float-idx", idxBytes(type: 0x0D, dims: [1, 1, 1], payload: [0, 0, 0, 0]))
        assertInputError(.data, contains: [p, "0x0d", "float32", "not supported"]) { try IDX.readImages(path: p) }
        let q = try dir.write("unknown-idx", idxBytes(type: 0x42, dims: [1], payload: [0]))
        assertInputError(.data, contains: [q, "0x42"]) { try IDX.readLabels(path: q) }
    }

    func testTruncatedFileNamesExpectedAndActualSize() throws {
        let full = idxBytes(dims: [2, 2, 3], payload: pixels)  // 16 + 12 = 28 bytes
        let p = try dir.write("trunc.gz", Gzip.compress(full.prefix(23)))
        assertInputError(.data, contains: [p, "truncated", "expected 28 bytes", "got 23"]) { try IDX.readImages(path: p) }
        // Truncated inside the dimensions.
        let q = try dir.write("trunc-header", full.prefix(9))
        assertInputError(.data, contains: [q, "truncated", "16", "9"]) { try IDX.readImages(path: q) }
        // Extra bytes are an error too.
        let r = try dir.write("long", full + Data([1, 2]))
        assertInputError(.data, contains: [r, "2 trailing bytes"]) { try IDX.readImages(path: r) }
    }

    func testWrongDimensionCounts() throws {
        let labelsAsImages = try dir.write("l", idxBytes(dims: [12], payload: pixels))
        assertInputError(.data, contains: [labelsAsImages, "3 dimensions"]) { try IDX.readImages(path: labelsAsImages) }
        let imagesAsLabels = try dir.write("i", idxBytes(dims: [2, 2, 3], payload: pixels))
        assertInputError(.data, contains: [imagesAsLabels, "1 dimension"]) { try IDX.readLabels(path: imagesAsLabels) }
    }

    func testCountMismatch() throws {
        let imgs = try dir.write("i", idxBytes(dims: [2, 2, 3], payload: pixels))
        let labs = try dir.write("l", idxBytes(dims: [3], payload: [1, 2, 3]))
        assertInputError(.data, contains: [labs, "3 labels", "2 images"]) {
            try IDX.load(images: imgs, labels: labs, name: "t", classCount: 10)
        }
    }

    func testLabelOutOfRange() throws {
        let imgs = try dir.write("i", idxBytes(dims: [2, 2, 3], payload: pixels))
        let labs = try dir.write("l", idxBytes(dims: [2], payload: [9, 10]))
        assertInputError(.data, contains: [labs, "label 1", "10", "0...9"]) {
            try IDX.load(images: imgs, labels: labs, name: "t", classCount: 10)
        }
    }

    func testDirectoryWithStandardNames() throws {
        try writeIDXSet(in: dir, n: 30, m: 12, gzip: false)
        let (train, test) = try IDX.loadDirectory(dir.path, name: "d", classCount: nil)
        XCTAssertEqual(train.count, 30)
        XCTAssertEqual(test.count, 12)
        XCTAssertEqual(train.featureCount, 6)
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(test.classCount, 10)
        XCTAssertEqual(train.labels[13], 3)
        XCTAssertEqual(train.features[2, 1], Float(2 * 7 + 1) / 255)

        // A missing file names the directory and the expected file name.
        try FileManager.default.removeItem(atPath: dir.path + "/" + IDX.testLabels)
        assertInputError(.data, contains: [dir.path, IDX.testLabels]) { try IDX.loadDirectory(dir.path, name: "d", classCount: nil) }
    }
}
