import Foundation
import XCTest
import Numerics
import Datasets

final class StandardizationTests: XCTestCase {
    func moments(_ values: [Float]) -> (mean: Double, std: Double) {
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let v = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
        return (mean, v.squareRoot())
    }

    func randomMatrix(rows: Int, cols: Int, mean: Float, std: Float, seed: UInt64) -> Matrix {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in mean + std * rng.gaussian() })
    }

    func testGlobalGivesMeanZeroStdOne() {
        let x = randomMatrix(rows: 500, cols: 40, mean: 3, std: 2, seed: 1)
        let s = Standardization.fit(x)
        XCTAssertEqual(s.mean.count, 1)
        XCTAssertEqual(s.std.count, 1)
        XCTAssertEqual(Double(s.mean[0]), 3, accuracy: 0.05)
        XCTAssertEqual(Double(s.std[0]), 2, accuracy: 0.05)
        let y = s.applied(to: x)
        let (m, sd) = moments(y.storage)
        XCTAssertEqual(m, 0, accuracy: 1e-5)
        XCTAssertEqual(sd, 1, accuracy: 1e-5)
        // One shared transform: every column is shifted and scaled alike.
        XCTAssertEqual(y[7, 3], (x[7, 3] - s.mean[0]) / s.std[0], accuracy: 1e-5)
        var z = x
        s.apply(to: &z)
        XCTAssertEqual(z, y)
    }

    func testPerFeatureGivesEachColumnMeanZeroStdOne() {
        var x = randomMatrix(rows: 400, cols: 5, mean: 0, std: 1, seed: 2)
        for i in 0..<x.rows {  // columns with very different scales
            for j in 0..<x.cols { x[i, j] = x[i, j] * Float(j + 1) * 10 + Float(j) * 100 }
        }
        let s = Standardization.fit(x, perFeature: true)
        XCTAssertEqual(s.mean.count, 5)
        let y = s.applied(to: x)
        for j in 0..<5 {
            let (m, sd) = moments((0..<y.rows).map { y[$0, j] })
            XCTAssertEqual(m, 0, accuracy: 1e-4, "column \(j)")
            XCTAssertEqual(sd, 1, accuracy: 1e-4, "column \(j)")
        }
        // The global fit would leave the columns' means far apart.
        let g = Standardization.fit(x).applied(to: x)
        XCTAssertGreaterThan(abs(moments((0..<g.rows).map { g[$0, 4] }).mean - moments((0..<g.rows).map { g[$0, 0] }).mean), 1)
    }

    func testFloorsKeepConstantInputsFinite() {
        // A constant matrix: std floored at 1e-6, output all zeros.
        let c = Matrix(rows: 10, cols: 3, repeating: 5)
        let s = Standardization.fit(c)
        XCTAssertEqual(Double(s.std[0]), Standardization.minimumStd, accuracy: 1e-12)
        XCTAssertEqual(s.applied(to: c).storage, [Float](repeating: 0, count: 30))

        // Per feature: a constant column gets std = 1e-2 of the global std, so an unseen value
        // one unit away becomes 100 / global std, not 1e6.
        var x = randomMatrix(rows: 300, cols: 3, mean: 0, std: 1, seed: 3)
        for i in 0..<x.rows { x[i, 1] = 0 }
        let p = Standardization.fit(x, perFeature: true)
        let globalStd = Double(Standardization.fit(x).std[0])
        XCTAssertEqual(Double(p.std[1]), 0.01 * globalStd, accuracy: 1e-6)
        let unseen = p.applied(to: Matrix(rows: 1, cols: 3, storage: [0, 1, 0]))
        XCTAssertEqual(Double(unseen[0, 1]), 100 / globalStd, accuracy: 1e-2)
        XCTAssertTrue(p.applied(to: x).isFinite)
    }

    func testCodableRoundTripAndCompatibility() throws {
        let s = Standardization.fit(randomMatrix(rows: 20, cols: 4, mean: 1, std: 3, seed: 4), perFeature: true)
        let back = try JSONDecoder().decode(Standardization.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
        XCTAssertTrue(s.isCompatible(featureCount: 4))
        XCTAssertFalse(s.isCompatible(featureCount: 5))
        XCTAssertTrue(Standardization.identity.isCompatible(featureCount: 5))
        let json = String(decoding: try JSONEncoder().encode(Standardization(mean: [0.5], std: [2])), as: UTF8.self)
        XCTAssertTrue(json.contains("\"mean\":[0.5]") && json.contains("\"std\":[2]"), json)
    }

    func testOnTheShippedSubset() throws {
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist-subset"))
        let s = Standardization.fit(train.features)
        let (m, sd) = moments(s.applied(to: train.features).storage)
        XCTAssertEqual(m, 0, accuracy: 1e-4)
        XCTAssertEqual(sd, 1, accuracy: 1e-4)
        // The test split, transformed with the training statistics, is close but not exact.
        let (tm, tsd) = moments(s.applied(to: test.features).storage)
        XCTAssertEqual(tm, 0, accuracy: 0.1)
        XCTAssertEqual(tsd, 1, accuracy: 0.1)
    }
}
