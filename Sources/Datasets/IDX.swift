import Foundation
import Numerics

/// The IDX format of MNIST, Fashion-MNIST, KMNIST and friends (http://yann.lecun.com/exdb/mnist/):
///
///     byte 0-1   0x00 0x00                    magic
///     byte 2     element type                 0x08 unsigned byte (the only one read here),
///                                             0x09 signed byte, 0x0B int16, 0x0C int32,
///                                             0x0D float32, 0x0E float64
///     byte 3     ndims
///     then       ndims x UInt32, big-endian   the dimensions
///     then       prod(dims) elements          row-major, big-endian
///
/// An images file has 3 dimensions (count, rows, cols) and becomes a count x (rows*cols) matrix
/// with each byte scaled to [0, 1] by /255. A labels file has 1 dimension (count). Files may be
/// gzipped or raw; gzip is detected from the magic bytes 1f 8b, never from the name. The size
/// must match the header exactly: short files are "truncated", longer ones have "trailing bytes".
public enum IDX {
    /// The parsed header of an IDX file.
    public struct Header: Equatable, Sendable {
        /// The element type byte (0x08 for unsigned byte).
        public var elementType: UInt8
        /// The dimensions, outermost first.
        public var dims: [Int]
        /// The offset of the first element: 4 + 4 * ndims.
        public var dataOffset: Int
        /// prod(dims): the number of elements.
        public var elementCount: Int
    }

    static let typeNames: [UInt8: (String, Int)] = [
        0x08: ("unsigned byte", 1), 0x09: ("signed byte", 1), 0x0B: ("int16", 2),
        0x0C: ("int32", 4), 0x0D: ("float32", 4), 0x0E: ("float64", 8),
    ]

    /// Parses and checks the header of `data` (already decompressed): magic, element type
    /// (only 0x08 is accepted), and that the file holds exactly prod(dims) elements.
    public static func header(_ data: Data, file: String) throws -> Header {
        let n = data.count
        let s = data.startIndex
        guard n >= 4 else { throw InputError.data(file: file, "not an IDX file: \(n) bytes, shorter than the 4-byte magic") }
        guard data[s] == 0, data[s + 1] == 0 else {
            throw InputError.data(file: file, field: "magic", "not an IDX file: expected bytes 0x00 0x00 then type and ndims, got \((0..<4).map { hex(data[s + $0]) }.joined(separator: " "))")
        }
        let type = data[s + 2]
        guard let (typeName, _) = typeNames[type] else {
            throw InputError.data(file: file, field: "magic", "unknown IDX element type \(hex(type))")
        }
        guard type == 0x08 else {
            throw InputError.data(file: file, field: "magic", "element type \(hex(type)) (\(typeName)) is not supported; only 0x08 (unsigned byte) is")
        }
        let ndims = Int(data[s + 3])
        guard ndims >= 1 else { throw InputError.data(file: file, field: "magic", "0 dimensions") }
        let offset = 4 + 4 * ndims
        guard n >= offset else {
            throw InputError.data(file: file, "truncated: the header needs \(offset) bytes for \(ndims) dimensions, the file has \(n)")
        }
        var dims = [Int]()
        var elements = 1
        for i in 0..<ndims {
            let p = s + 4 + 4 * i
            let d = Int(data[p]) << 24 | Int(data[p + 1]) << 16 | Int(data[p + 2]) << 8 | Int(data[p + 3])
            dims.append(d)
            let (m, overflow) = elements.multipliedReportingOverflow(by: d)
            if overflow { throw InputError.data(file: file, field: "dimensions", "\(dims) overflow") }
            elements = m
        }
        let expected = offset + elements
        if n < expected {
            throw InputError.data(file: file, "truncated: expected \(expected) bytes (\(offset)-byte header + \(dims.map(String.init).joined(separator: " x ")) bytes), got \(n)")
        }
        if n > expected {
            throw InputError.data(file: file, "\(n - expected) trailing bytes: expected \(expected) bytes (\(offset)-byte header + \(dims.map(String.init).joined(separator: " x ")) bytes), got \(n)")
        }
        return Header(elementType: type, dims: dims, dataOffset: offset, elementCount: elements)
    }

