import Datasets
import Foundation
import Numerics

/// Model files: one safetensors file per model.
///
/// Tensors (all F32, PyTorch's `nn.Linear` layout, so a PyTorch module can load them directly):
///
/// | name                   | shape            | algorithms |
/// |------------------------|------------------|------------|
/// | `layers.{i}.weight`    | [out_i, in_i]    | all        |
/// | `layers.{i}.bias`      | [out_i]          | all        |
/// | `layers.{i}.prototypes`| [K*M, out_i]     | hff (rows class-major: row k*M + m) |
/// | `head.weight`          | [K, out_last]    | backprop   |
/// | `head.bias`            | [K]              | backprop   |
/// | `convs.{i}.weight`     | [out_i, in_i, k, k] | models with conv blocks (PyTorch's `nn.Conv2d`) |
/// | `convs.{i}.bias`       | [out_i]          | models with conv blocks |
/// | `convs.{i}.prototypes` | [K*M, out_i]     | hff with conv blocks |
///
/// A model with conv blocks also records `convs` (each block's `outChannels`, `kernel`,
/// `stride`, `padding` and `pools`) and `inputShape` (`channels`, `height`, `width`); `inputSize`
/// is then the image's value count and `layers.0` takes the last block's map flattened
/// channel-major, as PyTorch's `nn.Flatten` does.
///
/// `__metadata__` holds `"format": "hffsim-model"` and `"hffsim"`: a JSON document with
/// `formatVersion` (1), `algorithm`, `inputSize`, `classCount`, `layers` (the widths),
/// `hyperparameters`, `normalization` (`mean`, `std`: one value or one per input), `overlayValue`
/// (FF) and `history` (one record per epoch). Loading checks every field, every tensor's shape and
/// that all values are finite, and rejects unknown tensors.
public enum ModelFile {
    public static let formatVersion = 1

    struct Metadata: Codable {
        var formatVersion: Int
        var algorithm: Algorithm
        var inputSize: Int
        var classCount: Int
        var layers: [Int]
        var hyperparameters: Hyperparameters
        var normalization: Standardization
        var overlayValue: Float?
        var history: [EpochRecord]?
        var data: DataProvenance?
        var convs: [ConvSpec]?
        var inputShape: ImageShape?
        var hardwareTraining: HardwareTraining?
    }

