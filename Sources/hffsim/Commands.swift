import Datasets
import Foundation
import Compiler
import Hardware
import HFF
import Numerics
import Simulator

/// The dataset flags shared by every command that reads data.
enum DatasetFlags {
    static let options: [OptionSpec] = [
        OptionSpec("--dataset", "name", "fashion-mnist (Debian's dataset-fashion-mnist), fashion-mnist-subset (ships with hffsim), idx:DIR, csv:FILE, cifar10:DIR or cifar100:DIR (the CIFAR binary versions).", default: "fashion-mnist-subset"),
        OptionSpec("--test-dataset", "name", "The test split for a csv: dataset: csv:FILE."),
        OptionSpec("--data-dir", "dir", "A directory of IDX files (train-images-idx3-ubyte[.gz] and so on); same as --dataset idx:DIR."),
        OptionSpec("--label-column", "first|last|N", "CSV label column (N counts from 0).", default: "last"),
        OptionSpec("--holdout", "fraction", "Hold out this fraction of a single csv: file as the test split (seeded by --seed)."),
        OptionSpec("--label", "fine|coarse", "CIFAR-100's labels: the 100 fine classes or the 20 coarse ones.", default: "fine"),
    ]

    /// For the commands that read a model's data (eval, map, run, compare): the flags above, and
    /// leave to use data other than the model's own.
    static let modelDataOptions = options + [
        OptionSpec("--allow-other-data", nil, "Use data other than the model's own (another scaling, split, or changed content) with a warning instead of an error."),
    ]

    static let flagNames = ["--dataset", "--data-dir", "--test-dataset", "--holdout", "--label-column", "--label"]

    /// The options the flags give (defaults where absent); the split is seeded by `seed`.
    static func options(_ args: Arguments, seed: UInt64) throws -> DatasetOptions {
        var holdout: Double?
        if let s = args.string("--holdout") {
            guard let v = Double(s), v > 0, v < 1 else { throw InputError.usage(flag: "--holdout", "expected a fraction in (0, 1), got '\(s)'") }
            holdout = v
        }
        var dataset = args.string("--dataset", default: "fashion-mnist-subset")
        if let dir = args.string("--data-dir") {
            if args.string("--dataset") != nil { throw InputError.usage(flag: "--data-dir", "give either --data-dir or --dataset, not both") }
            dataset = "idx:" + dir
        }
        var o = DatasetOptions(dataset: dataset, testDataset: args.string("--test-dataset"), dataDir: args.string("--data-dir"),
                               labelColumn: try LabelColumn(parsing: args.string("--label-column", default: "last")), holdout: holdout, seed: seed)
        o.cifarLabel = try args.choice("--label", default: .fine)
        return o
    }

    static func load(_ options: DatasetOptions) throws -> (train: Dataset, test: Dataset) {
        let (train, test) = try DatasetLoader.load(options)
        if test.count == 0 { throw InputError(.data, "\(test.name): the test split is empty") }
        return (train, test)
    }

    /// train: the data the flags name, and what the model file records of it.
    static func loadForTraining(_ args: Arguments, seed: UInt64) throws -> (train: Dataset, test: Dataset, provenance: DataProvenance) {
        let o = try options(args, seed: seed)
        let (train, test) = try load(o)
        try checkClasses(train, declared: try args.string("--classes").map { _ in try args.int("--classes", default: 0, range: 1...CSV.maxLabel + 1) },
                         labelColumn: args.string("--label-column"))
        var provenance = DataProvenance(dataset: o.dataset, testDataset: o.testDataset, labelColumn: args.string("--label-column", default: "last"),
                                        holdout: o.holdout, splitSeed: seed, train: train)
        if o.dataset.hasPrefix("cifar100:") { provenance.label = o.cifarLabel.rawValue }
        return (train, test, provenance)
    }

