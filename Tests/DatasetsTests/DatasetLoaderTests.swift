import Foundation
import XCTest
import Numerics
import Datasets

final class DatasetLoaderTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir() }
    override func tearDown() { dir.remove() }

    /// A CSV of `n` rows "i, i*2, label" with label i mod 4; feature 0 identifies the row.
    func writeCSV(_ name: String, n: Int, features: Int = 2) throws -> String {
        let rows = (0..<n).map { i in ((0..<features).map { String(i * ($0 + 1)) } + [String(i % 4)]).joined(separator: ",") }
        return try dir.write(name, rows.joined(separator: "\n") + "\n")
    }

    func testUnknownDatasetIsAUsageError() {
        for name in ["mnist", "", "csv", "fashion_mnist"] {
            assertInputError(.usage, contains: ["--dataset", "fashion-mnist-subset", "idx:DIR", "csv:PATH"]) {
                try DatasetLoader.load(DatasetOptions(dataset: name))
            }
        }
    }

    func testCSVNeedsATestSplit() throws {
        let p = try writeCSV("a.csv", n: 10)
        assertInputError(.usage, contains: ["--test-dataset", "--holdout"]) { try DatasetLoader.load(DatasetOptions(dataset: "csv:" + p)) }
        assertInputError(.usage, contains: ["--holdout", "not both"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "csv:" + p, testDataset: "csv:" + p, holdout: 0.5))
        }
        for h in [0.0, 1.0, -0.1, Double.nan] {
            assertInputError(.usage, contains: ["--holdout"]) { try DatasetLoader.load(DatasetOptions(dataset: "csv:" + p, holdout: h)) }
        }
        // So small a fraction of so few rows leaves no test rows.
        assertInputError(.usage, contains: ["--holdout", "no test"]) { try DatasetLoader.load(DatasetOptions(dataset: "csv:" + p, holdout: 0.01)) }
        assertInputError(.usage, contains: ["--test-dataset", "csv:PATH"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "csv:" + p, testDataset: p))
        }
    }

    func testCSVWithTestFile() throws {
        let train = try writeCSV("train.csv", n: 20)
        let test = try dir.write("test.csv", "h1,h2,label\n1,2,7\n3,4,0\n")
        let (a, b) = try DatasetLoader.load(DatasetOptions(dataset: "csv:" + train, testDataset: "csv:" + test, labelColumn: .last))
        XCTAssertEqual(a.count, 20)
        XCTAssertEqual(b.count, 2)
        // The class count covers both splits (train labels go to 3, test has a 7).
        XCTAssertEqual(a.classCount, 8)
        XCTAssertEqual(b.classCount, 8)
        XCTAssertEqual(b.labels, [7, 0])

        let wide = try writeCSV("wide.csv", n: 5, features: 3)
        assertInputError(.data, contains: [wide, "3 features", "2"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "csv:" + train, testDataset: "csv:" + wide))
        }
    }

    func testHoldoutIsDeterministicDisjointAndComplete() throws {
        let p = try writeCSV("all.csv", n: 1000)
        let o = DatasetOptions(dataset: "csv:" + p, holdout: 0.2, seed: 99)
        let (train, test) = try DatasetLoader.load(o)
        XCTAssertEqual(test.count, 200)
        XCTAssertEqual(train.count, 800)
        let trainIDs = (0..<train.count).map { Int(train.features[$0, 0]) }
        let testIDs = (0..<test.count).map { Int(test.features[$0, 0]) }
        XCTAssertTrue(Set(trainIDs).isDisjoint(with: testIDs))
        XCTAssertEqual(Set(trainIDs).union(testIDs), Set(0..<1000))
        // Rows keep their file order within each split, and labels travel with their rows.
        XCTAssertEqual(trainIDs, trainIDs.sorted())
        XCTAssertEqual(testIDs, testIDs.sorted())
        for i in 0..<test.count { XCTAssertEqual(test.labels[i], testIDs[i] % 4) }
        XCTAssertEqual(train.classCount, 4)

        // Same seed, same split; another seed, another split.
        let (train2, test2) = try DatasetLoader.load(o)
        XCTAssertEqual(train2, train)
        XCTAssertEqual(test2, test)
        var other = o
        other.seed = 100
        let (_, test3) = try DatasetLoader.load(other)
        XCTAssertEqual(test3.count, 200)
        XCTAssertNotEqual(test3.features, test.features)
        // The split is the documented one: the first 200 entries of the seeded permutation.
        var rng = SeededRandom(seed: 99)
        XCTAssertEqual(testIDs, rng.permutation(1000)[..<200].sorted())
    }

    func testIDXDirectoryAndDataDir() throws {
        try writeIDXSet(in: dir, n: 40, m: 10, classes: 5)
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "idx:" + dir.path))
        XCTAssertEqual(train.count, 40)
        XCTAssertEqual(test.count, 10)
        XCTAssertEqual(train.classCount, 5)
        // The CLI passes --data-dir as both idx:DIR and dataDir.
        let same = try DatasetLoader.load(DatasetOptions(dataset: "idx:" + dir.path, dataDir: dir.path))
        XCTAssertEqual(same.train, train)
        assertInputError(.usage, contains: ["--data-dir"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "idx:" + dir.path, dataDir: "/somewhere/else"))
        }
        // fashion-mnist from another directory: the class count is fixed at 10.
        let fm = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist", dataDir: dir.path))
        XCTAssertEqual(fm.train.classCount, 10)
        XCTAssertEqual(fm.train.name, "fashion-mnist/train")
        assertInputError(.usage, contains: ["--holdout", "csv"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist", dataDir: dir.path, holdout: 0.1))
        }
        assertInputError(.usage, contains: ["--test-dataset", "csv"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "idx:" + dir.path, testDataset: "csv:x.csv"))
        }
        assertInputError(.data, contains: ["/no/such/dir"]) { try DatasetLoader.load(DatasetOptions(dataset: "idx:/no/such/dir")) }
    }

    func testFashionMNISTRejectsLabelsAboveNine() throws {
        try writeIDXSet(in: dir, n: 12, m: 3, classes: 10, testLabelOverride: [1, 10, 2])
        assertInputError(.data, contains: [IDX.testLabels, "label 1", "value 10", "0...9"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist", dataDir: dir.path))
        }
    }

    func testFeatureCountsMustAgree() throws {
        try writeIDXSet(in: dir, n: 4, m: 4, rows: 2, cols: 3)
        // Replace the test images with 2 x 2 images.
        let other = try TempDir()
        defer { other.remove() }
        try writeIDXSet(in: other, n: 4, m: 4, rows: 2, cols: 2)
        try FileManager.default.removeItem(atPath: dir.path + "/" + IDX.testImages + ".gz")
        try FileManager.default.copyItem(atPath: other.path + "/" + IDX.testImages + ".gz", toPath: dir.path + "/" + IDX.testImages + ".gz")
        assertInputError(.data, contains: [IDX.testImages, "4 pixels", "6"]) { try DatasetLoader.load(DatasetOptions(dataset: "idx:" + dir.path)) }
    }

    func testShippedSubset() throws {
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist-subset"))
        XCTAssertEqual(train.count, 1000)
        XCTAssertEqual(test.count, 500)
        XCTAssertEqual(train.featureCount, 784)
        XCTAssertEqual(test.featureCount, 784)
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(train.classHistogram, [Int](repeating: 100, count: 10))
        XCTAssertEqual(test.classHistogram, [Int](repeating: 50, count: 10))
        XCTAssertEqual(train.features.storage.min(), 0)
        XCTAssertEqual(train.features.storage.max(), 1)
        XCTAssertTrue(train.features.isFinite)
        // Images are not blank: the mean pixel of Fashion-MNIST is about 0.29.
        let mean = train.features.storage.reduce(0.0) { $0 + Double($1) } / Double(train.features.count)
        XCTAssertEqual(mean, 0.29, accuracy: 0.03)
        assertInputError(.usage, contains: ["--data-dir"]) {
            try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist-subset", dataDir: dir.path))
        }
    }

    func testFullFashionMNISTWhenInstalled() throws {
        guard FileManager.default.fileExists(atPath: DatasetLoader.fashionMNISTDirectory + "/" + IDX.trainImages + ".gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
        }
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist"))
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.featureCount, 784)
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(train.classHistogram, [Int](repeating: 6000, count: 10))
        XCTAssertEqual(test.classHistogram, [Int](repeating: 1000, count: 10))
        XCTAssertEqual(train.name, "fashion-mnist/train")

        // The shipped subset is the first 100 training and 50 test images of each class, in order.
        let (subTrain, subTest) = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist-subset"))
        for (full, sub, per) in [(train, subTrain, 100), (test, subTest, 50)] {
            var taken = [Int](repeating: 0, count: 10)
            var keep = [Int]()
            for (i, y) in full.labels.enumerated() where taken[y] < per { taken[y] += 1; keep.append(i) }
            XCTAssertEqual(full.subset(keep).features, sub.features)
            XCTAssertEqual(full.subset(keep).labels, sub.labels)
        }
    }

    func testMissingFashionMNISTExplainsTheFix() throws {
        let missing = dir.path + "/not-here"
        assertInputError(.data, contains: [missing]) { try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist", dataDir: missing)) }
        // The message for the system location (checked directly, as the package may be installed).
        try writeIDXSet(in: dir, n: 2, m: 2)
        try FileManager.default.removeItem(atPath: dir.path + "/" + IDX.trainLabels + ".gz")
        assertInputError(.data, contains: [IDX.trainLabels, "apt-get install dataset-fashion-mnist", "--data-dir DIR"]) {
            try IDX.loadDirectory(dir.path, name: "fashion-mnist", classCount: 10, missingHint: DatasetLoader.installHint)
        }
    }

    func testSubsetOfDataset() {
        let ds = Dataset(name: "d", features: Matrix(rows: 3, cols: 2, storage: [0, 1, 2, 3, 4, 5]), labels: [2, 0, 1], classCount: 3)
        let s = ds.subset([2, 0, 2])
        XCTAssertEqual(s.features.storage, [4, 5, 0, 1, 4, 5])
        XCTAssertEqual(s.labels, [1, 2, 1])
        XCTAssertEqual(s.classCount, 3)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.featureCount, 2)
    }
}
