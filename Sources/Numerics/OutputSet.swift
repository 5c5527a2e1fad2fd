import Foundation
import Dispatch

/// Temporary outputs that must not outlive an interrupted command.
///
/// Writers register each temporary path (a file or a staging directory) while it exists and
/// rename it into place inside `critical`, so that SIGINT or SIGTERM either finds the temporary
/// and removes it or waits until the whole set is in place: an interrupted command leaves nothing
/// partial (SIGKILL cannot be caught; a staging name starts with '.' and ends with the pid).
public enum Cleanup {
    nonisolated(unsafe) static var pending: [String] = []
    static let lock = NSLock()
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    public static func register(_ path: String) { lock.lock(); pending.append(path); lock.unlock() }

    public static func unregister(_ path: String) {
        lock.lock(); pending.removeAll { $0 == path }; lock.unlock()
    }

    /// Runs `body` with signals held off: the renames that put a set of outputs in place.
    public static func critical<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// On SIGINT or SIGTERM: remove every registered temporary, then exit 128 + the signal.
    public static func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                lock.lock()
                for path in pending.reversed() { try? FileManager.default.removeItem(atPath: path) }
                _exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A directory of outputs that appears as a whole or not at all: files are written into a
/// staging directory beside the target (`.NAME.staging-PID`) and moved into place by `commit`.
/// A new target is the staging directory renamed; into an existing one, each file is renamed
/// over its old version (each file whole, never half-written).
public final class StagedDirectory {
    public let target: String
    public let staging: String

    public init(target: String) throws {
        self.target = target
        let url = URL(fileURLWithPath: target)
        staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).staging-\(getpid())").path
        Cleanup.register(staging)
        try? FileManager.default.removeItem(atPath: staging)
        if mkdir(staging, 0o755) != 0 {
            let reason = String(cString: strerror(errno))
            Cleanup.unregister(staging)
            throw InputError(.io, "\(target): cannot create the output directory: \(reason)")
        }
    }

    /// Moves the staged files into the target.
    public func commit() throws {
        try Cleanup.critical {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
                if rename(staging, target) != 0 { throw failure() }
            } else {
                guard isDir.boolValue else { throw InputError(.io, "\(target): exists and is not a directory") }
                for name in try FileManager.default.contentsOfDirectory(atPath: staging).sorted() {
                    if rename(staging + "/" + name, target + "/" + name) != 0 { throw failure() }
                }
                try? FileManager.default.removeItem(atPath: staging)
            }
            Cleanup.pending.removeAll { $0 == staging }
        }
    }

    /// Removes the staging directory (after a failure).
    public func discard() {
        try? FileManager.default.removeItem(atPath: staging)
        Cleanup.unregister(staging)
    }

    private func failure() -> InputError {
        InputError(.io, "\(target): cannot move the outputs into place: \(String(cString: strerror(errno)))")
    }
}