    /// Classes are one more than the largest training label. Refused (exit 65): a class with no
    /// training sample (its prototype could not be learned), and more than `confirmClasses`
    /// classes unless `--classes` states that count: both are what a feature column taken for the
    /// label gives (Fashion-MNIST's pixel 399 as label: 256 classes, every value present in the
    /// full training set, so only the count betrays it).
    static func checkClasses(_ train: Dataset, declared: Int?, labelColumn: String?) throws {
        let k = train.classCount
        let column = labelColumn.map { " (--label-column \($0))" } ?? ""
        if let d = declared, d != k {
            throw InputError.usage(flag: "--classes", "\(train.name) has labels 0...\(k - 1)\(column), that is \(k) classes, not \(d)")
        }
        if declared == nil && k > confirmClasses {
            throw InputError.usage(flag: "--label-column", "\(train.name): the label column\(column) gives \(k) classes (labels 0...\(k - 1)); "
                                   + "is it the label? More than \(confirmClasses) classes must be stated with --classes \(k)")
        }
        var seen = [Bool](repeating: false, count: k)
        for l in train.labels { seen[l] = true }
        let missing = seen.indices.filter { !seen[$0] }
        if !missing.isEmpty {
            let list = missing.prefix(5).map(String.init).joined(separator: ", ") + (missing.count > 5 ? " and \(missing.count - 5) more" : "")
            throw InputError(.data, "\(train.name): label column\(column): labels go up to \(k - 1) but \(missing.count == 1 ? "class \(list) has" : "classes \(list) have") no training sample (a class that never appears cannot be learned)")
        }
    }

    /// Above this many classes `train` asks for `--classes` (CIFAR-100 has 100).
    static let confirmClasses = 100

    /// The data `model` is used on: the data set it records, read the same way, unless flags name
    /// another. What differs from the record (the inputs' scaling, the split of the same data set,
    /// the training split's content) is refused unless --allow-other-data is given, which warns
    /// instead. A model that records nothing uses the flags (the shipped subset by default, with a
    /// note on stderr). `seed`: the --seed flag of commands that have one.
    static func load(_ args: Arguments, for model: Model, modelName: String, seed: UInt64?) throws -> (train: Dataset, test: Dataset) {
        let given = flagNames.contains { args.string($0) != nil } || seed != nil
        guard let p = model.data else {
            if !given { Output.error("note: \(modelName) records no data set; using fashion-mnist-subset (--dataset names another)") }
            return try load(try options(args, seed: seed ?? 0))
        }
        var o = try options(args, seed: seed ?? p.splitSeed)
        if args.string("--dataset") == nil && args.string("--data-dir") == nil { o.dataset = p.dataset }
        let same = o.dataset == p.dataset
        if same {
            if args.string("--test-dataset") == nil { o.testDataset = p.testDataset }
            if args.string("--holdout") == nil { o.holdout = p.holdout }
            if args.string("--label-column") == nil { o.labelColumn = try LabelColumn(parsing: p.labelColumn) }
            if args.string("--label") == nil, let l = p.label, let label = CIFAR.Label(rawValue: l) { o.cifarLabel = label }
        }
        let allow = args.flag("--allow-other-data")
        func differs(_ flag: String, _ message: String) throws {
            if allow { Output.error("warning: \(flag): \(message)") } else {
                throw InputError.usage(flag: flag, message + "; --allow-other-data uses it anyway")
            }
        }
        if DataProvenance.scaling(of: o.dataset) != p.inputScaling {
            try differs("--dataset", "\(modelName) was trained on \(p.dataset) (inputs \(p.inputScaling)); \(o.dataset) gives inputs \(DataProvenance.scaling(of: o.dataset))")
        }
        var sameSplit = same
        if same {
            let label = args.string("--label-column") ?? p.labelColumn
            if o.holdout != p.holdout || o.testDataset != p.testDataset || label != p.labelColumn || (o.holdout != nil && o.seed != p.splitSeed)
                || (p.label != nil && o.cifarLabel.rawValue != p.label) {
                sameSplit = false
                let recorded = p.testDataset.map { "test file \($0)" } ?? p.holdout.map { "holdout \($0) drawn with seed \(p.splitSeed)" } ?? "its own test split"
                try differs(args.string("--holdout") != nil ? "--holdout" : seed != nil ? "--seed" : args.string("--label-column") != nil ? "--label-column"
                            : args.string("--label") != nil ? "--label" : "--test-dataset",
                            "\(modelName) was trained on \(p.dataset) with \(recorded), label column \(p.labelColumn); another split would test on training samples")
            }
        }
        let (train, test) = try load(o)
        if sameSplit && DataProvenance.digest(train) != p.trainSHA256 {
            try differs("--dataset", "\(p.dataset) has changed since \(modelName) was trained on it (its training split's SHA-256 differs)")
        }
        return (train, test)
    }
}

