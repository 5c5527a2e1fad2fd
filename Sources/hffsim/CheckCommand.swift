import Foundation
import Numerics
import Simulator

enum CheckCommand {
    static let spec = CommandSpec(
        name: "check",
        overview: "Re-simulate the reference traces and compare them field by field (the regression suite).",
        usage: "hffsim check [<Traces/>] [--record]",
        arguments: [("<Traces/>", "The references' directory (default: Traces).")],
        options: [
            OptionSpec("--record", nil, "Rewrite the references from a fresh simulation (HFFSIM_RECORD=1 does the same) and exit 1, so a recording never passes silently."),
            OptionSpec("--set", "key=value", "Override a hardware key of every preset (repeatable), to see what a change moves.", default: "none"),
        ],
        positionals: 0...1)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        let dir = args.positionals.first ?? "Traces"
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw InputError.usage(flag: "<Traces/>", "\(dir) is not a directory")
        }
        let record = args.flag("--record") || ProcessInfo.processInfo.environment["HFFSIM_RECORD"] == "1"
        let start = Date()
        let differences = try Regression.check(traces: dir, record: record, sets: args.strings("--set"))
        let seconds = Output.format(Date().timeIntervalSince(start), 1)
        if record {
            print("recorded \(Regression.presets.count) presets x \(Regression.files.count) files in \(dir) (\(seconds) s); run 'hffsim check' again to compare")
            exit(1)
        }
        if differences.isEmpty {
            print("check \(dir): \(Regression.presets.count) presets x \(Regression.files.count) files match (\(seconds) s)")
            return
        }
        for d in differences { Output.error(d.description) }
        Output.error("check \(dir): \(differences.count) difference(s)")
        exit(1)
    }
}
