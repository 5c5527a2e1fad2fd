import Datasets
import Foundation
import HFF
import Numerics

enum EvalCommand {
    static let spec = CommandSpec(
        name: "eval",
        overview: "Evaluate a model on a test split: accuracy, per-class accuracy, confusion matrix.",
        usage: "hffsim eval <model.safetensors> [--dataset <name>] [--core <preset> [--set key=value ...] [--chip-seeds N]] [--input-noise <sigmas>] [--attack fgsm|pgd --epsilon <epsilons>] [--json]",
        arguments: [("<model.safetensors>", "A model written by 'hffsim train' (or by PyTorch with the same tensor names).")],
        options: DatasetFlags.modelDataOptions + [
            OptionSpec("--seed", "S", "Seed of the --holdout split.", default: "the model's"),
            OptionSpec("--threads", "N", "Threads for matrix products.", default: "all cores"),
        ] + CoreReadoutRun.evalOptions + RobustnessRun.options + [
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...1)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        let path = args.positionals[0]
        let model = try ModelFile.load(path: path)
        let robustness = try RobustnessRun.request(args, model: model)
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
            if let robustness { try RobustnessRun.evaluate(model, test: test, request: robustness, json: true).forEach { out[$0.key] = $0.value } }
            Output.json(out)
            return
        }
        if k > 32 {
            print("\(k) classes: per-class accuracy and the confusion matrix are in --json")
        } else {
            print("per-class accuracy: " + perClass.enumerated().map { "\($0.offset): \(Output.format($0.element * 100, 1))%" }.joined(separator: "  "))
            print("confusion matrix (rows: true class, columns: predicted):")
            let w = max(5, String(test.count).count + 1)
            print(String(repeating: " ", count: 4) + (0..<k).map { pad(String($0), w) }.joined())
            for c in 0..<k { print(pad(String(c), 3) + " " + confusion[c].map { pad(String($0), w) }.joined()) }
        }
        if let robustness { _ = try RobustnessRun.evaluate(model, test: test, request: robustness, json: false) }
    }

    static func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}

/// `hffsim eval`'s robustness flags: Gaussian input noise and white-box L-infinity attacks, both
/// in the model's standardised input space (`Robustness`, docs/robustness.md).
enum RobustnessRun {
    static let options = [
        OptionSpec("--input-noise", "sigmas", "Accuracy with Gaussian noise N(0, sigma^2) added to the standardised input, for each sigma of a comma-separated list (standardised units; one table row each).", default: "off"),
        OptionSpec("--noise-seed", "S", "Seed of the --input-noise draws and of --pgd-random-start (row i draws from its own stream: the same for any --threads).", default: "0"),
        OptionSpec("--attack", "fgsm|pgd", "Accuracy under a white-box L-infinity attack on the standardised input, through the float model's forward pass and read-out (dense models).", default: "off"),
        OptionSpec("--epsilon", "epsilons", "Radii of --attack, comma-separated, in standardised units (one table row each).", default: "none"),
        OptionSpec("--pgd-steps", "N", "Steps of --attack pgd.", default: "10"),
        OptionSpec("--pgd-step-size", "alpha", "Step of --attack pgd in standardised units.", default: "2.5 epsilon / steps"),
        OptionSpec("--pgd-random-start", nil, "Start --attack pgd at a uniform draw in the epsilon-ball (seeded by --noise-seed) instead of the clean input."),
    ]

    struct Request {
        /// Noise standard deviations as given (standardised units); nil: no noise table.
        var sigmas: [Double]?
        var noiseSeed: UInt64
        var attack: Robustness.AttackSettings?
        var epsilons: [Double]
    }

    /// The robustness flags, checked before any data is read; nil when none is given.
    static func request(_ args: Arguments, model: Model) throws -> Request? {
        let sigmas = try nonNegativeList(args, "--input-noise")
        let epsilons = try nonNegativeList(args, "--epsilon")
        let attack: Robustness.Attack? = try args.string("--attack").map { _ in try args.choice("--attack", default: Robustness.Attack.fgsm) }
        let randomStart = args.flag("--pgd-random-start")
        if attack == nil, epsilons != nil { throw InputError.usage(flag: "--epsilon", "applies to --attack, which is not given") }
        if attack != nil, epsilons == nil { throw InputError.usage(flag: "--attack", "needs --epsilon E[,E2,...] (standardised units)") }
        if attack != .pgd {
            for flag in ["--pgd-steps", "--pgd-step-size", "--pgd-random-start"] where args.flag(flag) {
                throw InputError.usage(flag: flag, "applies to --attack pgd, which is not given")
            }
        }
        if sigmas == nil && !randomStart && args.flag("--noise-seed") {
            throw InputError.usage(flag: "--noise-seed", "applies to --input-noise or --pgd-random-start, neither of which is given")
        }
        if attack != nil, let why = Robustness.attackRefusal(model) { throw InputError.usage(flag: "--attack", why) }
        let seed = try args.uint64("--noise-seed", default: 0)
        let steps = try args.int("--pgd-steps", default: 10, range: 1...100_000)
        let stepSize: Float? = try args.string("--pgd-step-size").map { _ in
            try args.float("--pgd-step-size", default: 1, expected: "a positive number (standardised units)")
        }
        if sigmas == nil && attack == nil { return nil }
        return Request(sigmas: sigmas, noiseSeed: seed,
                       attack: attack.map { Robustness.AttackSettings(attack: $0, steps: steps, stepSize: stepSize, randomStart: randomStart, seed: seed) },
                       epsilons: epsilons ?? [])
    }

