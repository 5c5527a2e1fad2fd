import Numerics

/// One key of a hardware description: its path, what it holds, its unit and meaning.
///
/// The table `HardwareSchema.keys` is the single definition of the format: loading validates
/// against it, `hffsim hardware keys` and docs/hardware-models.md are generated from it.
public struct HardwareKey: Sendable {
    public enum Kind: Sendable {
        /// A number with its source: `{"value": x, "source": "..."}`, within `range`.
        case number(ClosedRange<Double>)
        /// A whole number with its source, within `range`.
        case integer(ClosedRange<Int>)
        /// One of the listed strings.
        case choice([String])
        /// true or false.
        case flag
    }

    public var path: String
    public var kind: Kind
    public var unit: String
    public var meaning: String
    /// Why no model reads this key (nil: the functional or the cost model reads it). A test
    /// fails on any key that is neither read nor informational.
    public var informational: String?

    public init(_ path: String, _ kind: Kind, _ unit: String, _ meaning: String, informational: String? = nil) {
        self.path = path
        self.kind = kind
        self.unit = unit
        self.meaning = meaning
        self.informational = informational
    }

    /// "1...16", "0...1e+06", "rram | pcm" for messages and docs.
    public var expected: String {
        switch kind {
        case .number(let r): return "a number in \(HardwareKey.format(r.lowerBound))...\(HardwareKey.format(r.upperBound))"
        case .integer(let r): return "a whole number in \(r.lowerBound)...\(r.upperBound)"
        case .choice(let c): return "one of " + c.joined(separator: " | ")
        case .flag: return "true or false"
        }
    }

    public static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}

/// The keys of schema version 1.
public enum HardwareSchema {
    public static let version = 1
    static let big = 1e12

