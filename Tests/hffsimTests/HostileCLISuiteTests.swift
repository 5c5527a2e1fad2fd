import Foundation
import XCTest
import Dispatch
import Numerics
import TestSupport

/// Issue 13's hostile-input suite through the binary: seeded mutations of valid files handed to
/// the commands that read them (eval a model, hardware check, run a config with --output-dir,
/// train on a CSV or an IDX directory with --output, map a model with --output). Each case is
/// classified by what a user would see: a named error (exit 64, 65 or 74, one line on stderr),
/// a crash (a signal or another exit code), a hang (over 60 s), accepted (exit 0) when the
/// mutated file is well-formed by `HostileOracle`, garbage (exit 0 on a file it calls malformed),
/// and a leftover (an output, a staging directory or a temporary file left after a refusal).
final class HostileCLISuiteTests: XCTestCase {
    enum Outcome: String, CaseIterable { case named, crash, hang, accepted, garbage, leftover }

    struct Case {
        var format: String
        var original: Data
        var mutated: Data
        var dir: URL
        var args: [String]
        /// Paths that must not exist after a refusal.
        var outputs: [String]
    }

    static func run(_ c: Case) -> (Outcome, String) {
        let p = Process()
        p.executableURL = Hffsim.binary
        p.arguments = c.args
        p.currentDirectoryURL = c.dir
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        do { try p.run() } catch { return (.crash, "could not start: \(error)") }
        let deadline = Date().addingTimeInterval(60)
        var stderr = Data()
        let reader = DispatchQueue(label: "stderr")
        let done = DispatchSemaphore(value: 0)
        reader.async { stderr = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if p.isRunning { p.terminate(); p.waitUntilExit(); done.wait(); return (.hang, "") }
        p.waitUntilExit()
        done.wait()
        let text = String(decoding: stderr, as: UTF8.self)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("note: ") && !$0.hasPrefix("warning: ") }
        if p.terminationReason == .uncaughtSignal || ![0, 64, 65, 74].contains(p.terminationStatus) {
            return (.crash, "exit \(p.terminationStatus): \(text.suffix(300))")
        }
        if p.terminationStatus == 0 { return (.accepted, "") }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: c.dir.path))?.filter { $0.contains(".staging-") || $0.contains(".tmp-") } ?? []
        if !left.isEmpty || c.outputs.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            return (.leftover, "left \(left) \(c.outputs.filter { FileManager.default.fileExists(atPath: $0) })")
        }
        return lines.count == 1 && lines[0].hasPrefix("error: ") ? (.named, "") : (.crash, "not one line: \(text.suffix(300))")
    }

    func testSeededMutationsThroughEveryCommand() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-cli-suite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // Valid inputs: a model, its config and tensors, a hardware file, a CSV, an IDX directory.
        let base = root.appendingPathComponent("valid")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        func at(_ d: URL, _ n: String) -> String { d.appendingPathComponent(n).path }
        var csv = ""
        for i in 0..<60 { csv += (0..<6).map { j in "\((i * 5 + j * 3) % 10)" }.joined(separator: ",") + ",\(i % 3)\n" }
        try csv.write(toFile: at(base, "d.csv"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try Hffsim.run(["train", "--dataset", "csv:\(at(base, "d.csv"))", "--holdout", "0.3", "--layers", "8", "--epochs", "1",
                                       "--output", at(base, "m.safetensors")]).status, 0)
        XCTAssertEqual(try Hffsim.run(["map", at(base, "m.safetensors"), "--output", at(base, "c.json")]).status, 0)
        let hw = try Hffsim.run(["hardware", "show", "rram-neurosim", "--json"])
        try Data(hw.stdout.utf8).write(to: URL(fileURLWithPath: at(base, "hw.json")))
        var images = Data([0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0, 3])
        images.append(contentsOf: (0..<36).map { UInt8(($0 * 41) % 256) })
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 6, 0, 1, 2, 0, 1, 2])
        let valid: [(String, Data)] = try [
            ("model", Data(contentsOf: URL(fileURLWithPath: at(base, "m.safetensors")))),
            ("config", Data(contentsOf: URL(fileURLWithPath: at(base, "c.json")))),
            ("hardware", Data(contentsOf: URL(fileURLWithPath: at(base, "hw.json")))),
            ("csv", Data(csv.utf8)),
            ("idx", images),
        ]
        let tensors = try Data(contentsOf: URL(fileURLWithPath: at(base, "c.tensors.safetensors")))
        var rng = SeededRandom(seed: 29)
        var cases = [Case]()
        let perFormat = 210
        for (format, data) in valid {
            for n in 0..<perFormat {
                let d = root.appendingPathComponent("\(format)-\(n)")
                try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
                let bytes = HostileMutation.mutate(data, json: format == "config" || format == "hardware", &rng)
                switch format {
                case "model":
                    try bytes.write(to: URL(fileURLWithPath: at(d, "m.safetensors")))
                    cases.append(Case(format: format, original: data, mutated: bytes, dir: d, args: n % 2 == 0 ? ["eval", "m.safetensors", "--dataset", "csv:\(at(base, "d.csv"))", "--holdout", "0.3", "--allow-other-data"]
                                                                        : ["map", "m.safetensors", "--output", "out.json"],
                                      outputs: [at(d, "out.json"), at(d, "out.tensors.safetensors")]))
                case "config":
                    try bytes.write(to: URL(fileURLWithPath: at(d, "c.json")))
                    try tensors.write(to: URL(fileURLWithPath: at(d, "c.tensors.safetensors")))
                    try FileManager.default.copyItem(atPath: at(base, "m.safetensors"), toPath: at(d, "m.safetensors"))
                    try FileManager.default.copyItem(atPath: at(base, "d.csv"), toPath: at(d, "d.csv"))
                    cases.append(Case(format: format, original: data, mutated: bytes, dir: d, args: ["run", "c.json", "--samples", "5", "--output-dir", "out"], outputs: [at(d, "out")]))
                case "hardware":
                    try bytes.write(to: URL(fileURLWithPath: at(d, "hw.json")))
                    cases.append(Case(format: format, original: data, mutated: bytes, dir: d, args: ["hardware", "check", "hw.json"], outputs: []))
                case "csv":
                    try bytes.write(to: URL(fileURLWithPath: at(d, "d.csv")))
                    cases.append(Case(format: format, original: data, mutated: bytes, dir: d, args: ["train", "--dataset", "csv:d.csv", "--holdout", "0.3", "--layers", "4", "--epochs", "1", "--output", "o.safetensors"],
                                      outputs: [at(d, "o.safetensors")]))
                default:
                    let idx = d.appendingPathComponent("idx")
                    try FileManager.default.createDirectory(at: idx, withIntermediateDirectories: true)
                    try bytes.write(to: idx.appendingPathComponent("train-images-idx3-ubyte"))
                    try images.write(to: idx.appendingPathComponent("t10k-images-idx3-ubyte"))
                    try labels.write(to: idx.appendingPathComponent("train-labels-idx1-ubyte"))
                    try labels.write(to: idx.appendingPathComponent("t10k-labels-idx1-ubyte"))
                    cases.append(Case(format: format, original: data, mutated: bytes, dir: d, args: ["train", "--data-dir", "idx", "--layers", "4", "--epochs", "1", "--output", "o.safetensors"],
                                      outputs: [at(d, "o.safetensors")]))
                }
            }
        }
        // Two at a time (CI has two cores); results land in their own slots, reported in order.
        var results = [(Outcome, String)](repeating: (.named, ""), count: cases.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: cases.count, by: 2) {
                let r = HostileCLISuiteTests.run(cases[i])
                lock.lock(); results[i] = r; lock.unlock()
            }
        }
        var counts = [String: [Outcome: Int]]()
        for (c, (outcome, detail)) in zip(cases, results) {
            var o = outcome, detail = detail
            if o == .accepted, let why = HostileOracle.garbage(format: c.format, original: c.original, mutated: c.mutated) {
                o = .garbage
                detail = why
            }
            counts[c.format, default: [:]][o, default: 0] += 1
            if o == .accepted && ProcessInfo.processInfo.environment["HFFSIM_KEEP_ACCEPTED"] == "1" {
                // For reviewing what the readers accept: HFFSIM_KEEP_ACCEPTED=1 keeps those cases too.
                let kept = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-hostile-accepted/\(c.dir.lastPathComponent)")
                try? FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? FileManager.default.copyItem(at: c.dir, to: kept)
            }
            if [.crash, .hang, .garbage, .leftover].contains(o) {
                // Kept for whoever debugs it: the case's directory outlives the suite's.
                let kept = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-hostile-failures/\(c.dir.lastPathComponent)")
                try? FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: kept)
                try? FileManager.default.copyItem(at: c.dir, to: kept)
                XCTFail("\(c.format) \(c.args) in \(kept.path): \(o.rawValue) \(detail)")
            }
        }
        var total = [Outcome: Int]()
        for (format, _) in valid {
            let c = counts[format] ?? [:]
            for o in Outcome.allCases { total[o, default: 0] += c[o] ?? 0 }
            print("hostile CLI suite: \(format): " + Outcome.allCases.map { "\($0.rawValue) \(c[$0] ?? 0)" }.joined(separator: ", "))
        }
        print("hostile CLI suite: \(cases.count) cases: " + Outcome.allCases.map { "\($0.rawValue) \(total[$0] ?? 0)" }.joined(separator: ", "))
        XCTAssertGreaterThanOrEqual(cases.count, 1000)
        XCTAssertEqual(total[.garbage] ?? 0, 0)
        // Memory: the largest resident set of any command this process has waited for (the
        // suite's cases and the valid files' train and map) stays under 1 GiB.
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        print("hostile CLI suite: largest child resident set \(usage.ru_maxrss / 1024) MiB")
        XCTAssertLessThan(usage.ru_maxrss, 1 << 20, "peak resident set \(usage.ru_maxrss) KiB")
    }
}