    /// A comma-separated list of finite numbers >= 0 (nil when the flag is absent).
    static func nonNegativeList(_ args: Arguments, _ flag: String) throws -> [Double]? {
        guard let s = args.string(flag) else { return nil }
        var out = [Double]()
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), v.isFinite, v >= 0, Float(v).isFinite else {
                throw InputError.usage(flag: flag, "expected comma-separated numbers >= 0 (standardised units), got '\(s)'")
            }
            out.append(v)
        }
        return out
    }

    /// Runs the requested tables on the test split; prints them (text) or returns their JSON fields.
    static func evaluate(_ model: Model, test: Dataset, request: Request, json: Bool) throws -> [String: Any] {
        // One standardised unit in raw feature units (global standardisation only).
        let rawPerUnit: Double? = model.normalization.isGlobal ? Double(model.normalization.std[0]) : nil
        var out = [String: Any]()
        if let sigmas = request.sigmas {
            var progress = ProgressLine(enabled: Output.stderrIsTerminal)
            let start = Date()
            let accuracies = Robustness.noiseAccuracies(model: model, raw: test.features, labels: test.labels, sigmas: sigmas.map { Float($0) },
                                                        seed: request.noiseSeed) { progress.update("input noise", fraction: $0) }
            progress.clear()
            let seconds = Date().timeIntervalSince(start)
            var noise: [String: Any] = ["noiseSeed": request.noiseSeed, "seconds": seconds,
                                        "results": rows(sigmas, accuracies, name: "sigma", rawPerUnit: rawPerUnit)]
            if let rawPerUnit { noise["rawUnitsPerStandardizedUnit"] = rawPerUnit }
            out["inputNoise"] = noise
            if !json {
                print("\ninput noise: x + sigma n, n ~ N(0, I) on the standardised input, noise seed \(request.noiseSeed), \(test.count) samples, \(Output.format(seconds, 1)) s")
                printTable(sigmas, accuracies, name: "sigma", rawPerUnit: rawPerUnit)
            }
        }
        if let settings = request.attack {
            out["attack"] = runAttack(model, test: test, settings: settings, epsilons: request.epsilons, rawPerUnit: rawPerUnit, json: json)
        }
        return out
    }

    /// One attack over every epsilon: its JSON object, and its table printed unless `json`.
    static func runAttack(_ model: Model, test: Dataset, settings: Robustness.AttackSettings, epsilons: [Double], rawPerUnit: Double?,
                          json: Bool) -> [String: Any] {
        var progress = ProgressLine(enabled: Output.stderrIsTerminal)
        let start = Date()
        let outcome = Robustness.attack(model: model, raw: test.features, labels: test.labels, epsilons: epsilons.map { Float($0) },
                                        settings: settings) { progress.update("\(settings.attack.rawValue) attack", fraction: $0) }
        progress.clear()
        let seconds = Date().timeIntervalSince(start), accuracies = outcome.accuracies
        var out: [String: Any] = ["attack": settings.attack.rawValue, "norm": "linf", "space": "standardized", "seconds": seconds,
                                  "zeroGradientSamples": outcome.zeroGradientRows,
                                  "results": rows(epsilons, accuracies, name: "epsilon", rawPerUnit: rawPerUnit)]
        if let rawPerUnit { out["rawUnitsPerStandardizedUnit"] = rawPerUnit }
        var title = "FGSM"
        if settings.attack == .pgd {
            out["steps"] = settings.steps
            out["randomStart"] = settings.randomStart
            if settings.randomStart { out["noiseSeed"] = settings.seed }
            if let a = settings.stepSize { out["stepSizeStandardizedUnits"] = Double(a) } else { out["stepSizeRule"] = "2.5 epsilon / steps" }
            let step = settings.stepSize.map { "\($0)" } ?? "2.5 epsilon/\(settings.steps)"
            title = "PGD-\(settings.steps) (step \(step), \(settings.randomStart ? "random start, seed \(settings.seed)" : "no random start"))"
        }
        if !json {
            print("\n\(title): white-box L-infinity attack on the standardised input, \(test.count) samples, \(Output.format(seconds, 1)) s")
            printTable(epsilons, accuracies, name: "epsilon", rawPerUnit: rawPerUnit)
            if outcome.zeroGradientRows > 0 {
                print("\(outcome.zeroGradientRows) of \(test.count) samples have a zero loss gradient at the clean input (the softmax saturates in Float); the attack cannot move them")
            }
        }
        return out
    }

    /// The JSON rows of a table: the value in standardised (and raw) units and the accuracy.
    static func rows(_ values: [Double], _ accuracies: [Double], name: String, rawPerUnit: Double?) -> [[String: Any]] {
        zip(values, accuracies).map { v, a in
            var row: [String: Any] = ["\(name)StandardizedUnits": v, "accuracy": a]
            if let rawPerUnit { row["\(name)RawUnits"] = v * rawPerUnit }
            return row
        }
    }

    static func printTable(_ values: [Double], _ accuracies: [Double], name: String, rawPerUnit: Double?) {
        let headers = ["\(name) (standardised units)", "\(name) (raw units)", "accuracy"]
        let widths = headers.map { $0.count + 2 }
        func line(_ cells: [String]) -> String { zip(cells, widths).map { EvalCommand.pad($0, $1) }.joined() }
        print(line(headers))
        for (v, a) in zip(values, accuracies) {
            print(line([String(v), rawPerUnit.map { Output.format(v * $0, 4) } ?? "per feature", Output.format(a * 100, 2) + "%"]))
        }
    }
}
