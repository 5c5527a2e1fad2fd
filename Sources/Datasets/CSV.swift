import Dispatch
import Foundation
import Numerics

/// Numeric CSV files: one sample per row, every field a number, one field the label.
///
/// Format accepted:
/// - Fields are separated by commas; lines end in LF or CRLF. A UTF-8 byte-order mark is skipped.
///   Spaces and tabs around a field are ignored, and so are double quotes around a number
///   (`"0.5"`); there is no other quoting (a number never holds a comma).
/// - Numbers are decimal: optional sign, digits with an optional point, optional exponent
///   (`-1.5e-3`, `.5`, `7.`). NaN and infinities (`nan`, `inf`, `infinity`) are rejected, and so
///   are values beyond the Float range. Conversion is correctly rounded to Float.
/// - The label column (`LabelColumn`) holds non-negative integers up to `CSV.maxLabel`, written
///   as integers or integral numbers (`3`, `3.0`). All other columns are features, in file order.
/// - Header: if any field of the first non-blank line is not a number, that line is a header and
///   is skipped; it must have as many columns as the data.
/// - Blank lines are skipped. Every data row must have as many columns as the first one.
/// - The file may be gzipped (detected from the magic bytes 1f 8b, not from the name).
///
/// Errors are `InputError.data` naming the file, the 1-based line number and, for a bad field,
/// the column counted from 0 (as `--label-column` counts), for example
/// "data.csv: line 17: expected 785 columns, got 784".
///
/// Speed: the bytes are parsed in place by a hand-written number parser, in parallel over
/// line-aligned chunks (one thread per core), with each chunk writing its rows straight into the
/// final feature storage.
public enum CSV {
    /// The largest label accepted; bounds `classCount` so a stray value cannot size a huge output layer.
    public static let maxLabel = 65_535

    /// Reads the CSV file at `path` (raw or gzipped). `classCount` is the largest label + 1.
    public static func read(path: String, labelColumn: LabelColumn, name: String? = nil) throws -> Dataset {
        // Text of n bytes holds at most n / 2 values, 4 bytes each as Float: with the text itself,
        // 3 n bytes. The text may take a third of the memory budget.
        let limit = MemoryBudget.bytes / 3
        let data = try Gzip.readMaybeGzip(path: path, limit: limit)
        if data.count > limit {
            throw InputError.data(file: path, "\(data.count) bytes of text: more than a third of the memory budget of \(MemoryBudget.describe(MemoryBudget.bytes)) (half this machine's memory), which parsing needs")
        }
        return try parse(data, file: path, labelColumn: labelColumn, name: name ?? "csv:\(path)")
    }

