import Foundation

/// An error caused by what the user gave hffsim: a flag, a file or a value in it.
///
/// Every such error is reported as one line that names the file or flag, the field and what was
/// expected, and ends the process with a BSD sysexits code: 64 (`EX_USAGE`) for the command line,
/// 65 (`EX_DATAERR`) for the content of a file. I/O failures (a missing file) count as data errors
/// here because the remedy is the same: fix what was named.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Int32, Sendable {
        /// A malformed command line: unknown flag, missing value, value out of range. Exit 64.
        case usage = 64
        /// A file or value with bad content: corrupt, truncated, inconsistent. Exit 65.
        case data = 65
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

    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }
}
