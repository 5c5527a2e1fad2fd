import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics

/// The regression suite: reference outputs of `hffsim run` in Traces/, re-simulated and compared.
///
/// For each preset, the committed small model (Traces/model/hff-small.safetensors) is mapped
/// (ADC ranges calibrated on the first 256 images of the shipped subset's training split) and
/// run on the first 50 images of its test split on 2 chips, with 2 traced inferences. The
/// outputs are compared with Traces/PRESET/: summary.json, layers.csv, components.csv and
/// trace.json. Tolerances, by field: integer counters and cycle counts exactly; accuracies
/// within 1e-9 (absolute); energies, latencies in ns, throughput and other real numbers within
/// a relative 1e-6; strings (paths excepted) exactly.
public enum Regression {
    public static let presets = ["rram-neurosim", "pcm-aihwkit", "ideal"]
    public static let modelFile = "model/hff-small.safetensors"
    public static let samples = 50
    public static let chipSeeds = 2
    public static let traceSamples = 2
    public static let files = ["summary.json", "layers.csv", "components.csv", "trace.json"]

    /// One mismatch: the reference file, the field, and both values.
    public struct Difference: CustomStringConvertible, Sendable {
        public var file: String
        public var field: String
        public var expected: String
        public var got: String
        public var description: String { "\(file): \(field): expected \(expected), got \(got)" }
    }

    /// Simulates every preset's reference into `output/PRESET/`, with hardware `sets` applied
    /// (a sweep, or a deliberate change in a test).
    public static func simulate(traces: String, into output: String, sets: [String] = []) throws {
        var source = try Experiment.ModelSource.load(path: traces + "/" + modelFile)
        source.path = modelFile
        let (train, test) = try DatasetLoader.load(DatasetOptions(dataset: "fashion-mnist-subset", testDataset: nil, dataDir: nil,
                                                                  labelColumn: .last, holdout: nil, seed: 0))
        for preset in presets {
            var options = RunOptions()
            options.chipSeeds = chipSeeds
            options.traceSamples = traceSamples
            let (config, r) = try Experiment.mapAndRun(source, hardware: try HardwareDescription.load(preset, sets: sets), mapOptions: MapOptions(),
                                                       train: train, raw: test.features.rows(0..<samples), labels: Array(test.labels.prefix(samples)),
                                                       runOptions: options)
            let dir = output + "/" + preset
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Reports.write(r, config: config, to: dir)
        }
    }

