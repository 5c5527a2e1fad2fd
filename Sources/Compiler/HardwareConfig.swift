import Foundation
import Hardware
import HFF
import Numerics

/// What the config records of the model it was compiled from.
public struct ModelInfo: Codable, Equatable, Sendable {
    public var file: String
    public var sha256: String
    public var algorithm: String
    public var inputSize: Int
    public var classCount: Int
    public var widths: [Int]
    public var readout: String?
    public var tau: Double?
    public var prototypesPerClass: Int?
    /// Forward passes per inference (FF: one per candidate label).
    public var passes: Int
    /// Crossbar layers after lowering (backprop's head included).
    public var lowered: Int
    /// A conv model's layers as `--arch` writes them (nil: a dense model, whose `widths` say it).
    public var architecture: String? = nil
}

extension ModelInfo {
    /// What `hffsim map` records of `model` (lowered as `lowered`).
    public init(_ model: Model, lowered: LoweredModel, file: String, sha256: String) {
        let hff = model.algorithm == .hff
        self.init(file: file, sha256: sha256, algorithm: model.algorithm.rawValue, inputSize: model.inputSize,
                  classCount: model.classCount, widths: model.widths,
                  readout: hff ? model.hyperparameters.readout.rawValue : nil,
                  tau: hff ? Double("\(model.hyperparameters.tau)") : nil,
                  prototypesPerClass: hff ? model.hyperparameters.prototypesPerClass : nil,
                  passes: lowered.passes, lowered: lowered.layers.count,
                  architecture: model.convBlocks.isEmpty ? nil : model.architecture.description)
    }
}

/// The read-out's neurons on the learning cores, as JSON.
public struct CoreMapping: Codable, Equatable, Sendable {
    public struct Group: Codable, Equatable, Sendable { public var inputs: Int; public var prototypes: Int }
    public struct Neuron: Codable, Equatable, Sendable {
        public var core: Int
        /// `partial` (over `inputs` = [lower, upper)) or `aggregate`.
        public var role: String
        public var group: Int
        public var prototype: Int
        public var inputs: [Int]?
    }
    public var groups: [Group]
    public var neurons: [Neuron]
    public var coresUsed: Int

    public init(placement: CorePlacement) {
        groups = placement.groups.map { Group(inputs: $0.inputs, prototypes: $0.prototypes) }
        neurons = placement.neurons.map { n in
            switch n.role {
            case .partial(let g, let p, let r): return Neuron(core: n.core, role: "partial", group: g, prototype: p, inputs: [r.lowerBound, r.upperBound])
            case .aggregate(let g, let p): return Neuron(core: n.core, role: "aggregate", group: g, prototype: p, inputs: nil)
            }
        }
        coresUsed = Set(placement.neurons.map(\.core)).count
    }

    public func placement(file: String) throws -> CorePlacement {
        var out = [CorePlacement.Neuron]()
        for (i, n) in neurons.enumerated() {
            switch n.role {
            case "partial":
                guard let r = n.inputs, r.count == 2, r[0] <= r[1] else {
                    throw InputError.data(file: file, field: "learningCore.neurons[\(i)].inputs", "expected [lower, upper] with lower <= upper")
                }
                out.append(.init(core: n.core, role: .partial(group: n.group, prototype: n.prototype, inputs: r[0]..<r[1])))
            case "aggregate":
                out.append(.init(core: n.core, role: .aggregate(group: n.group, prototype: n.prototype)))
            default:
                throw InputError.data(file: file, field: "learningCore.neurons[\(i)].role", "expected partial or aggregate, got '\(n.role)'")
            }
        }
        return CorePlacement(groups: groups.map { .init(inputs: $0.inputs, prototypes: $0.prototypes) }, neurons: out)
    }
}

