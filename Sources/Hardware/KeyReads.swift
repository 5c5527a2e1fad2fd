import Foundation

/// Which schema keys the models read: off unless a test turns it on (never read on a hot path: each read takes a lock), so that a key no model
/// reads (and that is not marked informational) is found. Reads go through
/// `HardwareDescription.number`, `integer`, `choice` and `flag`.
public enum KeyReads {
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var on = false
        var paths = Set<String>()
    }
    static let recorder = Recorder()

    @inline(__always) static func note(_ path: String) {
        let r = recorder
        r.lock.lock()
        if r.on { r.paths.insert(path) }
        r.lock.unlock()
    }

    /// Runs `body` with recording on and returns the keys read meanwhile (sorted).
    public static func recording(_ body: () throws -> Void) rethrows -> [String] {
        let r = recorder
        r.lock.lock(); r.on = true; r.paths.removeAll(); r.lock.unlock()
        defer { r.lock.lock(); r.on = false; r.lock.unlock() }
        try body()
        r.lock.lock(); defer { r.lock.unlock() }
        return r.paths.sorted()
    }
}
