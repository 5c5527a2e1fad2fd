import Foundation
import Numerics

/// A safetensors file (https://github.com/huggingface/safetensors) held in memory: named
/// tensors of `Float` plus the optional string-to-string `__metadata__`.
///
/// Layout on disk:
///
///     [8 bytes: N, little-endian UInt64] [N bytes: UTF-8 JSON header] [tensor bytes]
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [..], "data_offsets": [b, e]}`,
/// offsets counted from the first byte after the header; `"__metadata__"` maps strings to strings.
///
/// Reading follows the validation of the reference implementation (`safetensors/src/tensor.rs`):
/// the header is at most 100,000,000 bytes and lies inside the file, is valid UTF-8 and valid
/// JSON; the tensors, ordered by offsets, are contiguous from offset 0 and cover the data section
/// exactly; each tensor's byte length is product(shape) * size(dtype), computed without overflow.
/// hffsim is stricter than the reference where the reference would silently pick one reading:
/// duplicate keys in any JSON object are rejected, and so are tensor names or metadata keys that
/// differ in bytes but are canonically equivalent Unicode (a Swift dictionary would merge them).
/// Unknown fields inside a tensor entry are ignored,
/// as the reference does. F32, F64, F16 and BF16 tensors are read and converted to `Float` (F64
/// values beyond the `Float` range become infinities); other dtypes are rejected. NaN and
/// infinities are kept: whether they are acceptable is for the caller (the model loader) to decide.
/// Decoding never traps on malformed input; every failure is an ``InputError`` of kind `.data`
/// whose message names the file and either `header` or `tensor 'NAME'`.
///
/// Writing always uses F32 and is deterministic: tensors are laid out in the byte order of their
/// UTF-8 names, the JSON header is written with keys in a fixed order (`__metadata__` first, its
/// keys sorted; then per tensor `dtype`, `shape`, `data_offsets`), and the header is padded with
/// spaces to a multiple of 8 bytes so that tensor data is 8-byte aligned, as the reference does.
/// The same content therefore always produces the same bytes, whatever the dictionary order.
public struct SafeTensors: Sendable, Equatable {
    /// One tensor: its shape and its values in row-major (C) order.
    ///
    /// `values.count` must equal the product of `shape` (1 for the scalar shape `[]`, 0 when a
    /// dimension is 0). Equality compares values numerically, so a tensor holding NaN is not equal
    /// to itself; compare `values.map(\.bitPattern)` for bit-exact comparisons.
    public struct Tensor: Sendable, Equatable {
        /// The dimensions, outermost first; `[]` is a scalar.
        public var shape: [Int]
        /// The elements in row-major order.
        public var values: [Float]

        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }

        /// The number of elements `shape` describes, or nil when a dimension is negative or the
        /// product overflows.
        public var elementCount: Int? { SafeTensors.product(shape) }
    }

    /// The tensors by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` entries (empty when the file has none).
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The largest header accepted, as in the reference implementation.
    public static let maxHeaderSize = 100_000_000

    /// The dtypes hffsim reads, with their sizes in bytes.
    static let readableDTypes: [String: Int] = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]

    // MARK: - Reading

    /// Reads and validates the safetensors file at `path`; errors name `path`.
    public static func read(path: String) throws -> SafeTensors {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError.data(file: path, "cannot read: no such file")
        }
        if isDirectory.boolValue { throw InputError.data(file: path, "cannot read: is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError.data(file: path, "cannot read: \(SafeTensors.oneLine(error.localizedDescription))")
        }
        return try decode(data, file: path)
    }

    /// Decodes and validates safetensors bytes; errors name `file`.
    public static func decode(_ data: Data, file: String) throws -> SafeTensors {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            try Reader(bytes: raw, file: file).decode()
        }
    }

    /// The decoding of one buffer.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let file: String

        func headerError(_ message: String) -> InputError {
            InputError.data(file: file, field: "header", message)
        }

        func tensorError(_ name: String, _ message: String) -> InputError {
            InputError.data(file: file, field: "tensor \(SafeTensors.quoted(name, quote: "'"))", message)
        }

        struct Entry {
            var name: String
            var dtype: String
            var elementSize: Int
            var shape: [Int]
            var begin: Int
            var end: Int
        }

        func decode() throws -> SafeTensors {
            let total = bytes.count
            guard total >= 8 else {
                throw headerError("file is \(total) bytes, too short for the 8-byte header length")
            }
            var n: UInt64 = 0
            for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
            guard n <= UInt64(SafeTensors.maxHeaderSize) else {
                throw headerError("header length \(n) exceeds the limit of \(SafeTensors.maxHeaderSize) bytes")
            }
            let headerLength = Int(n)
            guard headerLength <= total - 8 else {
                throw headerError("header length \(headerLength) exceeds the \(total - 8) bytes after the length field")
            }
            let header = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
            guard String(validating: header, as: UTF8.self) != nil else {
                throw headerError("not valid UTF-8")
            }
            let root: JSONValue
            do {
                var parser = JSONParser(bytes: header)
                root = try parser.parseDocument()
            } catch let error as JSONParser.Failure {
                throw headerError("not valid JSON: \(error.message)")
            }
            guard case .object(let members) = root else {
                throw headerError("expected a JSON object, got \(root.kind)")
            }

            var metadata: [String: String] = [:]
            var entries: [Entry] = []
            entries.reserveCapacity(members.count)
            var names = Set<String>()
            for (key, value) in members {
                if key == "__metadata__" {
                    metadata = try decodeMetadata(value)
                    continue
                }
                // Swift compares strings by canonical equivalence: two byte-different names
                // that are canonically equal would collide in the dictionary.
                guard names.insert(key).inserted else {
                    throw tensorError(key, "name occurs twice (possibly in two Unicode normalization forms)")
                }
                entries.append(try decodeEntry(key, value))
            }

            // Validate the layout as the reference does: ordered by offsets, contiguous from 0,
            // each length consistent with shape and dtype, covering the data section exactly.
            entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
            var position = 0
            for e in entries {
                if e.begin != position {
                    throw tensorError(e.name, e.begin < position
                        ? "data_offsets [\(e.begin), \(e.end)] overlap the previous tensor, which ends at \(position)"
                        : "data_offsets [\(e.begin), \(e.end)] leave a gap: the previous tensor ends at \(position)")
                }
                if e.end < e.begin {
                    throw tensorError(e.name, "data_offsets [\(e.begin), \(e.end)] end before they begin")
                }
                guard let count = SafeTensors.product(e.shape) else {
                    throw tensorError(e.name, "shape \(e.shape) has too many elements")
                }
                let (byteCount, overflow) = count.multipliedReportingOverflow(by: e.elementSize)
                if overflow {
                    throw tensorError(e.name, "shape \(e.shape) has too many elements")
                }
                if e.end - e.begin != byteCount {
                    throw tensorError(e.name, "data_offsets [\(e.begin), \(e.end)] span \(e.end - e.begin) bytes "
                        + "but shape \(e.shape) of \(e.dtype) needs \(byteCount)")
                }
                position = e.end
            }
            let dataLength = total - 8 - headerLength
            if position != dataLength {
                throw headerError(position < dataLength
                    ? "tensors cover \(position) bytes but the data section holds \(dataLength) (trailing bytes)"
                    : "tensors need \(position) bytes but the data section holds only \(dataLength) (truncated file?)")
            }

            let dataStart = 8 + headerLength
            var tensors: [String: Tensor] = [:]
            tensors.reserveCapacity(entries.count)
            for e in entries {
                let region = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + e.begin)..<(dataStart + e.end)])
                let values = SafeTensors.convert(region, dtype: e.dtype, count: (e.end - e.begin) / e.elementSize)
                tensors[e.name] = Tensor(shape: e.shape, values: values)
            }
            return SafeTensors(tensors: tensors, metadata: metadata)
        }

        func decodeMetadata(_ value: JSONValue) throws -> [String: String] {
            switch value {
            case .null:
                return [:]
            case .object(let members):
                var out: [String: String] = [:]
                for (key, v) in members {
                    guard case .string(let s) = v else {
                        throw headerError("__metadata__ value for key \(SafeTensors.quoted(key, quote: "\"")) is \(v.kind), expected a string")
                    }
                    guard out.updateValue(s, forKey: key) == nil else {
                        throw headerError("__metadata__ key \(SafeTensors.quoted(key, quote: "\"")) occurs twice (possibly in two Unicode normalization forms)")
                    }
                }
                return out
            default:
                throw headerError("__metadata__ is \(value.kind), expected an object of strings")
            }
        }

        func decodeEntry(_ name: String, _ value: JSONValue) throws -> Entry {
            guard case .object(let members) = value else {
                throw tensorError(name, "expected an object with dtype, shape and data_offsets, got \(value.kind)")
            }
            var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
            for (key, v) in members {
                switch key {
                case "dtype": dtypeValue = v
                case "shape": shapeValue = v
                case "data_offsets": offsetsValue = v
                default: continue // The reference ignores unknown fields.
                }
            }
            guard let dtypeValue else { throw tensorError(name, "missing dtype") }
            guard case .string(let dtype) = dtypeValue else {
                throw tensorError(name, "dtype is \(dtypeValue.kind), expected a string")
            }
            guard let elementSize = SafeTensors.readableDTypes[dtype] else {
                throw tensorError(name, "unsupported dtype \(SafeTensors.quoted(dtype, quote: "\"")); hffsim reads F32, F64, F16 and BF16")
            }
            guard let shapeValue else { throw tensorError(name, "missing shape") }
            guard case .array(let dims) = shapeValue else {
                throw tensorError(name, "shape is \(shapeValue.kind), expected an array of non-negative integers")
            }
            var shape: [Int] = []
            shape.reserveCapacity(dims.count)
            for (i, d) in dims.enumerated() {
                guard let v = d.nonNegativeInteger else {
                    throw tensorError(name, "shape[\(i)] is \(d.describedForError), expected a non-negative integer")
                }
                shape.append(v)
            }
            guard let offsetsValue else { throw tensorError(name, "missing data_offsets") }
            guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
                throw tensorError(name, "data_offsets must be an array of two non-negative integers")
            }
            guard let begin = offsets[0].nonNegativeInteger else {
                throw tensorError(name, "data_offsets[0] is \(offsets[0].describedForError), expected a non-negative integer")
            }
            guard let end = offsets[1].nonNegativeInteger else {
                throw tensorError(name, "data_offsets[1] is \(offsets[1].describedForError), expected a non-negative integer")
            }
            return Entry(name: name, dtype: dtype, elementSize: elementSize, shape: shape, begin: begin, end: end)
        }
    }

    /// The product of `shape`, or nil when a dimension is negative or the product overflows
    /// (checked left to right, as the reference does).
    static func product(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            if d < 0 { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// Little-endian elements of `dtype` as `Float`.
    static func convert(_ region: UnsafeRawBufferPointer, dtype: String, count: Int) -> [Float] {
        switch dtype {
        case "F32":
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: region.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                initialized = count
            }
        case "F64":
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: region.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
                initialized = count
            }
        case "F16":
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    out[i] = floatFromHalf(UInt16(littleEndian: region.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
                initialized = count
            }
        case "BF16":
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    out[i] = floatFromBFloat16(UInt16(littleEndian: region.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
                initialized = count
            }
        default:
            preconditionFailure("dtype \(dtype) passed validation but has no conversion")
        }
    }

    /// IEEE 754 binary16 bits to `Float` (exact: every half value is a float value). NaN payloads
    /// are kept in the high mantissa bits.
    public static func floatFromHalf(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        case 0x1f:
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }

    /// bfloat16 bits to `Float`: the upper half of the float's bits.
    public static func floatFromBFloat16(_ b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    // MARK: - Writing

    /// The first problem that prevents encoding, or nil: a tensor named `__metadata__`, a negative
    /// dimension, or a value count that differs from the shape's element count.
    public func encodingProblem() -> (field: String, message: String)? {
        for name in tensors.keys.sorted(by: SafeTensors.byteOrder) {
            let t = tensors[name]!
            let field = "tensor \(SafeTensors.quoted(name, quote: "'"))"
            if name == "__metadata__" { return (field, "the name __metadata__ is reserved for the metadata") }
            guard let count = t.elementCount else {
                return (field, "shape \(t.shape) has a negative dimension or too many elements")
            }
            if count != t.values.count {
                return (field, "shape \(t.shape) holds \(count) values but the tensor has \(t.values.count)")
            }
        }
        return nil
    }

    /// The file's bytes, F32 throughout; equal content gives equal bytes.
    ///
    /// - Precondition: ``encodingProblem()`` is nil (every tensor's value count matches its shape
    ///   and no tensor is named `__metadata__`). ``write(to:)`` checks this and throws instead.
    public func encode() -> Data {
        if let problem = encodingProblem() {
            preconditionFailure("SafeTensors.encode: \(problem.field): \(problem.message)")
        }
        let names = tensors.keys.sorted(by: SafeTensors.byteOrder)
        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            var firstKey = true
            for key in metadata.keys.sorted(by: SafeTensors.byteOrder) {
                if !firstKey { header += "," }
                firstKey = false
                header += SafeTensors.jsonString(key) + ":" + SafeTensors.jsonString(metadata[key]!)
            }
            header += "}"
            first = false
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let length = 4 * t.values.count
            if !first { header += "," }
            first = false
            header += SafeTensors.jsonString(name)
            header += ":{\"dtype\":\"F32\",\"shape\":["
            header += t.shape.map(String.init).joined(separator: ",")
            header += "],\"data_offsets\":[\(offset),\(offset + length)]}"
            offset += length
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        let padding = (8 - headerBytes.count % 8) % 8
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

        var out = Data(capacity: 8 + headerBytes.count + offset)
        var n = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            let values = tensors[name]!.values
            #if _endian(little)
            values.withUnsafeBytes { out.append(contentsOf: $0) }
            #else
            var chunk = [UInt8]()
            chunk.reserveCapacity(4 * values.count)
            for v in values {
                let bits = v.bitPattern
                for s in stride(from: 0, to: 32, by: 8) { chunk.append(UInt8(truncatingIfNeeded: bits >> UInt32(s))) }
            }
            out.append(contentsOf: chunk)
            #endif
        }
        return out
    }

    /// Writes ``encode()`` to `path` atomically (temporary file, then rename); errors name `path`.
    /// Content that ``encodingProblem()`` reports, or whose header would exceed ``maxHeaderSize``
    /// (which no reader would accept), is refused with an error instead.
    public func write(to path: String) throws {
        try AtomicFile.write(try checkedEncoding(for: path), to: path)
    }

    /// ``encode()``, refused (naming `path`) when a reader would refuse the file.
    public func checkedEncoding(for path: String) throws -> Data {
        if let problem = encodingProblem() {
            throw InputError.data(file: path, field: problem.field, "cannot write: \(problem.message)")
        }
        let data = encode()
        let headerLength = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        if headerLength > SafeTensors.maxHeaderSize {
            throw InputError.data(file: path, field: "header", "cannot write: the header would be \(headerLength) bytes, "
                + "over the \(SafeTensors.maxHeaderSize)-byte limit readers enforce")
        }
        return data
    }

    /// Orders strings by their UTF-8 bytes (the order of Rust's `str` and of Python's `str` for
    /// valid text), which, unlike `String.<`, never equates distinct byte sequences.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `s` as a JSON string literal: quotes, backslashes and control characters escaped, all
    /// other characters written as UTF-8 (as serde_json does).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

// MARK: - Error text

extension SafeTensors {
    /// `s` quoted for a one-line error message: control characters escaped, long names shortened.
    static func quoted(_ s: String, quote: Character) -> String {
        var out = String(quote)
        var count = 0
        for scalar in s.unicodeScalars {
            if count == 120 { out += "..."; break }
            count += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || Character(scalar) == quote
                    || (0x80...0x9f).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// `s` with line breaks replaced by spaces.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 })
    }
}

// MARK: - A strict JSON parser

extension SafeTensors {
    /// A parsed JSON value. Objects keep their members in document order; numbers keep their text so
    /// integers are checked exactly.
    fileprivate enum JSONValue {
        case object([(String, JSONValue)])
        case array([JSONValue])
        case string(String)
        case number(String)
        case bool(Bool)
        case null

        var kind: String {
            switch self {
            case .object: return "an object"
            case .array: return "an array"
            case .string: return "a string"
            case .number: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            }
        }

        /// The value when it is a JSON integer (no sign, fraction or exponent) that fits in `Int`.
        var nonNegativeInteger: Int? {
            guard case .number(let text) = self, !text.isEmpty,
                  text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(text)
        }

        /// The value for an error message: numbers by their text (shortened), others by kind.
        var describedForError: String {
            if case .number(let text) = self {
                return text.count > 40 ? String(text.prefix(40)) + "..." : text
            }
            return kind
        }
    }

    /// RFC 8259 JSON over UTF-8 bytes. Nesting is limited to 127 levels, the most serde_json (which
    /// the reference uses) accepts, so hostile input cannot exhaust the stack; duplicate object keys
    /// are rejected.
    fileprivate struct JSONParser {
        struct Failure: Error { var message: String }

        let bytes: UnsafeRawBufferPointer
        var index = 0
        var depth = 0
        static let maxDepth = 127

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func fail(_ message: String) -> Failure { Failure(message: "\(message) at byte \(index)") }

        mutating func parseDocument() throws -> JSONValue {
            skipWhitespace()
            let value = try parseValue()
            skipWhitespace()
            if index != bytes.count { throw fail("unexpected data after the JSON value") }
            return value
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0a, 0x0d: index += 1
                default: return
                }
            }
        }

        mutating func parseValue() throws -> JSONValue {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw fail("unexpected character")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws {
            let n = literal.utf8CodeUnitCount
            guard bytes.count - index >= n else { throw fail("unexpected end of input") }
            let p = literal.utf8Start
            for i in 0..<n where bytes[index + i] != p[i] { throw fail("invalid literal") }
            index += n
        }

        mutating func enter() throws {
            depth += 1
            if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
        }

        mutating func parseObject() throws -> JSONValue {
            try enter()
            defer { depth -= 1 }
            index += 1 // {
            var members: [(String, JSONValue)] = []
            var keys = Set<[UInt8]>()
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try parseString()
                guard keys.insert(Array(key.utf8)).inserted else {
                    throw fail("duplicate key \(SafeTensors.quoted(key, quote: "\""))")
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                members.append((key, try parseValue()))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func parseArray() throws -> JSONValue {
            try enter()
            defer { depth -= 1 }
            index += 1 // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try parseValue())
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw fail("expected ',' or ']'")
            }
        }

        /// A number's text, checked against the JSON grammar.
        mutating func parseNumber() throws -> String {
            let start = index
            func isDigit(_ i: Int) -> Bool {
                i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
            }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if isDigit(index) { throw fail("invalid number (leading zero)") }
            } else {
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(index) else { throw fail("invalid number") }
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
                index += 1
                if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
                guard isDigit(index) else { throw fail("invalid number") }
                while isDigit(index) { index += 1 }
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// A string literal (the opening quote at `index`), escapes decoded. The input is already
        /// known to be valid UTF-8; escapes must form valid scalars (no lone surrogates).
        mutating func parseString() throws -> String {
            index += 1 // "
            var out: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("unterminated string") }
                let c = bytes[index]
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw fail("unterminated string") }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5c)
                    case UInt8(ascii: "/"): out.append(0x2f)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var value = try parseHex4()
                        if (0xd800...0xdbff).contains(value) {
                            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                                  bytes[index + 1] == UInt8(ascii: "u") else { throw fail("lone surrogate in \\u escape") }
                            index += 2
                            let low = try parseHex4()
                            guard (0xdc00...0xdfff).contains(low) else { throw fail("lone surrogate in \\u escape") }
                            value = 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00)
                        } else if (0xdc00...0xdfff).contains(value) {
                            throw fail("lone surrogate in \\u escape")
                        }
                        guard let scalar = Unicode.Scalar(value) else { throw fail("invalid \\u escape") }
                        out.append(contentsOf: UTF8.encode(scalar)!)
                    default:
                        throw fail("invalid escape")
                    }
                default:
                    if c < 0x20 { throw fail("control character in string") }
                    out.append(c)
                    index += 1
                }
            }
        }

        mutating func parseHex4() throws -> UInt32 {
            guard bytes.count - index >= 4 else { throw fail("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
