import Foundation
import Numerics

/// Standard output and error helpers: one JSON object for `--json`, progress on a terminal.
enum Output {
    static let stderrIsTerminal = isatty(STDERR_FILENO) != 0

    static func error(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// Prints `object` as one JSON document with sorted keys (deterministic) on stdout. JSON has
    /// no NaN or infinity: such a figure is written as null.
    static func json(_ object: [String: Any]) {
        func finite(_ v: Any) -> Any {
            if let d = v as? Double, !d.isFinite { return NSNull() }
            if let a = v as? [Any] { return a.map(finite) }
            if let o = v as? [String: Any] { return o.mapValues(finite) }
            return v
        }
        let data = try! JSONSerialization.data(withJSONObject: finite(object), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    static func format(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }

    static func duration(_ seconds: Double) -> String {
        if !seconds.isFinite || seconds < 0 { return "--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// A one-line progress display rewritten in place on a terminal (`\r`), silent otherwise.
struct ProgressLine {
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast

    init(enabled: Bool = Output.stderrIsTerminal) { self.enabled = enabled }

    /// Draws `text` with the elapsed time and the ETA for `fraction` (0...1) done, at most 10 times a second.
    mutating func update(_ text: String, fraction: Double) {
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) < 0.1 && fraction < 1 { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : .infinity
        let line = "\(text)  elapsed \(Output.duration(elapsed))  ETA \(Output.duration(eta))"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
