import Datasets
import Foundation
import HFF
import Numerics

enum EvalCommand {
    static let spec = CommandSpec(
        name: "eval",
        overview: "Evaluate a model on a test split: accuracy, per-class accuracy, confusion matrix.",
        usage: "hffsim eval <model.safetensors> [--dataset <name>] [--core <preset> [--set key=value ...] [--chip-seeds N]] [--json]",
        arguments: [("<model.safetensors>", "A model written by 'hffsim train' (or by PyTorch with the same tensor names).")],
        options: DatasetFlags.modelDataOptions + [
            OptionSpec("--seed", "S", "Seed of the --holdout split.", default: "the model's"),
            OptionSpec("--threads", "N", "Threads for matrix products.", default: "all cores"),
        ] + CoreReadoutRun.evalOptions + [
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...1)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let path = args.positionals[0]
        let model = try ModelFile.load(path: path)
        let seed = try args.string("--seed").map { _ in try args.uint64("--seed", default: 0) }
        let (train, test) = try DatasetFlags.load(args, for: model, modelName: path, seed: seed)
        if test.featureCount != model.inputSize {
            throw InputError(.data, "\(test.name): samples have \(test.featureCount) features but the model \(path) expects \(model.inputSize)")
        }
        if let top = test.labels.max(), top >= model.classCount {
            throw InputError(.data, "\(test.name): labels go up to \(top) but the model \(path) has \(model.classCount) classes")
        }
        let coreRequest = try CoreReadoutRun.request(args, model: model)
        let start = Date()
        let predicted = model.predict(test.features)
        let seconds = Date().timeIntervalSince(start)
        let k = model.classCount
        var support = [Int](repeating: 0, count: k), hits = [Int](repeating: 0, count: k)
        for (p, y) in zip(predicted, test.labels) {
            support[y] += 1
            if p == y { hits[y] += 1 }
        }
        let perClass = (0..<k).map { c in support[c] == 0 ? 0 : Double(hits[c]) / Double(support[c]) }
        // The dense confusion matrix for up to 1,024 classes; beyond that only its non-zero cells.
        let dense = k <= 1024
        var confusion = dense ? [[Int]](repeating: [Int](repeating: 0, count: k), count: k) : []
        var cells = [Int: Int]()
        for (p, y) in zip(predicted, test.labels) {
            if dense { confusion[y][p] += 1 } else { cells[y * k + p, default: 0] += 1 }
        }
        let accuracy = Kernels.accuracy(predicted, test.labels)
        let json = args.flag("--json")
        if !json {
            print("\(model.algorithm.rawValue) \(model.architecture.describe(inputs: model.inputSize, shape: model.inputShape)) on \(test.name) (\(test.count) samples): accuracy \(Output.format(accuracy * 100, 2))%")
        }
        let core = try coreRequest.map { try CoreReadoutRun.evaluate(model, train: train, test: test, floatPredictions: predicted, request: $0, json: json) }
        if json {
            var out: [String: Any] = [
                "model": path, "algorithm": model.algorithm.rawValue, "dataset": test.name, "samples": test.count,
                "testAccuracy": accuracy, "perClassAccuracy": perClass,
                dense ? "confusionMatrix" : "confusionCells": dense
                    ? confusion as Any : cells.keys.sorted().map { [$0 / k, $0 % k, cells[$0]!] } as Any,
                "secondsPerSample": seconds / Double(max(test.count, 1)),
                "forwardPasses": model.algorithm == .ff ? k : 1,
            ]
            if let core { out["core"] = core }
            Output.json(out)
            return
        }
        if k > 32 {
            print("\(k) classes: per-class accuracy and the confusion matrix are in --json")
            return
        }
        print("per-class accuracy: " + perClass.enumerated().map { "\($0.offset): \(Output.format($0.element * 100, 1))%" }.joined(separator: "  "))
        print("confusion matrix (rows: true class, columns: predicted):")
        let w = max(5, String(test.count).count + 1)
        print(String(repeating: " ", count: 4) + (0..<k).map { pad(String($0), w) }.joined())
        for c in 0..<k { print(pad(String(c), 3) + " " + confusion[c].map { pad(String($0), w) }.joined()) }
    }

    static func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}