    /// The safetensors content of `model`.
    public static func encode(_ model: Model) throws -> SafeTensors {
        var tensors = [String: SafeTensors.Tensor]()
        for (i, layer) in model.layers.enumerated() {
            tensors["layers.\(i).weight"] = .init(shape: [layer.outputs, layer.inputs], values: layer.weight.transposed().storage)
            tensors["layers.\(i).bias"] = .init(shape: [layer.outputs], values: layer.bias)
        }
        for (i, p) in model.prototypes.enumerated() {
            tensors["layers.\(i).prototypes"] = .init(shape: [p.rows, p.cols], values: p.storage)
        }
        for (i, block) in model.convBlocks.enumerated() {
            let g = block.geometry
            tensors["convs.\(i).weight"] = .init(shape: [g.spec.outChannels, g.input.channels, g.spec.kernel, g.spec.kernel],
                                                 values: block.conv.weight.transposed().storage)
            tensors["convs.\(i).bias"] = .init(shape: [g.spec.outChannels], values: block.conv.bias)
        }
        for (i, p) in model.convPrototypes.enumerated() {
            tensors["convs.\(i).prototypes"] = .init(shape: [p.rows, p.cols], values: p.storage)
        }
        if let head = model.head {
            tensors["head.weight"] = .init(shape: [head.outputs, head.inputs], values: head.weight.transposed().storage)
            tensors["head.bias"] = .init(shape: [head.outputs], values: head.bias)
        }
        let meta = Metadata(formatVersion: formatVersion, algorithm: model.algorithm, inputSize: model.inputSize,
                            classCount: model.classCount, layers: model.widths, hyperparameters: model.hyperparameters,
                            normalization: model.normalization,
                            overlayValue: model.algorithm == .ff ? model.overlayValue : nil, history: model.history, data: model.data,
                            convs: model.convBlocks.isEmpty ? nil : model.convBlocks.map(\.geometry.spec),
                            inputShape: model.convBlocks.isEmpty ? nil : model.inputShape,
                            hardwareTraining: model.hardwareTraining)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(meta), as: UTF8.self)
        return SafeTensors(tensors: tensors, metadata: ["format": "hffsim-model", "hffsim": json])
    }

    /// Writes `model` to `path` atomically.
    public static func save(_ model: Model, to path: String) throws {
        try encode(model).write(to: path)
    }

    /// Reads and validates a model file.
    public static func load(path: String) throws -> Model {
        try decode(SafeTensors.read(path: path), file: path)
    }

    /// Validates safetensors content as a model; errors name `file` and the field.
    public static func decode(_ st: SafeTensors, file: String) throws -> Model {
        func fail(_ field: String, _ message: String) -> InputError { InputError.data(file: file, field: field, message) }
        guard st.metadata["format"] == "hffsim-model" else {
            throw fail("__metadata__.format", "expected \"hffsim-model\", got \(st.metadata["format"].map { "\"\($0)\"" } ?? "nothing")")
        }
        guard let json = st.metadata["hffsim"] else { throw fail("__metadata__.hffsim", "missing") }
        let meta: Metadata
        do {
            meta = try JSONDecoder().decode(Metadata.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw fail("__metadata__.hffsim", describe(error))
        } catch {
            throw fail("__metadata__.hffsim", "not valid JSON")
        }
        guard meta.formatVersion == formatVersion else {
            throw fail("__metadata__.hffsim.formatVersion", "expected \(formatVersion), got \(meta.formatVersion)")
        }
        if meta.inputSize <= 0 { throw fail("__metadata__.hffsim.inputSize", "expected a positive number, got \(meta.inputSize)") }
        if !(2...65_536).contains(meta.classCount) {
            throw fail("__metadata__.hffsim.classCount", "expected 2...65536, got \(meta.classCount)")
        }
        if meta.inputSize > TrainingConfiguration.maxWidth * 64 {
            throw fail("__metadata__.hffsim.inputSize", "expected at most \(TrainingConfiguration.maxWidth * 64), got \(meta.inputSize)")
        }
        var config = TrainingConfiguration(algorithm: meta.algorithm, widths: meta.layers, hyperparameters: meta.hyperparameters)
        config.convs = meta.convs ?? []
        if !config.convs.isEmpty {
            guard let shape = meta.inputShape else { throw fail("__metadata__.hffsim.inputShape", "missing (the model has conv blocks)") }
            guard shape.channels >= 1, shape.height >= 1, shape.width >= 1,
                  shape.channels.multipliedReportingOverflow(by: shape.height).overflow == false,
                  (shape.channels * shape.height).multipliedReportingOverflow(by: shape.width).overflow == false,
                  shape.count == meta.inputSize else {
                throw fail("__metadata__.hffsim.inputShape", "expected positive sizes whose product is inputSize \(meta.inputSize), got \(shape)")
            }
            for (i, c) in config.convs.enumerated() {
                let ok = (1...Architecture.maxChannels).contains(c.outChannels) && (1...Architecture.maxKernel).contains(c.kernel)
                    && (1...Architecture.maxKernel).contains(c.stride) && (0...Architecture.maxKernel).contains(c.padding)
                    && c.pools.allSatisfy { (1...Architecture.maxKernel).contains($0.size) }
                if !ok { throw fail("__metadata__.hffsim.convs[\(i)]", "sizes out of range (channels 1...\(Architecture.maxChannels), kernel, stride and pooling 1...\(Architecture.maxKernel), padding 0...\(Architecture.maxKernel))") }
            }
        }
        var flattened = meta.inputSize
        do {
            try config.validate()
            try config.validateSize(inputs: meta.inputSize, classes: meta.classCount, shape: meta.inputShape)
            if let shape = meta.inputShape, !config.convs.isEmpty {
                flattened = try config.architecture.shapes(from: shape).output.count
            }
        } catch let e as InputError {
            throw fail("__metadata__.hffsim", e.message.replacingOccurrences(of: "--", with: "hyperparameter "))
        }
        let norm = meta.normalization
        for (name, v) in [("mean", norm.mean), ("std", norm.std)] {
            if v.count != 1 && v.count != meta.inputSize {
                throw fail("__metadata__.hffsim.normalization.\(name)", "expected 1 or \(meta.inputSize) values, got \(v.count)")
            }
            if !v.allSatisfy({ $0.isFinite }) { throw fail("__metadata__.hffsim.normalization.\(name)", "expected finite values") }
        }
        if norm.mean.count != norm.std.count {
            throw fail("__metadata__.hffsim.normalization", "mean has \(norm.mean.count) values but std has \(norm.std.count)")
        }
        if !norm.std.allSatisfy({ $0 >= 1e-12 }) { throw fail("__metadata__.hffsim.normalization.std", "expected values >= 1e-12") }
        let k = meta.classCount
        if meta.algorithm == .ff && meta.inputSize < k {
            throw fail("__metadata__.hffsim.inputSize", "FF overlays \(k) labels but inputSize is \(meta.inputSize)")
        }

        var used = Set<String>()
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let t = st.tensors[name] else { throw fail("tensor '\(name)'", "missing (expected shape \(shape))") }
            guard t.shape == shape else { throw fail("tensor '\(name)'", "expected shape \(shape), got \(t.shape)") }
            if let bad = t.values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor '\(name)'", "value \(bad) is \(t.values[bad]); expected finite numbers")
            }
            used.insert(name)
            return t.values
        }
        var blocks = [ConvBlock]()
        var convPrototypes = [Matrix]()
        if let shape = meta.inputShape, !config.convs.isEmpty {
            let inputs = try config.architecture.shapes(from: shape).blocks
            for (i, spec) in config.convs.enumerated() {
                let g = ConvGeometry(input: inputs[i], spec: spec)
                let wt = try tensor("convs.\(i).weight", [spec.outChannels, inputs[i].channels, spec.kernel, spec.kernel])
                let b = try tensor("convs.\(i).bias", [spec.outChannels])
                blocks.append(ConvBlock(geometry: g, conv: DenseLayer(weight: Matrix(rows: spec.outChannels, cols: g.patch, storage: wt).transposed(), bias: b)))
                if meta.algorithm == .hff {
                    let rows = k * meta.hyperparameters.prototypesPerClass
                    let width = meta.hyperparameters.convScoring.width(g.output)
                    convPrototypes.append(Matrix(rows: rows, cols: width, storage: try tensor("convs.\(i).prototypes", [rows, width])))
                }
            }
        }
        var layers = [DenseLayer]()
        var prototypes = [Matrix]()
        var inputs = flattened
        for (i, w) in meta.layers.enumerated() {
            let wt = try tensor("layers.\(i).weight", [w, inputs])
            let b = try tensor("layers.\(i).bias", [w])
            layers.append(DenseLayer(weight: Matrix(rows: w, cols: inputs, storage: wt).transposed(), bias: b))
            if meta.algorithm == .hff {
                let rows = k * meta.hyperparameters.prototypesPerClass
                prototypes.append(Matrix(rows: rows, cols: w, storage: try tensor("layers.\(i).prototypes", [rows, w])))
            }
            inputs = w
        }
        var head: DenseLayer?
        if meta.algorithm == .backprop {
            let wt = try tensor("head.weight", [k, inputs])
            head = DenseLayer(weight: Matrix(rows: k, cols: inputs, storage: wt).transposed(), bias: try tensor("head.bias", [k]))
        }
        if let extra = st.tensors.keys.sorted().first(where: { !used.contains($0) }) {
            throw fail("tensor '\(extra)'", "not part of a \(meta.algorithm.rawValue) model with \(meta.layers.count) layers")
        }
        var overlay: Float = 0
        if meta.algorithm == .ff {
            guard let v = meta.overlayValue, v.isFinite else { throw fail("__metadata__.hffsim.overlayValue", "expected a finite number") }
            overlay = v
        }
        if let d = meta.data {
            if d.dataset.isEmpty { throw fail("__metadata__.hffsim.data.dataset", "expected a data set name") }
            if let h = d.holdout, !(h > 0 && h < 1) { throw fail("__metadata__.hffsim.data.holdout", "expected a fraction in (0, 1), got \(h)") }
            if !["pixels/255", "as-written"].contains(d.inputScaling) {
                throw fail("__metadata__.hffsim.data.inputScaling", "expected pixels/255 or as-written, got '\(d.inputScaling)'")
            }
            if d.trainSHA256.count != 64 { throw fail("__metadata__.hffsim.data.trainSHA256", "expected 64 hexadecimal digits") }
        }
        if let t = meta.hardwareTraining {
            if t.hardware.isEmpty { throw fail("__metadata__.hffsim.hardwareTraining.hardware", "expected a preset or file name") }
            if let d = t.driftSeconds, d.count != 2 || !d.allSatisfy({ $0.isFinite && $0 >= 0 }) || d[0] > d[1] {
                throw fail("__metadata__.hffsim.hardwareTraining.driftSeconds", "expected [low, high] with 0 <= low <= high")
            }
            if let f = t.hardwareFraction, !(f > 0 && f <= 1) {
                throw fail("__metadata__.hffsim.hardwareTraining.hardwareFraction", "expected a share in (0, 1]")
            }
        }
        var model = Model(algorithm: meta.algorithm, inputSize: meta.inputSize, classCount: k, layers: layers,
                          prototypes: prototypes, head: head, hyperparameters: meta.hyperparameters, normalization: norm,
                          overlayValue: overlay, history: meta.history ?? [])
        model.data = meta.data
        model.hardwareTraining = meta.hardwareTraining
        model.convBlocks = blocks
        model.convPrototypes = convPrototypes
        model.inputShape = blocks.isEmpty ? nil : meta.inputShape
        return model
    }

    /// "hyperparameters.tau: expected Float" from a DecodingError.
    static func describe(_ error: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])): missing"
        case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)): expected \(type)"
        case .valueNotFound(let type, let ctx): return "\(path(ctx.codingPath)): expected \(type), got null"
        case .dataCorrupted(let ctx):
            let p = path(ctx.codingPath)
            let detail = (ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription)
                .replacingOccurrences(of: "\n", with: " ")
            return p.isEmpty ? "invalid JSON or a value out of range: \(detail)" : "\(p): \(ctx.debugDescription)"
        @unknown default: return "invalid"
        }
    }
}

extension Hyperparameters {
    enum CodingKeys: String, CodingKey {
        case tau, prototypesPerClass, margin, readout, prototypeLearning, emaMomentum, threshold, convScoring
        case optimizer, learningRate, batchSize, epochs, seed
    }

    /// Decodes with the defaults for absent keys, so files written by other tools need only the
    /// fields their algorithm uses; present keys must have the right type.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tau = try c.decodeIfPresent(Float.self, forKey: .tau) ?? tau
        prototypesPerClass = try c.decodeIfPresent(Int.self, forKey: .prototypesPerClass) ?? prototypesPerClass
        margin = try c.decodeIfPresent(Float.self, forKey: .margin) ?? margin
        readout = try c.decodeIfPresent(Readout.self, forKey: .readout) ?? readout
        prototypeLearning = try c.decodeIfPresent(PrototypeLearning.self, forKey: .prototypeLearning) ?? prototypeLearning
        emaMomentum = try c.decodeIfPresent(Float.self, forKey: .emaMomentum) ?? emaMomentum
        threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? threshold
        convScoring = try c.decodeIfPresent(ConvScoring.self, forKey: .convScoring) ?? convScoring
        optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? optimizer
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? learningRate
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
    }
}
