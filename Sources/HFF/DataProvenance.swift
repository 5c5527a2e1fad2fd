import Foundation
import Datasets
import Numerics

/// What a model was trained on, recorded in its file so that `eval`, `map`, `run` and `compare`
/// read the same data the same way: the data set as it was named, the split (test file, or the
/// held-out fraction and the seed that drew it), the CSV label column, how raw values became
/// inputs, and a digest of the training split's content (its features and labels as loaded).
public struct DataProvenance: Codable, Equatable, Sendable {
    /// `fashion-mnist`, `fashion-mnist-subset`, `idx:DIR` or `csv:PATH`, as given to `train`.
    public var dataset: String
    /// The test split of a `csv:` data set, when it came from its own file.
    public var testDataset: String?
    /// `first`, `last` or a column index (CSV only; IDX ignores it).
    public var labelColumn: String
    /// CIFAR-100's labels, `fine` or `coarse` (nil for other data sets).
    public var label: String?
    /// The fraction held out as the test split, and the seed that drew it.
    public var holdout: Double?
    public var splitSeed: UInt64
    /// `pixels/255` (IDX bytes divided by 255) or `as-written` (CSV values unchanged).
    public var inputScaling: String
    public var trainSamples: Int
    /// SHA-256 of the training split: its features (Float32, little-endian, row-major) then its
    /// labels (Int32, little-endian).
    public var trainSHA256: String

    public init(dataset: String, testDataset: String?, labelColumn: String, holdout: Double?, splitSeed: UInt64,
                train: Dataset) {
        self.dataset = dataset
        self.testDataset = testDataset
        self.labelColumn = labelColumn
        self.holdout = holdout
        self.splitSeed = splitSeed
        self.inputScaling = DataProvenance.scaling(of: dataset)
        self.trainSamples = train.count
        self.trainSHA256 = DataProvenance.digest(train)
    }

    /// The fields that make two models' test sets the same (not the digest or sample count).
    public var comparable: [String] {
        [dataset, testDataset ?? "", labelColumn, label ?? "", holdout.map { "\($0)" } ?? "", holdout == nil ? "" : "\(splitSeed)", inputScaling]
    }

    /// How `dataset`'s raw values become inputs.
    public static func scaling(of dataset: String) -> String { dataset.hasPrefix("csv:") ? "as-written" : "pixels/255" }

    /// The content digest of a split (see `trainSHA256`).
    public static func digest(_ d: Dataset) -> String {
        var bytes = Data(capacity: d.features.storage.count * 4 + d.labels.count * 4)
        d.features.storage.withUnsafeBufferPointer { bytes.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        for y in d.labels { withUnsafeBytes(of: Int32(truncatingIfNeeded: y).littleEndian) { bytes.append(contentsOf: $0) } }
        return SHA256.hex(bytes)
    }
}
