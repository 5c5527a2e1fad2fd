import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary file
/// in the same directory, which is then renamed over the destination (rename is atomic on POSIX
/// file systems). On failure the temporary file is removed and nothing is left behind.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw InputError.data(file: path, "cannot write: directory \(dir.path) does not exist")
        }
        let tmp = try writeTemporary(data, for: path)
        try Cleanup.critical { try moveIntoPlace(tmp, path) }
    }

    /// Writes `data` to a temporary file beside `path` (registered with `Cleanup`, so an
    /// interruption removes it) and returns its path; `moveIntoPlace` renames it over `path`.
    public static func writeTemporary(_ data: Data, for path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        Cleanup.register(tmp)
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            Cleanup.unregister(tmp)
            throw InputError(.io, "\(path): cannot write: \(error.localizedDescription)")
        }
        return tmp
    }

    /// Renames `tmp` over `path`; call inside `Cleanup.critical` (with the other renames of a set).
    public static func moveIntoPlace(_ tmp: String, _ path: String) throws {
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            Cleanup.pending.removeAll { $0 == tmp }
            throw InputError(.io, "\(path): cannot write: \(reason)")
        }
        Cleanup.pending.removeAll { $0 == tmp }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
