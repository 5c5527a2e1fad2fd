import Numerics

/// A labelled classification data set held in memory.
///
/// Invariants (checked by every loader, assumed by every consumer):
/// - `features` is `count` x `featureCount`, one sample per row, every value finite;
/// - `labels.count == count` and every label is in `0 ..< classCount`.
///
/// IDX images are scaled to [0, 1] (byte / 255); CSV values are kept as written. Nothing is
/// standardised here: see `Standardization`, which is fitted on the training split only.
public struct Dataset: Sendable, Equatable {
    /// A short description for messages, for example "fashion-mnist/train" or "csv:data.csv/test".
    public var name: String
    /// n x d, row-major, one sample per row.
    public var features: Matrix
    /// One label per row, each in 0 ..< `classCount`.
    public var labels: [Int]
    /// The number of classes: 10 for Fashion-MNIST; for other sets one more than the largest
    /// label seen in the training and test splits together.
    public var classCount: Int
    /// The image shape of a sample (IDX 3-D files: 1 x rows x columns; CIFAR: 3 x 32 x 32), nil
    /// for data without one (CSV). Convolutions need it.
    public var shape: ImageShape?

    public init(name: String, features: Matrix, labels: [Int], classCount: Int) {
        precondition(features.rows == labels.count, "\(name): \(features.rows) feature rows but \(labels.count) labels")
        self.name = name
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    /// The number of samples (rows).
    public var count: Int { labels.count }
    /// The number of features per sample (columns).
    public var featureCount: Int { features.cols }

    /// The samples at `indices`, in that order (indices may repeat); `name` and `classCount`
    /// are kept. Indices must be in 0 ..< `count` (a precondition, not user input).
    public func subset(_ indices: [Int]) -> Dataset {
        var d = Dataset(name: name, features: features.gatherRows(indices), labels: indices.map { labels[$0] },
                        classCount: classCount)
        d.shape = shape
        return d
    }

    /// How many samples carry each label, indexed by label (length `classCount`).
    public var classHistogram: [Int] {
        var h = [Int](repeating: 0, count: classCount)
        for y in labels { h[y] += 1 }
        return h
    }
}

/// Which CSV column holds the label; every other column is a feature, in file order.
///
/// Parsed from the `--label-column` value: `first`, `last`, or a column number `N` counted
/// from 0 (so `0` is the same as `first`, and in a 785-column file `784` is the same as `last`).
public enum LabelColumn: Sendable, Equatable, CustomStringConvertible {
    case first
    case last
    /// 0-based column number.
    case index(Int)

    /// Parses "first", "last" or a non-negative integer N (0-based). Errors name `flag`.
    public init(parsing text: String, flag: String = "--label-column") throws {
        switch text.lowercased() {
        case "first": self = .first
        case "last": self = .last
        default:
            guard let n = Int(text), n >= 0 else {
                throw InputError.usage(flag: flag, "expected first, last or a 0-based column number, got '\(text)'")
            }
            self = .index(n)
        }
    }

    /// The 0-based column in a row of `columns` fields, or nil when `.index` is out of range.
    public func resolve(columns: Int) -> Int? {
        switch self {
        case .first: return columns > 0 ? 0 : nil
        case .last: return columns > 0 ? columns - 1 : nil
        case .index(let n): return n < columns ? n : nil
        }
    }

    public var description: String {
        switch self {
        case .first: return "first"
        case .last: return "last"
        case .index(let n): return String(n)
        }
    }
}

/// An image's shape, channels x height x width; a sample's features are its values in that
/// order (PyTorch's NCHW flattened per sample: channel-major, then rows, then columns).
public struct ImageShape: Codable, Equatable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    public var count: Int { channels * height * width }
    public var positions: Int { height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}
