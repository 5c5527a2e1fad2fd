// Generated from HardwareModels/ by `HFFSIM_RECORD=1 swift test -c release --filter EmbeddedPresetsTests`.
// Do not edit: edit the JSON files and record again (the test fails while they differ).

/// The hardware presets, their parts and the validation points, built into the binary so
/// that it finds them from any directory; files on disk (HardwareModels/) take precedence.
enum EmbeddedPresets {
    static let files: [String: String] = [
        "hermes-pcm.json": ###"""
{
  "schemaVersion": 1,
  "name": "hermes-pcm",
  "base": "parts/dynap-se2-core.json",
  "description": "IBM HERMES, the 64-core 14 nm PCM chip (Le Gallo et al., Nat. Electron. 6, 680-693 (2023)) built from the 256 x 256 core of Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022): 8T4R unit cells holding G+ and G- (two PCM devices per polarity), signed 8-bit PWM inputs at 1 ns/LSB (a 128 ns window), one current-controlled-oscillator ADC per unit-cell column that counts during the window, 1 GHz. Operating point: 1-phase reads (both input signs in one window) with non-negative inputs, since hffsim runs a second pass for negative inputs. The published MVM energy (Table I: 0.86 uJ per 64-core MVM, covering array, ADCs and PWM drivers) has no breakdown, so all of it sits on the ADC conversion (lumped). The 4-phase mode, the LDPU/GDPU, the on-chip network and the buffers are not modelled from the papers: those keys are assumptions copied from pcm-aihwkit.",
  "chip": {
    "tilesPerADC": {"value": 1, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) (abstract): each core has its own 256 CCO ADCs, one per unit-cell column; no ADC is shared between cores"},
    "digitalLanes": {"value": 64, "source": "assumption: the parallelism of the core's LDPU (per-column affine scale and offset, ReLU; JSSC abstract) was not found; 64 as pcm-aihwkit"},
    "tileSites": {"value": 64, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023) (abstract): 64 analog in-memory cores of 256 x 256"},
    "tileSitesPerRow": {"value": 8, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023) Fig. 1b: the cores form an 8 x 8 grid (read from a description of the arXiv:2212.02872 Fig. 1 image; check against the figure)"},
    "accumulatorBits": {"value": 32, "source": "assumption (copied from pcm-aihwkit): the precision of HERMES's partial-sum aggregation (LDPU) was not found"},
    "inputDelivery": "unicast",
    "interconnect": "mesh",
    "partialSumReduction": "hub",
    "bufferAccessBytes": {"value": 32, "source": "assumption (copied from pcm-aihwkit, ISAAC IsaacEDRAM 256-bit width): HERMES's on-chip buffers were not found"},
    "layerBufferInferences": {"value": 2, "source": "assumption (copied from pcm-aihwkit): double-buffered layer buffers"},
    "hostInputBits": {"value": 8, "source": "assumption: 8-bit raw pixels, as Fashion-MNIST stores them"},
    "hostResultBytes": {"value": 4, "source": "assumption: a 32-bit class index"},
    "unusedTileSites": "power-gated",
    "idleUnits": "leaking"
  },
  "area": {
    "tileSquareMillimeters": {"value": 0.634, "source": "derived: Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022), core 1.008 TOPS (Table I) / 1.59 TOPS/mm^2 (abstract) = 0.634 mm^2 per core; the chip figures agree (Le Gallo et al., Nat. Electron. 6, 680-693 (2023): 63.1 TOPS / 64 cores / 1.55 TOPS/mm^2 = 0.636)"},
    "learningCoreSquareMillimeters": {"value": 0, "source": "not given: DYNAP-SE2 is 98 mm^2 for 4 cores at 180 nm, not comparable at 14 nm"}
  },
  "technology": {
    "nodeNanometers": {"value": 14, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023) and Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) (abstracts): 14 nm CMOS with PCM in the back end of line"},
    "supplyVolts": {"value": 0.8, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) Table I: 10.5 TOPS/W measured at 1 GHz and 0.8 V (taken from a summary of the full text; check against the table)"},
    "logicTransistors": "lstp",
    "clockGigahertz": {"value": 1, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) (abstract): 1 GHz"}
  },
  "crossbar": {
    "cellType": "pcm",
    "rows": {"value": 256, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) (abstract): 256 x 256 unit cells per core"},
    "columns": {"value": 512, "source": "derived: 256 unit-cell columns x 2, because hffsim's differential pair takes two physical columns per output (Mapper.swift perOutput) where HERMES's 8T4R unit cell holds G+ and G- in one column"},
    "bitsPerCell": {"value": 16, "source": "16 stands for analog: HERMES programs continuous conductance targets in closed loop (same convention as pcm-aihwkit)"},
    "conductanceMinMicrosiemens": {"value": 0, "source": "aihwkit inference/noise/hermes.py: HermesNoiseModel maps weights with SinglePairConductanceConverter, g_min = 0"},
    "conductanceMaxMicrosiemens": {"value": 20.7, "source": "aihwkit inference/noise/hermes.py (HermesNoiseModel, characterised on HERMES): 20.7 uS largest conductance with two devices per polarity (10.35 uS with one); the two devices are one hffsim cell"},
    "weightEncoding": "differential",
    "weightBits": {"value": 16, "source": "16 stands for analog: one analog conductance per polarity, no slicing (as pcm-aihwkit)"},
    "readVolts": {"value": 0, "source": "lumped: the read voltage was not found, and the array's read energy is part of the measured MVM energy that energy.adcConversionPicojoules carries (Le Gallo et al., Nat. Electron. 6, 680-693 (2023) Table I: the MVM energy includes the PCM crossbar array, ADCs and PWMs)"},
    "readPulseNanoseconds": {"value": 128, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022): 8-bit PWM inputs integrated over a 128 ns window, i.e. 2^7 magnitude steps x 1 ns/LSB (Le Gallo et al., Nat. Electron. 6, 680-693 (2023) Table I: time-encoded inputs, 8 bit, 1 ns/LSB; the sign is the polarity of the read voltage)"},
    "rowsPerRead": {"value": 256, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023)/Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022): a full 256 x 256 MVM in one read"},
    "dac": {
      "inputBits": {"value": 7, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023) Table I: 8-bit signed time-encoded inputs = sign + 7 magnitude bits; hffsim counts magnitude bits per sign pass (as pcm-aihwkit)"},
      "scheme": "multi-bit",
      "pulseEncoding": "width",
      "referenceBits": {"value": 7, "source": "the 128 ns PWM window is for 7 magnitude bits (Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022))"},
      "inputScaling": "calibrated"
    },
    "adc": {
      "bits": {"value": 8, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023) (abstract): 8-bit input/output MVMs; the CCO resolves more than 420 levels in the window (Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022))"},
      "columnsPerADC": {"value": 2, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022) (abstract): 256 ADCs per core, one per unit-cell column = one differential pair of hffsim columns, so one conversion per ADC per read"},
      "conversionNanoseconds": {"value": 1, "source": "assumption: the CCO counts during the PWM window (128 ns / 300 ps per LSB = 427 levels, Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022)), so a conversion adds only the latching of its counter, taken as one 1 GHz cycle; type cco: the current-controlled oscillator counts during the PWM window, so only the latch is a conversion of its own"},
      "type": "cco",
      "rangeMode": "calibrated-per-column",
      "rangeReference": "gmax",
      "sampleAndHold": false,
      "calibrationHeadroom": {"value": 0, "source": "assumption: ranges at the calibration set's largest currents (HERMES's per-column affine correction is calibrated on data; its margin was not found)"},
      "fullScaleUnitCurrents": {"value": 256, "source": "unused unless rangeMode is full-scale; 256 = all rows at gMax"}
    }
  },
  "noise": {
    "programming": {
      "model": "pcm-polynomial",
      "sigmaMicrosiemens": {"value": 0, "source": "copied from pcm-aihwkit: unused by pcm-polynomial (aihwkit noise/pcm.py prog_coeff = [0.26348, 1.9650, -1.1731], scaled by Gmax/25); HERMES's own fit (aihwkit hermes.py: a cubic with 20.7 uS reference) has no hffsim key"}
    },
    "readRelative": {"value": 0, "source": "copied from pcm-aihwkit: aihwkit io.py w_noise = 0 (the 1/f read noise accumulates in the pcm-aihwkit drift model)"},
    "drift": {
      "model": "pcm-aihwkit",
      "nuMean": {"value": 0.049, "source": "copied from pcm-aihwkit: unused by pcm-aihwkit (nu drawn from the target conductance); HERMES's own drift fit (hermes.py, branch functions of G/Gmax, t0 = 300 s) has no hffsim key"},
      "nuStd": {"value": 0.008, "source": "copied from pcm-aihwkit: unused by pcm-aihwkit"},
      "t0Seconds": {"value": 20, "source": "copied from pcm-aihwkit: aihwkit noise/pcm.py t_0 = 20 s (hermes.py uses 300 s with its own nu fit)"},
      "timeSinceProgrammingSeconds": {"value": 3600, "source": "assumption (copied from pcm-aihwkit): one hour"},
      "readSeconds": {"value": 2.5e-07, "source": "copied from pcm-aihwkit: aihwkit noise/pcm.py t_read = 250 ns (hermes.py uses 512 ns with its own fit)"},
      "globalCompensation": true,
      "compensationEstimate": "exact"
    },
    "stuckAtOnRate": {"value": 0, "source": "copied from pcm-aihwkit: aihwkit has no inference-time stuck-at faults"},
    "stuckAtOffRate": {"value": 0, "source": "copied from pcm-aihwkit: aihwkit has no inference-time stuck-at faults"},
    "deviceVariationRelative": {"value": 0, "source": "copied from pcm-aihwkit: contained in aihwkit's programming-noise fit"},
    "irDropAttenuationAtFullRows": {"value": 0, "source": "copied from pcm-aihwkit: aihwkit io.py ir_drop = 0.0"},
    "adcInputNoiseUnitCurrents": {"value": 0.06, "source": "copied from pcm-aihwkit: aihwkit io.py out_noise = 0.06 (one cell at Gmax under full input)"}
  },
  "energy": {
    "rowDriverFemtojoules": {"value": 0, "source": "lumped: the PWM drivers' energy is part of the measured MVM energy on energy.adcConversionPicojoules (no split published)"},
    "switchMatrixFemtojoules": {"value": 0, "source": "lumped: part of the measured MVM energy on energy.adcConversionPicojoules (no split published)"},
    "rowRegisterFemtojoules": {"value": 0, "source": "lumped: part of the measured MVM energy on energy.adcConversionPicojoules (no split published)"},
    "columnMuxFemtojoules": {"value": 0, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022): no column mux, each CCO ADC sits on its own unit-cell column (4 um pitch)"},
    "adcConversionPicojoules": {"value": 52.49, "source": "lumped: Le Gallo et al., Nat. Electron. 6, 680-693 (2023) Table I: 0.86 uJ per MVM with all 64 cores in use (1-phase, 8-bit in/out; counts the PCM crossbar array, ADCs and PWMs) / 64 cores / 256 conversions per core = 52.49 pJ per conversion, array and PWM drivers included (no breakdown published). This makes the 9.76 TOPS/W chip point a bookkeeping check"},
    "adcReferenceBits": {"value": 8, "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023): the 0.86 uJ figure is for 8-bit outputs"},
    "adcFactorPerBit": {"value": 2, "source": "assumption: a CCO ADC's count doubles per extra bit; applied to the whole lumped figure (array and PWM included), so sweeps over crossbar.adc.bits are rough"},
    "shiftAddPicojoules": {"value": 0, "source": "lumped: the CCO's ripple counter does the shift-and-add (Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022)), so its energy is part of the measured ADC energy; one multi-bit read of one slice leaves nothing else to add"},
    "accumulatePicojoules": {"value": 0.021, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacShiftAdd): the LDPU's partial-sum aggregation is not in the published MVM energy"},
    "bufferReadPicojoulesPerAccess": {"value": 20.45, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacEDRAM, 32 nm): HERMES's buffers were not found"},
    "bufferWritePicojoulesPerAccess": {"value": 20.45, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacEDRAM, 32 nm): HERMES's buffers were not found"},
    "networkHopPicojoulesPerByte": {"value": 0.648, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacRouter, 32 nm): HERMES's on-chip network energy was not found"},
    "wirePicojoulesPerBitMillimeter": {"value": 0.064, "source": "assumption (copied from pcm-aihwkit: NeuroSim 0.2 fF/um wire at 0.8 V); read only when chip.interconnect is h-tree or bus"},
    "inputWireToggleFraction": {"value": 0.5, "source": "assumption: random data; read only when chip.interconnect is h-tree or bus"},
    "outputWireToggleFraction": {"value": 0.5, "source": "assumption: random data; read only when chip.interconnect is h-tree or bus"},
    "adderTreeAddPicojoules": {"value": 0.021, "source": "assumption (copied from pcm-aihwkit); read only when chip.partialSumReduction is adder-tree"},
    "hostPicojoulesPerByte": {"value": 0.648, "source": "assumption (copied from pcm-aihwkit): as one mesh hop"},
    "normalizationOperationPicojoules": {"value": 0.565, "source": "assumption (copied from pcm-aihwkit, PUMA ALU multiply): the LDPU's energy is not in the published MVM energy and was not found"},
    "staticMilliwattsPerTile": {"value": 0, "source": "lumped: leakage during an MVM is part of the measured MVM energy; idle leakage was not found (assumption: 0)"}
  },
  "leakage": {
    "switchMatrixGatesPerLine": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "columnMuxGatesPerTile": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "gatesPerADC": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "shiftAddGatesPerADC": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "peripheryGatesPerTile": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"}
  },
  "timing": {
    "normalizationOperationNanoseconds": {"value": 1, "source": "assumption: one operation per lane per 1 GHz cycle"},
    "rowDriveSettleNanoseconds": {"value": 0, "source": "assumption: not published; the gap between the 128 ns window and the measured MVM time (130 ns core, Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022); 133 ns chip, Le Gallo et al., Nat. Electron. 6, 680-693 (2023)) is left unexplained rather than fitted here"},
    "shiftAddNanoseconds": {"value": 0, "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022): the ripple counter shifts and adds while it counts, so no time after the conversion"},
    "bufferNanosecondsPerAccess": {"value": 1, "source": "assumption: one access per 1 GHz cycle"},
    "networkNanosecondsPerByte": {"value": 0.03125, "source": "assumption: a 256-bit port at 1 GHz"},
    "networkHopNanoseconds": {"value": 1, "source": "assumption: one 1 GHz cycle per router and link"},
    "wireNanosecondsPerMillimeter": {"value": 0.1, "source": "assumption (copied from pcm-aihwkit); read only when chip.interconnect is h-tree or bus"},
    "adderTreeLevelNanoseconds": {"value": 1, "source": "assumption: one 1 GHz cycle per level; read only when chip.partialSumReduction is adder-tree"}
  }
}
"""###,
        "ideal.json": ###"""
{
  "schemaVersion": 1,
  "name": "ideal",
  "description": "A noiseless, high-precision crossbar to check that hardware equals float within rounding. Costs are rram-neurosim's (its base); only the function changes.",
  "base": "rram-neurosim",
  "chip": {
    "accumulatorBits": {"value": 64, "source": "ideal: the widest accumulator the format allows"}
  },
  "crossbar": {
    "rows": {"value": 512, "source": "ideal: large arrays, few row tiles"},
    "columns": {"value": 512, "source": "ideal: large arrays, few column tiles"},
    "bitsPerCell": {"value": 16, "source": "ideal: the most levels the format allows"},
    "conductanceMinMicrosiemens": {"value": 0, "source": "ideal: no offset conductance"},
    "weightEncoding": "differential",
    "weightBits": {"value": 24, "source": "ideal: 24-bit weights (a 16-bit analog slice and an 8-bit one), as fine as a Float's 24-bit significand"},
    "rowsPerRead": {"value": 512, "source": "ideal: every row in one read"},
    "dac": {
      "inputBits": {"value": 22, "source": "ideal: the most input bits the format allows"},
      "scheme": "multi-bit"
    },
    "adc": {
      "bits": {"value": 24, "source": "ideal: the most ADC bits the format allows"},
      "columnsPerADC": {"value": 1, "source": "ideal: one ADC per column"},
      "rangeMode": "calibrated-per-column",
      "calibrationHeadroom": {"value": 1, "source": "ideal: twice the calibration set's largest currents, so that no test input clips"}
    }
  },
  "learningCore": {
    "weights": {
      "scheme": "signed-integer",
      "bits": {"value": 16, "source": "ideal: 16-bit signed weights"}
    },
    "mismatchRelative": {"value": 0, "source": "ideal: no mismatch"},
    "input": {
      "gradedBits": {"value": 24, "source": "ideal: the largest graded payload the format allows"}
    },
    "learning": {
      "accumulatorBits": {"value": 32, "source": "ideal: 32-bit accumulators"}
    }
  },
  "energy": {
    "adcFactorPerBit": {"value": 1, "source": "ideal: a conversion costs rram-neurosim's 5-bit figure at any resolution (this preset checks function; its costs are not a design)"}
  }
}
"""###,
        "neurram.json": ###"""
{
  "schemaVersion": 1,
  "name": "neurram",
  "base": "parts/dynap-se2-core.json",
  "description": "NeuRRAM (Wan et al., Nature 608, 504-512 (2022)): 48 cores of 256 x 256 1T1R RRAM in 130 nm, voltage-mode sensing with one CMOS neuron (integrator and charge-decrement ADC) per column, weights as differential pairs, signed multi-bit inputs applied as 2^m - 1 integration steps. Operating point: 4-bit inputs and 6-bit outputs in one phase (Ext. Data Fig. 12). Energies come from the Ext. Data Fig. 12b breakdown and timing constants from CiMLoop's model of the chip (mit-emze/cimloop, wan_nature_2022). All of these are digitised or fitted values, not numbers printed in the paper. NeuRRAM pairs its cells on rows and hffsim pairs them on columns; the cells and MACs per core (256 x 128) are the same either way. Other precisions need --set on the DAC and ADC bits, the pulse and the conversion time. Off-macro keys (the chip used an FPGA for those parts) are assumptions.",
  "chip": {
    "tilesPerADC": {"value": 1, "source": "Wan et al., Nature 608, 504-512 (2022) Fig. 2: each core's 256 neurons (one per 16 x 16 corelet) serve only that core's array"},
    "digitalLanes": {"value": 64, "source": "assumption: NeuRRAM has no on-chip digital unit for partial sums and activations (done off-chip); 64 as the other presets"},
    "tileSites": {"value": 48, "source": "Wan et al., Nature 608, 504-512 (2022) (abstract, Fig. 1): 48 CIM cores"},
    "tileSitesPerRow": {"value": 8, "source": "assumption: 48 sites as 8 x 6 (the die's arrangement not checked)"},
    "accumulatorBits": {"value": 16, "source": "assumption: 10-bit neuron outputs (the widest, Ext. Data Fig. 12) summed over up to 48 row tiles fit 16 bits"},
    "inputDelivery": "unicast",
    "interconnect": "mesh",
    "partialSumReduction": "hub",
    "bufferAccessBytes": {"value": 32, "source": "assumption (copied from pcm-aihwkit): NeuRRAM's core registers and off-chip buffers not modelled"},
    "layerBufferInferences": {"value": 2, "source": "assumption: double-buffered layer buffers"},
    "hostInputBits": {"value": 8, "source": "assumption: 8-bit raw pixels, as Fashion-MNIST stores them"},
    "hostResultBytes": {"value": 4, "source": "assumption: a 32-bit class index"},
    "unusedTileSites": "power-gated",
    "idleUnits": "leaking"
  },
  "area": {
    "tileSquareMillimeters": {"value": 1.16, "source": "derived: Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 11f: neurons are 28% of a core, 256 neurons of 1,270 um^2 (the figures used in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py test_area_breakdown): 1,270 um^2 x 256 / 0.28 = 1.16 mm^2"},
    "learningCoreSquareMillimeters": {"value": 0, "source": "not given: DYNAP-SE2 is 98 mm^2 for 4 cores at 180 nm, a different node"}
  },
  "technology": {
    "nodeNanometers": {"value": 130, "source": "Wan et al., Nature 608, 504-512 (2022): 130 nm CMOS with monolithically integrated RRAM"},
    "supplyVolts": {"value": 1.8, "source": "Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 12b legend: neuron operations and control at 1.8 V (CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py labels; variables_iso.yaml VOLTAGE 1.8)"},
    "logicTransistors": "lstp",
    "clockGigahertz": {"value": 0.1, "source": "assumption: a 100 MHz control clock at 130 nm (no clock frequency found); the tile reads below are whole multiples of 10 ns, so rounding does not change them"}
  },
  "crossbar": {
    "cellType": "rram",
    "rows": {"value": 256, "source": "Wan et al., Nature 608, 504-512 (2022) Fig. 2: 256 x 256 RRAM per core (16 x 16 corelets of 16 x 16 cells)"},
    "columns": {"value": 256, "source": "Wan et al., Nature 608, 504-512 (2022) Fig. 2: 256 x 256 RRAM per core; as hffsim differential pairs: 128 outputs of 256 inputs, the same 256 x 128 MACs as NeuRRAM's row pairs"},
    "bitsPerCell": {"value": 3, "source": "Wan et al., Nature 608, 504-512 (2022) (abstract): models quantised to four-bit weights, taken as sign + 3 magnitude bits, one cell of the pair holding the magnitude at one of 8 write-verify targets (assumption: the four bits include the sign; use 4 if not)"},
    "conductanceMinMicrosiemens": {"value": 1, "source": "assumption: CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/../../memory_cells/rram_wan_nature_2022.cell.yaml ResistanceOff 1 MOhm = 1 uS, a modelling constant; NeuRRAM's own off-state conductance was not found"},
    "conductanceMaxMicrosiemens": {"value": 40, "source": "aihwkit inference/noise/reram.py ReRamWan2022NoiseModel: 40 uS, the reference g_max of its fit to the Wan et al. 2022 data"},
    "weightEncoding": "differential",
    "weightBits": {"value": 3, "source": "four-bit signed weights as 3 magnitude bits (hffsim's differential codes run -(2^B - 1)...2^B - 1, like dac.inputBits counting magnitude bits)"},
    "readVolts": {"value": 0, "source": "lumped: V_read is 0.5 V (Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 12b legend). Voltage-mode sensing does not draw V^2 G through every cell for the whole integration time: 0.25 V^2 x 20 uS x 1,890 ns x 65,536 cells = 619 nJ per MVM, 150 x the measured total. The measured input-pulse energy, cells included, is on energy.rowDriverFemtojoules"},
    "readPulseNanoseconds": {"value": 1890, "source": "CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/variables_free.yaml: LATENCY_INTEGRATE 0.27 us per integration step x (2^3 - 1) = 7 steps for 3 magnitude bits (helper_functions.py bits2integration_steps). CiMLoop's constant for its model of Ext. Data Fig. 12; the paper does not state it"},
    "rowsPerRead": {"value": 256, "source": "Wan et al., Nature 608, 504-512 (2022) Fig. 2b: voltage-mode sensing activates all rows and all columns in one cycle"},
    "dac": {
      "inputBits": {"value": 3, "source": "operating point 4-bit signed inputs (Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 12): 3 magnitude bits per sign pass (CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/variables_free.yaml ENCODED_INPUT_BITS = INPUT_BITS - 1); 3 is the most bits NeuRRAM runs in one phase (MAX_INPUT_BITS_BEFORE_TWO_PHASE: 3)"},
      "scheme": "multi-bit",
      "pulseEncoding": "count",
      "referenceBits": {"value": 3, "source": "readPulseNanoseconds (7 integration steps) and rowDriverFemtojoules (Ext. Data Fig. 12b at 4-bit signed inputs) are for 3 magnitude bits"},
      "inputScaling": "calibrated"
    },
    "adc": {
      "bits": {"value": 6, "source": "Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 12b caption: outputs are 2 bits wider than inputs, so 6 bits at 4-bit inputs"},
      "columnsPerADC": {"value": 2, "source": "Wan et al., Nature 608, 504-512 (2022) Fig. 2f: one neuron per column, with no mux; as hffsim's differential pair of columns that is one conversion per read (128 per core)"},
      "conversionNanoseconds": {"value": 1800, "source": "CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/variables_free.yaml: LATENCY_ADC_STEP 0.3 us per output bit of the charge-decrement ADC x 6 bits (CiMLoop's constant, not stated in the paper); type sar for the time law: CiMLoop times the charge-decrement neuron per output bit (LATENCY_ADC_STEP), as a SAR's one comparison per bit"},
      "type": "sar",
      "rangeMode": "calibrated-per-layer",
      "rangeReference": "gmax",
      "sampleAndHold": false,
      "calibrationHeadroom": {"value": 0, "source": "assumption: ranges at the calibration set's largest currents (NeuRRAM calibrates its neurons' range on data; its margin was not found)"},
      "fullScaleUnitCurrents": {"value": 256, "source": "unused unless rangeMode is full-scale; 256 = all rows at gMax"}
    }
  },
  "noise": {
    "programming": {
      "model": "constant",
      "sigmaMicrosiemens": {"value": 3.3, "source": "derived: aihwkit inference/noise/reram.py ReRamWan2022NoiseModel, a 4th-order fit to Wan et al. 2022's conductance-relaxation data (Ext. Data Fig. 3c,d). One day after programming, sigma = 0.701 + 22.086 g - 50.773 g^2 + 47.095 g^3 - 16.458 g^4 uS with g = G / 40 uS. Its mean over g in [0, 1] is 3.30 uS (0.70 uS at g = 0, 3.91 uS at g = 0.5; 1.73 uS mean at 1 s). Here it is applied as a constant spread after relaxation"}
    },
    "readRelative": {"value": 0.01, "source": "aihwkit inference/noise/reram.py (ReRamWan2022NoiseModel docstring): short-term read noise about 1%, with no separate data in Wan et al."},
    "drift": {
      "model": "none",
      "nuMean": {"value": 0, "source": "aihwkit reram.py: RRAM relaxation is a spread, not a power-law drift; it is in the programming sigma above"},
      "nuStd": {"value": 0, "source": "aihwkit reram.py: RRAM relaxation is a spread, not a power-law drift; it is in the programming sigma above"},
      "t0Seconds": {"value": 1, "source": "unused while drift is off"},
      "timeSinceProgrammingSeconds": {"value": 86400, "source": "informational: the one-day point of the relaxation fit that the programming sigma uses (drift is off)"},
      "readSeconds": {"value": 2.7e-07, "source": "unused while drift is off (pcm-aihwkit only); one integration step"},
      "globalCompensation": false,
      "compensationEstimate": "exact"
    },
    "stuckAtOnRate": {"value": 0, "source": "assumption: no stuck-at rate found for NeuRRAM"},
    "stuckAtOffRate": {"value": 0, "source": "assumption: no stuck-at rate found for NeuRRAM"},
    "deviceVariationRelative": {"value": 0, "source": "contained in the measured spread behind the programming sigma"},
    "irDropAttenuationAtFullRows": {"value": 0, "source": "assumption: voltage-mode sensing settles without a DC column current (Wan et al. Fig. 2b), so no first-order IR drop"},
    "adcInputNoiseUnitCurrents": {"value": 0, "source": "assumption: the neuron's input-referred noise was not found"}
  },
  "energy": {
    "rowDriverFemtojoules": {"value": 2946, "source": "derived: Ext. Data Fig. 12b of Wan et al., Nature 608, 504-512 (2022) at 4-bit inputs / 6-bit outputs, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py test_energy_bits_scaling: input pulses (V_read 0.5 V: drivers and cells) 11.507 fJ/op x 65,536 ops per MVM / 256 driven rows = 2,946 fJ per row per read"},
    "switchMatrixFemtojoules": {"value": 0, "source": "inside the input-pulse and WL-switching figures of Ext. Data Fig. 12b"},
    "rowRegisterFemtojoules": {"value": 0, "source": "inside the input-pulse and WL-switching figures of Ext. Data Fig. 12b"},
    "columnMuxFemtojoules": {"value": 11139, "source": "mapping: Ext. Data Fig. 12b of Wan et al., Nature 608, 504-512 (2022) at 4-bit inputs / 6-bit outputs, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py test_energy_bits_scaling: WL switching (0.9 <-> 2.2 V) 21.756 fJ/op x 65,536 / 128 conversions = 11,139 fJ. The word lines gate each neuron's integration (one per neuron, toggled once per input bit, CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/arch.yaml wordline_cap), so the energy goes per converted output; NeuRRAM has no column mux, and this is hffsim's nearest per-conversion action"},
    "adcConversionPicojoules": {"value": 14.9, "source": "derived: Ext. Data Fig. 12b of Wan et al., Nature 608, 504-512 (2022) at 4-bit inputs / 6-bit outputs, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py test_energy_bits_scaling: neuron operations and control (1.8 V: sampling, integration, charge-decrement ADC, shift-add) 29.108 fJ/op x 65,536 / 128 conversions = 14.90 pJ at 6 bits"},
    "adcReferenceBits": {"value": 6, "source": "the 14.90 pJ figure is at 6-bit outputs"},
    "adcFactorPerBit": {"value": 1.167, "source": "derived: Ext. Data Fig. 12b (CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py): neuron + control 10.619 -> 12.387 fJ/op from 3- to 4-bit outputs at the same single magnitude input bit (1- and 2-bit signed inputs), 1.167 per output bit. Assumption that it holds at other widths: at wider inputs the integrator's share grows with the integration steps instead"},
    "shiftAddPicojoules": {"value": 0, "source": "inside neuron + control of Ext. Data Fig. 12b (CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022 counts shift_add there)"},
    "accumulatePicojoules": {"value": 0.021, "source": "assumption (copied from pcm-aihwkit, isaac.py 32 nm): partial sums were accumulated off-chip, outside the published energy"},
    "bufferReadPicojoulesPerAccess": {"value": 20.45, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacEDRAM 32 nm): not part of NeuRRAM's published energy"},
    "bufferWritePicojoulesPerAccess": {"value": 20.45, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacEDRAM 32 nm): not part of NeuRRAM's published energy"},
    "networkHopPicojoulesPerByte": {"value": 0.648, "source": "assumption (copied from pcm-aihwkit, isaac.py IsaacRouter 32 nm): NeuRRAM moves data between cores off-chip; not in the published energy"},
    "wirePicojoulesPerBitMillimeter": {"value": 0.064, "source": "assumption (copied from pcm-aihwkit); read only when chip.interconnect is h-tree or bus"},
    "inputWireToggleFraction": {"value": 0.5, "source": "assumption: random data; read only when chip.interconnect is h-tree or bus"},
    "outputWireToggleFraction": {"value": 0.5, "source": "assumption: random data; read only when chip.interconnect is h-tree or bus"},
    "adderTreeAddPicojoules": {"value": 0.021, "source": "assumption (copied from pcm-aihwkit); read only when chip.partialSumReduction is adder-tree"},
    "hostPicojoulesPerByte": {"value": 0.648, "source": "assumption (copied from pcm-aihwkit): as one mesh hop"},
    "normalizationOperationPicojoules": {"value": 0.565, "source": "assumption (copied from pcm-aihwkit, PUMA ALU multiply): done off-chip in NeuRRAM"},
    "staticMilliwattsPerTile": {"value": 0, "source": "inside the measured energy during an MVM (Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 12 counts the input and output stages); idle leakage was not found (assumption: 0)"}
  },
  "leakage": {
    "switchMatrixGatesPerLine": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "columnMuxGatesPerTile": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "gatesPerADC": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "shiftAddGatesPerADC": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"},
    "peripheryGatesPerTile": {"value": 0, "source": "none counted: this preset's leakage is the lumped energy.staticMilliwattsPerTile"}
  },
  "timing": {
    "normalizationOperationNanoseconds": {"value": 10, "source": "assumption: one operation per lane per 100 MHz cycle"},
    "rowDriveSettleNanoseconds": {"value": 300, "source": "CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/variables_free.yaml: LATENCY_INTER_PHASE 0.3 us per phase, 'includes sampling' (initialisation and precharge, Wan et al., Nature 608, 504-512 (2022) Ext. Data Fig. 4a); one phase at this precision"},
    "shiftAddNanoseconds": {"value": 0, "source": "inside the ADC steps: the charge-decrement ADC produces the output bits itself"},
    "bufferNanosecondsPerAccess": {"value": 10, "source": "assumption: one access per 100 MHz cycle"},
    "networkNanosecondsPerByte": {"value": 0.3125, "source": "assumption: a 256-bit port at 100 MHz"},
    "networkHopNanoseconds": {"value": 10, "source": "assumption: one 100 MHz cycle per router and link"},
    "wireNanosecondsPerMillimeter": {"value": 0.1, "source": "assumption (copied from pcm-aihwkit); read only when chip.interconnect is h-tree or bus"},
    "adderTreeLevelNanoseconds": {"value": 10, "source": "assumption: one 100 MHz cycle per level; read only when chip.partialSumReduction is adder-tree"}
  }
}
"""###,
        "parts/dynap-se2-core.json": ###"""
{
  "description": "A DYNAP-SE2-style local-learning core: DYNAP-SE2's structure, weight scheme and mismatch; per-event costs (which DYNAP-SE2 does not publish) from Loihi 1 and ODIN, marked as assumptions. Not a preset by itself: rram-neurosim and pcm-aihwkit take it as their base. Sources: /work/shared/reference/hardware-facts.md and docs/notes/hardware-presets.md.",
  "learningCore": {
    "cores": {"value": 4, "source": "DYNAP-SE2 (Richter et al. 2023/2024): 4 cores of 256 neurons per chip"},
    "coresPerRow": {"value": 2, "source": "DYNAP-SE2: the 4 cores form a 2 x 2 grid"},
    "neuronsPerCore": {"value": 256, "source": "DYNAP-SE2: 256 neurons per core"},
    "synapsesPerNeuron": {"value": 64, "source": "DYNAP-SE2: 64 synapse slots (CAM entries) per neuron"},
    "tagsPerCore": {"value": 2048, "source": "DYNAP-SE2: 11-bit source tags"},
    "destinationsPerNeuron": {"value": 4, "source": "DYNAP-SE2: 4 destination entries per neuron (core mask, x/y hops, tag)"},
    "weights": {
      "scheme": "base-weight-mask",
      "bits": {"value": 4, "source": "DYNAP-SE2: a 4-bit mask over 4 base currents shared by the core (at most 16 levels per core); binary-weighted bases are an assumption"}
    },
    "mismatchRelative": {"value": 0.1, "source": "Rockpool DynapSim: each analog parameter x + x N(0, 0.1) by default (ROLLS neuron mismatch about 9.4%)"},
    "input": {
      "coding": "graded",
      "gradedBits": {"value": 8, "source": "assumption: 8-bit graded events as on Loihi 2 (DYNAP-SE2 spikes are binary; rate coding is the alternative)"},
      "rateSpikes": {"value": 16, "source": "assumption: 16 spikes for the largest component under rate coding"},
      "injectionNanoseconds": {"value": 2.1, "source": "assumption: one event per Loihi 1 spike-within-tile time (2.1 ns, Davies et al. 2018)"}
    },
    "routing": {
      "hopPicojoules": {"value": 4.0, "source": "assumption from Loihi 1 (Davies et al. 2018): tile hop 3.0 pJ east-west, 4.0 pJ north-south; the larger"},
      "hopNanoseconds": {"value": 6.5, "source": "assumption from Loihi 1: tile hop 4.1 ns east-west, 6.5 ns north-south; the larger"}
    },
    "energy": {
      "tagMatchPicojoules": {"value": 1.7, "source": "assumption from Loihi 1: spike within a tile 1.7 pJ"},
      "synapticOperationPicojoules": {"value": 23.6, "source": "assumption from Loihi 1: synaptic spike operation 23.6 pJ (ODIN, 28 nm: 12.7 pJ)"},
      "neuronUpdatePicojoules": {"value": 81, "source": "assumption from Loihi 1: active neuron update 81 pJ"},
      "winnerTakeAllStepPicojoules": {"value": 81, "source": "assumption: one Loihi 1 active neuron update per score compared"},
      "synapticUpdatePicojoules": {"value": 120, "source": "assumption from Loihi 1: synaptic update (learning) 120 pJ"},
      "staticMilliwattsPerCore": {"value": 0.1, "source": "assumption: no published DYNAP-SE2 or Loihi per-core leakage in reach; 0.1 mW as an order of magnitude"}
    },
    "timing": {
      "tagMatchNanoseconds": {"value": 2.1, "source": "assumption from Loihi 1: spike within a tile 2.1 ns"},
      "synapticOperationNanoseconds": {"value": 3.5, "source": "assumption from Loihi 1: synaptic spike operation 3.5 ns"},
      "parallelSynapses": false,
      "neuronUpdateNanoseconds": {"value": 8.4, "source": "assumption from Loihi 1: active neuron update 8.4 ns"},
      "winnerTakeAllStepNanoseconds": {"value": 8.4, "source": "assumption: one Loihi 1 active neuron update per score compared"},
      "synapticUpdateNanoseconds": {"value": 6.1, "source": "assumption from Loihi 1: synaptic update (learning) 6.1 ns"}
    },
    "learning": {
      "accumulatorBits": {"value": 16, "source": "Loihi 1: 16-bit synaptic accumulators for learning (7-bit traces)"},
      "rateShift": {"value": 3, "source": "assumption: learning rate 1/8, for learning a new class from a few samples"}
    }
  }
}
"""###,
        "pcm-aihwkit.json": ###"""
{
  "schemaVersion": 1,
  "name": "pcm-aihwkit",
  "base": "parts/dynap-se2-core.json",
  "description": "PCM tile after IBM aihwkit's PCMLikeNoiseModel and default InferenceRPUConfig: 512 x 512, 7-bit DAC, 9-bit ADC, differential pair, global drift compensation. Two of aihwkit's conventions are options here, not the default: crossbar.adc.rangeReference unit-weight (range and output noise in weight units) and noise.drift.compensationEstimate probe-read (its noisy drift estimate); docs/validation.md measures both. aihwkit has no energy or latency model: costs come from ISAAC (Accelergy) and PUMA, and the rest are assumptions. Source keys: docs/notes/hardware-presets.md.",
  "chip": {
    "tilesPerADC": {"value": 1, "source": "aihwkit: one ADC per column of a tile, none shared across tiles"},
    "digitalLanes": {"value": 64, "source": "assumption: 64 lanes per layer unit"},
    "tileSites": {"value": 64, "source": "IBM HERMES 14 nm PCM chip (Le Gallo et al. 2023): 64 analog cores; aihwkit itself models tiles, not a chip"},
    "tileSitesPerRow": {"value": 8, "source": "assumption: 8 x 8"},
    "accumulatorBits": {"value": 32, "source": "assumption: float-like digital accumulation, as aihwkit sums tile outputs in floating point"},
    "inputDelivery": "unicast",
    "interconnect": "mesh",
    "partialSumReduction": "hub",
    "bufferAccessBytes": {"value": 32, "source": "isaac.py IsaacEDRAM: 256-bit width"},
    "layerBufferInferences": {"value": 2, "source": "assumption: double-buffered (ping-pong) layer buffers, one inference written while one is read; aihwkit has no buffer model"},
    "hostInputBits": {"value": 8, "source": "assumption: 8-bit raw pixels, as Fashion-MNIST stores them"},
    "hostResultBytes": {"value": 4, "source": "assumption: a 32-bit class index"},
    "unusedTileSites": "power-gated",
    "idleUnits": "leaking"
  },
  "area": {
    "tileSquareMillimeters": {"value": 0, "source": "not given: aihwkit has no area model"},
    "learningCoreSquareMillimeters": {"value": 0, "source": "not given: DYNAP-SE2 is 98 mm^2 for 4 cores at 180 nm, not comparable at 14 nm"}
  },
  "technology": {
    "nodeNanometers": {"value": 14, "source": "assumption: IBM's 14 nm PCM chip (HERMES, Le Gallo et al. 2023); aihwkit has no technology"},
    "supplyVolts": {"value": 0.8, "source": "assumption: a typical 14 nm core supply"},
    "logicTransistors": "lstp",
    "clockGigahertz": {"value": 1, "source": "assumption: as rram-neurosim, so costs compare"}
  },
  "crossbar": {
    "cellType": "pcm",
    "rows": {"value": 512, "source": "aihwkit simulator/parameters/mapping.py: max_input_size = 512"},
    "columns": {"value": 512, "source": "aihwkit simulator/parameters/mapping.py: max_output_size = 512"},
    "bitsPerCell": {"value": 16, "source": "aihwkit inference/converter/conductance.py programs continuous targets (no quantisation); 16 bits stands for analog"},
    "conductanceMinMicrosiemens": {"value": 0, "source": "aihwkit inference/converter/conductance.py: g_min = 0.0"},
    "conductanceMaxMicrosiemens": {"value": 25, "source": "aihwkit inference/converter/conductance.py and noise/pcm.py: g_max = 25.0"},
    "weightEncoding": "differential",
    "weightBits": {"value": 16, "source": "aihwkit has no weight slicing: one analog cell per sign (16 bits stands for analog)"},
    "readVolts": {"value": 0.4005, "source": "aihwkit simulator/parameters/io.py IOParametersIRDropT: ir_drop_v_read = 0.4005"},
    "readPulseNanoseconds": {"value": 126, "source": "assumption: pulse-width input of 126 DAC steps (io.py inp_res = 1/(2^7 - 2)) at 1 ns per step"},
    "rowsPerRead": {"value": 512, "source": "aihwkit io.py: mv_type ONE_PASS, all inputs in one analog MVM"},
    "dac": {
      "inputBits": {"value": 6, "source": "aihwkit io.py: inp_res = 1/(2^7 - 2): 126 steps over +-inp_bound = +-1, so 63 levels per sign = 2^6 - 1 magnitudes in each of hffsim's sign passes; inputs scaled by abs-max per vector"},
      "scheme": "multi-bit",
      "pulseEncoding": "width",
      "referenceBits": {"value": 6, "source": "the readPulseNanoseconds above is for these 6 bits (126 DAC steps)"},
      "inputScaling": "per-sample"
    },
    "adc": {
      "bits": {"value": 9, "source": "aihwkit io.py: out_res = 1/(2^9 - 2), 510 steps over +-out_bound"},
      "columnsPerADC": {"value": 1, "source": "assumption: aihwkit models no ADC sharing; one ADC per column"},
      "conversionNanoseconds": {"value": 1, "source": "assumption: aihwkit has no latency model; type sar: the ADC whose energy this preset takes is ISAAC's SAR (isaac.py IsaacADC), one comparison per bit"},
      "type": "sar",
      "rangeMode": "full-scale",
      "rangeReference": "gmax",
      "sampleAndHold": false,
      "calibrationHeadroom": {"value": 0, "source": "unused while rangeMode is full-scale (aihwkit's out_bound = 12)"},
      "fullScaleUnitCurrents": {"value": 12, "source": "aihwkit io.py: out_bound = 12 (max|w| = 1 and max|x| = 1 units)"}
    }
  },
  "noise": {
    "programming": {
      "model": "pcm-polynomial",
      "sigmaMicrosiemens": {"value": 0, "source": "unused by pcm-polynomial; coefficients from aihwkit noise/pcm.py prog_coeff = [0.26348, 1.9650, -1.1731]"}
    },
    "readRelative": {"value": 0, "source": "aihwkit io.py: w_noise = 0 (the 1/f read noise accumulates in the pcm-aihwkit drift model)"},
    "drift": {
      "model": "pcm-aihwkit",
      "nuMean": {"value": 0.049, "source": "unused by pcm-aihwkit (nu drawn from the target conductance, noise/pcm.py generate_drift_coefficients); 0.049 = its lower clip"},
      "nuStd": {"value": 0.008, "source": "unused by pcm-aihwkit; 0.008 = the lower clip of its sigma_nu (noise/pcm.py)"},
      "t0Seconds": {"value": 20, "source": "aihwkit noise/pcm.py: t_0 = 20.0"},
      "timeSinceProgrammingSeconds": {"value": 3600, "source": "assumption: one hour, a common aihwkit evaluation point"},
      "readSeconds": {"value": 2.5e-07, "source": "aihwkit noise/pcm.py: t_read = 250.0e-9"},
      "globalCompensation": true,
      "compensationEstimate": "exact"
    },
    "stuckAtOnRate": {"value": 0, "source": "aihwkit has no inference-time stuck-at faults"},
    "stuckAtOffRate": {"value": 0, "source": "aihwkit has no inference-time stuck-at faults"},
    "deviceVariationRelative": {"value": 0, "source": "contained in aihwkit's programming-noise fit; it adds none"},
    "irDropAttenuationAtFullRows": {"value": 0, "source": "aihwkit io.py: ir_drop = 0.0 on the default tile"},
    "adcInputNoiseUnitCurrents": {"value": 0.06, "source": "aihwkit io.py: out_noise = 0.06 in max|w| = max|x| = 1 units (one cell at Gmax under full input), absolute: the same at any out_res"}
  },
  "energy": {
    "rowDriverFemtojoules": {"value": 3.5, "source": "PUMA simulator include/constants.py: DAC 0.00350625 mW x 1 ns"},
    "switchMatrixFemtojoules": {"value": 0, "source": "not given yet: NeuroSim V1.4 computes it from gate capacitances (SwitchMatrix.cpp); the cost-validation issue derives it"},
    "rowRegisterFemtojoules": {"value": 0, "source": "not given: aihwkit has no switch-matrix model"},
    "columnMuxFemtojoules": {"value": 0, "source": "not given yet: NeuroSim V1.4 computes it from gate capacitances (Mux.cpp); the cost-validation issue derives it"},
    "adcConversionPicojoules": {"value": 1.97, "source": "Accelergy hwcomponents-library isaac.py IsaacADC table: 9 bits 1.97 pJ (32 nm, 1.2 GS/s SAR)"},
    "adcReferenceBits": {"value": 9, "source": "isaac.py IsaacADC table entry used above"},
    "adcFactorPerBit": {"value": 1.2, "source": "geometric fit of isaac.py IsaacADC table, 4 to 10 bits: (2.38 / 0.79)^(1/6) = 1.20"},
    "shiftAddPicojoules": {"value": 0.021, "source": "isaac.py IsaacShiftAdd: 0.021 pJ (unused without slicing)"},
    "accumulatePicojoules": {"value": 0.021, "source": "isaac.py IsaacShiftAdd: partial sums across 512-row tiles"},
    "bufferReadPicojoulesPerAccess": {"value": 20.45, "source": "isaac.py IsaacEDRAM: 20.45 pJ per 256-bit read, 32 nm"},
    "bufferWritePicojoulesPerAccess": {"value": 20.45, "source": "isaac.py IsaacEDRAM: 20.45 pJ per 256-bit write, 32 nm"},
    "networkHopPicojoulesPerByte": {"value": 0.648, "source": "isaac.py IsaacRouter: 20.74 pJ per 256 bits, 32 nm"},
    "wirePicojoulesPerBitMillimeter": {"value": 0.064, "source": "NeuroSim V1.4 HTree.cpp: unitLengthWireCap = 0.2e-15/1e-6 F/m (0.2 fF/um, line 69), unitLengthEnergyWire = C vdd^2 / 2 per bit (line 321): 0.2 fF/um x 1000 um x 0.8^2 V^2 / 2 = 0.064 pJ per bit and mm at technology.supplyVolts, wire only (repeaters not included); assumption: NeuroSim's 22 nm wire capacitance at 14 nm; read only when chip.interconnect is h-tree"},
    "inputWireToggleFraction": {"value": 0.5, "source": "assumption: random data, each bit switches with probability 0.5; read only when chip.interconnect is h-tree or bus"},
    "outputWireToggleFraction": {"value": 0.5, "source": "assumption: random data, each bit switches with probability 0.5; read only when chip.interconnect is h-tree or bus"},
    "adderTreeAddPicojoules": {"value": 0.021, "source": "assumption: the same 16-bit adder as shift-add (Accelergy hwcomponents-library isaac.py IsaacShiftAdd: 0.021 pJ, 32 nm); read only when chip.partialSumReduction is adder-tree"},
    "hostPicojoulesPerByte": {"value": 0.648, "source": "assumption: as one mesh hop (Accelergy isaac.py IsaacRouter, 20.74 pJ per 256 bits)"},
    "normalizationOperationPicojoules": {"value": 0.565, "source": "PUMA include/constants.py: ALU multiply 0.795 x 32/45 mW x 1 ns"},
    "staticMilliwattsPerTile": {"value": 0, "source": "none lumped: the tile's leakage is counted per component in leakage.* (issue 12). Before, PUMA's leakage of its shared 1.28 GS/s ADC (adc_pow_leak_dict 0.2 mW) was charged for each of the 512 per-column converters, 102.6 mW per tile: 99% of every inference's energy"}
  },
  "leakage": {
    "switchMatrixGatesPerLine": {"value": 8, "source": "NeuroSim V1.4 DFF.cpp 191: a D flip-flop leaks as 8 minimum inverters; assumption: one register per word line and per column, as NeuroSim's switch matrices (1,024 lines: 61 nW per tile at 7.45 pW per minimum inverter (14 nm FinFET LSTP at 0.8 V: LogicTechnology))"},
    "columnMuxGatesPerTile": {"value": 0, "source": "no column mux: one converter per column (crossbar.adc.columnsPerADC 1)"},
    "gatesPerADC": {"value": 72, "source": "assumption: the SAR's successive-approximation register, 9 D flip-flops of 8 minimum inverters (DFF.cpp 191); NeuroSim V1.4 sets its SAR ADC's leakage to 0 (SarADC.cpp 140), so this is an upper bound of the logic alone"},
    "shiftAddGatesPerADC": {"value": 0, "source": "no shift-add: one weight slice (16-bit cells) and multi-bit input reads leave nothing to shift and add"},
    "peripheryGatesPerTile": {"value": 329248, "source": "assumption: rram-neurosim's periphery share per 128 x 128 subarray (20,578 gates: NeuroSim V1.4's buffers, accumulators and buses) x 16, the subarrays' worth of cells in a 512 x 512 tile"}
  },
  "timing": {
    "normalizationOperationNanoseconds": {"value": 1, "source": "assumption: one operation per lane per 1 GHz cycle"},
    "rowDriveSettleNanoseconds": {"value": 126, "source": "assumption: equal to the pulse-width read above"},
    "shiftAddNanoseconds": {"value": 1, "source": "assumption: one 1 GHz cycle"},
    "bufferNanosecondsPerAccess": {"value": 1, "source": "assumption: one access per 1 GHz cycle"},
    "networkNanosecondsPerByte": {"value": 0.03125, "source": "assumption: a 256-bit router port at 1 GHz"},
    "networkHopNanoseconds": {"value": 1, "source": "assumption: one 1 GHz cycle per router and link"},
    "wireNanosecondsPerMillimeter": {"value": 0.1, "source": "assumption: the order of a repeated global wire's delay (NeuroSim V1.4 HTree.cpp derives it from repeater sizing; not reproduced here); read only when chip.interconnect is h-tree"},
    "adderTreeLevelNanoseconds": {"value": 1, "source": "assumption: one 1 GHz cycle per level (NeuroSim V1.4 AdderTree.cpp rounds a tree's latency up to whole cycles); read only when chip.partialSumReduction is adder-tree"}
  }
}
"""###,
        "rram-neurosim.json": ###"""
{
  "schemaVersion": 1,
  "name": "rram-neurosim",
  "base": "parts/dynap-se2-core.json",
  "description": "NeuroSim V1.4's default chip for a 784-1000-1000-1000 network with memcelltype = 2 (RRAM) and cellBit = 2: 22 nm LSTP, synchronous 601 MHz clock, 128 x 128 subarrays, 8 columns per 5-bit current-mode sense amplifier, 8-bit bit-serial inputs, 8-bit weights on 2-bit cells (4 slices) against a reference column (offset), register-file buffers, X-Y bus, adder trees per processing element. Derivations: docs/notes/cost-model.md.",
  "chip": {
    "tilesPerADC": {"value": 1, "source": "NeuroSim V1.4: ADCs belong to one subarray's columns (numColMuxed), not shared across subarrays"},
    "digitalLanes": {"value": 64, "source": "assumption: 64 lanes per layer unit (NeuroSim sizes its digital periphery to the array outputs)"},
    "tileSites": {"value": 768, "source": "NeuroSim V1.4 run on this network (issue 12; ../shared/reference/hardware-facts.md): 768 subarrays built, 736 used"},
    "tileSitesPerRow": {"value": 32, "source": "assumption: 768 subarray sites as 32 x 24 (NeuroSim places 12 tiles; their arrangement is not reproduced)"},
    "accumulatorBits": {"value": 24, "source": "assumption: 8-bit inputs x 8-bit weights x 1,024 rows need 26 bits at most; NeuroSim's adders grow with the partial sums (20-24 bits in the run)"},
    "inputDelivery": "broadcast",
    "interconnect": "bus",
    "partialSumReduction": "adder-tree",
    "bufferAccessBytes": {"value": 4, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the tile and PE buffers are register files with a 32-bit (28-bit) interface (Buffer.cpp 164-171; tileBufferType = peBufferType = false, Param.cpp)"},
    "layerBufferInferences": {"value": 2, "source": "assumption: double-buffered (ping-pong) layer buffers; NeuroSim's pipelined figure (1.24 us per image) assumes layers work on different images"},
    "hostInputBits": {"value": 8, "source": "assumption: 8-bit raw pixels, as Fashion-MNIST stores them"},
    "hostResultBytes": {"value": 4, "source": "assumption: a 32-bit class index"},
    "unusedTileSites": "leaking",
    "idleUnits": "leaking"
  },
  "area": {
    "tileSquareMillimeters": {"value": 0.0366, "source": "NeuroSim V1.4 run on this network (issue 12): chip area 28.1 mm^2 / 768 subarrays = 0.0366 mm^2 per subarray with its share of the tile, buffers and bus"},
    "learningCoreSquareMillimeters": {"value": 0, "source": "not given: DYNAP-SE2 is 98 mm^2 for 4 cores at 180 nm, not comparable at 22 nm"}
  },
  "technology": {
    "nodeNanometers": {"value": 22, "source": "NeuroSim V1.4 Param.cpp: technode = 22"},
    "supplyVolts": {"value": 0.85, "source": "NeuroSim V1.4 (commit ac828e6) Technology.cpp line 700: vdd = 0.85 (22 nm LSTP branch, 'PTM 22nm_LP', line 699)"},
    "logicTransistors": "lstp",
    "clockGigahertz": {"value": 0.601, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): synchronous = true (Param.cpp 116) sets the cycle to (max(row switch 0.088, mux + decoder) + MLSA 0.952 + encoder 0.148 ns) x beta 1.4 = 1.663 ns (SubArray.cpp 1294-1299, Param.cpp 371): 601 MHz, where 1 GHz was asked"}
  },
  "crossbar": {
    "cellType": "rram",
    "rows": {"value": 128, "source": "NeuroSim V1.4 Param.cpp: numRowSubArray = 128"},
    "columns": {"value": 128, "source": "NeuroSim V1.4 Param.cpp: numColSubArray = 128"},
    "bitsPerCell": {"value": 2, "source": "issue 3 (NeuroSim's default cell holds 1 bit, cellBit = 1)"},
    "conductanceMinMicrosiemens": {"value": 0.588, "source": "NeuroSim V1.4 Param.cpp: resistanceOff = 100e3 * 17 (on/off ratio 17)"},
    "conductanceMaxMicrosiemens": {"value": 10, "source": "NeuroSim V1.4 Param.cpp: resistanceOn = 100e3 (100 kOhm)"},
    "weightEncoding": "offset",
    "weightBits": {"value": 8, "source": "NeuroSim V1.4 inference.py: --wl_weight 8"},
    "readVolts": {"value": 0.55, "source": "NeuroSim V1.4 Param.cpp: readVoltage = 0.55 at technode 22"},
    "readPulseNanoseconds": {"value": 0.952, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the sense amplifier's column sensing time T_col = 0.952 ns (MultilevelSenseAmp.cpp 224-227, 262), the time a column conducts per mux step; readPulseWidth = 10 ns (Param.cpp 365) is not used on this path (only ReadCircuit.cpp and ShiftAdd.cpp read it)"},
    "rowsPerRead": {"value": 128, "source": "NeuroSim V1.4 Param.cpp: numRowParallel = numRowSubArray (inference.py --parallelRead 128; 2-bit cells require it)"},
    "dac": {
      "inputBits": {"value": 8, "source": "NeuroSim V1.4 inference.py: --wl_activate 8"},
      "scheme": "bit-serial",
      "pulseEncoding": "amplitude",
      "referenceBits": {"value": 8, "source": "unused while the scheme is bit-serial (1-bit pulses); 8 = dac.inputBits"},
      "inputScaling": "per-sample"
    },
    "adc": {
      "bits": {"value": 5, "source": "NeuroSim V1.4 Param.cpp: levelOutput = 32 (inference.py --ADCprecision 5)"},
      "columnsPerADC": {"value": 8, "source": "NeuroSim V1.4 Param.cpp: numColMuxed = 8"},
      "conversionNanoseconds": {"value": 0.711, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the rest of one synchronous 1.663 ns cycle per mux step after the 0.952 ns sensing (row switch 0.088 and encoder 0.148 ns, all x beta 1.4; SubArray.cpp 1294-1299); type sense-amplifier: NeuroSim's multilevel current-mode sense amplifier (MultilevelSenseAmp.cpp), its references compared at once, so the time does not grow with bits"},
      "type": "sense-amplifier",
      "rangeMode": "calibrated-per-layer",
      "rangeReference": "gmax",
      "sampleAndHold": false,
      "calibrationHeadroom": {"value": 0, "source": "assumption: ranges at the calibration set's largest currents; NeuroSim's own accuracy model quantises each partial output over its own range (LinearQuantizeOut, not reproduced)"},
      "fullScaleUnitCurrents": {"value": 128, "source": "unused unless rangeMode is full-scale; 128 = all rows at gMax, NeuroSim MultilevelSenseAmp.cpp's reference spacing"}
    }
  },
  "noise": {
    "programming": {
      "model": "none",
      "sigmaMicrosiemens": {"value": 0, "source": "NeuroSim V1.4 has no programming noise apart from device variation"}
    },
    "readRelative": {"value": 0, "source": "NeuroSim V1.4 has no per-read noise (V1.5 adds measured tables)"},
    "drift": {
      "model": "none",
      "nuMean": {"value": 0, "source": "NeuroSim V1.4 inference.py: --v 0 (retention off)"},
      "nuStd": {"value": 0, "source": "NeuroSim V1.4 inference.py: --v 0 (retention off)"},
      "t0Seconds": {"value": 1, "source": "assumption: unused while drift is off"},
      "timeSinceProgrammingSeconds": {"value": 0, "source": "NeuroSim V1.4 inference.py: --t 0"},
      "readSeconds": {"value": 1e-08, "source": "NeuroSim V1.4 Param.cpp: readPulseWidth = 10e-9 (used only by the pcm-aihwkit drift model)"},
      "globalCompensation": false,
      "compensationEstimate": "exact"
    },
    "stuckAtOnRate": {"value": 0, "source": "NeuroSim V1.4 has no stuck-at faults (V1.5 adds them)"},
    "stuckAtOffRate": {"value": 0, "source": "NeuroSim V1.4 has no stuck-at faults (V1.5 adds them)"},
    "deviceVariationRelative": {"value": 0, "source": "NeuroSim V1.4 inference.py: --vari 0 (multiplicative G (1 + N(0, sigma)) when set)"},
    "irDropAttenuationAtFullRows": {"value": 0, "source": "NeuroSim's accuracy model has no IR drop"},
    "adcInputNoiseUnitCurrents": {"value": 0, "source": "assumption: NeuroSim models no ADC input noise"}
  },
  "energy": {
    "rowDriverFemtojoules": {"value": 55.1, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): word-line gate charge C_row2 x vdd^2 = 9.54 fF x 0.85^2 = 6.89 fJ per driven row per mux step (SubArray.cpp 1853, 1856), x 8 mux steps (numColMuxed) per read"},
    "switchMatrixFemtojoules": {"value": 44.0, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): NewSwitchMatrix transmission gates 2 C_d V_acc^2 + 3 C_d V_r^2 + 3 (C_gN + C_gP) vdd^2 = 5.50 fJ per driven row per mux step (NewSwitchMatrix.cpp 204, 210-216), x 8 mux steps per read"},
    "rowRegisterFemtojoules": {"value": 11.3, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the switch matrix's DFF clocks every row, driven or not: 1.41 fJ per row per mux step (NewSwitchMatrix.cpp, DFF.cpp 196-208), x 8 mux steps per read"},
    "columnMuxFemtojoules": {"value": 1.97, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): column mux C_gN vdd^2 + 2 C_d V_r^2 = 1.79 fJ per selected column (Mux.cpp 224-226) + its decoder 23 fJ per 8 steps / 128 conversions = 0.18 fJ (SubArray.cpp 1829-1830)"},
    "adcConversionPicojoules": {"value": 0.0504, "source": "NeuroSim V1.4 run on this network (issue 12): ADC 37.1 nJ / 736,000 conversions = 50.4 fJ per 5-bit current-mode sense-amplifier conversion (MultilevelSenseAmp.cpp 306-317: (L - 1) E_sw + (P_col + P_ref) T_col; 30-85 fJ with the column's resistance)"},
    "adcReferenceBits": {"value": 5, "source": "NeuroSim V1.4 Param.cpp: levelOutput = 32 (the 50.4 fJ figure is for 5 bits)"},
    "adcFactorPerBit": {"value": 2.2, "source": "NeuroSim V1.4 C++ run: 51 fJ (5-bit) / 23 fJ (4-bit) = 2.2 per bit (hardware-facts.md); assumption that it holds at other widths"},
    "shiftAddPicojoules": {"value": 0.0142, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): per input bit and array, shiftAddWeight 96 adds of 5 bits (5.39 fJ adder + 9 DFF 6.35 fJ = 11.7 fJ) and shiftAddInput 32 adds of 9 bits (9.64 + 12.0 = 21.6 fJ): 1.82 pJ per 128 conversions (ShiftAdd.cpp 240-261, Adder.cpp 249-276, DFF.cpp 191-208) = 14.2 fJ per shift-add (one per converted column)"},
    "accumulatePicojoules": {"value": 0.043, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): a 24-bit adder 25.6 fJ (AdderTree.cpp with Adder.cpp 249-276, delta vdd^2 C(N)) + 24 DFF x 0.705 fJ (DFF.cpp 196-208); estimate: NeuroSim's accumulation units are AdderTree instances"},
    "bufferReadPicojoulesPerAccess": {"value": 0.0237, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): register-file buffer read 0.74 fJ per bit (Buffer.cpp 241-259: decoder and DFF clock / numBit) x 32 bits"},
    "bufferWritePicojoulesPerAccess": {"value": 0.04, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): register-file buffer write 1.10-1.42 fJ per bit (Buffer.cpp 241-259) x 32 bits at the midpoint 1.26 fJ"},
    "networkHopPicojoulesPerByte": {"value": 0.648, "source": "unused while chip.interconnect is bus: Accelergy hwcomponents-library isaac.py IsaacRouter, 20.74 pJ per 256 bits, 32 nm"},
    "wirePicojoulesPerBitMillimeter": {"value": 0.097, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): repeated wire E/(bit m) = 0.5 (C_in,rep + C_out,rep + c_w d_min) vdd^2 / d_min with c_w = 0.2 fF/um and repeater spacing d_min = 89.6 um (HTree.cpp 69, 77-80, 315-321; XYBus.cpp 203-224): 0.097 pJ per switching bit and mm"},
    "adderTreeAddPicojoules": {"value": 0.0256, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): one 24-bit addition in an AdderTree: 25.6 fJ (about 1.07 fJ per bit; AdderTree.cpp 176-213, Adder.cpp 249-276)"},
    "hostPicojoulesPerByte": {"value": 0.648, "source": "assumption: as one mesh hop (Accelergy isaac.py IsaacRouter, 20.74 pJ per 256 bits)"},
    "normalizationOperationPicojoules": {"value": 0.565, "source": "PUMA simulator include/constants.py: ALU multiply 0.795 x 32/45 mW x 1 ns"},
    "staticMilliwattsPerTile": {"value": 0, "source": "none lumped: the tile's leakage is counted per component in leakage.* (NeuroSim V1.4 charges leakage per gate, formula.cpp 1264-1300)"},
    "inputWireToggleFraction": {"value": 0.18, "source": "NeuroSim V1.4 (commit ac828e6) Param.cpp line 192: inputtoggle = 0.18, applied to input bits on the chip bus (Chip.cpp 891, 901)"},
    "outputWireToggleFraction": {"value": 0.5, "source": "NeuroSim V1.4 (commit ac828e6) Param.cpp line 201: outputtoggle = 0.5, applied to output bits on the chip bus (Chip.cpp 891, 901)"}
  },
  "leakage": {
    "switchMatrixGatesPerLine": {"value": 8, "source": "NeuroSim V1.4 DFF.cpp 191: a D flip-flop leaks as 8 minimum inverters; one register per word line (wlNewSwitchMatrix) and per source line (slSwitchMatrix), 4.4 nW each per 128 x 128 subarray in the run"},
    "columnMuxGatesPerTile": {"value": 164, "source": "NeuroSim V1.4 run on this network (docs/notes/cost-model.md, leakage (10): SubArray.cpp 1886-1905): the column mux's decoder leaks 0.71 nW per subarray (the mux's transmission gates none, NewSwitchMatrix.cpp 207) / 4.337 pW per minimum inverter (22 nm LSTP at 0.85 V: LogicTechnology)"},
    "gatesPerADC": {"value": 280, "source": "NeuroSim V1.4 run on this network (docs/notes/cost-model.md, leakage (10): SubArray.cpp 1886-1905): the multilevel sense amplifiers' encoder leaks 19.4 nW per subarray of 16 sense amplifiers (the amplifier itself none) / 4.337 pW per minimum inverter (22 nm LSTP at 0.85 V: LogicTechnology)"},
    "shiftAddGatesPerADC": {"value": 641, "source": "NeuroSim V1.4 run on this network (docs/notes/cost-model.md, leakage (10): SubArray.cpp 1886-1905): the input and weight shift-add units leak 28.8 + 15.7 nW per subarray of 16 sense amplifiers (Adder.cpp 249, DFF.cpp 191) / 4.337 pW per minimum inverter (22 nm LSTP at 0.85 V: LogicTechnology)"},
    "peripheryGatesPerTile": {"value": 20578, "source": "NeuroSim V1.4 run on this network (docs/notes/cost-model.md, leakage (10): SubArray.cpp 1886-1905): chip leakage 125 uW / 768 subarrays = 162.8 nW per subarray, less its own 73.5 nW, is its share of the tile and PE buffers, accumulators and buses, 89.3 nW / 4.337 pW per minimum inverter (22 nm LSTP at 0.85 V: LogicTechnology); bookkeeping (the split among them was not traced): the chip total is NeuroSim's"}
  },
  "timing": {
    "normalizationOperationNanoseconds": {"value": 1.663, "source": "assumption: one operation per lane per synchronous cycle (1.663 ns, technology.clockGigahertz)"},
    "rowDriveSettleNanoseconds": {"value": 0, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the row switch (6.9 ps) and mux path (88 ps) are inside the synchronous cycle (SubArray.cpp 1294); no separate settle"},
    "shiftAddNanoseconds": {"value": 1.663, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): the shift-add's adders take 0.30-0.56 ns, counted as one cycle behind the last conversion (SubArray.cpp 1320-1330)"},
    "bufferNanosecondsPerAccess": {"value": 1.663, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): one interface-width access per cycle (Buffer.cpp 164-171)"},
    "networkNanosecondsPerByte": {"value": 0.03125, "source": "assumption: a 256-bit port at 1 GHz; NeuroSim sizes its bus width to the tiles (Chip.cpp 385-405), not reproduced"},
    "networkHopNanoseconds": {"value": 1, "source": "unused while chip.interconnect is bus: assumption, one 1 GHz cycle per router and link"},
    "wireNanosecondsPerMillimeter": {"value": 0.219, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): XYBus unitLatencyRep = 0.7 (R_on (C_in + C_out + c_w d_min) + 0.54 r_w c_w d_min^2 + r_w d_min C_in) / d_min = 0.219 ns per mm (XYBus.cpp 160-166)"},
    "adderTreeLevelNanoseconds": {"value": 1.663, "source": "NeuroSim V1.4 run (docs/notes/cost-model.md): an adder level takes about 63 ps per bit (1.26 ns at 20 bits), the tree's latency rounded up to whole cycles (AdderTree.cpp 127-172, line 169): one 1.663 ns cycle"}
  }
}
"""###,
        "validation/reference-points.json": ###"""
{
  "description": "Reference points for `hffsim validate`: each a preset, a workload, a quantity and a published or independently simulated figure with its source, and the band hffsim must stay in. docs/validation.md explains every remaining difference.",
  "points": [
    {"id": "neurosim-energy", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "layersEnergyNanojoules", "unit": "nJ", "reference": 90.2, "band": [0.5, 2], "source": "NeuroSim V1.4 (github neurosim/DNN_NeuroSim_V1.4, commit ac828e6), Param.cpp memcelltype = 2, cellBit = 2, otherwise default, on 784-1000-1000-1000 with real Fashion-MNIST activations (issue 12): 90.2 nJ per inference (dynamic 89.9, leakage 0.30)"},
    {"id": "neurosim-latency", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "layersLatencyNanoseconds", "unit": "ns", "reference": 3630, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run: 3.63 us for one image layer by layer (buffers 3.1 us of it)"},
    {"id": "neurosim-throughput", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "layersThroughputPerSecond", "unit": "1/s", "reference": 806000, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run: 1.24 us per image pipelined (806,000 per s)"},
    {"id": "neurosim-conversions", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "adcConversionsPerInference", "unit": "", "reference": 736000, "band": [0.8, 1.25], "source": "the same NeuroSim V1.4 run: 736,000 column conversions per inference", "note": "hffsim skips a read whose input bit-plane is all zero for the sample; NeuroSim's count is per layer"},
    {"id": "neurosim-arrays", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "arraysUsed", "unit": "", "reference": 736, "band": [0.9, 1.1], "source": "the same NeuroSim V1.4 run: 736 of 768 subarrays used", "note": "hffsim adds a reference column per weight slice to each array (offset encoding), so 31 weights fit an array's 128 columns where NeuroSim fits 32"},
    {"id": "neurosim-adc", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "adcNanojoules", "unit": "nJ", "reference": 37.1, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run, breakdown: ADC 37.1 nJ"},
    {"id": "neurosim-cells", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "cellNanojoules", "unit": "nJ", "reference": 12.1, "band": [0.5, 4], "source": "the same NeuroSim V1.4 run, breakdown: cells and columns 12.1 nJ", "note": "structural: NeuroSim has no cell term of its own (the column current is inside the sense amplifier's fitted power, MultilevelSenseAmp.cpp 262-267), so its split of the ADC category is not a NeuroSim output; hffsim prices V^2 G t_col on the programmed conductances, and the offset encoding holds most weights near mid conductance. The category as a whole is the neurosim-adc-category point"},
    {"id": "neurosim-word-lines", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "wordLineNanojoules", "unit": "nJ", "reference": 5.2, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run, breakdown: word lines 5.2 nJ"},
    {"id": "neurosim-adc-category", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "neuroSimADCCategoryNanojoules", "unit": "nJ", "reference": 54.4, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run: its ADC category (sense amplifiers with the cells' current and the word lines, SubArray.cpp 1871) = 37.1 + 12.1 + 5.2 nJ"},
    {"id": "neurosim-switch-mux", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "switchMatrixAndMuxNanojoules", "unit": "nJ", "reference": 14.1, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run, breakdown: switch matrix and mux 14.1 nJ"},
    {"id": "neurosim-accumulation", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "accumulationNanojoules", "unit": "nJ", "reference": 11.1, "band": [0.5, 2], "source": "the same NeuroSim V1.4 run, breakdown: shift-add and accumulation 11.1 nJ"},
    {"id": "neurosim-buffers", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "bufferNanojoules", "unit": "nJ", "reference": 0.42, "band": [0.05, 2], "source": "the same NeuroSim V1.4 run, breakdown: buffers 0.42 nJ", "note": "structural: NeuroSim copies each layer's input through global, tile and processing-element buffers (about 24 times the layer's bits for layer 2 in a run of the same build); hffsim reads a layer's input once from one layer buffer and broadcasts it on the bus"},
    {"id": "neurosim-interconnect", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "interconnectNanojoules", "unit": "nJ", "reference": 9.7, "band": [0.5, 5], "source": "the same NeuroSim V1.4 run, breakdown: interconnect 9.7 nJ", "note": "structural: HFF normalises each layer's whole output vector, so hffsim sends 24-bit sums from every processing element to the layer's one digital unit over the chip bus, where NeuroSim's tiles apply the activation and send 8-bit outputs; and a processing element's partial sums cross sites of the bus where NeuroSim's stay on its PE bus"},
    {"id": "neurosim-leakage-power", "preset": "rram-neurosim", "workload": "hff-784-1000-1000-1000", "quantity": "leakageMicrowatts", "unit": "uW", "reference": 125, "band": [0.9, 1.1], "source": "the same NeuroSim V1.4 run: 125 uW chip leakage", "note": "bookkeeping: the preset's staticMilliwattsPerTile is this figure over the 768 subarrays"},
    {"id": "hermes-core-mvm-time", "preset": "hermes-pcm", "workload": "mvm-256x256", "quantity": "mvmNanoseconds", "unit": "ns", "reference": 130, "band": [0.7, 1.3], "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022), Table I: 1.008 TOPS for one core = 2 x 256 x 256 operations per 130 ns (8-bit inputs and outputs, 1 GHz)", "note": "independent of the preset's energies: the 128 ns PWM window plus an assumed 1 ns conversion"},
    {"id": "hermes-core-efficiency", "preset": "hermes-pcm", "workload": "mvm-256x256", "quantity": "mvmTopsPerWatt", "unit": "TOPS/W", "reference": 10.5, "band": [0.7, 1.3], "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022), abstract: 10.5 TOPS/W for one core at 1 GHz", "note": "partly independent: the preset's lumped 52.49 pJ per conversion comes from the chip's 0.86 uJ per 64-core MVM, a separate measurement of the same design"},
    {"id": "hermes-core-density", "preset": "hermes-pcm", "workload": "mvm-256x256", "quantity": "mvmTopsPerSquareMillimeter", "unit": "TOPS/mm^2", "reference": 1.59, "band": [0.7, 1.3], "source": "Khaddam-Aljameh et al., IEEE JSSC 57(4), 1027-1038 (2022), abstract: 1.59 TOPS/mm^2", "note": "bookkeeping for the area (the core's 0.634 mm^2 is 1.008 TOPS / 1.59 TOPS/mm^2); the time is the independent part"},
    {"id": "hermes-chip-throughput", "preset": "hermes-pcm", "sets": ["chip.tileSites=80"], "workload": "mvm-2048x2048", "quantity": "mvmTops", "unit": "TOPS", "reference": 63.1, "band": [0.7, 1.3], "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023), abstract: 63.1 TOPS with all 64 cores, 1-phase reads, 8-bit inputs and outputs", "note": "independent of the energies; chip.tileSites=80 leaves room for the workload's small head layer, which the MVM figures leave out"},
    {"id": "hermes-chip-efficiency", "preset": "hermes-pcm", "sets": ["chip.tileSites=80"], "workload": "mvm-2048x2048", "quantity": "mvmTopsPerWatt", "unit": "TOPS/W", "reference": 9.76, "band": [0.7, 1.3], "source": "Le Gallo et al., Nat. Electron. 6, 680-693 (2023), abstract and Table I: 9.76 TOPS/W, 0.86 uJ per 64-core MVM (array, ADCs and PWM drivers)", "note": "bookkeeping: the preset's lumped conversion energy is this figure / 64 cores / 256 conversions"},
    {"id": "neurram-core-mvm-time", "preset": "neurram", "workload": "mvm-256x128", "quantity": "mvmNanoseconds", "unit": "ns", "reference": 4230, "band": [0.7, 1.3], "source": "Wan et al., Nature 608, 504-512 (2022), Extended Data Fig. 12, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py: 0.744 TOPS over 48 cores at 4-bit inputs and 6-bit outputs = 65,536 operations per 4.23 us on one core", "note": "independent of the energies; the step times (0.27 us per integration step, 0.3 us per output bit, 0.3 us per phase) are CiMLoop's fit to the whole Fig. 12 sweep"},
    {"id": "neurram-chip-throughput", "preset": "neurram", "sets": ["chip.tileSites=80"], "workload": "mvm-256x6144", "quantity": "mvmTops", "unit": "TOPS", "reference": 0.744, "band": [0.7, 1.3], "source": "Wan et al., Nature 608, 504-512 (2022), Extended Data Fig. 12, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py: 0.744 TOPS with 48 cores at 4-bit inputs and 6-bit outputs", "note": "as the core's time; chip.tileSites=80 leaves room for the workload's head layer, which the MVM figures leave out"},
    {"id": "neurram-core-efficiency", "preset": "neurram", "workload": "mvm-256x128", "quantity": "mvmTopsPerWatt", "unit": "TOPS/W", "reference": 15.95, "band": [0.7, 1.3], "source": "Wan et al., Nature 608, 504-512 (2022), Extended Data Fig. 12, as digitised in CiMLoop (github mit-emze/cimloop d6e1390) workspace/models/arch/1_macro/wan_nature_2022/_tests.py: 15.95 TOPS/W at 4-bit inputs and 6-bit outputs", "note": "bookkeeping: the preset's energies are this point's Fig. 12b breakdown (input pulses 11.5, word lines 21.8, neurons and control 29.1 fJ per operation); at other precisions hffsim's fixed per-read prices miss the published efficiency by -55% to +50% (docs/validation.md)"},
    {"id": "aihwkit-9bit-1h", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 89.2, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults (PCMLikeNoiseModel, GlobalDriftCompensation, inp_res 1/126, out_noise 0.06, no weight scaling), the same HFF weights, 10,000 Fashion-MNIST test images, mean of 5 seeds (scripts/aihwkit_hff.py, run 2026-12-04): 89.2% at 9-bit ADC, t = 3600 s", "note": "runs only with the model and test set it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist, no --samples); differences from aihwkit's defaults in docs/validation.md", "dataset": "fashion-mnist"},
    {"id": "aihwkit-9bit-1y", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 89.01, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults (PCMLikeNoiseModel, GlobalDriftCompensation, inp_res 1/126, out_noise 0.06, no weight scaling), the same HFF weights, 10,000 Fashion-MNIST test images, mean of 5 seeds (scripts/aihwkit_hff.py, run 2026-12-04): 89.01% at 9-bit ADC, t = 31536000 s", "note": "runs only with the model and test set it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist, no --samples); differences from aihwkit's defaults in docs/validation.md", "dataset": "fashion-mnist"},
    {"id": "aihwkit-6bit-1h", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 89.1, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults (PCMLikeNoiseModel, GlobalDriftCompensation, inp_res 1/126, out_noise 0.06, no weight scaling), the same HFF weights, 10,000 Fashion-MNIST test images, mean of 5 seeds (scripts/aihwkit_hff.py, run 2026-12-04): 89.1% at 6-bit ADC, t = 3600 s", "note": "runs only with the model and test set it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist, no --samples); differences from aihwkit's defaults in docs/validation.md", "dataset": "fashion-mnist"},
    {"id": "aihwkit-6bit-1y", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 88.64, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults (PCMLikeNoiseModel, GlobalDriftCompensation, inp_res 1/126, out_noise 0.06, no weight scaling), the same HFF weights, 10,000 Fashion-MNIST test images, mean of 5 seeds (scripts/aihwkit_hff.py, run 2026-12-04): 88.64% at 6-bit ADC, t = 31536000 s", "note": "runs only with the model and test set it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist, no --samples); differences from aihwkit's defaults in docs/validation.md", "dataset": "fashion-mnist"},
    {"id": "aihwkit-folded-9bit-1h", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 88.92, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: 88.92% at 9-bit ADC, t = 3600 s", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-folded-9bit-1y", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 87.93, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: 87.93% at 9-bit ADC, t = 31536000 s", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-folded-6bit-1h", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 88.96, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: 88.96% at 6-bit ADC, t = 3600 s", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-folded-6bit-1y", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "hardwareAccuracyPercent", "unit": "%", "reference": 87.63, "tolerance": 0.5, "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: 87.63% at 6-bit ADC, t = 31536000 s", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-9bit-1y-layer1", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer1", "unit": "", "reference": 1.7372, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 1's tiles 1.7372 at 9-bit ADC, t = 31536000 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-9bit-1y-layer2", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer2", "unit": "", "reference": 1.2117, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 2's tiles 1.2117 at 9-bit ADC, t = 31536000 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-9bit-1y-layer3", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=9", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer3", "unit": "", "reference": 1.1347, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 31536000, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 3's tiles 1.1347 at 9-bit ADC, t = 31536000 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-6bit-1h-layer1", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer1", "unit": "", "reference": 1.6128, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 1's tiles 1.6128 at 6-bit ADC, t = 3600 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-6bit-1h-layer2", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer2", "unit": "", "reference": 1.9962, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 2's tiles 1.9962 at 6-bit ADC, t = 3600 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-6bit-1h-layer3", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=6", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer3", "unit": "", "reference": 1.8253, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 3's tiles 1.8253 at 6-bit ADC, t = 3600 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-4bit-1h-layer1", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=4", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer1", "unit": "", "reference": 3.9988, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 1's tiles 3.9988 at 4-bit ADC, t = 3600 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"},
    {"id": "aihwkit-alpha-4bit-1h-layer2", "preset": "pcm-aihwkit", "sets": ["crossbar.adc.bits=4", "crossbar.adc.rangeReference=unit-weight", "noise.drift.compensationEstimate=probe-read"], "workload": "hff-784-1000-1000-1000", "quantity": "driftCompensationLayer2", "unit": "", "reference": 1.0, "band": [0.9, 1.1], "chipSeeds": 5, "timeSinceProgrammingSeconds": 3600, "weightsSHA256": "b81e0ce41465a0783d5aa8b2b50a470075f7a9d4210d7d200a33260f7a1f8fdb", "source": "IBM aihwkit 1.2.0, InferenceRPUConfig defaults, the same HFF weights fed as hffsim feeds them (scripts/aihwkit_hff.py --fold-input: layer 0 gets the raw pixels with the standardisation folded into W and the digital bias, as hffsim map lowers it), 10,000 Fashion-MNIST test images, mean of 5 seeds, run 2026-12-04: mean drift-compensation alpha of layer 2's tiles 1.0 at 4-bit ADC, t = 3600 s (GlobalDriftCompensation, per 512 x 512 tile; hffsim: one factor per layer)", "note": "hffsim with aihwkit's weight scaling (crossbar.adc.rangeReference unit-weight) and drift-compensation estimate (noise.drift.compensationEstimate probe-read); runs only with the model it was measured on (hffsim validate --model hff.safetensors --dataset fashion-mnist)", "dataset": "fashion-mnist"}
  ]
}
"""###,
    ]
}
