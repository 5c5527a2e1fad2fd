import CZlib
import Foundation
import Numerics

/// gzip (RFC 1952) and zlib (RFC 1950) streams through the system zlib.
///
/// Decompression accepts either header (zlib's automatic detection, `windowBits` 15 + 32) and
/// concatenated gzip members, as `gzip -d` does: `cat a.gz b.gz > c.gz` decompresses to the two
/// payloads joined. Zero bytes after the last member (padding written by some tape and block
/// tools) are ignored; any other trailing bytes are an error. Malformed input never traps: it
/// becomes an `InputError` of kind `.data` naming the file.
public enum Gzip {
    /// True when `data` starts with the gzip magic bytes 1f 8b.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// The decompressed bytes of the gzip or zlib stream `data`; `file` names it in errors.
    ///
    /// Errors: "FILE: corrupt gzip stream: REASON" for bad headers, bad deflate data, CRC or
    /// length mismatches, truncation and trailing garbage; "FILE: gzip stream too large: ..."
    /// beyond `limit`.
    /// The largest decompressed size accepted (a gzip bomb is refused, not allocated).
    public static let maxDecompressedBytes = 16 << 30

    /// `limit`: the most bytes the stream may decompress to (more is refused as soon as it is
    /// produced, before the buffer grows further); `prefix`: stop after this many bytes and return
    /// them (to read a header before deciding how much to allow).
    public static func decompress(_ data: Data, file: String, limit: Int = maxDecompressedBytes, prefix: Int? = nil) throws -> Data {
        func corrupt(_ reason: String) -> InputError { InputError.data(file: file, "corrupt gzip stream: \(reason)") }
        if data.isEmpty { throw corrupt("the file is empty") }
        // Never more room up front than the caller allows (a bomb's ISIZE claims gigabytes).
        let room = min(initialCapacity(for: data), (prefix ?? limit) + 1)
        guard let output = GrowableBuffer(capacity: max(room, 64)) else { throw corrupt("out of memory") }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let input = raw.bindMemory(to: UInt8.self)
            var stream = z_stream()
            guard hffsim_inflateInit2(&stream, 15 + 32) == Z_OK else { throw corrupt("zlib could not initialise (out of memory)") }
            defer { inflateEnd(&stream) }
            var consumed = 0  // input bytes before the current member
            var members = 0
            while true {
                // One member: feed the rest of the input (in pieces of at most UInt32.max bytes).
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                var remaining = input.count - consumed
                stream.avail_in = uInt(min(remaining, Int(UInt32.max)))
                remaining -= Int(stream.avail_in)
                var status: Int32 = Z_OK
                repeat {
                    if let prefix, output.count >= prefix { return }
                    if output.count > limit {
                        throw InputError.data(file: file, "gzip stream too large: decompresses to more than \(limit) bytes (\(limitReason(limit))); refusing")
                    }
                    if output.free == 0 {
                        guard output.grow() else { throw corrupt("out of memory after \(output.count) decompressed bytes") }
                    }
                    stream.next_out = output.end
                    // Inflate no further than the prefix asked for, or one byte past the limit.
                    let allowed = (prefix ?? limit) + 1 - output.count
                    stream.avail_out = uInt(max(1, min(output.free, Int(UInt32.max), allowed)))
                    let before = Int(stream.avail_out)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.count += before - Int(stream.avail_out)
                    if stream.avail_in == 0 && remaining > 0 {
                        let more = min(remaining, Int(UInt32.max))
                        stream.avail_in = uInt(more)
                        remaining -= more
                    }
                    switch status {
                    case Z_OK, Z_STREAM_END:
                        break
                    case Z_BUF_ERROR:
                        // No progress possible: either the output is full (grow and retry) or
                        // the input ran out before the end of the member.
                        if stream.avail_out == 0 { continue }
                        throw corrupt("truncated after \(input.count) compressed bytes (\(output.count) bytes decompressed; the stream's end is missing)")
                    case Z_NEED_DICT:
                        throw corrupt("the zlib stream needs a preset dictionary")
                    case Z_MEM_ERROR:
                        throw corrupt("out of memory")
                    default:
                        let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        throw corrupt("\(reason) (near compressed byte \(consumed + Int(stream.total_in)))")
                    }
                    if status != Z_STREAM_END && stream.avail_in == 0 && remaining == 0 && stream.avail_out != 0 {
                        throw corrupt("truncated after \(input.count) compressed bytes (\(output.count) bytes decompressed; the stream's end is missing)")
                    }
                } while status != Z_STREAM_END
                if output.count > limit {
                    throw InputError.data(file: file, "gzip stream too large: decompresses to more than \(limit) bytes (\(limitReason(limit))); refusing")
                }
                members += 1
                consumed += Int(stream.total_in)
                let rest = UnsafeBufferPointer(rebasing: input[consumed...])
                if rest.isEmpty { break }
                if rest.count >= 2 && rest[0] == 0x1f && rest[1] == 0x8b {
                    guard inflateReset(&stream) == Z_OK else { throw corrupt("zlib could not reset") }
                    continue
                }
                if rest.allSatisfy({ $0 == 0 }) { break }
                throw corrupt("\(rest.count) bytes of trailing garbage after gzip member \(members) (at byte \(consumed))")
            }
        }
        return output.finish()
    }

    /// The bytes of the file at `path`, decompressed when they start with the gzip magic bytes
    /// (1f 8b) whatever the file's name, to at most `limit` bytes. Missing or unreadable files
    /// are `.data` errors naming it.
    public static func readMaybeGzip(path: String, limit: Int = maxDecompressedBytes) throws -> Data {
        let data = try readFile(path: path)
        return isGzip(data) ? try decompress(data, file: path, limit: limit) : data
    }

    /// Why a limit is what it is, for the refusal message.
    static func limitReason(_ limit: Int) -> String {
        limit == maxDecompressedBytes ? "\(maxDecompressedBytes >> 30) GiB at most" : "what the header or the memory budget allows"
    }

    /// The raw bytes of the file at `path`, with one-line errors for the usual failures.
    static func readFile(path: String) throws -> Data {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw InputError.data(file: path, "cannot read: no such file")
        }
        if isDir.boolValue { throw InputError.data(file: path, "cannot read: is a directory, expected a file") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError.data(file: path, "cannot read: \(error.localizedDescription)")
        }
    }

    /// A gzip member (RFC 1952, header mtime 0, no file name) holding `data`: deterministic bytes
    /// for a given zlib. For tests and tools that write gzipped IDX or CSV.
    public static func compress(_ data: Data, level: Int32 = 6) -> Data {
        guard let output = GrowableBuffer(capacity: Int(compressBound(uLong(data.count))) + 64) else {
            fatalError("out of memory compressing \(data.count) bytes")  // test and tool helper only
        }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var stream = z_stream()
            // 15 + 16: a gzip wrapper instead of zlib's; memLevel 8 is zlib's default.
            let ok = hffsim_deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
            precondition(ok == Z_OK, "deflateInit2 failed: \(ok)")
            defer { deflateEnd(&stream) }
            var dummy: UInt8 = 0
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            stream.next_in = UnsafeMutablePointer(mutating: base ?? withUnsafePointer(to: &dummy) { $0 })
            stream.avail_in = uInt(data.count)
            var status: Int32 = Z_OK
            repeat {
                if output.free == 0 { precondition(output.grow(), "out of memory") }
                stream.next_out = output.end
                stream.avail_out = uInt(min(output.free, Int(UInt32.max)))
                let before = Int(stream.avail_out)
                status = deflate(&stream, Z_FINISH)
                output.count += before - Int(stream.avail_out)
                precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "deflate failed: \(status)")
            } while status != Z_STREAM_END
        }
        return output.finish()
    }

    /// A first guess at the decompressed size: the gzip trailer's ISIZE (length mod 2^32 of the
    /// last member) when it is plausible, else four times the input; the buffer doubles as needed.
    static func initialCapacity(for data: Data) -> Int {
        let n = data.count
        var guess = n * 4
        if isGzip(data) && n >= 18 {
            let s = data.startIndex + n - 4
            let isize = Int(data[s]) | Int(data[s + 1]) << 8 | Int(data[s + 2]) << 16 | Int(data[s + 3]) << 24
            // Deflate expands at most ~1032:1; a larger ISIZE is garbage (or wrapped past 4 GiB).
            if isize >= n / 2 && isize <= n * 1032 { guess = isize }
        }
        return max(guess, 4096)
    }
}

/// A byte buffer that doubles when full and hands its memory to `Data` without a copy. The
/// memory is freed on deinit unless `finish()` handed it over (so thrown errors do not leak).
final class GrowableBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>?
    private(set) var capacity: Int
    var count = 0

    /// Nil when the memory cannot be had.
    init?(capacity: Int) {
        self.capacity = max(capacity, 16)
        guard let p = malloc(self.capacity) else { return nil }
        base = p.assumingMemoryBound(to: UInt8.self)
    }

    deinit { Foundation.free(base) }

    var free: Int { capacity - count }
    var end: UnsafeMutablePointer<UInt8> { base! + count }

    /// Doubles the capacity; false (and unchanged) when the memory cannot be had.
    func grow() -> Bool {
        guard let p = realloc(base, capacity * 2) else { return false }
        capacity *= 2
        base = p.assumingMemoryBound(to: UInt8.self)
        return true
    }

    /// The bytes as `Data`, which takes ownership of the memory (freed with `free`).
    func finish() -> Data {
        guard let b = base, count > 0 else { return Data() }
        let shrunk = realloc(b, count)?.assumingMemoryBound(to: UInt8.self) ?? b
        base = nil
        return Data(bytesNoCopy: shrunk, count: count, deallocator: .free)
    }
}