    /// Parses CSV bytes (already decompressed); `file` names the source in errors. `threads`
    /// bounds the parallelism: 1 parses serially in one chunk; the result never depends on it.
    public static func parse(_ data: Data, file: String, labelColumn: LabelColumn, name: String,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Dataset {
        try data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self), file: file, labelColumn: labelColumn, name: name, threads: threads)
        }
    }

    // MARK: - Driver

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, labelColumn: LabelColumn, name: String,
                      threads: Int) throws -> Dataset {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw InputError.data(file: file, "empty file: no data rows") }
        let end = base + bytes.count
        var start = base
        if bytes.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start += 3 }

        // The first non-blank line: a header if any field is not a number.
        var first = start
        var firstLine = 1
        while first < end {
            let e = lineEnd(first, end)
            if !isBlank(first, e) { break }
            first = e < end ? e + 1 : e
            firstLine += 1
        }
        guard first < end else { throw InputError.data(file: file, "empty file: no data rows") }
        var dataStart = first
        var dataLine = firstLine
        var headerColumns: Int?
        if !lineIsNumeric(first, lineEnd(first, end)) {
            // A header is text: valid UTF-8 without control characters. Anything else is a
            // corrupt first row, not a header to skip.
            let headerBytes = UnsafeBufferPointer(start: first, count: lineEnd(first, end) - first)
            if String(validating: headerBytes, as: UTF8.self) == nil || headerBytes.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                throw InputError.data(file: file, field: "line \(firstLine)", "neither numbers nor a header of text (it holds bytes that are not UTF-8 text)")
            }
            headerColumns = countFields(first, lineEnd(first, end), respectingQuotes: true)
            let e = lineEnd(first, end)
            dataStart = e < end ? e + 1 : e
            dataLine = firstLine + 1
            while dataStart < end {
                let e2 = lineEnd(dataStart, end)
                if !isBlank(dataStart, e2) { break }
                dataStart = e2 < end ? e2 + 1 : e2
                dataLine += 1
            }
            guard dataStart < end else { throw InputError.data(file: file, "no data rows after the header on line \(firstLine)") }
        }
        let columns = countFields(dataStart, lineEnd(dataStart, end), respectingQuotes: false)
        if let h = headerColumns, h != columns {
            throw InputError.data(file: file, field: "line \(firstLine)", "the header has \(h) columns but the first data row (line \(dataLine)) has \(columns)")
        }
        guard columns >= 2 else {
            throw InputError.data(file: file, field: "line \(dataLine)", "expected at least 2 columns (features and a label), got \(columns)")
        }
        guard let labelIndex = labelColumn.resolve(columns: columns) else {
            throw InputError.usage(flag: "--label-column", "column \(labelColumn) does not exist: \(file) has \(columns) columns, numbered 0...\(columns - 1)")
        }
        let d = columns - 1

        // Line-aligned chunks; pass 1 counts their lines (an upper bound on their rows).
        let regionLine = dataLine
        let region = UnsafeBufferPointer(start: dataStart, count: end - dataStart)
        // About 1 MiB or more per chunk, up to 4 per thread for balance; one thread, one chunk.
        let chunkCount = threads <= 1 ? 1 : max(1, min(region.count / (1 << 20), threads * 4))
        let bounds = chunkBounds(region, chunkCount)
        let chunks = bounds.count - 1
        var newlines = [Int](repeating: 0, count: chunks)
        newlines.withUnsafeMutableBufferPointer { nl in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                nl[c] = countNewlines(UnsafeBufferPointer(rebasing: region[bounds[c]..<bounds[c + 1]]))
            }
        }
        var rowOffset = [Int](repeating: 0, count: chunks + 1)
        for c in 0..<chunks {
            let endsWithNewline = region[bounds[c + 1] - 1] == 10
            // A row of d + 1 fields needs at least 2(d + 1) - 1 bytes, so blank lines cannot
            // inflate the reservation beyond what the bytes could hold.
            let byBytes = (bounds[c + 1] - bounds[c]) / (2 * (d + 1) - 1) + 1
            rowOffset[c + 1] = rowOffset[c] + min(newlines[c] + (endsWithNewline ? 0 : 1), byBytes)
        }
        let upper = rowOffset[chunks]

        // Pass 2: each chunk parses its rows into its slot of the final storage.
        var outcomes = [ChunkOutcome](repeating: ChunkOutcome(), count: chunks)
        var labels = [Int](repeating: 0, count: upper)
        let storage = [Float](unsafeUninitializedCapacity: upper * d) { featureBuffer, initialized in
            let feat = featureBuffer.baseAddress!
            labels.withUnsafeMutableBufferPointer { lab in
                outcomes.withUnsafeMutableBufferPointer { out in
                    Pow10.float.withUnsafeBufferPointer { pf in
                        Pow10.double.withUnsafeBufferPointer { pd in
                            let tables = Pow10(f: pf.baseAddress!, d: pd.baseAddress!)
                            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                out[c] = parseChunk(region.baseAddress! + bounds[c], region.baseAddress! + bounds[c + 1],
                                                    columns: columns, labelIndex: labelIndex,
                                                    features: feat + rowOffset[c] * d, labels: lab.baseAddress! + rowOffset[c],
                                                    tables: tables)
                            }
                        }
                    }
                }
                // Close the gaps left by blank lines (rows fewer than the line bound).
                var rows = 0
                for c in 0..<chunks where outcomes[c].error == nil {
                    let r = outcomes[c].rows
                    if rows != rowOffset[c] {
                        memmove(feat + rows * d, feat + rowOffset[c] * d, r * d * MemoryLayout<Float>.stride)
                        memmove(lab.baseAddress! + rows, lab.baseAddress! + rowOffset[c], r * MemoryLayout<Int>.stride)
                    }
                    rows += r
                }
                initialized = rows * d
            }
        }
        if let c = outcomes.firstIndex(where: { $0.error != nil }), let e = outcomes[c].error {
            let line = regionLine + newlines[..<c].reduce(0, +) + e.line
            throw e.inputError(file: file, line: line, columns: columns)
        }
        let n = storage.count / d
        labels.removeLast(upper - n)
        guard n > 0 else { throw InputError.data(file: file, "empty file: no data rows") }
        let classCount = (labels.max() ?? 0) + 1
        return Dataset(name: name, features: Matrix(rows: n, cols: d, storage: storage), labels: labels,
                       classCount: classCount)
    }

    // MARK: - Lines

    /// Offsets 0 = b0 < b1 < ... < bk = region.count splitting `region` into at most `count`
    /// parts of similar size, each starting at the beginning of a line.
    static func chunkBounds(_ region: UnsafeBufferPointer<UInt8>, _ count: Int) -> [Int] {
        var bounds = [0]
        if count > 1 {
            for i in 1..<count {
                var b = max(region.count * i / count, bounds.last! + 1)
                while b < region.count && region[b - 1] != 10 { b += 1 }
                if b < region.count { bounds.append(b) }
            }
        }
        bounds.append(region.count)
        return bounds
    }

    /// The position of the LF ending the line at `p`, or `end`.
    @inline(__always)
    static func lineEnd(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var q = p
        while q < end && q.pointee != 10 { q += 1 }
        return q
    }

    /// True when [p, e) holds only spaces, tabs and CR.
    static func isBlank(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>) -> Bool {
        var q = p
        while q < e { if q.pointee != 32 && q.pointee != 9 && q.pointee != 13 { return false }; q += 1 }
        return true
    }

    /// The number of comma-separated fields in the line [p, e); with `respectingQuotes`, commas
    /// inside double quotes do not count (header names may hold them).
    static func countFields(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>, respectingQuotes: Bool) -> Int {
        var n = 1
        var inQuotes = false
        var q = p
        while q < e {
            if q.pointee == 34 && respectingQuotes { inQuotes.toggle() }
            if q.pointee == 44 && !inQuotes { n += 1 }
            q += 1
        }
        return n
    }

    /// True when every field of the line [p, e) parses as a number (NaN and infinity count as
    /// numbers here: a data row with a NaN must be reported as such, not skipped as a header).
    static func lineIsNumeric(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>) -> Bool {
        Pow10.float.withUnsafeBufferPointer { pf in
            Pow10.double.withUnsafeBufferPointer { pd in
                let tables = Pow10(f: pf.baseAddress!, d: pd.baseAddress!)
                var q = p
                while true {
                    var v: Float = 0
                    let s = parseNumber(&q, e, &v, tables)
                    if s == .nonNumeric { return false }
                    if s != .ok {  // not finite or out of range: skip to the next field
                        while q < e && q.pointee != 44 { q += 1 }
                    }
                    if q < e && q.pointee == 44 { q += 1; continue }
                    if q < e && q.pointee == 13 { q += 1 }
                    return q == e
                }
            }
        }
    }

    static func countNewlines(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for x in b { n &+= x == 10 ? 1 : 0 }
        return n
    }

    // MARK: - Rows

    /// The result of parsing one chunk: rows written and the first error, if any.
    struct ChunkOutcome {
        var rows = 0
        var error: RowError?
    }

    /// A bad row, located by its line within the chunk (0-based) and its column (0-based).
    struct RowError {
        enum Kind { case ragged, nonNumeric, notFinite, outOfRange, badLabel, strayCarriageReturn }
        var line: Int
        var column: Int
        var kind: Kind
        var token: String
        var fields: Int

        func inputError(file: String, line n: Int, columns: Int) -> InputError {
            let at = "line \(n), column \(column) (from 0)"
            switch kind {
            case .ragged: return InputError.data(file: file, field: "line \(n)", "expected \(columns) columns, got \(fields)")
            case .nonNumeric: return InputError.data(file: file, field: at, "not a number: '\(token)'")
            case .notFinite: return InputError.data(file: file, field: at, "NaN and infinite values are not allowed: '\(token)'")
            case .outOfRange: return InputError.data(file: file, field: at, "value '\(token)' is beyond the Float range")
            case .badLabel: return InputError.data(file: file, field: at, "label '\(token)' is not an integer in 0...\(CSV.maxLabel)")
            case .strayCarriageReturn: return InputError.data(file: file, field: "line \(n)", "carriage return not followed by a line feed")
            }
        }
    }

    /// The field at `p` for messages: up to the next delimiter, trimmed, at most 40 characters.
    static func token(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> String {
        var q = p
        while q < end && q.pointee != 44 && q.pointee != 10 && q.pointee != 13 && q - p < 40 { q += 1 }
        return String(decoding: UnsafeBufferPointer(start: p, count: q - p), as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
    }

    /// Parses the lines in [start, end) into rows of `columns - 1` features (written at
    /// `features`, row-major) and labels. Stops at the first bad row.
    static func parseChunk(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, columns: Int, labelIndex: Int,
                           features: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int>,
                           tables: Pow10) -> ChunkOutcome {
        var p = start
        var line = 0
        var rows = 0
        var out = features
        let maxLabel = Float(CSV.maxLabel)
        func fail(_ kind: RowError.Kind, column: Int, at field: UnsafePointer<UInt8>, fields: Int = 0) -> ChunkOutcome {
            ChunkOutcome(rows: rows, error: RowError(line: line, column: column, kind: kind, token: token(field, end), fields: fields))
        }
        while p < end {
            // Blank line?
            var q = p
            while q < end && (q.pointee == 32 || q.pointee == 9 || q.pointee == 13) { q += 1 }
            if q == end || q.pointee == 10 {
                p = q < end ? q + 1 : q
                line += 1
                continue
            }
            var column = 0
            var label = 0
            while true {
                let field = p
                var v: Float = 0
                let status = parseNumber(&p, end, &v, tables)
                switch status {
                case .ok: break
                case .nonNumeric: return fail(.nonNumeric, column: column, at: field)
                case .notFinite: return fail(.notFinite, column: column, at: field)
                case .outOfRange: return fail(.outOfRange, column: column, at: field)
                }
                if column == labelIndex {
                    guard v >= 0, v <= maxLabel, v == v.rounded(.towardZero) else { return fail(.badLabel, column: column, at: field) }
                    label = Int(v)
                } else {
                    out.pointee = v
                    out += 1
                }
                column += 1
                if p < end && p.pointee == 44 {
                    p += 1
                    if column == columns {  // too many fields: count them for the message
                        return fail(.ragged, column: column, at: p, fields: column + countFields(p, lineEnd(p, end), respectingQuotes: false))
                    }
                    continue
                }
                break
            }
            if p < end && p.pointee == 13 {
                p += 1
                if p < end && p.pointee != 10 { return fail(.strayCarriageReturn, column: column, at: p) }
            }
            if column != columns { return fail(.ragged, column: column, at: p, fields: column) }
            labels[rows] = label
            rows += 1
            if p < end { p += 1 }  // the LF
            line += 1
        }
        return ChunkOutcome(rows: rows, error: nil)
    }

    // MARK: - Numbers

    enum NumberStatus { case ok, nonNumeric, notFinite, outOfRange }

    /// Exact powers of ten: 1e0...1e10 in Float and 1e0...1e22 in Double.
    struct Pow10 {
        static let float: [Float] = (0...10).map { Float("1e\($0)")! }
        static let double: [Double] = (0...22).map { Double("1e\($0)")! }
        let f: UnsafePointer<Float>
        let d: UnsafePointer<Double>
    }

    /// Parses one field at `p` (which ends up on the delimiter after it: comma, CR, LF or `end`).
    ///
    /// Up to 19 significant digits go into an integer mantissa m with a decimal exponent e.
    /// Fast paths (Clinger 1990): m <= 2^24 and |e| <= 10 is one correctly rounded Float
    /// operation on exact operands; m <= 2^53 and |e| <= 22 is one correctly rounded Double
    /// operation, then rounded to Float, which is exact unless the Double lies exactly halfway
    /// between two Floats (then the true value may not). That case, more than 19 significant
    /// digits, and larger exponents go to `strtof`, which rounds correctly.
    @inline(__always)
    static func parseNumber(_ pp: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ value: inout Float,
                            _ tables: Pow10) -> NumberStatus {
        var p = pp
        while p < end && (p.pointee == 32 || p.pointee == 9) { p += 1 }
        var quoted = false
        if p < end && p.pointee == 34 { quoted = true; p += 1 }
        let numberStart = p
        var negative = false
        if p < end && (p.pointee == 45 || p.pointee == 43) { negative = p.pointee == 45; p += 1 }
        var m: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var sawDigit = false
        var inexact = false
        while p < end {
            let d = p.pointee &- 48
            if d > 9 { break }
            sawDigit = true
            if m == 0 && d == 0 {
            } else if digits < 19 {
                m = m &* 10 &+ UInt64(d); digits += 1
            } else {
                exp10 += 1; if d != 0 { inexact = true }
            }
            p += 1
        }
        if p < end && p.pointee == 46 {
            p += 1
            while p < end {
                let d = p.pointee &- 48
                if d > 9 { break }
                sawDigit = true
                if m == 0 && d == 0 {
                    exp10 -= 1
                } else if digits < 19 {
                    m = m &* 10 &+ UInt64(d); digits += 1; exp10 -= 1
                } else if d != 0 {
                    inexact = true
                }
                p += 1
            }
        }
        if !sawDigit {
            pp = p
            return isNonFiniteWord(p, end) ? .notFinite : .nonNumeric
        }
        if p < end && (p.pointee | 0x20) == 101 {  // e or E
            p += 1
            var expNegative = false
            if p < end && (p.pointee == 45 || p.pointee == 43) { expNegative = p.pointee == 45; p += 1 }
            var e = 0
            var expDigits = false
            while p < end {
                let d = p.pointee &- 48
                if d > 9 { break }
                expDigits = true
                if e < 100_000 { e = e * 10 + Int(d) }
                p += 1
            }
            if !expDigits { pp = p; return .nonNumeric }
            exp10 += expNegative ? -e : e
        }
        let numberEnd = p
        if quoted {
            guard p < end && p.pointee == 34 else { pp = p; return .nonNumeric }
            p += 1
        }
        while p < end && (p.pointee == 32 || p.pointee == 9) { p += 1 }
        if p < end && p.pointee != 44 && p.pointee != 10 && p.pointee != 13 { pp = p; return .nonNumeric }
        pp = p

        var v: Float
        if m == 0 {
            v = 0
        } else if !inexact && m <= 1 << 24 && exp10 >= -10 && exp10 <= 10 {
            let f = Float(m)
            v = exp10 < 0 ? f / tables.f[-exp10] : f * tables.f[exp10]
        } else if !inexact && m <= 1 << 53 && exp10 >= -22 && exp10 <= 22 {
            let x = Double(m)
            let d = exp10 < 0 ? x / tables.d[-exp10] : x * tables.d[exp10]
            // Exactly halfway between two Floats (low 29 of 52 fraction bits = 100...0)?
            if d.bitPattern & 0x1FFF_FFFF == 0x1000_0000 {
                v = slowParse(numberStart, numberEnd)
                return finish(v, negative: false, &value)
            }
            v = Float(d)
        } else {
            v = slowParse(numberStart, numberEnd)
            return finish(v, negative: false, &value)
        }
        return finish(v, negative: negative, &value)
    }

    @inline(__always)
    static func finish(_ v: Float, negative: Bool, _ value: inout Float) -> NumberStatus {
        let r = negative ? -v : v
        guard r.isFinite else { return .outOfRange }
        value = r
        return .ok
    }

    /// strtof on a copy of [start, end) (sign included), correctly rounded by the C library.
    static func slowParse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Float {
        let n = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            let b = buf.baseAddress!
            UnsafeMutableRawPointer(b).copyMemory(from: start, byteCount: n)
            b[n] = 0
            return strtof(b, nil)
        }
    }

    /// True when the text at `p` is nan, inf or infinity (any case) followed by a delimiter.
    static func isNonFiniteWord(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        var q = p
        var word = [UInt8]()
        while q < end && word.count < 9 {
            let c = q.pointee | 0x20
            guard c >= 97 && c <= 122 else { break }
            word.append(c)
            q += 1
        }
        guard word == Array("nan".utf8) || word == Array("inf".utf8) || word == Array("infinity".utf8) else { return false }
        while q < end && (q.pointee == 32 || q.pointee == 9 || q.pointee == 34) { q += 1 }
        return q == end || q.pointee == 44 || q.pointee == 10 || q.pointee == 13
    }
}