    public static let keys: [HardwareKey] = [
        .init("technology.nodeNanometers", .number(1...1000), "nm", "Process node. The per-action energies and times are given at this node and are not scaled by it; the leakage of the periphery's gates (leakage.*) is priced from this node's transistors (\(LogicTechnology.known), NeuroSim V1.4's Technology.cpp at 300 K)."),
        .init("technology.logicTransistors", .choice(LogicTechnology.Flavour.allCases.map(\.rawValue)), "", "Transistor flavour of the digital periphery, for its leakage: lstp (low standby power, NeuroSim's default roadmap) or hp (high performance; its off-current is 1,000 times LSTP's at the same node)."),
        .init("technology.supplyVolts", .number(0.1...5), "V", "Supply voltage of the digital periphery. The digital energies are given at this supply and are not scaled by it; a leaking gate draws its off-current at this supply."),
        .init("technology.clockGigahertz", .number(0.001...10), "GHz", "Clock of the digital periphery; one cycle is the time unit of the simulator."),

        .init("chip.tileSites", .integer(1...16_777_216), "sites", "Tile sites on the chip, on a grid `tileSitesPerRow` wide; each holds one crossbar array with its DACs, ADCs and shift-add (a tile)."),
        .init("chip.tileSitesPerRow", .integer(1...65_536), "sites", "Width of the site grid (site s at column s mod width, row s / width)."),
        .init("chip.tilesPerADC", .integer(1...64), "tiles", "Neighbouring tiles (column tiles of one row tile) sharing one bank of ADCs; their conversions take turns."),
        .init("chip.digitalLanes", .integer(1...65_536), "lanes", "Operations per cycle of a layer's digital unit (accumulation, bias, ReLU, normalisation)."),
        .init("chip.accumulatorBits", .integer(8...64), "bits", "Precision of the digital accumulation of row-tile partial sums (the bytes a partial sum takes in buffers and on links)."),
        .init("chip.inputDelivery", .choice(["broadcast", "unicast"]), "", "How a layer's input vector reaches the column tiles of a row tile: broadcast (one buffer read and one copy through the hub's port, each link or wire of the multicast tree crossed once) or unicast (one buffer read and one copy per column tile, each over its own route)."),
        .init("chip.interconnect", .choice(["mesh", "h-tree", "bus"]), "", "How data travels between tile sites: a mesh of routers (a transfer costs its Manhattan hops x `energy.networkHopPicojoulesPerByte` per byte and arrives hops x `timing.networkHopNanoseconds` later), an H-tree of repeated wires over the sites (a transfer costs its bits x the tree path in mm x `energy.wirePicojoulesPerBitMillimeter` and arrives mm x `timing.wireNanosecondsPerMillimeter` later), or an X-Y bus of repeated wires (NeuroSim's default chip bus: a transfer runs one horizontal and one vertical wire spanning its source and sinks, so a broadcast charges each bit once over that span; priced and timed like the H-tree's wire). Wire bits are scaled by `energy.inputWireToggleFraction` or `energy.outputWireToggleFraction`; the site pitch is the square root of `area.tileSquareMillimeters`."),
        .init("chip.partialSumReduction", .choice(["hub", "adder-tree"]), "", "Where a layer's row-tile partial sums are added: every tile sends its partial sums to the layer's hub, whose buffer holds them and whose digital unit adds them, or the row tiles of one column tile form a processing element whose adder tree adds them before one reduced sum per output leaves it (NeuroSim's PE). With the adder tree, the mapper places a processing element's arrays on neighbouring sites."),
        .init("chip.layerBufferInferences", .integer(1...1_000_000), "inferences", "Inferences (FF: passes of one) a layer's buffers hold at once, per replica of the layer (`hffsim map --duplicate`), their inputs and partial sums. One enters a layer only when a place is free and keeps it until it has entered the next layer, so a full layer stalls the one before it (back-pressure)."),
        .init("chip.idleUnits", .choice(["leaking", "power-gated"]), "", "Used tiles and learning cores while no task holds them: leaking (static power over the whole run, as NeuroSim charges leakage x latency) or power-gated (static power only while a task holds the unit; wake-up time and energy are not modelled)."),
        .init("chip.bufferAccessBytes", .integer(1...65_536), "bytes", "Width of one buffer access (a port word): a transfer of n bytes into or out of a buffer takes ceil(n / width) accesses, each priced and timed whole."),
        .init("chip.hostInputBits", .integer(1...64), "bits", "Bits per raw input the host sends to the first layer's buffer."),
        .init("chip.hostResultBytes", .integer(1...64), "bytes", "Bytes of the result (the class) sent back to the host."),
        .init("chip.unusedTileSites", .choice(["power-gated", "leaking"]), "", "Tile sites holding no weights: power-gated (no static power) or leaking like used tiles."),
        .init("area.tileSquareMillimeters", .number(0...1e6), "mm^2", "Area of one tile site (0: not given); its square root is the site pitch that the H-tree's wire lengths follow."),
        .init("area.learningCoreSquareMillimeters", .number(0...1e6), "mm^2", "Area of one learning core (0: not given)."),

        .init("crossbar.cellType", .choice(["rram", "pcm", "sram", "fefet"]), "", "Memory cell technology.",
              informational: "a label: the cell's behaviour comes from the conductance, noise and drift keys"),
        .init("crossbar.rows", .integer(1...65_536), "rows", "Word lines per array (inputs)."),
        .init("crossbar.columns", .integer(1...65_536), "columns", "Bit lines per array (outputs)."),
        .init("crossbar.bitsPerCell", .integer(1...16), "bits", "Conductance levels per cell: 2^bits (16 stands for an analog cell programmed to continuous targets)."),
        .init("crossbar.conductanceMinMicrosiemens", .number(0...big), "uS", "Lowest programmable conductance (the off state)."),
        .init("crossbar.conductanceMaxMicrosiemens", .number(1e-9...big), "uS", "Highest programmable conductance (the on state)."),
        .init("crossbar.weightEncoding", .choice(["differential", "offset"]), "", "Signed weights as a differential pair of columns (G+ - G-, subtracted before the ADC) or against one offset reference column."),
        .init("crossbar.weightBits", .integer(1...24), "bits", "Weight precision; weights are sliced over ceil(weightBits / bitsPerCell) cells."),
        .init("crossbar.readVolts", .number(0...10), "V", "Read voltage on an active row; a read cell dissipates readVolts^2 x G x pulse (fJ = V^2 uS ns)."),
        .init("crossbar.readPulseNanoseconds", .number(0...big), "ns", "Read pulse width, once per column-mux step (a multi-bit DAC modulates it: pulse x input amplitude)."),
        .init("crossbar.rowsPerRead", .integer(1...65_536), "rows", "Rows activated together in one read (row groups are read one after another)."),

        .init("crossbar.dac.inputBits", .integer(1...22), "bits", "Input precision (22 bits at most: a code fits a Float's exact integers with room to round)."),
        .init("crossbar.dac.scheme", .choice(["bit-serial", "multi-bit"]), "", "One input bit per read, recombined by shift-add, or all bits in one read."),
        .init("crossbar.dac.pulseEncoding", .choice(["amplitude", "width", "count"]), "", "How a multi-bit read encodes b magnitude bits (reference b0 = crossbar.dac.referenceBits): amplitude, a voltage DAC's one pulse of readPulseNanoseconds at any b; width (PWM: aihwkit, HERMES), a pulse of readPulseNanoseconds x (2^b - 1) / (2^b0 - 1), so the cells' energy grows with it; count (NeuRRAM), 2^b - 1 unit pulses, so time and row-driver energy both scale by (2^b - 1) / (2^b0 - 1). Bit-serial reads are 1-bit pulses of readPulseNanoseconds and ignore it."),
        .init("crossbar.dac.referenceBits", .integer(1...22), "bits", "Input bits at which crossbar.readPulseNanoseconds and energy.rowDriverFemtojoules are given, for multi-bit reads (see pulseEncoding)."),
        .init("crossbar.dac.inputScaling", .choice(["per-sample", "calibrated"]), "", "How inputs map onto the DAC's codes: per sample, the layer's digital unit finds each input vector's largest magnitude and scales the vector onto the full code range (a costed stage: one compare and one multiply per input; aihwkit's abs-max noise management), or calibrated, one fixed scale per layer set by `hffsim map` from the largest |input| over its calibration samples (larger inputs clip to the top code; no scaling stage)."),

        .init("crossbar.adc.bits", .integer(1...24), "bits", "ADC resolution (24 bits at most: a reading in LSB stays an exact Float integer)."),
        .init("crossbar.adc.columnsPerADC", .integer(1...65_536), "columns", "Columns multiplexed onto one ADC."),
        .init("crossbar.adc.conversionNanoseconds", .number(0...big), "ns", "Time of one conversion at `energy.adcReferenceBits`; at other resolutions it scales as `crossbar.adc.type` says."),
        .init("crossbar.adc.type", .choice(["sense-amplifier", "flash", "sar", "ramp", "cco"]), "", "The converter, for how its time grows with bits b (reference b0 = energy.adcReferenceBits): sense-amplifier (a multilevel current-mode sense amplifier, NeuroSim's MLSA: its 2^b - 1 references compare at once) and flash, constant; sar, one comparison per bit, x b / b0; ramp, one step per level, x (2^b - 1) / (2^b0 - 1); cco, a counter that counts during the read pulse (HERMES), so the conversion's own time (latching the count) is constant. Energy per bit is the preset's sourced energy.adcFactorPerBit."),
        .init("crossbar.adc.sampleAndHold", .flag, "", "The ADC samples and holds, so a conversion overlaps the next mux step's read pulse; without, pulse and conversion follow one another."),
        .init("crossbar.adc.rangeMode", .choice(["calibrated-per-column", "calibrated-per-layer", "full-scale"]), "", "How the ADC's input range is set."),
        .init("crossbar.adc.calibrationHeadroom", .number(0...10), "fraction", "Calibrated ranges are the calibration set's largest currents times 1 + this, so that inputs a little beyond the calibration set do not clip (at the cost of resolution); `hffsim map --adc-headroom` overrides it."),
        .init("crossbar.adc.fullScaleUnitCurrents", .number(1e-6...65_536), "unit currents", "Full-scale range in units of one cell at maximum conductance under full input (used when rangeMode is full-scale)."),
        .init("crossbar.adc.rangeReference", .choice(["gmax", "unit-weight"]), "", "What one unit current of fullScaleUnitCurrents and noise.adcInputNoiseUnitCurrents is: one cell at Gmax under full input (gmax: a fixed circuit), or weight 1 under input 1 (unit-weight: aihwkit's weight_scaling_omega = 0, parameters/mapping.py, where range and output noise are in weight units; with the layer's largest |w| at Gmax, both scale by 1 / max|w|)."),

        .init("noise.programming.model", .choice(["none", "constant", "pcm-polynomial"]), "", "Programming noise: none, a constant sigma, or aihwkit's PCM polynomial sigma = (0.26348 + 1.9650 g - 1.1731 g^2) Gmax/25, g = G/Gmax."),
        .init("noise.programming.sigmaMicrosiemens", .number(0...big), "uS", "Sigma of the constant model."),
        .init("noise.readRelative", .number(0...10), "relative", "Read noise per read, sigma relative to the cell's conductance."),
        .init("noise.drift.model", .choice(["none", "power-law", "pcm-aihwkit"]), "", "Conductance drift G(t) = G ((t + t0) / t0)^-nu: nu from nuMean and nuStd (power-law), or aihwkit's PCM model (nu drawn from the target conductance, plus accumulated 1/f read noise)."),
        .init("noise.drift.nuMean", .number(0...1), "", "Mean drift exponent."),
        .init("noise.drift.nuStd", .number(0...1), "", "Standard deviation of the drift exponent across cells."),
        .init("noise.drift.t0Seconds", .number(1e-9...big), "s", "Drift reference time t0."),
        .init("noise.drift.timeSinceProgrammingSeconds", .number(0...big), "s", "Time between programming and inference."),
        .init("noise.drift.readSeconds", .number(1e-12...big), "s", "Duration of one read, t_read of the accumulated 1/f read noise (pcm-aihwkit)."),
        .init("noise.drift.globalCompensation", .flag, "", "One digital scale per layer undoes the mean drift (aihwkit's global drift compensation)."),
        .init("noise.drift.compensationEstimate", .choice(["exact", "probe-read"]), "", "Where the compensation factor comes from: the mean |G+ - G-| of the cells (exact), or aihwkit's estimate (probe-read: inference/compensation/drift.py, the mean |output| of one-hot probe reads through the layer's own noisy ADC, after programming over at inference). Used when globalCompensation is true."),
        .init("noise.stuckAtOnRate", .number(0...1), "fraction", "Cells stuck at the maximum conductance."),
        .init("noise.stuckAtOffRate", .number(0...1), "fraction", "Cells stuck at the minimum conductance."),
        .init("noise.deviceVariationRelative", .number(0...10), "relative", "Device-to-device variation: G (1 + N(0, sigma)), drawn once per chip."),
        .init("noise.irDropAttenuationAtFullRows", .number(0...1), "fraction", "First-order IR drop: column current scaled by 1 - a (active rows / rows)."),
        .init("noise.adcInputNoiseUnitCurrents", .number(0...big), "unit currents", "ADC input-referred noise, sigma in unit currents (one cell at the maximum conductance under full input amplitude): a property of the circuit, so changing the ADC's bits changes its steps, not this noise (in LSB it is sigma x Gmax / LSB)."),

        .init("energy.rowDriverFemtojoules", .number(0...big), "fJ", "Driving one row for one read (DAC or 1-bit driver)."),
        .init("energy.switchMatrixFemtojoules", .number(0...big), "fJ", "The word-line switch matrix routing one driven row's input onto its word line for one read."),
        .init("energy.rowRegisterFemtojoules", .number(0...big), "fJ", "Clocking one row's input register in the word-line switch matrix for one read of its array, whether the row is driven or not (NeuroSim's switch-matrix DFFs): priced per array read x `crossbar.rows`."),
        .init("energy.columnMuxFemtojoules", .number(0...big), "fJ", "The column mux putting one column (or differential pair) on its ADC for one conversion."),
        .init("energy.adcConversionPicojoules", .number(0...big), "pJ", "One ADC conversion at `energy.adcReferenceBits`."),
        .init("energy.adcReferenceBits", .integer(1...16), "bits", "Resolution at which `adcConversionPicojoules` and `crossbar.adc.conversionNanoseconds` were measured."),
        .init("energy.adcFactorPerBit", .number(1...16), "x", "Energy ratio per extra ADC bit, for sweeps over `crossbar.adc.bits`."),
        .init("energy.shiftAddPicojoules", .number(0...big), "pJ", "One shift-add of a partial sum."),
        .init("energy.accumulatePicojoules", .number(0...big), "pJ", "One digital accumulation of row-tile partial sums."),
        .init("energy.bufferReadPicojoulesPerAccess", .number(0...big), "pJ", "One buffer read access of `chip.bufferAccessBytes`."),
        .init("energy.bufferWritePicojoulesPerAccess", .number(0...big), "pJ", "One buffer write access of `chip.bufferAccessBytes`."),
        .init("energy.networkHopPicojoulesPerByte", .number(0...big), "pJ/B", "One byte crossing one mesh link (router and wire)."),
        .init("energy.wirePicojoulesPerBitMillimeter", .number(0...big), "pJ/(bit mm)", "One bit switching over one mm of repeated wire (chip.interconnect h-tree or bus)."),
        .init("energy.inputWireToggleFraction", .number(0...1), "fraction", "Share of the bits of a layer's input vector that switch a wire (bus or H-tree) as it is sent to the tiles: the wire energy of input transfers is bits x mm x this x `wirePicojoulesPerBitMillimeter`."),
        .init("energy.outputWireToggleFraction", .number(0...1), "fraction", "Share of the bits of partial sums and activations leaving tiles that switch a wire (bus or H-tree)."),
        .init("energy.adderTreeAddPicojoules", .number(0...big), "pJ", "One addition in a processing element's adder tree (chip.partialSumReduction adder-tree)."),
        .init("energy.hostPicojoulesPerByte", .number(0...big), "pJ/B", "One byte between the host and the chip."),
        .init("energy.normalizationOperationPicojoules", .number(0...big), "pJ", "One operation of the digital normalisation unit."),
        .init("energy.staticMilliwattsPerTile", .number(0...big), "mW", "Lumped static (leakage) power of one powered tile, busy or idle, on top of the per-component leakage of `leakage.*`: for presets whose leakage is a published total rather than a gate count."),

        .init("leakage.switchMatrixGatesPerLine", .number(0...big), "gates", "Leaking gates of the switch matrices per word line and per column line of a tile (their input registers), in minimum-inverter equivalents (a D flip-flop is 8: NeuroSim DFF.cpp 191). A gate leaks the off-current of technology.nodeNanometers and logicTransistors at technology.supplyVolts; a tile leaks while powered (chip.idleUnits)."),
        .init("leakage.columnMuxGatesPerTile", .number(0...big), "gates", "Leaking gates of a tile's column-mux decoder, in minimum-inverter equivalents."),
        .init("leakage.gatesPerADC", .number(0...big), "gates", "Leaking gates of one ADC (its digital logic: a sense amplifier's encoder, a SAR's register), in minimum-inverter equivalents; a bank shared by crossbar tiles (chip.tilesPerADC) is shared among them."),
        .init("leakage.shiftAddGatesPerADC", .number(0...big), "gates", "Leaking gates of the shift-add units behind one ADC (adders and registers), in minimum-inverter equivalents."),
        .init("leakage.peripheryGatesPerTile", .number(0...big), "gates", "Leaking gates of a tile's share of the periphery around the arrays (processing-element and tile buffers, adder trees and accumulators, buses), in minimum-inverter equivalents."),

        .init("timing.rowDriveSettleNanoseconds", .number(0...big), "ns", "Row drive and settle before a read."),
        .init("timing.normalizationOperationNanoseconds", .number(0...big), "ns", "One operation of a digital unit lane."),
        .init("timing.shiftAddNanoseconds", .number(0...big), "ns", "One shift-add."),
        .init("timing.bufferNanosecondsPerAccess", .number(0...big), "ns", "One buffer access (read or write) at the buffer's port."),
        .init("timing.networkNanosecondsPerByte", .number(0...big), "ns/B", "Serialisation of one byte at a link port (host link, a hub's port); a transfer holds its port for bytes x this."),
        .init("timing.networkHopNanoseconds", .number(0...big), "ns", "Latency of one mesh hop (router and wire); a transfer arrives its farthest hops x this after it leaves the port, without holding the port."),
        .init("timing.wireNanosecondsPerMillimeter", .number(0...big), "ns/mm", "Delay of one mm of the H-tree's repeated wire; a transfer arrives its longest path x this after it leaves the port, without holding the port."),
        .init("timing.adderTreeLevelNanoseconds", .number(0...big), "ns", "One level of a processing element's adder tree; adding r partial sums of one output takes ceil(log2 r) levels."),

        .init("learningCore.cores", .integer(1...65_536), "cores", "Event-driven cores holding the prototype read-out."),
        .init("learningCore.coresPerRow", .integer(1...65_536), "cores", "Width of the mesh the cores sit on (core c at column c mod width, row c / width); the event source sits left of core 0."),
        .init("learningCore.neuronsPerCore", .integer(1...1_048_576), "neurons", "Neurons per core."),
        .init("learningCore.synapsesPerNeuron", .integer(1...65_536), "synapses", "Synapse slots (content-addressed entries) per neuron: a neuron's fan-in."),
        .init("learningCore.tagsPerCore", .integer(1...16_777_216), "tags", "Distinct source tags the synapses of one core can match."),
        .init("learningCore.destinationsPerNeuron", .integer(1...64), "destinations", "Destination entries per neuron: the cores its events can reach."),
        .init("learningCore.weights.scheme", .choice(["base-weight-mask", "signed-integer"]), "", "DYNAP-SE2's scheme (a bits-wide mask over `bits` base weights shared by all neurons of a core, binary-weighted: 2^bits levels, sign from the synapse type) or plain signed integers of `bits` bits with one scale per core."),
        .init("learningCore.weights.bits", .integer(1...16), "bits", "Mask bits (base weights per core) or signed-integer bits."),
        .init("learningCore.mismatchRelative", .number(0...1), "relative", "Mismatch of analog quantities, x (1 + N(0, sigma)) drawn once per chip: each core's base weights and each neuron's gain per synapse sign."),
        .init("learningCore.input.coding", .choice(["graded", "rate"]), "", "Input events carry an n-bit value (graded) or an input is a train of spikes (rate)."),
        .init("learningCore.input.gradedBits", .integer(1...24), "bits", "Payload of a graded event (values are scaled by the largest component of the vector)."),
        .init("learningCore.input.rateSpikes", .integer(1...65_536), "spikes", "Spikes of the largest component under rate coding (T)."),
        .init("learningCore.input.injectionNanoseconds", .number(1e-6...big), "ns", "Time between two events leaving the event source."),
        .init("learningCore.routing.hopPicojoules", .number(1e-9...big), "pJ", "One event crossing one mesh link."),
        .init("learningCore.routing.hopNanoseconds", .number(1e-9...big), "ns", "Latency of one mesh link."),
        .init("learningCore.energy.tagMatchPicojoules", .number(1e-9...big), "pJ", "Delivering one event to a core and matching its tag against the core's synapses."),
        .init("learningCore.energy.synapticOperationPicojoules", .number(1e-9...big), "pJ", "One matched synapse integrating an event."),
        .init("learningCore.energy.neuronUpdatePicojoules", .number(1e-9...big), "pJ", "One neuron update (integrate, emit its output event)."),
        .init("learningCore.energy.winnerTakeAllStepPicojoules", .number(1e-9...big), "pJ", "One score entering the winner-take-all stage (pooling and comparison)."),
        .init("learningCore.energy.synapticUpdatePicojoules", .number(1e-9...big), "pJ", "One learning-engine synaptic update (accumulator read-modify-write and weight write)."),
        .init("learningCore.energy.staticMilliwattsPerCore", .number(0...big), "mW", "Static power of one core."),
        .init("learningCore.timing.tagMatchNanoseconds", .number(1e-9...big), "ns", "Delivery and tag match of one event at a core."),
        .init("learningCore.timing.synapticOperationNanoseconds", .number(1e-9...big), "ns", "One synaptic operation."),
        .init("learningCore.timing.parallelSynapses", .flag, "", "All synapses an event matches on a core integrate it at once (analog, DYNAP-SE2 style: one synaptic operation time per event), or one after another (digital, Loihi style: one per matched synapse)."),
        .init("learningCore.timing.neuronUpdateNanoseconds", .number(1e-9...big), "ns", "One neuron update."),
        .init("learningCore.timing.winnerTakeAllStepNanoseconds", .number(1e-9...big), "ns", "One winner-take-all step."),
        .init("learningCore.timing.synapticUpdateNanoseconds", .number(1e-9...big), "ns", "One learning-engine synaptic update."),
        .init("learningCore.learning.accumulatorBits", .integer(2...32), "bits", "Fixed-point precision of the learning engine's prototype accumulators (signed; 1.0 = 2^(bits-1) - 1)."),
        .init("learningCore.learning.rateShift", .integer(0...30), "", "Learning rate 2^-shift of the on-chip EMA p <- normalise(p + (z - p) 2^-shift)."),
    ]

    static let byPath: [String: HardwareKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })
}