/// The quantised tensors, kept in a safetensors file beside the config.
public struct ConfigTensors: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        /// Signed weight codes, inputs x outputs row-major, within +-codeLimit.
        public var codes: [Int32]
        public var columnScales: [Float]
        public var bias: [Float]
        public var offset: [Float]
        /// Calibrated ADC ranges (empty: worst case or full scale).
        public var adcRanges: [Float]
        /// The DAC's calibrated input scale (`crossbar.dac.inputScaling` calibrated); nil: per sample.
        public var inputScale: Float? = nil
    }
    public var layers: [Layer] = []
    /// Per read-out group: prototype levels (prototypes x inputs); per core: the unit weight.
    public var readoutLevels: [[Int32]] = []
    public var readoutUnits: [Float] = []
}

/// A compiled model: everything `hffsim run` needs, self-contained.
public struct HardwareConfig: Equatable, Sendable {
    /// 2: the task graph (`taskGraph`) replaced the schedule. 3: layer buffer places
    /// (back-pressure) in the task graph. 4: interconnect wire (bits x mm) and adder-tree actions.
    /// 5: arrays per tile read, the bus interconnect, wire toggle rates.
    public static let schemaVersion = 5

    public var summary: [String] = []
    public var model: ModelInfo
    public var hardware: HardwareDescription
    public var options: MapOptions
    public var layers: [LayerMapping]
    public var tiles: [TileMapping]
    public var learningCore: CoreMapping?
    /// The task graph of one inference: what the simulator executes.
    public var taskGraph: TaskGraph
    public var resources: Resources
    public var tensors: ConfigTensors

    public init(model: ModelInfo, hardware: HardwareDescription, options: MapOptions, layers: [LayerMapping], tiles: [TileMapping],
                learningCore: CoreMapping?, taskGraph: TaskGraph, resources: Resources, tensors: ConfigTensors) {
        self.model = model
        self.hardware = hardware
        self.options = options
        self.layers = layers
        self.tiles = tiles
        self.learningCore = learningCore
        self.taskGraph = taskGraph
        self.resources = resources
        self.tensors = tensors
    }

    /// A few lines for people, written at the top of the file.
    func makeSummary() -> [String] {
        let h = HardwareModel(hardware)
        let shape = model.architecture.map { "\(model.inputSize) \($0)" } ?? ([model.inputSize] + model.widths).map(String.init).joined(separator: "-")
        var s = ["hffsim hardware config: \(model.algorithm) \(shape) on \(hardware.name)"]
        s.append("\(resources.tiles) tiles (\(h.array.rows) x \(h.array.columns) arrays) on \(resources.tileSites) sites, \(resources.adcs) ADCs, weight-cell utilisation \(String(format: "%.1f", resources.utilization * 100))%")
        for l in layers {
            let conv = l.conv.map { c in ", conv \(c.input) -> \(c.convOutput) (\(c.positions) positions, \(c.convOutput.height) output rows)" + (c.output != c.convOutput ? " pooled to \(c.output)" : "") } ?? ""
            s.append("layer \(l.index) (\(l.role.rawValue)): \(l.inputs) x \(l.outputs)\(conv), \(l.rowTiles) x \(l.columnTiles) tiles x \(l.duplication), \(l.slices) slice(s), \(l.partialSumsPerOutput) partial sums per output"
                     + (h.chip.partialSumReduction == .adderTree && l.rowTiles > 1 ? " (added in the processing elements' adder trees)" : ""))
        }
        if let c = learningCore {
            s.append("read-out: \(c.groups.count) group(s), \(c.neurons.count) neurons on \(c.coresUsed) of \(h.learningCore.cores) learning cores")
        }
        s.append("tensors: the safetensors file beside this one; task graph: \(taskGraph.stages.count) stages on \(taskGraph.units.count) units per inference" + (model.passes > 1 ? " (\(model.passes) passes)" : ""))
        return s
    }