enum TrainCommand {
    static let spec = CommandSpec(
        name: "train",
        overview: "Train the ideal float model: HFF, or its FF or backprop baseline.",
        usage: "hffsim train [--algorithm hff|ff|backprop] [--dataset <name>] [--layers <widths>] [--epochs <N>] --output <model.safetensors> [--json]",
        options: [
            OptionSpec("--algorithm", "hff|ff|backprop", "Training algorithm.", default: "hff"),
        ] + DatasetFlags.options + [
            OptionSpec("--layers", "widths", "Hidden layer widths, comma-separated.", default: "1000,1000,1000"),
            OptionSpec("--arch", "layers", "Convolutions then dense layers, for example c32k3,p2,c64k3,p2,f1000: cCkK[sS][padP] a conv of C filters K x K (stride S, padding P; default K/2), pN / aN max / average pooling N x N, fW a dense layer (hff and backprop; docs/hff.md)."),
            OptionSpec("--epochs", "N", "Passes over the training split.", default: "10"),
            OptionSpec("--batch-size", "N", "Samples per update.", default: "128"),
            OptionSpec("--optimizer", "adam|sgd", "Optimiser: Adam (beta 0.9, 0.999) or SGD with momentum 0.9.", default: "adam"),
            OptionSpec("--learning-rate", "lr", "Optimiser step size.", default: "1e-3 (hff, backprop), 0.1 (ff)"),
            OptionSpec("--seed", "S", "Seed of every random draw (initialisation, shuffling, FF negatives).", default: "0"),
            OptionSpec("--tau", "t", "HFF softmax temperature of the cosine scores.", default: "0.1"),
            OptionSpec("--prototypes-per-class", "M", "HFF prototypes per class, pooled by LogSumExp.", default: "1"),
            OptionSpec("--margin", "m", "HFF additive cosine margin on the true class during training.", default: "0"),
            OptionSpec("--readout", "sum|last", "HFF read-out: sum of per-layer log-softmax, or the last layer alone.", default: "sum"),
            OptionSpec("--conv-scoring", "average|map", "HFF conv blocks: prototypes score the whole output map (map) or each channel's mean over positions (average).", default: "map"),
            OptionSpec("--prototype-learning", "gradient|ema", "HFF prototypes learned by gradient or as EMA of class means.", default: "gradient"),
            OptionSpec("--ema-momentum", "mu", "Momentum of the EMA prototype update.", default: "0.99"),
            OptionSpec("--threshold", "theta", "FF goodness threshold (goodness = mean of squares).", default: "2"),
            OptionSpec("--per-feature-standardization", nil, "Standardise each input feature on its own instead of with one global mean and std."),
            OptionSpec("--classes", "K", "The number of classes, which the labels must fill (0...K-1); required above \(DatasetFlags.confirmClasses), a guard against a feature column taken for the label.", default: "largest label + 1"),
            OptionSpec("--hardware", "preset|file", "Hardware-aware training (HFF, dense): every layer's product through this hardware's functional model, a fresh chip instance per batch (docs/hardware-aware.md)."),
            OptionSpec("--set", "key=value", "Override a hardware key (repeatable; with --hardware)."),
            OptionSpec("--drift-range", "T1,T2", "With --hardware: times since programming drawn log-uniformly per batch (seconds, or 30s, 1h, 1d, 1y); ignored by presets without drift.", default: "1h,1y"),
            OptionSpec("--hardware-fraction", "f", "With --hardware or --chip-own-layer: the share of batches run on the hardware, drawn per batch from the seed; the others run in float, which keeps more of the float model's accuracy.", default: "1"),
            OptionSpec("--chip", "config.json", "Chip-in-the-loop training of the config's model (written by 'hffsim map') on one chip instance of its hardware, layer by layer, --epochs per layer (docs/hardware-aware.md)."),
            OptionSpec("--chip-seed", "S", "With --chip: the chip instance (as 'hffsim run' numbers them, 1...).", default: "1"),
            OptionSpec("--chip-own-layer", nil, "With --chip: each layer's own product also runs on the chip while it trains, the layer reprogrammed with its weights every batch (--hardware-fraction of the batches)."),
            OptionSpec("--initial-model", "file", "Start from this model's weights, prototypes and input standardisation (fine-tuning) instead of a fresh initialisation."),
            OptionSpec("--threads", "N", "Threads for matrix products.", default: "all cores"),
            OptionSpec("--output", "file", "Where to write the model (safetensors)."),
            OptionSpec("--json", nil, "Print one JSON object with the results on stdout."),
        ],
        discussion: """
        Every layer learns from its own loss; no gradient crosses layers (HFF, FF). The model file holds the
        weights, prototypes, hyper-parameters, input standardisation and per-epoch history.
        """)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        let algorithm: Algorithm = try args.choice("--algorithm", default: .hff)
        guard let output = args.string("--output") else { throw InputError.usage(flag: "--output", "required: where to write the model") }
        var h = Hyperparameters()
        h.epochs = try args.int("--epochs", default: 10)
        h.batchSize = try args.int("--batch-size", default: 128)
        h.optimizer = try args.choice("--optimizer", default: .adam)
        h.learningRate = try args.float("--learning-rate", default: Hyperparameters.defaultLearningRate(for: algorithm))
        h.seed = try args.uint64("--seed", default: 0)
        h.tau = try args.float("--tau", default: 0.1)
        h.prototypesPerClass = try args.int("--prototypes-per-class", default: 1)
        h.margin = try args.float("--margin", default: 0, expected: "a number >= 0") { $0 >= 0 }
        h.readout = try args.choice("--readout", default: .sum)
        h.prototypeLearning = try args.choice("--prototype-learning", default: .gradient)
        h.convScoring = try args.choice("--conv-scoring", default: .map)
        h.emaMomentum = try args.float("--ema-momentum", default: 0.99, expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
        h.threshold = try args.float("--threshold", default: 2)
        GEMM.defaultThreads = try args.int("--threads", default: GEMM.defaultThreads, range: 1...1024)
        if args.string("--chip") != nil {
            try checkWritable(output, flag: "--output")
            try refuseOverwritingInputs([(output, "--output")], args: args, inputs: [args.string("--chip")!])
            return try runChipInTheLoop(args, hyperparameters: h, output: output, json: args.flag("--json"))
        }
        for flag in ["--chip-seed", "--chip-own-layer"] where args.string(flag) != nil || args.flag(flag) {
            throw InputError.usage(flag: flag, "applies to --chip, which is not given")
        }
        var config = TrainingConfiguration(algorithm: algorithm, widths: [], hyperparameters: h)
        config.architecture = try layers(args)
        config.perFeatureStandardization = args.flag("--per-feature-standardization")
        try config.validate()
        try checkWritable(output, flag: "--output")
        try refuseOverwritingInputs([(output, "--output")], args: args, inputs: [args.string("--initial-model")].compactMap { $0 })
        let initial = try args.string("--initial-model").map { try ModelFile.load(path: $0) }
        let hardware = try hardwareTraining(args, algorithm: algorithm, convs: config.convs)
        let (train, test, provenance) = try DatasetFlags.loadForTraining(args, seed: h.seed)
        try config.validateSize(inputs: train.featureCount, classes: train.classCount, shape: train.shape)
        let product = hardware.map {
            CrossbarTrainingProduct(hardware: $0.description, normalization: initial?.normalization
                                        ?? Standardization.fit(train.features, perFeature: config.perFeatureStandardization),
                                    driftSeconds: $0.record.driftSeconds, chipSeed: nil, seed: h.seed,
                                    hardwareFraction: $0.record.hardwareFraction ?? 1)
        }

        let json = args.flag("--json")
        if !json {
            Output.error("training \(algorithm.rawValue) \(config.architecture.describe(inputs: train.featureCount, shape: train.shape)) on \(train.name): \(train.count) train, \(test.count) test samples, \(h.epochs) epochs")
        }
        var bar = ProgressLine()
        var model = try Trainer.train(config, train: train, test: test, initial: initial, hardware: product) { event in
            switch event {
            case let .batch(epoch, batch, batches, loss):
                let done = (Double(epoch - 1) + Double(batch) / Double(batches)) / Double(h.epochs)
                bar.update("epoch \(epoch)/\(h.epochs) batch \(batch)/\(batches) loss \(Output.format(loss))", fraction: done)
            case let .epoch(r):
                bar.clear()
                Output.error("epoch \(r.epoch)/\(h.epochs)  loss \(Output.format(r.loss))  train \(Output.format(r.trainAccuracy * 100, 2))%  test \(r.testAccuracy.map { Output.format($0 * 100, 2) } ?? "-")%  \(Output.format(r.seconds, 2)) s")
            }
        }
        model.data = provenance
        model.hardwareTraining = hardware?.record
        try ModelFile.save(model, to: output)
        let last = model.history.last!
        let secondsPerEpoch = model.history.map(\.seconds).reduce(0, +) / Double(model.history.count)
        if json {
            Output.json([
                "algorithm": algorithm.rawValue,
                "layers": config.widths,
                "architecture": model.architecture.description,
                "dataset": train.name,
                "trainSamples": train.count,
                "testSamples": test.count,
                "testAccuracy": last.testAccuracy ?? 0,
                "trainAccuracy": last.trainAccuracy,
                "secondsPerEpoch": secondsPerEpoch,
                "output": output,
                "history": model.history.map { r -> [String: Any] in
                    ["epoch": r.epoch, "loss": r.loss, "trainAccuracy": r.trainAccuracy, "testAccuracy": r.testAccuracy ?? 0, "seconds": r.seconds]
                },
            ])
        } else {
            print("test accuracy \(Output.format((last.testAccuracy ?? 0) * 100, 2))%  (\(Output.format(secondsPerEpoch, 2)) s per epoch)  model written to \(output)")
        }
    }

