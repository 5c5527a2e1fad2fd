import Foundation
import Numerics

/// One option a command accepts: `--name VALUE` or, without `valueName`, a boolean `--name`.
struct OptionSpec {
    var name: String
    var valueName: String?
    var help: String
    var defaultValue: String?

    init(_ name: String, _ valueName: String? = nil, _ help: String, default defaultValue: String? = nil) {
        self.name = name
        self.valueName = valueName
        self.help = help
        self.defaultValue = defaultValue
    }

    /// Whether the option may be given more than once: its help says "(repeatable)", so that
    /// what `--help` promises and what the parser accepts cannot disagree.
    var repeatable: Bool { help.contains("(repeatable)") }
}

/// A command's help text and grammar, rendered in swift-argument-parser's layout
/// (OVERVIEW / USAGE / ARGUMENTS / OPTIONS / SUBCOMMANDS).
struct CommandSpec {
    var name: String
    var overview: String
    var usage: String
    var arguments: [(String, String)] = []
    var options: [OptionSpec] = []
    var subcommands: [(String, String)] = []
    /// How many positional arguments the command takes.
    var positionals: ClosedRange<Int> = 0...0
    var discussion: String? = nil

    var help: String {
        var s = "OVERVIEW: \(overview)\n\nUSAGE: \(usage)\n"
        if let discussion { s += "\n\(discussion)\n" }
        func table(_ rows: [(String, String)]) -> String {
            let width = min(30, (rows.map(\.0.count).max() ?? 0) + 2)
            return rows.map { left, right in
                let pad = left.count < width ? String(repeating: " ", count: width - left.count) : "\n" + String(repeating: " ", count: width + 2)
                return "  \(left)\(pad)\(right)"
            }.joined(separator: "\n") + "\n"
        }
        if !arguments.isEmpty { s += "\nARGUMENTS:\n" + table(arguments) }
        let opts = options + [OptionSpec("--help", nil, "Show help information.")]
        s += "\nOPTIONS:\n" + table(opts.map { o in
            let left = o.valueName.map { "\(o.name) <\($0)>" } ?? o.name
            let right = o.help + (o.defaultValue.map { " (default: \($0))" } ?? "")
            return (left, right)
        })
        if !subcommands.isEmpty { s += "\nSUBCOMMANDS:\n" + table(subcommands) }
        return s
    }
}

/// Raised for `--help`: the caller prints the text and exits 0.
struct HelpRequested: Error { var text: String }

/// Thrown after a successful parse when HFFSIM_CHECK_ARGS=1: the command line is valid and the
/// command stops before any work (scripts/check-doc-commands.sh checks every documented command).
struct ArgumentsChecked: Error { var command: String }

