import Foundation
import XCTest
import Numerics
import Datasets

/// A fresh directory under the system temporary directory, removed by `remove()`.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hffsim-datasets-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` to `name` in this directory and returns its path.
    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let p = url.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }
}

/// The bytes of an IDX file: magic 00 00 type ndims, big-endian dims, payload.
func idxBytes(type: UInt8 = 0x08, dims: [Int], payload: [UInt8]) -> Data {
    var d = Data([0, 0, type, UInt8(dims.count)])
    for x in dims {
        d.append(contentsOf: [UInt8(x >> 24 & 0xFF), UInt8(x >> 16 & 0xFF), UInt8(x >> 8 & 0xFF), UInt8(x & 0xFF)])
    }
    d.append(contentsOf: payload)
    return d
}

/// Writes a small IDX set with the standard names into `dir`: `n` training and `m` test images of
/// `rows` x `cols` pixels whose pixel k of image i is (i * 7 + k) mod 256, labels i mod `classes`.
func writeIDXSet(in dir: TempDir, n: Int, m: Int, rows: Int = 2, cols: Int = 3, classes: Int = 10,
                 gzip: Bool = true, testLabelOverride: [UInt8]? = nil) throws {
    func images(_ count: Int) -> Data {
        idxBytes(dims: [count, rows, cols], payload: (0..<(count * rows * cols)).map { UInt8(($0 / (rows * cols) * 7 + $0 % (rows * cols)) % 256) })
    }
    func labels(_ count: Int) -> Data { idxBytes(dims: [count], payload: (0..<count).map { UInt8($0 % classes) }) }
    let files: [(String, Data)] = [
        (IDX.trainImages, images(n)), (IDX.trainLabels, labels(n)),
        (IDX.testImages, images(m)), (IDX.testLabels, testLabelOverride.map { idxBytes(dims: [$0.count], payload: $0) } ?? labels(m)),
    ]
    for (name, data) in files {
        if gzip { try dir.write(name + ".gz", Gzip.compress(data)) } else { try dir.write(name, data) }
    }
}

/// Asserts that `body` throws an `InputError` of `kind` whose message contains every string in `contains`.
func assertInputError<T>(_ kind: InputError.Kind, contains: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an InputError containing \(contains), nothing was thrown", file: file, line: line)
    } catch let e as InputError {
        XCTAssertEqual(e.kind, kind, "wrong kind for: \(e.message)", file: file, line: line)
        for s in contains {
            XCTAssertTrue(e.message.contains(s), "'\(e.message)' does not contain '\(s)'", file: file, line: line)
        }
        XCTAssertFalse(e.message.contains("\n"), "message is not one line: \(e.message)", file: file, line: line)
    } catch {
        XCTFail("expected an InputError, got \(error)", file: file, line: line)
    }
}