    /// An images file (3 dimensions: count, rows, cols) as a count x (rows*cols) matrix in [0, 1].
    public static func readImages(path: String) throws -> Matrix {
        try images(read(path: path, bytesPerElement: 4), file: path)
    }

    /// The images and their shape (1 x rows x columns).
    public static func readShapedImages(path: String) throws -> (images: Matrix, shape: ImageShape) {
        let data = try read(path: path, bytesPerElement: 4)
        let m = try images(data, file: path)
        let h = try header(data, file: path)
        return (m, ImageShape(channels: 1, height: h.dims[1], width: h.dims[2]))
    }

    /// The most pixels one image may have (as the configs' layer widths: 2^24).
    public static let maxFeatures = 1 << 24

    /// The file's bytes, decompressed if gzipped, after checking what its header claims: an image
    /// of at most `maxFeatures` pixels, and `bytesPerElement` per element (the Float matrix the
    /// reader builds) within `MemoryBudget`. A gzipped file is decompressed only as far as its
    /// header first, then to the size the header claims, so a small bomb never inflates.
    static func read(path: String, bytesPerElement: Int) throws -> Data {
        let raw = try Gzip.readFile(path: path)
        let gz = Gzip.isGzip(raw)
        let head = gz ? try Gzip.decompress(raw, file: path, prefix: 4 + 4 * 255) : raw
        if head.count >= 4 {
            let s = head.startIndex, ndims = Int(head[s + 3])
            if head[s] == 0, head[s + 1] == 0, head.count >= 4 + 4 * ndims {
                var dims = [Int]()
                for d in 0..<ndims {
                    let o = s + 4 + 4 * d
                    dims.append(Int(head[o]) << 24 | Int(head[o + 1]) << 16 | Int(head[o + 2]) << 8 | Int(head[o + 3]))
                }
                if dims.count == 3, dims[1].multipliedReportingOverflow(by: dims[2]).overflow || dims[1] * dims[2] > maxFeatures {
                    throw InputError.data(file: path, field: "dimensions", "images of \(dims[1]) x \(dims[2]) pixels: expected at most \(maxFeatures) pixels per image")
                }
                var elements = 1
                for d in dims { elements = elements.multipliedReportingOverflow(by: d).overflow ? Int.max : elements * d }
                let budget = MemoryBudget.bytes
                if elements > budget / max(1, bytesPerElement) {
                    throw InputError.data(file: path, field: "dimensions", "\(dims.map(String.init).joined(separator: " x ")) elements need more than the memory budget of \(MemoryBudget.describe(budget)) (half this machine's memory)")
                }
                if gz { return try Gzip.decompress(raw, file: path, limit: 4 + 4 * ndims + elements) }
            }
        }
        return gz ? head : raw  // a malformed header: `header` names what is wrong with it
    }

