import Foundation

/// An error caused by what the user gave hffsim (a flag, a file or a value in it), or by the
/// file system refusing an output.
///
/// Every such error is reported as one line that names the file or flag, the field and what was
/// expected, and ends the process with a BSD sysexits code: 64 (`EX_USAGE`) for the command line,
/// 65 (`EX_DATAERR`) for the content of a file, and for a model that does not fit the hardware
/// (also 65, but a kind of its own, so that a caller such as a sweep records "does not fit" as a
/// result instead of a corrupt input), 74 (`EX_IOERR`) for an output the system would not write
/// (a missing input file is a data error: the remedy is to fix what was named).
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A malformed command line: unknown flag, missing value, value out of range. Exit 64.
        case usage
        /// A file or value with bad content: corrupt, truncated, inconsistent. Exit 65.
        case data
        /// Valid inputs that do not fit together: a model larger than the hardware's tile sites,
        /// a read-out larger than its learning cores. Exit 65.
        case doesNotFit
        /// The file system refused an output (permissions, a full disk, a path that cannot hold
        /// a directory). Exit 74.
        case io

        public var exitCode: Int32 {
            switch self {
            case .usage: return 64
            case .data, .doesNotFit: return 65
            case .io: return 74
            }
        }
    }

    public var kind: Kind
    /// The one-line message, already naming the file or flag and the field.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A data error about `file`: "FILE: FIELD: MESSAGE".
    public static func data(file: String, field: String? = nil, _ message: String) -> InputError {
        if let field { return InputError(.data, "\(file): \(field): \(message)") }
        return InputError(.data, "\(file): \(message)")
    }

    /// A usage error about a flag: "--FLAG: MESSAGE".
    public static func usage(flag: String, _ message: String) -> InputError {
        InputError(.usage, "\(flag): \(message)")
    }

    public var exitCode: Int32 { kind.exitCode }
    public var description: String { message }
}
