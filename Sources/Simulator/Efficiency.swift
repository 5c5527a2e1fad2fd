import Compiler

/// Efficiency as NeuroSim and silicon papers quote it, from a run's headline figures.
///
/// Operations per inference are two per weight of every crossbar layer and pass (one multiply,
/// one add: 2 x inputs x outputs x passes, FF's K passes each), the network's arithmetic, not the
/// partial products the bit-serial reads break it into; the read-out on the learning core and
/// the digital finish are not counted. Then
///
///     TOPS/W   = operations / energy per inference        (1 operation per pJ = 1 TOPS/W)
///     TOPS     = operations x steady-state inferences per second / 10^12
///     TOPS/mm2 = TOPS / area                               (where the preset gives area)
///
/// and TOPS/W without static energy (dynamic energy only), as the issue-12 comparison with
/// NeuroSim quotes both.
public struct Efficiency: Sendable, Equatable {
    public var operationsPerInference: Double
    public var topsPerWatt: Double
    public var topsPerWattDynamic: Double
    public var tops: Double
    public var topsPerSquareMillimeter: Double?

    public init(_ r: RunResult, config: HardwareConfig) {
        operationsPerInference = 2 * Double(config.model.passes) * config.layers.reduce(0) { $0 + Double($1.inputs * $1.outputs * $1.positions) }
        let total = r.energyPerInferencePicojoules, dynamic = total - (r.energyByComponent[.static] ?? 0)
        topsPerWatt = total > 0 ? operationsPerInference / total : 0
        topsPerWattDynamic = dynamic > 0 ? operationsPerInference / dynamic : 0
        tops = operationsPerInference * r.throughputInferencesPerSecond / 1e12
        topsPerSquareMillimeter = config.resources.areaSquareMillimeters.flatMap { $0 > 0 ? tops / $0 : nil }
    }
}
