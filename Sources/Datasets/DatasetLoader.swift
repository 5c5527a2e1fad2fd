import Foundation
import Numerics

/// What to load: the `--dataset`, `--test-dataset`, `--data-dir`, `--label-column`, `--holdout`
/// and `--seed` flags.
public struct DatasetOptions: Sendable, Equatable {
    /// `fashion-mnist`, `fashion-mnist-subset`, `idx:DIR` or `csv:PATH` (see `DatasetLoader`).
    public var dataset: String
    /// The test split of a `csv:` dataset: `csv:PATH`.
    public var testDataset: String?
    /// An IDX directory: where `fashion-mnist` is read from instead of the system location, or
    /// the same directory as an `idx:DIR` dataset.
    public var dataDir: String?
    /// The label column of `csv:` files.
    public var labelColumn: LabelColumn
    /// For a `csv:` dataset without a test file: the fraction in (0, 1) held out as the test split.
    public var holdout: Double?
    /// Seeds the holdout split.
    public var seed: UInt64
    /// CIFAR-100's fine (100) or coarse (20) labels.
    public var cifarLabel: CIFAR.Label = .fine

    public init(dataset: String, testDataset: String? = nil, dataDir: String? = nil, labelColumn: LabelColumn = .last,
                holdout: Double? = nil, seed: UInt64 = 0) {
        self.dataset = dataset
        self.testDataset = testDataset
        self.dataDir = dataDir
        self.labelColumn = labelColumn
        self.holdout = holdout
        self.seed = seed
    }
}

/// Resolves `DatasetOptions` to a training and a test split.
///
/// Accepted `dataset` values:
/// - `fashion-mnist`: the full set (60,000 train, 10,000 test, 784 features, 10 classes) from
///   Debian's dataset-fashion-mnist package (`fashionMNISTDirectory`), or from `dataDir`.
/// - `fashion-mnist-subset`: the balanced 1,000/500 subset shipped in this module's resources.
/// - `idx:DIR`: any IDX set in DIR with the standard names (`IDX.loadDirectory`); the class count
///   is the largest label + 1. `dataDir` alone, with `dataset` `idx:DIR` naming the same directory,
///   means the same.
/// - `csv:PATH`: a CSV file (`CSV`), split by `testDataset` (`csv:PATH`) or `holdout`.
/// - `cifar10:DIR`, `cifar100:DIR`: the CIFAR binary versions (`CIFAR`), 3 x 32 x 32 images;
///   CIFAR-100 labelled by `cifarLabel`.
///
/// Guarantees: both splits have the same `featureCount` and `classCount`, and both are non-empty.
/// Pixel values of IDX sets are in [0, 1]; nothing is standardised here.
public enum DatasetLoader {
    /// Where Debian's dataset-fashion-mnist package puts the gzipped IDX files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    /// The advice given when Fashion-MNIST is missing.
    public static let installHint = "install it with: apt-get install dataset-fashion-mnist, or use --data-dir DIR"
    static let accepted = "fashion-mnist, fashion-mnist-subset, idx:DIR, csv:PATH, cifar10:DIR or cifar100:DIR"

    public static func load(_ o: DatasetOptions) throws -> (train: Dataset, test: Dataset) {
        if let h = o.holdout, !(h > 0 && h < 1) {
            throw InputError.usage(flag: "--holdout", "expected a fraction in (0, 1), got \(h)")
        }
        let d = o.dataset
        if d.hasPrefix("csv:") {
            if let dir = o.dataDir {
                throw InputError.usage(flag: "--data-dir", "'\(dir)' is an IDX directory; it cannot be combined with --dataset \(d)")
            }
            return try loadCSV(path: String(d.dropFirst(4)), o)
        }
        if o.testDataset != nil {
            throw InputError.usage(flag: "--test-dataset", "applies only to a csv: dataset; \(d) has its own test split")
        }
        if o.holdout != nil {
            throw InputError.usage(flag: "--holdout", "applies only to a csv: dataset; \(d) has its own test split")
        }
        if o.cifarLabel != .fine && !d.hasPrefix("cifar100:") {
            throw InputError.usage(flag: "--label", "applies only to a cifar100: dataset")
        }
        for (prefix, hundred) in [("cifar10:", false), ("cifar100:", true)] where d.hasPrefix(prefix) {
            let dir = String(d.dropFirst(prefix.count))
            guard !dir.isEmpty else { throw InputError.usage(flag: "--dataset", "\(prefix) needs a directory: \(prefix)DIR") }
            if let other = o.dataDir { throw InputError.usage(flag: "--data-dir", "'\(other)' is an IDX directory; it cannot be combined with --dataset \(d)") }
            return hundred ? try CIFAR.load100(dir: dir, label: o.cifarLabel) : try CIFAR.load10(dir: dir)
        }
        switch d {
        case "fashion-mnist":
            let dir = o.dataDir ?? fashionMNISTDirectory
            let hint = o.dataDir == nil ? installHint : nil
            if o.dataDir == nil && !FileManager.default.fileExists(atPath: dir) {
                throw InputError.data(file: dir, "Fashion-MNIST not found; \(installHint)")
            }
            return try IDX.loadDirectory(dir, name: "fashion-mnist", classCount: 10, missingHint: hint)
        case "fashion-mnist-subset":
            if let dir = o.dataDir {
                throw InputError.usage(flag: "--data-dir", "'\(dir)' cannot be combined with --dataset fashion-mnist-subset")
            }
            return try IDX.loadDirectory(try subsetDirectory(), name: "fashion-mnist-subset", classCount: 10)
        default:
            if d.hasPrefix("idx:") {
                let dir = String(d.dropFirst(4))
                guard !dir.isEmpty else { throw InputError.usage(flag: "--dataset", "idx: needs a directory: idx:DIR") }
                if let other = o.dataDir, standardized(other) != standardized(dir) {
                    throw InputError.usage(flag: "--data-dir", "'\(other)' differs from the directory of --dataset \(d)")
                }
                return try IDX.loadDirectory(dir, name: d, classCount: nil)
            }
            if d.isEmpty, let dir = o.dataDir {
                return try IDX.loadDirectory(dir, name: "idx:\(dir)", classCount: nil)
            }
            throw InputError.usage(flag: "--dataset", "unknown dataset '\(d)'; expected \(accepted)")
        }
    }

    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    // MARK: - CSV

