import Foundation

/// The hostile suites' judge of an accepted case: is the mutated file still a well-formed file of
/// its format? Written from the formats' own definitions, with nothing of the readers under test
/// (Foundation's JSON parser, Swift's `Double(String)`, Debian's `gzip -dc`), so that "accepted"
/// splits into "accepted and well-formed" and "accepted garbage", which must be zero.
///
/// The oracle is structural and deliberately lenient on meaning: a number changed to another
/// finite, non-negative-where-it-was, moderate number is well-formed (whether it is in a key's
/// range is the schema's business, and a refusal is always allowed). What it calls garbage:
/// - bytes that do not parse (JSON, safetensors header, UTF-8 CSV, gzip streams with errors or
///   trailing bytes);
/// - a structure that does not add up (a safetensors tensor whose offsets do not match its
///   shape and dtype or leave bytes unaccounted for; an IDX size that is not the file's; CSV rows
///   of different lengths or a label that is not a whole number);
/// - a value of another type than the one it replaced, a key renamed, added or dropped, an array
///   grown or shrunk, a non-free-text string changed (enumerations, file names, digests);
/// - a number that is not finite, beyond 1e15 in magnitude, or negative where it was not;
///   float tensor data that is not finite.
public enum HostileOracle {
    /// nil when `mutated` is a well-formed file of `format` (original: the valid file it was
    /// made from); otherwise why it is garbage.
    public static func garbage(format: String, original: Data, mutated: Data) -> String? {
        switch format {
        case "model", "config tensors": return safetensors(original: original, mutated: mutated)
        case "hardware", "config": return json(original: original, mutated: mutated)
        case "csv": return csv(mutated)
        case "csv.gz": return gunzip(mutated).map(csv) ?? "not a clean gzip stream"
        case "idx": return idx(mutated)
        case "idx.gz": return gunzip(mutated).map(idx) ?? "not a clean gzip stream"
        default: return "unknown format \(format)"
        }
    }

    /// Strings whose content is free text: any change keeps the file well-formed.
    static let freeText: Set<String> = ["source", "description", "name", "note", "meaning"]

    // MARK: JSON

    static func json(original: Data, mutated: Data) -> String? {
        guard let a = try? JSONSerialization.jsonObject(with: original, options: [.fragmentsAllowed]) else { return "original is not JSON" }
        guard let b = try? JSONSerialization.jsonObject(with: mutated, options: [.fragmentsAllowed]) else { return "not JSON" }
        return tree(a, b, key: "", path: "")
    }

