import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics

/// The library pipeline the commands share: a model file read with its digest, compiled onto a
/// hardware description and run on a test set (`compare`, `check`, a future `sweep`), or a
/// compiled config loaded with the model it came from and run (`run`). The CLI parses flags and
/// calls these; nothing here prints.
public enum Experiment {
    /// A model file: where it is, the model, and the SHA-256 of its bytes (recorded in a config).
    public struct ModelSource: Sendable {
        public var path: String
        public var model: Model
        public var digest: String
        /// The SHA-256 of the file's tensor bytes alone (after the safetensors header): the same
        /// for every run of the same training, where `digest` also covers the metadata, whose
        /// training history records wall-clock seconds. "in-memory" for a model without a file.
        public var weightsDigest: String

        public init(path: String, model: Model, digest: String, weightsDigest: String = "in-memory") {
            self.path = path
            self.model = model
            self.digest = digest
            self.weightsDigest = weightsDigest
        }

        /// The SHA-256 of the bytes after a safetensors file's header (`weightsDigest`).
        public static func tensorBytesDigest(_ bytes: Data) -> String {
            guard bytes.count >= 8 else { return SHA256.hex(Data()) }
            let n = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let start = bytes.startIndex + 8 + Int(min(n, UInt64(bytes.count - 8)))
            return SHA256.hex(bytes[start...])
        }

        /// Reads `path`; a missing or malformed file is refused naming it (exit 65).
        public static func load(path: String) throws -> ModelSource {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw InputError.data(file: path, "cannot read the file") }
            let model = try ModelFile.load(path: path)
            try Experiment.refuseUnlowerable(model, path: path)
            return ModelSource(path: path, model: model, digest: SHA256.hex(bytes), weightsDigest: tensorBytesDigest(bytes))
        }
    }

    /// Refuses, naming the file, a model the hardware commands cannot lower (`LoweredModel.refusal`).
    public static func refuseUnlowerable(_ model: Model, path: String) throws {
        if let why = LoweredModel.refusal(model) { throw InputError(.usage, "\(path): " + why) }
    }

    /// The first `limit` samples of `test` (all when nil), refused when their feature count is
    /// not the model's.
    public static func samples(_ test: Dataset, limit: Int?, model: Model, modelName: String) throws -> (raw: Matrix, labels: [Int]) {
        if test.featureCount != model.inputSize {
            throw InputError(.data, "\(test.name): samples have \(test.featureCount) features but \(modelName) expects \(model.inputSize)")
        }
        let n = min(test.count, limit ?? test.count)
        let labels = Array(test.labels.prefix(n))
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= model.classCount }) {
            throw InputError(.data, "\(test.name): sample \(i) has label \(labels[i]), but \(modelName) has \(model.classCount) classes (0...\(model.classCount - 1))")
        }
        return (test.features.rows(0..<n), labels)
    }

    /// Compiles `source` onto `hardware` (ADC ranges calibrated on the first
    /// `mapOptions.calibrationSamples` rows of `train`), then runs it on `raw`.
    public static func mapAndRun(_ source: ModelSource, hardware: HardwareDescription, mapOptions: MapOptions, train: Dataset,
                                 raw: Matrix, labels: [Int], runOptions: RunOptions,
                                 progress: ((String, Double) -> Void)? = nil) throws -> (config: HardwareConfig, result: RunResult) {
        let calibration = train.features.rows(0..<min(train.count, mapOptions.calibrationSamples))
        let config = try Mapper.map(model: source.model, modelPath: source.path, modelDigest: source.digest, hardware: hardware,
                                    options: mapOptions, calibration: calibration)
        let result = try Simulation.run(config: config, model: source.model, raw: raw, labels: labels, options: runOptions, progress: progress)
        return (config, result)
    }

    /// Loads the config at `path` and the float model it was compiled from (at the path it
    /// names, or beside the config), refused when the model's bytes are not the ones compiled.
    public static func loadConfig(path: String) throws -> (config: HardwareConfig, model: Model) {
        let config = try HardwareConfig.load(path: path)
        let besideConfig = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(config.model.file).path
        let modelPath = FileManager.default.fileExists(atPath: config.model.file) || config.model.file.hasPrefix("/") ? config.model.file : besideConfig
        guard let bytes = FileManager.default.contents(atPath: modelPath) else {
            throw InputError.data(file: path, field: "model.file", "cannot read \(config.model.file), the model this config was compiled from")
        }
        if SHA256.hex(bytes) != config.model.sha256 {
            throw InputError.data(file: path, field: "model.sha256", "\(config.model.file) has changed since the config was compiled; map it again")
        }
        let model = try ModelFile.load(path: modelPath)
        try refuseUnlowerable(model, path: modelPath)
        try config.check(against: model, file: path)
        return (config, model)
    }
}
