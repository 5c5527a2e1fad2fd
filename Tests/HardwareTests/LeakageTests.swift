import XCTest
import Numerics
import Hardware

/// Leakage per component from the technology table. Oracles: the inverter currents worked by hand
/// from NeuroSim V1.4's Technology.cpp constants and its gate formula (formula.cpp 1264-1300), and
/// NeuroSim's own run of the validation network (125 uW over 768 subarrays; the switch matrices'
/// registers 4.4 nW each per subarray).
final class LeakageTests: XCTestCase {
    func testMinimumInverterLeakageFromTheTable() throws {
        // 22 nm LSTP: W_n = 44 nm, W_p = 44 nm x 791.9 / 600.2 = 58.05 nm, both at 100 pA/um:
        // (4.4 + 5.805) / 2 = 5.1027 pA.
        let lstp = try XCTUnwrap(LogicTechnology.entry(nodeNanometers: 22, flavour: .lstp))
        XCTAssertEqual(LogicTechnology.inverterLeakageAmperes(lstp), 5.1027e-12, accuracy: 0.0001e-12)
        // 22 nm HP: W_p = 44 nm x 1500 / 1320 = 50.0 nm, both at 100.2 nA/um: (4.4088 + 5.0100) / 2 nA.
        let hp = try XCTUnwrap(LogicTechnology.entry(nodeNanometers: 22, flavour: .hp))
        XCTAssertEqual(LogicTechnology.inverterLeakageAmperes(hp), 4.7094e-9, accuracy: 0.0001e-9)
        // 14 nm FinFET: one fin each (2F / 2F), 8 + 2 x 42 = 92 nm wide, at 100 and 102.33 pA/um:
        // (9.2 + 9.4147) / 2 = 9.3073 pA.
        let fin = try XCTUnwrap(LogicTechnology.entry(nodeNanometers: 14, flavour: .lstp))
        XCTAssertEqual(LogicTechnology.inverterLeakageAmperes(fin), 9.3073e-12, accuracy: 0.0001e-12)
        // 130 nm LSTP: W_n = 260 nm, W_p = 260 x 300.7 / 150.7 = 518.8 nm at 100.2 pA/um: 39.02 pA.
        let old = try XCTUnwrap(LogicTechnology.entry(nodeNanometers: 130, flavour: .lstp))
        XCTAssertEqual(LogicTechnology.inverterLeakageAmperes(old), 39.02e-12, accuracy: 0.01e-12)
        XCTAssertNil(LogicTechnology.entry(nodeNanometers: 14, flavour: .hp), "NeuroSim has no HP at 14 nm")
        XCTAssertNil(LogicTechnology.entry(nodeNanometers: 28, flavour: .lstp))
    }

    func testNeuroSimChipLeaksItsOwnComponents() throws {
        let m = HardwareModel(try HardwareDescription.load("rram-neurosim"))
        let share = Dictionary(uniqueKeysWithValues: m.leakage.tileComponents.map { ($0.component, $0.milliwatts * 1e6) })  // nW
        let gate = 5.1027e-12 * 0.85 * 1e9  // nW per minimum inverter
        // 128 word-line and 128 source-line registers of 8 inverters each: NeuroSim's run has
        // 4.4 nW for each switch matrix.
        XCTAssertEqual(share["switchMatrices"]!, 256 * 8 * gate, accuracy: 1e-4)
        XCTAssertEqual(share["switchMatrices"]! / 2, 4.4, accuracy: 0.05)
        // The run's per-subarray figures: decoder 0.71, encoders 19.4, shift-add 28.8 + 15.7 nW.
        XCTAssertEqual(share["columnMux"]!, 0.71, accuracy: 0.005)
        XCTAssertEqual(share["adc"]!, 19.4, accuracy: 0.05)
        XCTAssertEqual(share["shiftAdd"]!, 44.5, accuracy: 0.05)
        XCTAssertEqual(share["lumped"]!, 0)
        // The whole chip: 125 uW over its 768 subarrays (NeuroSim V1.4's published leakage). The
        // periphery share is that figure's remainder, so this line is bookkeeping; the four
        // components above are the independent checks.
        XCTAssertEqual(m.leakage.tileMilliwatts * 768 * 1000, 125, accuracy: 0.01)
    }

    /// pcm-aihwkit at 14 nm: (1,024 x 8 + 512 x 72 + 329,248) gates x 9.3073 pA x 0.8 V = 2.787 uW
    /// per 512 x 512 tile, where PUMA's ADC leakage per column made it 102.6 mW.
    func testPCMTileLeaksItsGatesAt14Nanometres() throws {
        let m = HardwareModel(try HardwareDescription.load("pcm-aihwkit"))
        XCTAssertEqual(m.leakage.tileMilliwatts * 1000, 374_304 * 9.3073e-12 * 0.8 * 1e6, accuracy: 0.001)
        XCTAssertEqual(m.leakage.tileMilliwatts * 1000, 2.787, accuracy: 0.001)
    }

    func testTransistorFlavourScalesTheGatesNotTheLumpedPower() throws {
        let lstp = HardwareModel(try HardwareDescription.load("rram-neurosim", sets: ["energy.staticMilliwattsPerTile=0.001"]))
        let hp = HardwareModel(try HardwareDescription.load("rram-neurosim", sets: ["energy.staticMilliwattsPerTile=0.001", "technology.logicTransistors=hp"]))
        let ratio = 4.7094e-9 / 5.1027e-12  // 922.9, the two inverters above
        let gatesLSTP = lstp.leakage.tileMilliwatts - 0.001, gatesHP = hp.leakage.tileMilliwatts - 0.001
        XCTAssertEqual(gatesHP / gatesLSTP, ratio, accuracy: 0.1)
        // The supply multiplies the current: 0.85 -> 1.7 V doubles the gates' power.
        let doubled = HardwareModel(try HardwareDescription.load("rram-neurosim", sets: ["technology.supplyVolts=1.7"]))
        XCTAssertEqual(doubled.leakage.tileMilliwatts / (lstp.leakage.tileMilliwatts - 0.001), 2, accuracy: 1e-9)
        // ADC gates follow the bank: one ADC per column is 8 x the 16 of NeuroSim's mux of 8.
        let perColumn = HardwareModel(try HardwareDescription.load("rram-neurosim", sets: ["crossbar.adc.columnsPerADC=1"]))
        let adc = { (m: HardwareModel) in m.leakage.tileComponents.first { $0.component == "adc" }!.milliwatts }
        XCTAssertEqual(adc(perColumn) / adc(lstp), 8, accuracy: 1e-9)
    }

    func testANodeWithoutAnEntryIsRefusedOnlyWhenGatesAreCounted() throws {
        XCTAssertThrowsError(try HardwareDescription.load("rram-neurosim", sets: ["technology.nodeNanometers=28"])) { e in
            XCTAssertEqual((e as? InputError)?.kind, .usage, "the file is valid; the override is not")
            XCTAssertTrue((e as? InputError)?.message.contains("--set: technology.nodeNanometers: 28 nm lstp has no leakage entry") ?? false, "\(e)")
        }
        // hermes-pcm counts no gates (its leakage is lumped in the measured MVM energy): any node loads.
        let hermes = HardwareModel(try HardwareDescription.load("hermes-pcm", sets: ["technology.nodeNanometers=28"]))
        XCTAssertEqual(hermes.leakage.tileMilliwatts, 0)
    }
}