    /// `--hardware`, `--set`, `--drift-range`, `--hardware-fraction`: the resolved description and what the model file
    /// records of it; nil without --hardware (then the other three are refused).
    static func hardwareTraining(_ args: Arguments, algorithm: Algorithm, convs: [ConvSpec]) throws
        -> (description: HardwareDescription, record: HardwareTraining)? {
        guard let name = args.string("--hardware") else {
            for flag in ["--set", "--drift-range", "--hardware-fraction"] where args.string(flag) != nil {
                throw InputError.usage(flag: flag, "applies to --hardware, which is not given")
            }
            return nil
        }
        if algorithm != .hff || !convs.isEmpty {
            throw InputError.usage(flag: "--hardware", "hardware-aware training is built for dense HFF models, not \(algorithm.rawValue)\(convs.isEmpty ? "" : " with convolutions")")
        }
        let sets = args.strings("--set")
        let d = try HardwareDescription.load(name, sets: sets)
        var drift: [Double]?
        if d.choice("noise.drift.model") != "none" {
            let parts = (args.string("--drift-range") ?? "1h,1y").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let values = parts.map { SweepOptions.seconds($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 2, let low = values[0], let high = values[1], low >= 0, low <= high, high <= 1e12 else {
                throw InputError.usage(flag: "--drift-range", "expected two times T1,T2 with 0 <= T1 <= T2 <= 1e12 s (seconds, or 30s, 1h, 1d, 1y), got '\(args.string("--drift-range") ?? "")'")
            }
            drift = [low, high]
        }
        let fraction = try hardwareFraction(args)
        let json = try JSONSerialization.data(withJSONObject: d.jsonObject(), options: [.sortedKeys])
        let record = HardwareTraining(mode: .hardwareAware, hardware: name, sets: sets, hardwareSHA256: SHA256.hex(json),
                                      driftSeconds: drift, chipSeed: nil,
                                      initialModel: args.string("--initial-model").map { URL(fileURLWithPath: $0).lastPathComponent },
                                      hardwareFraction: fraction < 1 ? fraction : nil)
        return (d, record)
    }

    /// `--hardware-fraction`: the share of batches on the hardware, in (0, 1]; 1 when not given.
    static func hardwareFraction(_ args: Arguments) throws -> Double {
        try args.double("--hardware-fraction", default: 1, expected: "a share in (0, 1]") { $0 > 0 && $0 <= 1 }
    }

    /// The layers `--layers` (dense widths) or `--arch` (convolutions, then dense layers) give;
    /// not both. For train and bench train.
    static func layers(_ args: Arguments) throws -> Architecture {
        guard let text = args.string("--arch") else { return Architecture(widths: try args.intList("--layers", default: [1000, 1000, 1000])) }
        if args.string("--layers") != nil { throw InputError.usage(flag: "--arch", "give either --arch or --layers, not both") }
        return try Architecture.parse(text)
    }

    /// Refuses an output that would overwrite one of the command's own inputs (the model, a
    /// hardware description file, a CSV data set): `map m.safetensors --output m.safetensors`
    /// must not destroy the model. Paths are compared after resolving '..' and symbolic links.
    static func refuseOverwritingInputs(_ outputs: [(path: String, flag: String)], args: Arguments, inputs extra: [String] = []) throws {
        func resolved(_ p: String) -> String {
            let url = URL(fileURLWithPath: p).standardizedFileURL
            // An output that does not exist yet: resolve its directory.
            if !FileManager.default.fileExists(atPath: url.path) {
                return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
            }
            return url.resolvingSymlinksInPath().path
        }
        var inputs = extra
        for flag in ["--dataset", "--test-dataset"] {
            if let d = args.string(flag), d.hasPrefix("csv:") { inputs.append(String(d.dropFirst(4))) }
        }
        if let h = args.string("--hardware"), FileManager.default.fileExists(atPath: h) { inputs.append(h) }
        let inputSet = Set(inputs.filter { !$0.isEmpty }.map(resolved))
        for (path, flag) in outputs where inputSet.contains(resolved(path)) {
            throw InputError.usage(flag: flag, "\(path) is one of this command's inputs; refusing to overwrite it")
        }
    }

    /// Fails early, before any data is loaded, when the output cannot be written: an empty path,
    /// a directory, or a directory that does not exist or is not writable.
    static func checkWritable(_ path: String, flag: String) throws {
        if path.isEmpty { throw InputError.usage(flag: flag, "expected a file path, got an empty string") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw InputError.usage(flag: flag, "\(path) is a directory; expected a file path")
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
            throw InputError.usage(flag: flag, "directory \(dir) does not exist")
        }
        if access(dir, W_OK) != 0 { throw InputError.usage(flag: flag, "directory \(dir) is not writable") }
    }
}