    /// The side file's name for a config at `path`: CONFIG.json -> CONFIG.tensors.safetensors.
    public static func tensorsPath(for path: String) -> String {
        (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".tensors.safetensors"
    }

    // MARK: Writing

    func safeTensors() -> SafeTensors {
        var t = [String: SafeTensors.Tensor]()
        for (l, layer) in tensors.layers.enumerated() {
            let m = layers[l]
            t["layers.\(l).codes"] = .init(shape: [m.inputs, m.outputs], values: layer.codes.map(Float.init))
            t["layers.\(l).columnScales"] = .init(shape: [m.outputs], values: layer.columnScales)
            t["layers.\(l).bias"] = .init(shape: [m.outputs], values: layer.bias)
            t["layers.\(l).offset"] = .init(shape: [m.outputs], values: layer.offset)
            t["layers.\(l).adcRanges"] = .init(shape: [layer.adcRanges.count], values: layer.adcRanges)
            if let s = layer.inputScale { t["layers.\(l).inputScale"] = .init(shape: [1], values: [s]) }
        }
        if let c = learningCore {
            for (g, levels) in tensors.readoutLevels.enumerated() {
                t["readout.\(g).levels"] = .init(shape: [c.groups[g].prototypes, c.groups[g].inputs], values: levels.map(Float.init))
            }
            t["readout.units"] = .init(shape: [tensors.readoutUnits.count], values: tensors.readoutUnits)
        }
        return SafeTensors(tensors: t, metadata: ["format": "hffsim-config-tensors", "note": "codes and levels are integers stored as F32"])
    }

    /// Writes the tensors file and the config as a set: both to temporary files, then renamed
    /// into place together (`Cleanup.critical`), so that an interruption never leaves one without
    /// the other. The config records the tensors file's name and SHA-256.
    public func write(to path: String) throws {
        let tensorsPath = HardwareConfig.tensorsPath(for: path)
        let tensorsData = try safeTensors().checkedEncoding(for: tensorsPath)
        let configData = Data(try json(tensorsFile: URL(fileURLWithPath: tensorsPath).lastPathComponent, digest: SHA256.hex(tensorsData)).utf8)
        let tensorsTmp = try AtomicFile.writeTemporary(tensorsData, for: tensorsPath)
        let configTmp: String
        do { configTmp = try AtomicFile.writeTemporary(configData, for: path) } catch {
            try? FileManager.default.removeItem(atPath: tensorsTmp)
            Cleanup.unregister(tensorsTmp)
            throw error
        }
        try Cleanup.critical {
            try AtomicFile.moveIntoPlace(tensorsTmp, tensorsPath)
            try AtomicFile.moveIntoPlace(configTmp, path)
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> Any {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try JSONSerialization.jsonObject(with: try e.encode(value), options: [.fragmentsAllowed])
    }

    /// The config as JSON text, its summary first.
    func json(tensorsFile: String, digest: String) throws -> String {
        let parts: [(String, Any)] = [
            ("summary", summary), ("schemaVersion", HardwareConfig.schemaVersion), ("model", try HardwareConfig.encode(model)),
            ("resources", try HardwareConfig.encode(resources)), ("options", try HardwareConfig.encode(options)),
            ("tensors", ["file": tensorsFile, "sha256": digest]),
            ("layers", try HardwareConfig.encode(layers)), ("learningCore", try learningCore.map { try HardwareConfig.encode($0) } ?? NSNull()),
            ("taskGraph", try HardwareConfig.encode(taskGraph)), ("tiles", try HardwareConfig.encode(tiles)),
            ("hardware", hardware.jsonObject()),
        ]
        var text = "{\n"
        for (i, (key, value)) in parts.enumerated() {
            let body: String
            if key == "tiles", let rows = value as? [Any] {
                // One compact line per tile: thousands of tiles stay readable and quick to write.
                let lines = try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
                body = lines.isEmpty ? "[]" : "[\n    " + lines.joined(separator: ",\n    ") + "\n  ]"
            } else {
                let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
                body = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  ")
            }
            text += "  \"\(key)\": \(body)" + (i + 1 < parts.count ? ",\n" : "\n")
        }
        return text + "}\n"
    }

    // MARK: Loading

    /// Reads and checks a config: its JSON (types and key paths), the hardware description, the
    /// structure (recomputed from the layer shapes, the hardware and the options, field by field),
    /// the tensors file (digest and shapes). Any difference is refused with the key path.
    public static func load(path: String) throws -> HardwareConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError.data(file: path, "cannot read the file") }
        if let key = JSONKeys.firstDuplicate(in: data) { throw InputError.data(file: path, field: key, "appears twice in its object") }
        guard let tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError.data(file: path, "not a JSON object")
        }
        func part<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let value = tree[key] else { throw InputError.data(file: path, field: key, "missing") }
            do {
                let bytes = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
                return try JSONDecoder().decode(T.self, from: bytes)
            } catch let e as DecodingError {
                throw InputError.data(file: path, field: key + HardwareConfig.describe(e).path, HardwareConfig.describe(e).message)
            }
        }
        guard let version = tree["schemaVersion"] as? Int, version == schemaVersion else {
            throw InputError.data(file: path, field: "schemaVersion", "expected \(schemaVersion), got \(tree["schemaVersion"].map { "\($0)" } ?? "nothing")")
        }
        guard let hardwareTree = tree["hardware"] as? [String: Any] else { throw InputError.data(file: path, field: "hardware", "expected an object") }
        let hardware = try HardwareDescription.fromJSONObject(hardwareTree, file: path, prefix: "hardware")
        let summary = try part("summary", [String].self)
        let model = try part("model", ModelInfo.self)
        let options = try part("options", MapOptions.self)
        let layers = try part("layers", [LayerMapping].self)
        let tiles = try part("tiles", [TileMapping].self)
        let taskGraph = try part("taskGraph", TaskGraph.self)
        let resources = try part("resources", Resources.self)
        let core = tree["learningCore"] is NSNull ? nil : try part("learningCore", CoreMapping.self)
        let files = try part("tensors", [String: String].self)
        guard let algorithm = Algorithm(rawValue: model.algorithm) else {
            throw InputError.data(file: path, field: "model.algorithm", "expected hff, ff or backprop, got '\(model.algorithm)'")
        }
        try checkBounds(model: model, algorithm: algorithm, options: options, layers: layers, core: core, file: path)
        // The structure must be what the compiler makes of these shapes, hardware and options.
        let shapes = layers
        let readoutLayers = layers.compactMap { l in l.readoutGroup.map { _ in l.index } }
        let groups = core?.groups.map { CorePlacement.Group(inputs: $0.inputs, prototypes: $0.prototypes) } ?? []
        let plan: Mapper.Plan
        do {
            plan = try Mapper.plan(shapes: shapes, readoutLayers: readoutLayers, groups: groups, algorithm: algorithm, passes: model.passes,
                                   classCount: model.classCount, hardware: hardware, options: options)
        } catch let e as InputError {
            throw InputError(.data, "\(path): the config's layers, hardware and options do not map: " + e.message)
        }
        var expectedLayers = plan.layers
        for l in expectedLayers.indices where l < layers.count { expectedLayers[l].clippedWeights = layers[l].clippedWeights }
        let checks: [(String, Any, Any)] = [
            ("layers", try encode(expectedLayers), try encode(layers)), ("tiles", try encode(plan.tiles), try encode(tiles)),
            ("learningCore", try plan.core.map { try encode($0) } ?? NSNull(), try core.map { try encode($0) } ?? NSNull()),
            ("taskGraph", try encode(plan.taskGraph), try encode(taskGraph)), ("resources", try encode(plan.resources), try encode(resources)),
        ]
        for (key, expected, got) in checks {
            if let (p, e, g) = firstDifference(expected, got, path: key) {
                throw InputError.data(file: path, field: p, "expected \(e) (what the compiler makes of the layers, hardware and options), got \(g)")
            }
        }
        if model.lowered != layers.count {
            throw InputError.data(file: path, field: "model.lowered", "expected \(layers.count) (the layers listed), got \(model.lowered)")
        }
        // The tensors file.
        guard let name = files["file"], let digest = files["sha256"] else {
            throw InputError.data(file: path, field: "tensors", "expected \"file\" and \"sha256\"")
        }
        let tensorsPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
        guard let bytes = FileManager.default.contents(atPath: tensorsPath) else {
            throw InputError.data(file: path, field: "tensors.file", "cannot read \(tensorsPath)")
        }
        if SHA256.hex(bytes) != digest {
            throw InputError.data(file: path, field: "tensors.sha256", "\(tensorsPath) has changed since the config was written (SHA-256 differs)")
        }
        let st = try SafeTensors.read(path: tensorsPath)
        var tensors = ConfigTensors()
        func tensor(_ key: String, _ shape: [Int]) throws -> [Float] {
            guard let t = st.tensors[key] else { throw InputError.data(file: tensorsPath, field: key, "missing") }
            guard t.shape == shape else { throw InputError.data(file: tensorsPath, field: key, "expected shape \(shape), got \(t.shape)") }
            return t.values
        }
        let limit = Float(CrossbarLayer.codeLimit(hardware))
        for (l, m) in layers.enumerated() {
            let codes = try tensor("layers.\(l).codes", [m.inputs, m.outputs])
            if let bad = codes.firstIndex(where: { $0 != $0.rounded() || abs($0) > limit }) {
                throw InputError.data(file: tensorsPath, field: "layers.\(l).codes[\(bad)]", "expected a whole number in -\(Int(limit))...\(Int(limit)), got \(codes[bad])")
            }
            let ranges = st.tensors["layers.\(l).adcRanges"]?.values ?? []
            tensors.layers.append(.init(codes: codes.map { Int32($0) }, columnScales: try tensor("layers.\(l).columnScales", [m.outputs]),
                                        bias: try tensor("layers.\(l).bias", [m.outputs]), offset: try tensor("layers.\(l).offset", [m.outputs]),
                                        adcRanges: try tensor("layers.\(l).adcRanges", [ranges.count])))
            if HardwareModel(hardware).dac.inputScaling == .calibrated {
                let s = try tensor("layers.\(l).inputScale", [1])[0]
                guard s > 0 && s.isFinite else {
                    throw InputError.data(file: tensorsPath, field: "layers.\(l).inputScale", "expected a positive scale, got \(s)")
                }
                tensors.layers[l].inputScale = s
            } else if st.tensors["layers.\(l).inputScale"] != nil {
                throw InputError.data(file: tensorsPath, field: "layers.\(l).inputScale", "unexpected: crossbar.dac.inputScaling is per-sample")
            }
        }
        if let core {
            let p = CoreParameters(hardware)
            for (g, group) in core.groups.enumerated() {
                let levels = try tensor("readout.\(g).levels", [group.prototypes, group.inputs])
                if let bad = levels.firstIndex(where: { $0 != $0.rounded() || abs($0) > Float(p.maxLevel) }) {
                    throw InputError.data(file: tensorsPath, field: "readout.\(g).levels[\(bad)]", "expected a whole number in -\(p.maxLevel)...\(p.maxLevel), got \(levels[bad])")
                }
                tensors.readoutLevels.append(levels.map { Int32($0) })
            }
            tensors.readoutUnits = try tensor("readout.units", [p.cores])
        }
        var config = HardwareConfig(model: model, hardware: hardware, options: options, layers: layers, tiles: tiles,
                                    learningCore: core, taskGraph: taskGraph, resources: resources, tensors: tensors)
        config.summary = summary
        return config
    }

    /// The sizes the compiler is about to trust, checked before any is used to size an array or
    /// a loop: a hand-edited config must not crash, hang or allocate without bound.
    static func checkBounds(model: ModelInfo, algorithm: Algorithm, options: MapOptions, layers: [LayerMapping],
                            core: CoreMapping?, file: String) throws {
        func fail(_ field: String, _ message: String) -> InputError { InputError.data(file: file, field: field, message) }
        let sizes = 1...(1 << 24)
        guard sizes.contains(model.inputSize) else { throw fail("model.inputSize", "expected a whole number in 1...\(sizes.upperBound), got \(model.inputSize)") }
        guard (2...65_536).contains(model.classCount) else { throw fail("model.classCount", "expected a whole number in 2...65536, got \(model.classCount)") }
        if let bad = model.widths.firstIndex(where: { !sizes.contains($0) }) {
            throw fail("model.widths[\(bad)]", "expected a whole number in 1...\(sizes.upperBound), got \(model.widths[bad])")
        }
        let passes = algorithm == .ff ? model.classCount : 1
        guard model.passes == passes else {
            throw fail("model.passes", "expected \(passes) (\(algorithm == .ff ? "FF runs one pass per class" : "one pass per inference")), got \(model.passes)")
        }
        if algorithm == .hff {
            guard let tau = model.tau, tau.isFinite, tau > 0 else { throw fail("model.tau", "expected a positive number, got \(model.tau.map { "\($0)" } ?? "nothing")") }
            guard let readout = model.readout, Readout(rawValue: readout) != nil else {
                throw fail("model.readout", "expected one of \(Readout.allCases.map(\.rawValue).joined(separator: " | ")), got \(model.readout.map { "'\($0)'" } ?? "nothing")")
            }
            guard let m = model.prototypesPerClass, (1...1024).contains(m) else {
                throw fail("model.prototypesPerClass", "expected a whole number in 1...1024, got \(model.prototypesPerClass.map { "\($0)" } ?? "nothing")")
            }
            guard core != nil else { throw fail("learningCore", "expected the read-out's placement (an HFF config has one), got null") }
        }
        guard !layers.isEmpty, layers.count <= 4096 else { throw fail("layers", "expected 1...4096 crossbar layers, got \(layers.count)") }
        for (l, layer) in layers.enumerated() {
            guard layer.index == l else { throw fail("layers[\(l)].index", "expected \(l), got \(layer.index)") }
            guard sizes.contains(layer.inputs) else { throw fail("layers[\(l)].inputs", "expected a whole number in 1...\(sizes.upperBound), got \(layer.inputs)") }
            guard sizes.contains(layer.outputs) else { throw fail("layers[\(l)].outputs", "expected a whole number in 1...\(sizes.upperBound), got \(layer.outputs)") }
            guard layer.inputs * layer.outputs <= 1 << 31 else {
                throw fail("layers[\(l)]", "\(layer.inputs) x \(layer.outputs) weights: expected at most 2^31 per layer")
            }
            if let c = layer.conv { try checkConv(c, layer: layer, index: l, fail: fail) }
        }
        // The map options, in the ranges `hffsim map` accepts for them.
        guard (0...1_000_000).contains(options.calibrationSamples) else {
            throw fail("options.calibrationSamples", "expected a whole number in 0...1000000, got \(options.calibrationSamples)")
        }
        guard options.clipPercentile.isFinite, (50...100).contains(options.clipPercentile) else {
            throw fail("options.clipPercentile", "expected a percentile in 50...100, got \(options.clipPercentile)")
        }
        if let h = options.adcHeadroom, !(h.isFinite && (0...10).contains(h)) {
            throw fail("options.adcHeadroom", "expected a fraction in 0...10, got \(h)")
        }
        for (l, layer) in layers.enumerated() where !(0...(layer.inputs * layer.outputs)).contains(layer.clippedWeights) {
            throw fail("layers[\(l)].clippedWeights", "expected a count in 0...\(layer.inputs * layer.outputs) (the layer's weights), got \(layer.clippedWeights)")
        }
        if let bad = options.duplication.firstIndex(where: { !(1...65_536).contains($0) }) {
            throw fail("options.duplication[\(bad)]", "expected a whole number in 1...65536, got \(options.duplication[bad])")
        }
        for (g, group) in (core?.groups ?? []).enumerated() {
            guard sizes.contains(group.inputs) else { throw fail("learningCore.groups[\(g)].inputs", "expected a whole number in 1...\(sizes.upperBound), got \(group.inputs)") }
            guard (1...(1 << 20)).contains(group.prototypes) else {
                throw fail("learningCore.groups[\(g)].prototypes", "expected a whole number in 1...\(1 << 20), got \(group.prototypes)")
            }
        }
    }

    /// Refuses a config that was not compiled from `model`: its model section (what `map` records
    /// of a model: algorithm, sizes, read-out, passes) and its layers' shapes must be the model's,
    /// field by field. A config pointing at another model's file, even with the digest updated,
    /// would otherwise index the other model's weights by this config's shapes.
    public func check(against model: Model, file: String) throws {
        let lowered = LoweredModel(model)
        let expected = ModelInfo(model, lowered: lowered, file: self.model.file, sha256: self.model.sha256)
        if let (p, e, g) = HardwareConfig.firstDifference(try HardwareConfig.encode(expected), try HardwareConfig.encode(self.model), path: "model") {
            throw InputError.data(file: file, field: p, "expected \(e) (the model file's), got \(g)")
        }
        for (l, (shape, layer)) in zip(lowered.layers, layers).enumerated() where (shape.inputs, shape.outputs) != (layer.inputs, layer.outputs) {
            throw InputError.data(file: file, field: "layers[\(l)]", "expected \(shape.inputs) x \(shape.outputs) (the model file's), got \(layer.inputs) x \(layer.outputs)")
        }
        for (l, (shape, layer)) in zip(lowered.layers, layers).enumerated() where shape.conv != layer.conv {
            throw InputError.data(file: file, field: "layers[\(l)].conv", "expected \(shape.conv.map { "\($0.input) \(Architecture(convs: [$0.spec], widths: []).description)" } ?? "nothing") (the model file's), got \(layer.conv.map { "\($0.input) \(Architecture(convs: [$0.spec], widths: []).description)" } ?? "nothing")")
        }
        let groups = lowered.coreGroups.map { CoreMapping.Group(inputs: $0.inputs, prototypes: $0.prototypes) }
        if (learningCore?.groups ?? []) != groups {
            throw InputError.data(file: file, field: "learningCore.groups", "expected \(groups.map { "\($0.inputs) x \($0.prototypes)" }) (the model file's read-out), got \((learningCore?.groups ?? []).map { "\($0.inputs) x \($0.prototypes)" })")
        }
    }

    /// "path" and message of a decoding error, the path in the config's notation (`.a[2].b`).
    static func describe(_ e: DecodingError) -> (path: String, message: String) {
        func render(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .typeMismatch(let type, let c): return (render(c.codingPath), "expected \(type)")
        case .valueNotFound(let type, let c): return (render(c.codingPath), "expected \(type), got null")
        case .keyNotFound(let key, let c): return (render(c.codingPath + [key]), "missing")
        case .dataCorrupted(let c): return (render(c.codingPath), c.debugDescription)
        @unknown default: return ("", "\(e)")
        }
    }

    /// The first place two JSON trees differ: (path, expected, got), compact.
    static func firstDifference(_ a: Any, _ b: Any, path: String) -> (String, String, String)? {
        func show(_ v: Any) -> String {
            if let d = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .sortedKeys]) {
                let s = String(decoding: d, as: UTF8.self)
                return s.count > 80 ? String(s.prefix(77)) + "..." : s
            }
            return "\(v)"
        }
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                guard let xv = x[key] else { return (path + "." + key, "nothing", show(y[key]!)) }
                guard let yv = y[key] else { return (path + "." + key, show(xv), "nothing") }
                if let d = firstDifference(xv, yv, path: path + "." + key) { return d }
            }
            return nil
        case (let x as [Any], let y as [Any]):
            for i in 0..<min(x.count, y.count) {
                if let d = firstDifference(x[i], y[i], path: path + "[\(i)]") { return d }
            }
            return x.count == y.count ? nil : (path, "\(x.count) entries", "\(y.count)")
        case (is NSNull, is NSNull):
            return nil
        default:
            return (a as? NSObject)?.isEqual(b) == true ? nil : (path, show(a), show(b))
        }
    }
}