    static func loadCSV(path: String, _ o: DatasetOptions) throws -> (train: Dataset, test: Dataset) {
        guard !path.isEmpty else { throw InputError.usage(flag: "--dataset", "csv: needs a file: csv:PATH") }
        switch (o.testDataset, o.holdout) {
        case (nil, nil):
            throw InputError.usage(flag: "--dataset", "csv:\(path) has no test split: give --test-dataset csv:PATH or --holdout FRACTION")
        case (.some, .some):
            throw InputError.usage(flag: "--holdout", "give either --test-dataset or --holdout, not both")
        case (let t?, nil):
            guard t.hasPrefix("csv:"), t.count > 4 else {
                throw InputError.usage(flag: "--test-dataset", "expected csv:PATH, got '\(t)'")
            }
            let testPath = String(t.dropFirst(4))
            var train = try CSV.read(path: path, labelColumn: o.labelColumn, name: "csv:\(path)")
            var test = try CSV.read(path: testPath, labelColumn: o.labelColumn, name: t)
            guard train.featureCount == test.featureCount else {
                throw InputError.data(file: testPath, "rows have \(test.featureCount) features but the training file \(path) has \(train.featureCount)")
            }
            let k = max(train.classCount, test.classCount)
            train.classCount = k
            test.classCount = k
            return (train, test)
        case (nil, let h?):
            let all = try CSV.read(path: path, labelColumn: o.labelColumn, name: "csv:\(path)")
            return try holdoutSplit(all, fraction: h, seed: o.seed, file: path)
        }
    }

    /// Splits `all` at random: round(count * fraction) samples go to the test split, the rest to
    /// training, both in file order. The permutation is `SeededRandom(seed:).permutation(count)`,
    /// so the same seed always gives the same split; the test split takes its first entries.
    public static func holdoutSplit(_ all: Dataset, fraction: Double, seed: UInt64, file: String) throws -> (train: Dataset, test: Dataset) {
        let n = all.count
        let k = Int((Double(n) * fraction).rounded())
        guard k >= 1 && k < n else {
            throw InputError.usage(flag: "--holdout", "\(fraction) of the \(n) rows of \(file) leaves \(k == 0 ? "no test" : "no training") rows")
        }
        var rng = SeededRandom(seed: seed)
        let perm = rng.permutation(n)
        var train = all.subset(perm[k...].sorted())
        var test = all.subset(perm[..<k].sorted())
        train.name = all.name + "/train"
        test.name = all.name + "/holdout"
        return (train, test)
    }

    // MARK: - The shipped subset

    /// The folder of the shipped Fashion-MNIST subset (the target's `Subset` resource).
    ///
    /// SwiftPM's generated `Bundle.module` stops the process when the resource bundle is missing,
    /// so the bundle is looked for first where `Bundle.module` looks (next to the executable) and
    /// next to the real executable behind a symlink; only a bundle known to exist is opened.
    /// Source checkouts fall back to the folder in the source tree.
    public static func subsetDirectory() throws -> String {
        let fm = FileManager.default
        let bundleName = "hffsim_Datasets" + bundleExtension
        let nextToMain = Bundle.main.bundleURL.appendingPathComponent(bundleName)
        if fm.fileExists(atPath: nextToMain.path), let url = Bundle.module.url(forResource: "Subset", withExtension: nil) {
            return url.path
        }
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().appendingPathComponent(bundleName).appendingPathComponent("Subset"))
        #if os(Linux)
        if let real = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: real).deletingLastPathComponent()
                .appendingPathComponent(bundleName).appendingPathComponent("Subset"))
        }
        #endif
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Subset"))
        for c in candidates where IDX.locate(IDX.trainImages, in: c.path) != nil {
            return c.path
        }
        throw InputError.data(file: bundleName + "/Subset",
                              "the shipped fashion-mnist-subset was not found next to the executable (\(nextToMain.deletingLastPathComponent().path)); install the \(bundleName) folder along with hffsim, or use --dataset fashion-mnist")
    }

    #if canImport(Darwin)
    static let bundleExtension = ".bundle"
    #else
    static let bundleExtension = ".resources"
    #endif
}
