import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics
import Simulator

/// `hffsim validate`: every reference point (NeuroSim V1.4 runs, published silicon, aihwkit
/// accuracy) against a fresh simulation, one table, exit 1 when a point leaves its band.
enum ValidateCommand {
    static let spec = CommandSpec(
        name: "validate",
        overview: "Run every reference point (a preset, a workload, a published or independently simulated figure with its source) and print one table: quantity, hffsim, reference, ratio, allowed band, pass or fail. Exits 1 when a point fails.",
        usage: "hffsim validate [--points FILE] [--model hff.safetensors] [--dataset <name>] [--json]",
        options: [
            OptionSpec("--points", "file", "The reference points.", default: "HardwareModels/validation/reference-points.json"),
            OptionSpec("--model", "file", "The HFF 784-1000-1000-1000 model to run; points measured on a particular model (its SHA-256) run only with that model.", default: "one trained on the shipped subset, 10 epochs, seed 0"),
            OptionSpec("--dataset", "name", "Test (and calibration) data: fashion-mnist (Debian's dataset-fashion-mnist) or fashion-mnist-subset (ships with hffsim).", default: "fashion-mnist-subset"),
            OptionSpec("--samples", "N", "Test samples per simulation of the network workload, for points that do not set their own (points measured on a whole test set are then skipped; MVM workloads run 8 input vectors unless a point sets its samples).", default: "all"),
            OptionSpec("--threads", "N", "Threads.", default: "all cores"),
            OptionSpec("--json", nil, "Print one JSON object: {\"points\": [...], \"passed\": n, \"failed\": n, \"skipped\": n}."),
        ],
        discussion: "The points and the reasons for every remaining difference: docs/validation.md.")