    /// Re-simulates the references under `traces` and returns every difference (empty: passed).
    /// With `record`, the fresh outputs replace the references (and the caller should fail).
    public static func check(traces: String, record: Bool = false, sets: [String] = []) throws -> [Difference] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-check-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try simulate(traces: traces, into: scratch, sets: sets)
        var differences = [Difference]()
        for preset in presets {
            for file in files {
                let reference = "\(traces)/\(preset)/\(file)", fresh = "\(scratch)/\(preset)/\(file)"
                if record {
                    try FileManager.default.createDirectory(atPath: "\(traces)/\(preset)", withIntermediateDirectories: true)
                    try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: fresh)), to: reference)
                    continue
                }
                guard let expected = FileManager.default.contents(atPath: reference) else {
                    differences.append(Difference(file: reference, field: "(file)", expected: "a reference", got: "no file; record with HFFSIM_RECORD=1"))
                    continue
                }
                let got = try Data(contentsOf: URL(fileURLWithPath: fresh))
                differences += file.hasSuffix(".json") ? compareJSON(expected, got, file: reference) : compareCSV(expected, got, file: reference)
            }
        }
        return differences
    }

    // MARK: Comparison

    /// Fields compared exactly when numeric (counters and cycles).
    static func isExact(_ field: String) -> Bool {
        let last = field.split(separator: ".").last.map(String.init) ?? field
        let exact = ["samples", "chipSeeds", "latencyMinCycles", "latencyMaxCycles", "passesPerInference", "partialProductMACs",
                     "cycles", "stall cycles", "inference", "tid", "pid", "layer", "inputs", "outputs", "tiles", "row_tiles",
                     "column_tiles", "busy_cycles", "stall_cycles"]
        return exact.contains(last) || last.hasSuffix("Cycles") && last != "latencyCycles"
    }

    static func isAccuracy(_ field: String) -> Bool {
        field.lowercased().contains("accuracy") || field.hasPrefix("agreement") || field.contains("accuracyDrop")
    }

    static func close(_ a: Double, _ b: Double, field: String) -> Bool {
        if isExact(field) { return a == b }
        if isAccuracy(field) { return abs(a - b) <= 1e-9 }
        return abs(a - b) <= 1e-6 * max(abs(a), abs(b)) || abs(a - b) < 1e-12
    }

    static func compareJSON(_ expected: Data, _ got: Data, file: String) -> [Difference] {
        guard let e = try? JSONSerialization.jsonObject(with: expected), let g = try? JSONSerialization.jsonObject(with: got) else {
            return [Difference(file: file, field: "(file)", expected: "JSON", got: "unreadable JSON")]
        }
        var out = [Difference]()
        walk(e, g, path: "", file: file, into: &out)
        return out
    }

    static func walk(_ e: Any, _ g: Any, path: String, file: String, into out: inout [Difference]) {
        guard out.count < 50 else { return }
        let name = path.isEmpty ? "(root)" : path
        switch (e, g) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = path.isEmpty ? key : path + "." + key
                guard let xv = x[key] else { out.append(Difference(file: file, field: p, expected: "nothing", got: "a value")); continue }
                guard let yv = y[key] else { out.append(Difference(file: file, field: p, expected: "a value", got: "nothing")); continue }
                // Paths of the model and files depend on where the check runs.
                if key == "file" || key == "model" && xv is String { continue }
                walk(xv, yv, path: p, file: file, into: &out)
            }
        case (let x as [Any], let y as [Any]):
            if x.count != y.count { out.append(Difference(file: file, field: name, expected: "\(x.count) entries", got: "\(y.count)")); return }
            for i in x.indices { walk(x[i], y[i], path: path + "[\(i)]", file: file, into: &out) }
        case (let x as NSNumber, let y as NSNumber):
            if !close(x.doubleValue, y.doubleValue, field: path) {
                out.append(Difference(file: file, field: name, expected: "\(x)", got: "\(y)"))
            }
        case (let x as String, let y as String):
            if x != y { out.append(Difference(file: file, field: name, expected: "\"\(x)\"", got: "\"\(y)\"")) }
        case (is NSNull, is NSNull):
            break
        default:
            out.append(Difference(file: file, field: name, expected: "\(e)", got: "\(g)"))
        }
    }

    static func compareCSV(_ expected: Data, _ got: Data, file: String) -> [Difference] {
        func rows(_ d: Data) -> [[String]] {
            String(decoding: d, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { line in
                var cells = [String](), cell = "", quoted = false
                for ch in line {
                    if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { cells.append(cell); cell = "" } else { cell.append(ch) }
                }
                cells.append(cell)
                return cells
            }
        }
        let e = rows(expected), g = rows(got)
        if e.count != g.count { return [Difference(file: file, field: "(rows)", expected: "\(e.count) lines", got: "\(g.count)")] }
        var out = [Difference]()
        var header = [String]()
        for (r, (er, gr)) in zip(e, g).enumerated() {
            if er.first.map({ Double($0) == nil && er.count > 1 && er.allSatisfy { Double($0) == nil } }) == true { header = er }
            if er.count != gr.count { out.append(Difference(file: file, field: "line \(r + 1)", expected: "\(er.count) cells", got: "\(gr.count)")); continue }
            for c in er.indices where er[c] != gr[c] {
                let column = c < header.count ? header[c] : "column \(c + 1)"
                let field = "line \(r + 1) (\(er[0])), \(column)"
                if let x = Double(er[c]), let y = Double(gr[c]), close(x, y, field: column) { continue }
                out.append(Difference(file: file, field: field, expected: er[c], got: gr[c]))
            }
        }
        return out
    }
}
