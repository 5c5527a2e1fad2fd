import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics

/// Reference points: published or independently simulated figures that hffsim must reproduce
/// within a band (`hffsim validate`, docs/validation.md).
///
/// A point names a preset (and overrides), a workload, a quantity of the run, the reference
/// value with its source, and either a ratio band [low, high] (pass when low <= hffsim /
/// reference <= high) or an absolute tolerance (pass when |hffsim - reference| <= tolerance).
/// Points that need a particular trained model name its SHA-256; without that model they are
/// skipped, never passed.
public struct ReferencePoint: Sendable {
    public var id: String
    public var preset: String
    public var sets: [String]
    public var workload: String
    public var quantity: String
    public var reference: Double
    public var unit: String
    public var band: (low: Double, high: Double)?
    public var tolerance: Double?
    public var source: String
    /// Why hffsim differs, when it does by design (docs/validation.md gives the full reason).
    public var note: String
    public var samples: Int?
    public var chipSeeds: Int?
    public var timeSinceProgrammingSeconds: Double?
    /// The model the reference was measured on: SHA-256 of its tensor bytes
    /// (`Experiment.ModelSource.weightsDigest`); the point is skipped on any other model.
    public var weightsSHA256: String?
    /// The test set the reference was measured on (a name `hffsim validate --dataset` takes);
    /// with another, or with fewer samples, the point is skipped.
    public var dataset: String?

    /// Whether `value` is inside the point's band (ratio) or tolerance (absolute).
    public func passes(_ value: Double) -> Bool {
        if let t = tolerance { return abs(value - reference) <= t }
        guard let b = band, reference != 0 else { return false }
        let ratio = value / reference
        return ratio >= b.low && ratio <= b.high
    }

    /// The simulations a set of points needs: one per preset, overrides, workload and run options,
    /// in the order of first appearance.
    public var runKey: String {
        [preset, sets.joined(separator: ","), workload, samples.map(String.init) ?? "", chipSeeds.map(String.init) ?? "",
         timeSinceProgrammingSeconds.map { "\($0)" } ?? ""].joined(separator: "|")
    }
}

