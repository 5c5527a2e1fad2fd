import Foundation

/// Duplicate keys in JSON objects. Foundation's parser keeps the last of two equal keys without a
/// word, so a hand-edited file could carry two values of one field and be read as the second.
/// Readers call `firstDuplicate` on the bytes before parsing them and refuse the file.
public enum JSONKeys {
    /// The path of the first key that appears twice in one object (`hardware.crossbar.rows`,
    /// `layers[2].inputs`), or nil. Malformed JSON returns nil: the real parser reports it.
    public static func firstDuplicate(in data: Data) -> String? {
        data.withUnsafeBytes { raw -> String? in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return scanner.value(path: "")
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        var failed = false

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        /// Scans one value; returns the path of a duplicate key inside it.
        mutating func value(path: String) -> String? {
            skipSpace()
            guard i < bytes.count, !failed else { failed = true; return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var keys = Set<String>()
                skipSpace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
                while !failed {
                    skipSpace()
                    guard let key = string() else { failed = true; return nil }
                    let child = path.isEmpty ? key : path + "." + key
                    if !keys.insert(key).inserted { return child }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { failed = true; return nil }
                    i += 1
                    if let d = value(path: child) { return d }
                    skipSpace()
                    guard i < bytes.count else { failed = true; return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
                    failed = true
                }
                return nil
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return nil }
                var index = 0
                while !failed {
                    if let d = value(path: "\(path)[\(index)]") { return d }
                    index += 1
                    skipSpace()
                    guard i < bytes.count else { failed = true; return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return nil }
                    failed = true
                }
                return nil
            case UInt8(ascii: "\""):
                if string() == nil { failed = true }
                return nil
            default:
                // A number, true, false or null: up to the next delimiter.
                while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
                return nil
            }
        }

        /// A string at `i` (which must be a quote), with escapes kept as written: enough to compare
        /// keys, though "a" and "\u0061" count as different keys (Foundation would merge them).
        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out = [UInt8]()
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { return nil }
                    out.append(b); out.append(bytes[i + 1])
                    i += 2
                    continue
                }
                out.append(b)
                i += 1
            }
            return nil
        }
    }
}