    /// Compares two JSON trees leaf by leaf (see the type's rules).
    static func tree(_ a: Any, _ b: Any, key: String, path: String) -> String? {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            guard Set(x.keys) == Set(y.keys) else { return "\(path): keys \(Set(x.keys).symmetricDifference(y.keys).sorted()) added or dropped" }
            for k in x.keys.sorted() {
                if let r = tree(x[k]!, y[k]!, key: k, path: path + "." + k) { return r }
            }
            return nil
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { return "\(path): array of \(x.count) became \(y.count)" }
            for i in x.indices {
                if let r = tree(x[i], y[i], key: key, path: path + "[\(i)]") { return r }
            }
            return nil
        case let (x as String, y as String):
            return x == y || freeText.contains(key) ? nil : "\(path): '\(x)' became '\(y)'"
        case (is NSNull, is NSNull):
            return nil
        case let (x as NSNumber, y as NSNumber):
            let xb = String(describing: type(of: x)).contains("Boolean"), yb = String(describing: type(of: y)).contains("Boolean")
            if xb || yb { return xb == yb ? nil : "\(path): a boolean and a number swapped" }
            return number(x.doubleValue, y.doubleValue, path: path)
        default:
            return "\(path): \(type(of: a)) became \(type(of: b))"
        }
    }

    static func number(_ old: Double, _ new: Double, path: String) -> String? {
        if !new.isFinite || abs(new) > 1e15 { return "\(path): \(new) is not a moderate finite number" }
        if old >= 0 && new < 0 { return "\(path): \(old) became negative (\(new))" }
        return nil
    }

    // MARK: safetensors

    static let dtypeBytes = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4,
                             "U16": 2, "U8": 1, "BOOL": 1]

    /// The safetensors format (huggingface/safetensors, "Format"): an 8-byte little-endian header
    /// length N, N bytes of JSON (name -> {dtype, shape, data_offsets}, optional __metadata__ of
    /// strings), then the tensors' bytes, contiguous, exactly covering the rest of the file.
    static func safetensors(original: Data, mutated: Data) -> String? {
        let b = [UInt8](mutated)
        guard b.count >= 8 else { return "shorter than the 8-byte header length" }
        let n = b[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(b.count - 8) else { return "header length \(n) beyond the file" }
        let header = Data(b[8..<(8 + Int(n))])
        guard let h = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else { return "header is not a JSON object" }
        var spans = [(Int, Int, String, Int)]()  // start, end, dtype, element count
        for (name, v) in h where name != "__metadata__" {
            guard let t = v as? [String: Any], let dtype = t["dtype"] as? String, let size = dtypeBytes[dtype],
                  let shape = t["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }),
                  let off = t["data_offsets"] as? [Int], off.count == 2, off[0] >= 0, off[1] >= off[0] else { return "tensor \(name): malformed entry" }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard count < Int.max / 8, off[1] - off[0] == count * size else { return "tensor \(name): offsets do not match shape and dtype" }
            spans.append((off[0], off[1], dtype, count))
        }
        spans.sort { $0.0 < $1.0 }
        var at = 0
        for s in spans {
            guard s.0 == at else { return "tensor data not contiguous at \(at)" }
            at = s.1
        }
        let base = 8 + Int(n)
        guard base + at == b.count else { return "tensor data covers \(at) of \(b.count - base) bytes" }
        for s in spans where s.2 == "F32" {
            for i in 0..<s.3 {
                let o = base + s.0 + 4 * i
                let bits = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
                if !Float(bitPattern: bits).isFinite { return "F32 value not finite" }
            }
        }
        // Metadata: strings; where the original's value is JSON, the new one must be too, by the rules above.
        let meta = h["__metadata__"]
        if meta != nil { guard meta is [String: String] else { return "__metadata__ is not an object of strings" } }
        if let m = meta as? [String: String], let o = originalMetadata(original) {
            guard Set(m.keys) == Set(o.keys) else { return "__metadata__ keys changed" }
            for k in m.keys.sorted() where m[k] != o[k] {
                if let x = try? JSONSerialization.jsonObject(with: Data(o[k]!.utf8), options: [.fragmentsAllowed]) {
                    guard let y = try? JSONSerialization.jsonObject(with: Data(m[k]!.utf8), options: [.fragmentsAllowed]) else { return "__metadata__.\(k): not JSON" }
                    if let r = tree(x, y, key: k, path: "__metadata__.\(k)") { return r }
                } else if !freeText.contains(k) {
                    return "__metadata__.\(k): '\(o[k]!)' became '\(m[k]!)'"
                }
            }
        }
        return nil
    }

    static func originalMetadata(_ d: Data) -> [String: String]? {
        let b = [UInt8](d)
        guard b.count >= 8 else { return nil }
        let n = Int(b[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        guard let h = try? JSONSerialization.jsonObject(with: Data(b[8..<(8 + n)])) as? [String: Any] else { return nil }
        return h["__metadata__"] as? [String: String]
    }

    // MARK: CSV, IDX, gzip

    /// One sample per line, comma-separated numbers (spaces around a field allowed), the label
    /// last and a whole number in 0...65535, every row as long as the first; an optional first
    /// row of printable text (a header); blank lines ignored.
    static func csv(_ d: Data) -> String? {
        guard let text = String(data: d, encoding: .utf8) else { return "not UTF-8" }
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        rows.removeAll { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !rows.isEmpty else { return "no rows" }
        func numbers(_ row: String) -> [Double]? {
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            return f.contains(where: { $0 == nil }) ? nil : f.map { $0! }
        }
        if numbers(rows[0]) == nil {
            guard rows[0].unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else { return "line 1 is neither numbers nor text" }
            rows.removeFirst()
        }
        guard let first = rows.first, let width = numbers(first)?.count, width >= 2 else { return "no data row of 2 or more numbers" }
        for (i, r) in rows.enumerated() {
            guard let v = numbers(r) else { return "row \(i): not all numbers" }
            guard v.count == width else { return "row \(i): \(v.count) fields, not \(width)" }
            guard v.allSatisfy({ $0.isFinite }) else { return "row \(i): a value not finite" }
            let label = v[width - 1]
            guard label >= 0, label <= 65_535, label == label.rounded() else { return "row \(i): label \(label)" }
        }
        return nil
    }

    /// IDX (LeCun's MNIST page): two zero bytes, the type (0x08: unsigned bytes), the number of
    /// dimensions, each a big-endian 32-bit size, then exactly the product of sizes in bytes.
    /// Images: 2 or 3 dimensions (samples x features, or samples x rows x columns), none zero.
    static func idx(_ d: Data) -> String? {
        let b = [UInt8](d)
        guard b.count >= 4, b[0] == 0, b[1] == 0, b[2] == 0x08 else { return "not an unsigned-byte IDX header" }
        let dims = Int(b[3])
        guard dims == 2 || dims == 3, b.count >= 4 + 4 * dims else { return "\(dims) dimensions" }
        var size = 1
        for k in 0..<dims {
            let o = 4 + 4 * k
            let v = Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
            guard v > 0 else { return "dimension \(k) is 0" }
            size *= v
            if size > b.count { return "sizes beyond the file" }
        }
        return 4 + 4 * dims + size == b.count ? nil : "sizes give \(size) bytes, the file has \(b.count - 4 - 4 * dims)"
    }

    /// Debian's gzip: nil unless it decompresses the whole input without a warning.
    static func gunzip(_ d: Data) -> Data? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let writer = DispatchQueue(label: "gunzip")
        writer.async { try? input.fileHandleForWriting.write(contentsOf: d); try? input.fileHandleForWriting.close() }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? out : nil
    }
}