    struct Outcome {
        var point: ReferencePoint
        var value: Double?
        var status: String
    }

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let limit = try args.string("--samples").map { _ in try args.int("--samples", default: 1, range: 1...10_000_000) }
        let pointsPath = try args.string("--points") ?? defaultPoints()
        let points = try Validation.load(path: pointsPath)
        // Every preset and override loads before any work, or the points file is refused naming the point.
        var hardware = [String: HardwareDescription]()
        for (i, p) in points.enumerated() where hardware[p.preset + "|" + p.sets.joined(separator: ",")] == nil {
            do {
                hardware[p.preset + "|" + p.sets.joined(separator: ",")] = try HardwareDescription.load(p.preset, sets: p.sets)
            } catch let e as InputError {
                throw InputError.data(file: pointsPath, field: "points[\(i)]." + (p.sets.isEmpty ? "preset" : "sets"), e.message)
            }
        }
        let (train, test) = try DatasetFlags.load(try DatasetFlags.options(args, seed: 0))
        let json = args.flag("--json")
        let source = try model(args.string("--model"), train: train, test: test, quiet: json)
        var outcomes = [Outcome]()
        var runs = [String: (HardwareConfig, RunResult)]()
        for p in points {
            // A point measured on one model or test set runs only on it, and on all of it.
            let otherData = p.dataset.map { test.name != $0 + "/test" || limit != nil } ?? false
            let otherModel = p.weightsSHA256.map { $0 != source.weightsDigest } ?? false
            if otherModel || otherData {
                outcomes.append(Outcome(point: p, value: nil, status: "skipped"))
                continue
            }
            if runs[p.runKey] == nil {
                if !json { Output.error("validate: \(p.preset)" + (p.sets.isEmpty ? "" : " " + p.sets.joined(separator: " ")) + ", \(p.workload)") }
                let hardware = hardware[p.preset + "|" + p.sets.joined(separator: ",")]!
                var options = RunOptions()
                options.chipSeeds = p.chipSeeds ?? 1
                options.traceSamples = 0
                options.timeSinceProgrammingSeconds = p.timeSinceProgrammingSeconds
                if let shape = Validation.mvmShape(p.workload) {
                    let w = Validation.mvmWorkload(rows: shape.rows, columns: shape.columns, samples: p.samples ?? 8)
                    let config = try Mapper.map(model: w.model, modelPath: "(\(p.workload))", modelDigest: "in-memory", hardware: hardware,
                                                options: MapOptions(), calibration: w.raw)
                    runs[p.runKey] = (config, try Simulation.run(config: config, model: w.model, raw: w.raw, labels: w.labels, options: options))
                } else {
                    let (raw, labels) = try Experiment.samples(test, limit: p.samples ?? limit, model: source.model, modelName: source.path)
                    runs[p.runKey] = try Experiment.mapAndRun(source, hardware: hardware, mapOptions: MapOptions(), train: train,
                                                              raw: raw, labels: labels, runOptions: options)
                }
            }
            let (config, result) = runs[p.runKey]!
            let v = Validation.value(p.quantity, result, config: config)
            outcomes.append(Outcome(point: p, value: v, status: p.passes(v) ? "pass" : "fail"))
        }
        let failed = outcomes.filter { $0.status == "fail" }.count
        let skipped = outcomes.filter { $0.status == "skipped" }.count
        if json {
            Output.json(["points": outcomes.map(jsonRow), "passed": outcomes.count - failed - skipped, "failed": failed, "skipped": skipped,
                         "model": source.path, "weightsSHA256": source.weightsDigest, "dataset": test.name])
        } else {
            print(table(outcomes))
            print("\(outcomes.count - failed - skipped) passed, \(failed) failed, \(skipped) skipped (model \(source.path), \(test.name)); sources and reasons: docs/validation.md")
        }
        if failed > 0 { exit(1) }
    }

    static func defaultPoints() throws -> String {
        let candidates = HardwareDescription.presetDirectories.map { $0 + "/validation/reference-points.json" }
        // On disk first (a checkout's own, possibly edited copy), else the one built in.
        return candidates.first(where: { FileManager.default.fileExists(atPath: $0) })
            ?? HardwareDescription.builtinPrefix + "validation/reference-points.json"
    }

    /// The model `--model` names (it must be an HFF 784-1000-1000-1000 network), or one trained
    /// in memory on `train` as `hffsim train --layers 1000,1000,1000 --epochs 10` would.
    static func model(_ path: String?, train: Dataset, test: Dataset, quiet: Bool) throws -> Experiment.ModelSource {
        if let path {
            let s = try Experiment.ModelSource.load(path: path)
            guard s.model.algorithm == .hff, s.model.inputSize == 784, s.model.layers.map(\.outputs) == [1000, 1000, 1000] else {
                throw InputError.data(file: path, "validate's workload is HFF 784-1000-1000-1000; this model is \(s.model.algorithm.rawValue) \(s.model.inputSize)-" + s.model.layers.map { String($0.outputs) }.joined(separator: "-"))
            }
            return s
        }
        if !quiet { Output.error("validate: training HFF 784-1000-1000-1000 on \(train.name) (10 epochs, seed 0)") }
        let config = TrainingConfiguration(algorithm: .hff, widths: [1000, 1000, 1000], hyperparameters: Hyperparameters())
        try config.validateSize(inputs: train.featureCount, classes: train.classCount)
        let model = try Trainer.train(config, train: train, test: nil) { _ in }
        return Experiment.ModelSource(path: "(trained on \(train.name))", model: model, digest: "in-memory")
    }

    static func cell(_ x: Double) -> String {
        let a = abs(x)
        if a != 0 && (a < 0.01 || a >= 1e6) { return String(format: "%.4g", x) }
        return Output.format(x, a >= 1000 ? 0 : 2)
    }

    static func bandText(_ p: ReferencePoint) -> String {
        if let t = p.tolerance { return "+-" + cell(t) }
        return "\(cell(p.band!.low))-\(cell(p.band!.high))x"
    }

    static func table(_ outcomes: [Outcome]) -> String {
        let header = ["point", "quantity", "hffsim", "reference", "ratio", "band", "result"]
        var rows = [header]
        for o in outcomes {
            let v = o.value
            let ratio = v.map { o.point.tolerance != nil ? (($0 - o.point.reference) >= 0 ? "+" : "") + cell($0 - o.point.reference) : cell($0 / o.point.reference) } ?? "-"
            rows.append([o.point.id, o.point.quantity + (o.point.unit.isEmpty ? "" : " [\(o.point.unit)]"), v.map(cell) ?? "-",
                         cell(o.point.reference), ratio, bandText(o.point), o.status])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max()! }
        return rows.map { r in r.indices.map { r[$0].padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
    }

    static func jsonRow(_ o: Outcome) -> [String: Any] {
        var row: [String: Any] = ["id": o.point.id, "preset": o.point.preset, "sets": o.point.sets, "workload": o.point.workload,
                                  "quantity": o.point.quantity, "unit": o.point.unit, "reference": o.point.reference,
                                  "source": o.point.source, "note": o.point.note, "status": o.status]
        if let v = o.value {
            row["hffsim"] = v
            if o.point.tolerance == nil { row["ratio"] = v / o.point.reference }
        }
        if let b = o.point.band { row["band"] = [b.low, b.high] }
        if let t = o.point.tolerance { row["tolerance"] = t }
        return row
    }
}