    /// The images in `data` (decompressed IDX bytes); `file` names it in errors.
    public static func images(_ data: Data, file: String) throws -> Matrix {
        let h = try header(data, file: file)
        guard h.dims.count == 3 else {
            throw InputError.data(file: file, field: "dimensions", "an images file has 3 dimensions (count, rows, cols), this one has \(h.dims.count): \(h.dims)")
        }
        let rows = h.dims[0], cols = h.dims[1] * h.dims[2]
        let storage = data.withUnsafeBytes { raw in
            scaleBytes(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[h.dataOffset...]))
        }
        return Matrix(rows: rows, cols: cols, storage: storage)
    }

    /// A labels file (1 dimension: count) as integers 0...255.
    public static func readLabels(path: String) throws -> [Int] {
        try labels(read(path: path, bytesPerElement: 8), file: path)
    }

    /// The labels in `data` (decompressed IDX bytes); `file` names it in errors.
    public static func labels(_ data: Data, file: String) throws -> [Int] {
        let h = try header(data, file: file)
        guard h.dims.count == 1 else {
            throw InputError.data(file: file, field: "dimensions", "a labels file has 1 dimension (count), this one has \(h.dims.count): \(h.dims)")
        }
        return data.withUnsafeBytes { raw in raw[h.dataOffset...].map { Int($0) } }
    }

    /// An images file and its labels file as one data set.
    ///
    /// Checks that both hold the same number of samples and, when `classCount` is given, that
    /// every label is below it; when it is nil the class count is the largest label + 1.
    public static func load(images imagesPath: String, labels labelsPath: String, name: String,
                            classCount: Int?) throws -> Dataset {
        let (x, shape) = try readShapedImages(path: imagesPath)
        let y = try readLabels(path: labelsPath)
        guard x.rows == y.count else {
            throw InputError.data(file: labelsPath, "holds \(y.count) labels but \(imagesPath) holds \(x.rows) images")
        }
        let k = classCount ?? ((y.max() ?? -1) + 1)
        if let i = y.firstIndex(where: { $0 >= k }) {
            throw InputError.data(file: labelsPath, field: "label \(i)", "value \(y[i]) is out of range: expected 0...\(k - 1) (\(k) classes)")
        }
        var d = Dataset(name: name, features: x, labels: y, classCount: k)
        d.shape = shape
        return d
    }

    /// The standard file names of an IDX training/test set, without the optional ".gz".
    public static let trainImages = "train-images-idx3-ubyte"
    public static let trainLabels = "train-labels-idx1-ubyte"
    public static let testImages = "t10k-images-idx3-ubyte"
    public static let testLabels = "t10k-labels-idx1-ubyte"

    /// The path of `base` or `base.gz` in `dir` (the gzipped one first), or nil if neither exists.
    public static func locate(_ base: String, in dir: String) -> String? {
        for candidate in [base + ".gz", base] {
            let path = (dir as NSString).appendingPathComponent(candidate)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { return path }
        }
        return nil
    }

    /// The training and test splits of the IDX set in `dir` (standard names, each raw or
    /// gzipped). With `classCount` nil both splits get the largest label of either + 1.
    /// `missingHint` is appended to the error when a file is missing.
    public static func loadDirectory(_ dir: String, name: String, classCount: Int?,
                                     missingHint: String? = nil) throws -> (train: Dataset, test: Dataset) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw InputError.data(file: dir, "no such directory" + (missingHint.map { "; \($0)" } ?? ""))
        }
        func path(_ base: String) throws -> String {
            guard let p = locate(base, in: dir) else {
                throw InputError.data(file: dir, "missing \(base)[.gz]; an IDX directory holds \(trainImages), \(trainLabels), \(testImages) and \(testLabels), each optionally gzipped" + (missingHint.map { "; \($0)" } ?? ""))
            }
            return p
        }
        let paths = try (path(trainImages), path(trainLabels), path(testImages), path(testLabels))
        var train = try load(images: paths.0, labels: paths.1, name: name + "/train", classCount: classCount)
        var test = try load(images: paths.2, labels: paths.3, name: name + "/test", classCount: classCount)
        guard train.featureCount == test.featureCount else {
            throw InputError.data(file: paths.2, "images have \(test.featureCount) pixels but the training images \(paths.0) have \(train.featureCount)")
        }
        if classCount == nil {
            let k = max(train.classCount, test.classCount)
            train.classCount = k
            test.classCount = k
        }
        return (train, test)
    }

    static func hex(_ b: UInt8) -> String { "0x" + (b < 16 ? "0" : "") + String(b, radix: 16) }

    /// bytes / 255 as Float, in one vectorisable pass.
    static func scaleBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
        [Float](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            for i in 0..<bytes.count { out[i] = Float(bytes[i]) / 255 }
            initialized = bytes.count
        }
    }
}
