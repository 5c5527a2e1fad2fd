/// The generic RRAM chip the mechanism tests were worked out on.
///
/// rram-neurosim describes NeuroSim V1.4's default chip (issue 12: offset weights, an X-Y bus,
/// adder trees, a 601 MHz clock, NeuroSim's prices). The tests of one mechanism (a tile read's
/// time, the mesh's hops, the accumulator, buffer accesses...) were worked out by hand on the
/// simpler chip it described before: differential pairs, a router mesh, partial sums added at
/// the hub, inputs unicast, 1 GHz, round prices. These overrides pin that chip, so that a
/// preset's re-derivation does not move the tests' oracles; each test still sets the keys it
/// is about.
public enum TestHardware {
    public static let genericRRAM: [String] = [
        "technology.clockGigahertz=1",
        "chip.tileSites=2304", "chip.tileSitesPerRow=48", "chip.inputDelivery=unicast", "chip.interconnect=mesh",
        "chip.partialSumReduction=hub", "chip.bufferAccessBytes=32", "chip.unusedTileSites=power-gated",
        "area.tileSquareMillimeters=0",
        "crossbar.weightEncoding=differential", "crossbar.readPulseNanoseconds=10", "crossbar.adc.conversionNanoseconds=1",
        "energy.rowDriverFemtojoules=3.5", "energy.switchMatrixFemtojoules=0", "energy.rowRegisterFemtojoules=0",
        "energy.columnMuxFemtojoules=0", "energy.adcConversionPicojoules=0.051", "energy.shiftAddPicojoules=0.021",
        "energy.accumulatePicojoules=0.021", "energy.bufferReadPicojoulesPerAccess=20.45", "energy.bufferWritePicojoulesPerAccess=20.45",
        "energy.wirePicojoulesPerBitMillimeter=0.0723", "energy.inputWireToggleFraction=1", "energy.outputWireToggleFraction=1",
        "energy.adderTreeAddPicojoules=0.021", "energy.staticMilliwattsPerTile=3.25",
        "leakage.switchMatrixGatesPerLine=0", "leakage.columnMuxGatesPerTile=0", "leakage.gatesPerADC=0",
        "leakage.shiftAddGatesPerADC=0", "leakage.peripheryGatesPerTile=0",
        "timing.normalizationOperationNanoseconds=1", "timing.rowDriveSettleNanoseconds=10", "timing.shiftAddNanoseconds=1",
        "timing.bufferNanosecondsPerAccess=1", "timing.wireNanosecondsPerMillimeter=0.1", "timing.adderTreeLevelNanoseconds=1",
    ]
}
