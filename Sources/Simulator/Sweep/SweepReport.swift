import Foundation
import Numerics

/// The sweep's pictures and report.html.
public enum SweepReport {
    public static func write(index: SweepIndex, rows: [[String: Any]], indices: [Int], front: [Bool],
                             objectives: [SweepSpec.Objective], into dir: String) throws {
    }
}
