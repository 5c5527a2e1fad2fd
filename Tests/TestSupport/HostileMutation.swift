import Foundation
import Numerics

/// The seeded mutations the suites share: byte-level for every format and, for JSON, a leaf set
/// to an extreme number, a wrong type or null.
public enum HostileMutation {
    public static func mutate(_ data: Data, json: Bool, _ rng: inout SeededRandom) -> Data {
        var b = [UInt8](data)
        if json && rng.below(2) == 0, var tree = try? JSONSerialization.jsonObject(with: data) {
            let extremes: [Any] = [-1, 0, 1e308, -1e308, Int64.max, Int64.min, "x", NSNull(), [Any](), [String: Any](), true, 1.5, 4_611_686_018_427_387_904]
            tree = replaceRandomLeaf(tree, with: extremes[rng.below(extremes.count)], &rng)
            return (try? JSONSerialization.data(withJSONObject: tree)) ?? data
        }
        guard !b.isEmpty else { return Data([0]) }
        switch rng.below(5) {
        case 0: b = Array(b.prefix(rng.below(b.count + 1)))
        case 1: for _ in 0...rng.below(8) { b[rng.below(b.count)] = UInt8(rng.below(256)) }
        case 2: b.insert(contentsOf: (0...rng.below(16)).map { _ in UInt8(rng.below(256)) }, at: rng.below(b.count + 1))
        case 3:
            let at = rng.below(b.count)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(64)))
        default:
            let at = rng.below(b.count)
            let piece = b[at..<min(b.count, at + 1 + rng.below(64))]
            b.insert(contentsOf: piece, at: min(b.count, at + piece.count))
        }
        return Data(b)
    }

    public static func replaceRandomLeaf(_ tree: Any, with value: Any, _ rng: inout SeededRandom) -> Any {
        if var o = tree as? [String: Any], !o.isEmpty {
            let k = o.keys.sorted()[rng.below(o.count)]
            o[k] = replaceRandomLeaf(o[k]!, with: value, &rng)
            return o
        }
        if var a = tree as? [Any], !a.isEmpty {
            let i = rng.below(a.count)
            a[i] = replaceRandomLeaf(a[i], with: value, &rng)
            return a
        }
        return value
    }
}

