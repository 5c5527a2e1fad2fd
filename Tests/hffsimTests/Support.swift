import Foundation

/// What one run of the built `hffsim` binary printed and returned.
struct CLIResult { var status: Int32; var stdout: String; var stderr: String }

/// Runs the `hffsim` binary built next to the test bundle, as a user would.
enum Hffsim {
    static var binary: URL {
        var dir = Bundle(for: CLITests.self).bundleURL
        if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("hffsim")
    }

    /// `executable`: another copy of the binary; `directory`: the working directory.
    static func run(_ args: [String], executable: URL? = nil, directory: URL? = nil) throws -> CLIResult {
        let p = Process()
        p.executableURL = executable ?? binary
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