/// Parsed command-line arguments with typed accessors that throw usage errors naming the flag.
struct Arguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var positionals: [String] = []
    let spec: CommandSpec

    /// Parses `args` (without the command names) against `spec`.
    init(_ args: [String], spec: CommandSpec) throws {
        self.spec = spec
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            i += 1
            if a.isEmpty {
                throw InputError(.usage, "'hffsim \(spec.name)': argument \(i) is an empty string; expected a path or an option")
            }
            if onlyPositionals || !a.hasPrefix("-") || a == "-" {
                positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            if a == "--help" || a == "-h" { throw HelpRequested(text: spec.help) }
            var name = a
            var inline: String?
            if let eq = a.firstIndex(of: "="), a.hasPrefix("--") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw InputError(.usage, "unknown option '\(name)' for 'hffsim \(spec.name)'; see 'hffsim \(spec.name) --help'")
            }
            if values[name] != nil && !option.repeatable {
                throw InputError.usage(flag: name, "given more than once; it takes one value")
            }
            if option.valueName == nil {
                if inline != nil { throw InputError.usage(flag: name, "takes no value") }
                values[name, default: []].append("true")
            } else if let inline {
                if inline.isEmpty { throw InputError.usage(flag: name, "expected <\(option.valueName!)>, got an empty string") }
                values[name, default: []].append(inline)
            } else {
                guard i < args.count else { throw InputError.usage(flag: name, "missing value <\(option.valueName!)>") }
                let value = args[i]
                if value.isEmpty { throw InputError.usage(flag: name, "expected <\(option.valueName!)>, got an empty string") }
                if Arguments.looksLikeFlag(value) {
                    throw InputError.usage(flag: name, "missing value <\(option.valueName!)>, got the option '\(value)' (write \(name)=\(value) for a value that starts with '-')")
                }
                values[name, default: []].append(value)
                i += 1
            }
        }
        if !spec.positionals.contains(positionals.count) {
            let expected = spec.positionals.lowerBound == spec.positionals.upperBound
                ? "\(spec.positionals.lowerBound)" : "\(spec.positionals.lowerBound) to \(spec.positionals.upperBound)"
            throw InputError(.usage, "'hffsim \(spec.name)' takes \(expected) argument(s), got \(positionals.count)\(positionals.isEmpty ? "" : ": " + positionals.joined(separator: " ")); see 'hffsim \(spec.name) --help'")
        }
        if ProcessInfo.processInfo.environment["HFFSIM_CHECK_ARGS"] == "1" { throw ArgumentsChecked(command: spec.name) }
    }

    /// A separate argument that starts with '-' and is not a number (nor '-' alone, standard
    /// input) is an option, never a value: `map m --output --json` must not write a file '--json'.
    static func looksLikeFlag(_ value: String) -> Bool {
        value.count > 1 && value.hasPrefix("-") && Double(value) == nil
    }

    func flag(_ name: String) -> Bool { values[name] != nil }

    func string(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option, in order.
    func strings(_ name: String) -> [String] { values[name] ?? [] }

    func string(_ name: String, default d: String) -> String { string(name) ?? d }

    func int(_ name: String, default d: Int, range: ClosedRange<Int> = 1...Int.max) throws -> Int {
        guard let s = string(name) else { return d }
        guard let v = Int(s) else { throw InputError.usage(flag: name, "expected a whole number, got '\(s)'") }
        guard range.contains(v) else {
            let r = range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
            throw InputError.usage(flag: name, "expected \(r), got \(v)")
        }
        return v
    }

    func uint64(_ name: String, default d: UInt64) throws -> UInt64 {
        guard let s = string(name) else { return d }
        guard let v = UInt64(s) else { throw InputError.usage(flag: name, "expected a whole number >= 0, got '\(s)'") }
        return v
    }

    /// A finite Float satisfying `check` (described by `expected` in the error).
    func float(_ name: String, default d: Float, expected: String = "a positive number", _ check: (Float) -> Bool = { $0 > 0 }) throws -> Float {
        guard let s = string(name) else { return d }
        guard let v = Float(s), v.isFinite else { throw InputError.usage(flag: name, "expected \(expected), got '\(s)'") }
        guard check(v) else { throw InputError.usage(flag: name, "expected \(expected), got \(s)") }
        return v
    }

    /// A finite Double satisfying `check` (described by `expected` in the error).
    func double(_ name: String, default d: Double, expected: String, _ check: (Double) -> Bool) throws -> Double {
        guard let s = string(name) else { return d }
        guard let v = Double(s), v.isFinite else { throw InputError.usage(flag: name, "expected \(expected), got '\(s)'") }
        guard check(v) else { throw InputError.usage(flag: name, "expected \(expected), got \(s)") }
        return v
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default d: T) throws -> T where T.RawValue == String {
        guard let s = string(name) else { return d }
        guard let v = T(rawValue: s) else {
            throw InputError.usage(flag: name, "expected one of \(T.allCases.map(\.rawValue).joined(separator: "|")), got '\(s)'")
        }
        return v
    }

    /// A comma-separated list of positive integers, e.g. `1000,1000,1000`.
    func intList(_ name: String, default d: [Int]) throws -> [Int] {
        guard let s = string(name) else { return d }
        var out = [Int]()
        for p in s.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(p.trimmingCharacters(in: .whitespaces)), v > 0 else {
                throw InputError.usage(flag: name, "expected comma-separated positive whole numbers, got '\(s)'")
            }
            out.append(v)
        }
        return out
    }
}
