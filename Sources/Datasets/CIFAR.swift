import Foundation
import Numerics

/// The CIFAR-10 and CIFAR-100 binary versions (Krizhevsky 2009; https://www.cs.toronto.edu/~kriz/cifar.html,
/// "Binary version"): fixed-size records, one image each, no header.
///
/// - CIFAR-10 (`cifar-10-binary.tar.gz`, folder `cifar-10-batches-bin`): `data_batch_1.bin` to
///   `data_batch_5.bin` (10,000 records each) and `test_batch.bin`; a record is 1 label byte
///   (0...9) and 3,072 pixel bytes.
/// - CIFAR-100 (`cifar-100-binary.tar.gz`, folder `cifar-100-binary`): `train.bin` (50,000) and
///   `test.bin` (10,000); a record is a coarse label byte (0...19), a fine label byte (0...99)
///   and 3,072 pixel bytes.
///
/// The pixels are the red plane, then green, then blue, each 32 x 32 row-major: channel-major,
/// so a record's pixels are the sample's features in `ImageShape(3, 32, 32)` order, scaled by
/// 1/255 as IDX pixels are.
public enum CIFAR {
    public enum Label: String, Sendable, CaseIterable { case fine, coarse }

    public static let shape = ImageShape(channels: 3, height: 32, width: 32)
    static let pixels = 3 * 32 * 32

    /// CIFAR-10's five training batches and its test batch from `dir`.
    public static func load10(dir: String) throws -> (train: Dataset, test: Dataset) {
        let batches = try (1...5).map { try read(path: file(dir, "data_batch_\($0).bin"), labelBytes: 1, label: 0, classes: 10, name: "cifar10") }
        var train = batches[0]
        for b in batches.dropFirst() {
            train.features = Matrix(rows: train.count + b.count, cols: pixels, storage: train.features.storage + b.features.storage)
            train.labels += b.labels
        }
        train.name = "cifar10:\(dir)/train"
        var test = try read(path: file(dir, "test_batch.bin"), labelBytes: 1, label: 0, classes: 10, name: "cifar10:\(dir)/test")
        test.classCount = 10
        return (train, test)
    }

    /// CIFAR-100's training and test files from `dir`, labelled by the fine (100) or coarse (20) classes.
    public static func load100(dir: String, label: Label) throws -> (train: Dataset, test: Dataset) {
        let (index, classes) = label == .fine ? (1, 100) : (0, 20)
        let train = try read(path: file(dir, "train.bin"), labelBytes: 2, label: index, classes: classes, name: "cifar100:\(dir)/train")
        let test = try read(path: file(dir, "test.bin"), labelBytes: 2, label: index, classes: classes, name: "cifar100:\(dir)/test")
        return (train, test)
    }

    static func file(_ dir: String, _ name: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw InputError.data(file: dir, "not a directory (the CIFAR binary version's folder; https://www.cs.toronto.edu/~kriz/cifar.html)")
        }
        let path = (dir as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError.data(file: path, "missing (the CIFAR binary version's folder holds it)")
        }
        return path
    }

    /// The records of one file: `labelBytes` label bytes (the one at `label` used), then the pixels.
    public static func read(path: String, labelBytes: Int, label: Int, classes: Int, name: String) throws -> Dataset {
        let record = labelBytes + pixels
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw InputError.data(file: path, "cannot read it") }
        if size == 0 || size % record != 0 {
            throw InputError.data(file: path, field: "size", "\(size) bytes is not a whole number of \(record)-byte records (\(labelBytes) label byte\(labelBytes > 1 ? "s" : "") and 3,072 pixels)")
        }
        let n = size / record
        if n * pixels > MemoryBudget.bytes / 4 {
            throw InputError.data(file: path, field: "size", "\(n) images need more than the memory budget of \(MemoryBudget.describe(MemoryBudget.bytes))")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count == size else { throw InputError.data(file: path, "cannot read it") }
        var features = [Float](repeating: 0, count: n * pixels)
        var labels = [Int](repeating: 0, count: n)
        var bad: (Int, Int)?
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            features.withUnsafeMutableBufferPointer { f in
                for i in 0..<n {
                    let r = i * record
                    let y = Int(bytes[r + label])
                    if y >= classes && bad == nil { bad = (i, y) }
                    labels[i] = y
                    for j in 0..<pixels { f[i * pixels + j] = Float(bytes[r + labelBytes + j]) / 255 }
                }
            }
        }
        if let (i, y) = bad {
            throw InputError.data(file: path, field: "record \(i)", "label \(y) is out of range: expected 0...\(classes - 1)")
        }
        var d = Dataset(name: name, features: Matrix(rows: n, cols: pixels, storage: features), labels: labels, classCount: classes)
        d.shape = shape
        return d
    }
}