public enum Validation {
    /// The points file: `{"points": [ {...}, ... ]}`; a malformed point is refused naming its index
    /// and field (exit 65).
    public static func load(path: String) throws -> [ReferencePoint] {
        guard let data = HardwareDescription.contents(of: path) else { throw InputError.data(file: path, "cannot read the file") }
        if let key = JSONKeys.firstDuplicate(in: data) { throw InputError.data(file: path, field: key, "appears twice in its object") }
        guard let tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw InputError.data(file: path, "not a JSON object") }
        guard let list = tree["points"] as? [[String: Any]] else { throw InputError.data(file: path, field: "points", "expected an array of objects") }
        let points = try list.enumerated().map { i, p in try point(p, index: i, file: path) }
        var seen = Set<String>()
        for (i, p) in points.enumerated() where !seen.insert(p.id).inserted {
            throw InputError.data(file: path, field: "points[\(i)].id", "'\(p.id)' is given twice")
        }
        return points
    }

    static let fields: Set<String> = ["id", "preset", "sets", "workload", "quantity", "reference", "unit", "band", "tolerance", "source",
                                      "note", "samples", "chipSeeds", "timeSinceProgrammingSeconds", "weightsSHA256", "dataset"]
    /// Quantities of one workload kind only: the MVM figures measure layer 0 of an `mvm-RxC`
    /// workload; accuracy and the HFF network's counts need the network.
    static let mvmOnly: Set<String> = ["mvmNanoseconds", "mvmTops", "mvmTopsPerWatt", "mvmTopsPerSquareMillimeter"]
    static let networkOnly: Set<String> = Set(["hardwareAccuracyPercent", "accuracyDropPoints", "arraysUsed"] + compensationQuantities)
    /// The drift compensation factor of crossbar layer N (1, 2, 3: the HFF workload's hidden
    /// layers), the mean over chips, as aihwkit reports its tiles' alpha.
    static let compensationQuantities = (1...3).map { "driftCompensationLayer\($0)" }

    static func point(_ p: [String: Any], index i: Int, file: String) throws -> ReferencePoint {
        func field(_ k: String) -> String { "points[\(i)].\(k)" }
        if let unknown = p.keys.sorted().first(where: { !fields.contains($0) }) {
            throw InputError.data(file: file, field: field(unknown), "unknown field; one of " + fields.sorted().joined(separator: ", "))
        }
        func string(_ k: String) throws -> String {
            guard let s = p[k] as? String, !s.isEmpty else { throw InputError.data(file: file, field: field(k), "expected a non-empty string") }
            return s
        }
        func optionalString(_ k: String) throws -> String? { p[k] == nil ? nil : try string(k) }
        func text(_ k: String) throws -> String {
            guard let v = p[k] else { return "" }
            guard let s = v as? String else { throw InputError.data(file: file, field: field(k), "expected a string") }
            return s
        }
        func number(_ k: String) throws -> Double? {
            guard let v = p[k] else { return nil }
            guard let x = jsonNumber(v), x.isFinite else { throw InputError.data(file: file, field: field(k), "expected a finite number") }
            return x
        }
        let quantity = try string("quantity")
        guard quantities.contains(quantity) else {
            throw InputError.data(file: file, field: field("quantity"), "unknown quantity '\(quantity)'; one of " + quantities.joined(separator: ", "))
        }
        let workload = try string("workload")
        guard isWorkload(workload) else {
            throw InputError.data(file: file, field: field("workload"), "unknown workload '\(workload)'; \(hffWorkload) or mvm-RxC (for example mvm-256x256)")
        }
        if mvmShape(workload) != nil ? networkOnly.contains(quantity) : mvmOnly.contains(quantity) {
            throw InputError.data(file: file, field: field("quantity"), "\(quantity) is not a quantity of the workload \(workload)")
        }
        var band: (Double, Double)?
        if let b = p["band"] {
            let pair = (b as? [Any])?.compactMap(jsonNumber) ?? []
            guard pair.count == 2, (b as? [Any])?.count == 2, pair[0] > 0, pair[0] <= pair[1], pair[1].isFinite else {
                throw InputError.data(file: file, field: field("band"), "expected [low, high] with 0 < low <= high")
            }
            band = (pair[0], pair[1])
        }
        let tolerance = try number("tolerance")
        if (band == nil) == (tolerance == nil) {
            throw InputError.data(file: file, field: field("band"), "give either a ratio band or an absolute tolerance")
        }
        if let t = tolerance, t < 0 { throw InputError.data(file: file, field: field("tolerance"), "expected a number >= 0") }
        guard let reference = try number("reference") else { throw InputError.data(file: file, field: field("reference"), "required") }
        let sets = p["sets"] as? [String] ?? []
        if p["sets"] != nil && p["sets"] as? [String] == nil { throw InputError.data(file: file, field: field("sets"), "expected an array of key=value strings") }
        func whole(_ k: String) throws -> Int? {
            guard let x = try number(k) else { return nil }
            guard x >= 1, x == x.rounded(), x <= 10_000_000 else { throw InputError.data(file: file, field: field(k), "expected a whole number >= 1") }
            return Int(x)
        }
        if let t = try number("timeSinceProgrammingSeconds"), t < 0 {
            throw InputError.data(file: file, field: field("timeSinceProgrammingSeconds"), "expected a number >= 0")
        }
        let shape = mvmShape(workload)
        if let shape, shape.rows * shape.columns > 16_777_216 {
            throw InputError.data(file: file, field: field("workload"), "an MVM of at most 16,777,216 weights (4096 x 4096)")
        }
        return ReferencePoint(id: try string("id"), preset: try string("preset"), sets: sets, workload: workload, quantity: quantity,
                              reference: reference, unit: try text("unit"), band: band, tolerance: tolerance,
                              source: try string("source"), note: try text("note"),
                              samples: try whole("samples"), chipSeeds: try whole("chipSeeds"),
                              timeSinceProgrammingSeconds: try number("timeSinceProgrammingSeconds"),
                              weightsSHA256: try optionalString("weightsSHA256"), dataset: try optionalString("dataset"))
    }

    /// Workloads a point can name: HFF 784-1000-1000-1000 on Fashion-MNIST (the model given to
    /// `hffsim validate`, or one it trains on the shipped subset), or one matrix-vector multiply
    /// of R inputs x C outputs (`mvm-RxC`) at a macro's published conditions: every row driven
    /// with a non-negative input (`mvmWorkload`).
    public static func isWorkload(_ name: String) -> Bool { name == hffWorkload || mvmShape(name) != nil }
    public static let hffWorkload = "hff-784-1000-1000-1000"

    /// R and C of `mvm-RxC`.
    public static func mvmShape(_ name: String) -> (rows: Int, columns: Int)? {
        guard name.hasPrefix("mvm-") else { return nil }
        let parts = name.dropFirst(4).split(separator: "x")
        guard parts.count == 2, let r = Int(parts[0]), let c = Int(parts[1]), (1...65_536).contains(r), (1...65_536).contains(c) else { return nil }
        return (r, c)
    }

    /// The MVM workload: a backprop model whose layer 0 is R x C with seeded weights uniform in
    /// +-1/sqrt(R) (its 2-output head is a second, small layer that the MVM quantities leave out),
    /// no standardisation, and `samples` input vectors uniform in [0.5, 1): every row is driven
    /// with a non-negative code, as macros are measured at full array use.
    public static func mvmWorkload(rows: Int, columns: Int, samples: Int) -> (model: Model, raw: Matrix, labels: [Int]) {
        var rng = SeededRandom(seed: 12)
        let a = 1 / Float(rows).squareRoot()
        let w = Matrix(rows: rows, cols: columns, storage: (0..<(rows * columns)).map { _ in rng.uniform(-a, a) })
        let head = Matrix(rows: columns, cols: 2, storage: (0..<(columns * 2)).map { _ in rng.uniform(-a, a) })
        let model = Model(algorithm: .backprop, inputSize: rows, classCount: 2, layers: [DenseLayer(weight: w, bias: [Float](repeating: 0, count: columns))],
                          prototypes: [], head: DenseLayer(weight: head, bias: [0, 0]), hyperparameters: Hyperparameters(),
                          normalization: Standardization(mean: [Float](repeating: 0, count: rows), std: [Float](repeating: 1, count: rows)), overlayValue: 0)
        let raw = Matrix(rows: samples, cols: rows, storage: (0..<(samples * rows)).map { _ in rng.uniform(0.5, 1) })
        return (model, raw, [Int](repeating: 0, count: samples))
    }

    /// Layer 0's read actions: what a macro's published MVM energy covers (array, row drivers,
    /// switches and mux, ADCs, shift-add).
    static let readActions: [Action] = [.rowActivations, .switchMatrixToggles, .columnMuxSelections, .arrayReads,
                                        .cellMicrosiemensNanoseconds, .adcConversions, .shiftAdds]

    /// The action groups of the named energies, as NeuroSim V1.4 reports its breakdown.
    public static let actionGroups: [(String, [Action])] = [
        ("adcNanojoules", [.adcConversions]),
        ("cellNanojoules", [.cellMicrosiemensNanoseconds]),
        ("wordLineNanojoules", [.rowActivations]),
        ("switchMatrixAndMuxNanojoules", [.switchMatrixToggles, .columnMuxSelections, .arrayReads]),
        ("accumulationNanojoules", [.shiftAdds, .adderTreeAdds, .accumulations]),
        ("bufferNanojoules", [.bufferReadAccesses, .bufferWriteAccesses]),
        ("interconnectNanojoules", [.linkByteHops, .linkBitMillimeters, .inputLinkBitMillimeters]),
        // NeuroSim's own "ADC" category: the sense amplifiers with the cells' current and the
        // word lines (SubArray.cpp 1871).
        ("neuroSimADCCategoryNanojoules", [.adcConversions, .cellMicrosiemensNanoseconds, .rowActivations]),
    ]

    public static let quantities = ["layersEnergyNanojoules", "layersLatencyNanoseconds", "layersThroughputPerSecond",
                                    "layersLeakageNanojoules", "leakageMicrowatts", "adcConversionsPerInference", "arraysUsed",
                                    "hardwareAccuracyPercent", "accuracyDropPoints"] + compensationQuantities + [
                                    "mvmNanoseconds", "mvmTops", "mvmTopsPerWatt", "mvmTopsPerSquareMillimeter"] + actionGroups.map(\.0)

    /// The value of `quantity` in a run of `config`.
    public static func value(_ quantity: String, _ r: RunResult, config: HardwareConfig) -> Double {
        if let (_, actions) = actionGroups.first(where: { $0.0 == quantity }) {
            return r.layersPicojoules(of: actions) / 1000
        }
        switch quantity {
        case "layersEnergyNanojoules": return r.layersPicojoules / 1000
        case "layersLatencyNanoseconds": return r.layersLatencyNanoseconds
        case "layersThroughputPerSecond": return r.layersThroughputBoundPerSecond
        case "layersLeakageNanojoules": return r.layerUnits.reduce(0) { $0 + (r.unitEnergy($1)[.static] ?? 0) } / 1000
        case "leakageMicrowatts":
            return (r.layerUnits.reduce(0) { $0 + r.table.leakageMilliwatts(r.units[$1]) } + r.unusedSitesMilliwatts) * 1000
        case "adcConversionsPerInference": return r.layerUnits.reduce(0) { $0 + r.ledger.actions[$1][.adcConversions] } / Double(max(1, r.inferences))
        case "arraysUsed": return Double(config.resources.tiles)
        case "mvmNanoseconds": return mvmNanoseconds(r)
        case "mvmTops": return mvmOperations(config) / mvmNanoseconds(r) / 1000
        case "mvmTopsPerWatt":
            let record = r.actions(layer: 0)
            let picojoules = readActions.reduce(0) { $0 + record[$1] * r.table.prices[$1.rawValue].1 }
            return mvmOperations(config) / picojoules
        case "mvmTopsPerSquareMillimeter":
            let area = Double(config.layers[0].tiles.count) * HardwareModel(config.hardware).chip.tileSquareMillimeters
            return area > 0 ? mvmOperations(config) / mvmNanoseconds(r) / 1000 / area : 0
        case "hardwareAccuracyPercent": return r.accuracyMean * 100
        case "accuracyDropPoints": return r.dropMean * 100
        case _ where compensationQuantities.contains(quantity):
            let l = Int(quantity.dropFirst("driftCompensationLayer".count))! - 1
            return r.driftCompensation.map { $0[l] }.reduce(0, +) / Double(max(1, r.driftCompensation.count))
        default: preconditionFailure("unknown quantity \(quantity)")
        }
    }
}

extension Validation {
    /// 2 x inputs x outputs of layer 0: one multiply and one add per weight.
    static func mvmOperations(_ config: HardwareConfig) -> Double { 2 * Double(config.layers[0].inputs * config.layers[0].outputs) }

    /// Layer 0's MVM time: the busiest of its row tiles' read time per inference (they read at once).
    static func mvmNanoseconds(_ r: RunResult) -> Double {
        let busiest = r.units.indices.filter { r.units[$0].layer == 0 && r.units[$0].kind == .tiles }.map { r.ledger.busyTicks[$0] }.max() ?? 0
        return Double(busiest) / HardwareModel.ticksPerNanosecond / Double(max(1, r.inferences))
    }
}

extension RunResult {
    /// Energy per inference of `actions` on the crossbar layers' units (pJ), priced by the table.
    public func layersPicojoules(of actions: [Action]) -> Double {
        var total = 0.0
        for u in layerUnits {
            for a in actions { total += ledger.actions[u][a] * table.prices[a.rawValue].1 }
        }
        return total / Double(max(1, inferences))
    }
}
