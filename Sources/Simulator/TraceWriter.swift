import Foundation
import Numerics

/// Chrome trace JSON written directly (Foundation's JSONSerialization takes seconds for the
/// tens of thousands of events the learning core's tasks add): objects with sorted keys, so the
/// bytes are the same on every run. Values: String, Int, Int64, Int32, Double (finite), Bool,
/// arrays and objects of these.
enum TraceWriter {
    static func data(_ value: Any) -> Data {
        var out = ""
        out.reserveCapacity(1 << 20)
        write(value, to: &out)
        return Data(out.utf8)
    }

    static func write(_ value: Any, to out: inout String) {
        switch value {
        case let s as String: string(s, to: &out)
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let i as Int64: out += String(i)
        case let i as Int32: out += String(i)
        case let d as Double:
            precondition(d.isFinite, "trace values are finite")
            out += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let a as [Any]:
            out += "["
            for (k, x) in a.enumerated() {
                if k > 0 { out += "," }
                write(x, to: &out)
            }
            out += "]"
        case let o as [String: Any]:
            out += "{"
            for (k, key) in o.keys.sorted().enumerated() {
                if k > 0 { out += "," }
                string(key, to: &out)
                out += ":"
                write(o[key]!, to: &out)
            }
            out += "}"
        default:
            preconditionFailure("trace value of type \(type(of: value))")
        }
    }

    static func string(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    }

    /// A file written through a buffer: appended text goes to disk whenever a mebibyte has
    /// gathered, so what is held in memory stays bounded however long the file grows.
    final class Stream {
        private let handle: FileHandle
        private let path: String
        private var buffer = ""

        init(path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw InputError(.io, "\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            handle = h
            self.path = path
            buffer.reserveCapacity(1 << 20)
        }

        func append(_ text: String) throws {
            buffer += text
            if buffer.utf8.count >= 1 << 20 { try flush() }
        }

        func flush() throws {
            guard !buffer.isEmpty else { return }
            do { try handle.write(contentsOf: Data(buffer.utf8)) } catch {
                throw InputError(.io, "\(path): cannot write: \(error.localizedDescription)")
            }
            buffer.removeAll(keepingCapacity: true)
        }

        func close() { try? handle.close() }
    }
}
