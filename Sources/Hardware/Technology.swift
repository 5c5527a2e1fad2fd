/// Transistor off-currents of the CMOS technologies NeuroSim V1.4 knows, for the leakage of the
/// digital periphery (the switch matrices' registers, decoders, ADC logic, shift-add, buffers).
///
/// NeuroSim prices a gate's leakage as its off-current times the supply (formula.cpp 1264-1300,
/// `CalculateGateLeakage`): for an inverter of widths W_n, W_p,
///
///     I_leak = (W_n I_off,n + W_p I_off,p) / 2
///
/// and a circuit's leakage as a count of such gates (a D flip-flop leaks as 8 minimum inverters,
/// DFF.cpp 191). hffsim counts every component's leaking gates in *minimum-inverter equivalents*
/// (W_n = 2F, W_p = 2F x I_on,n / I_on,p: constant.h MIN_NMOS_SIZE = 2, DFF.cpp 63-64), so that
/// one table entry prices them all and a preset can move between nodes and transistor flavours.
///
/// Entries are at 300 K (NeuroSim's default `temp = 300`, Param.cpp 125), from its Technology.cpp
/// (commit ac828e6): PTM bulk planar models for 130 to 22 nm and the IRDS 2016 FinFET at 14 nm,
/// whose widths count whole fins of effective width 2 h_fin + w_fin (formula.cpp's FinFET branch).
public enum LogicTechnology {
    /// Transistor flavour: low standby power or high performance (NeuroSim's `deviceroadmap`).
    public enum Flavour: String, Sendable, CaseIterable {
        case lstp, hp
    }

    /// One node and flavour at 300 K: on-currents (uA/um; only their ratio is used, for the p/n
    /// sizing) and off-currents in A per metre of width (100e-6 A/m = 100 pA/um).
    public struct Entry: Sendable, Equatable {
        public var nodeNanometers: Int
        public var flavour: Flavour
        public var onN: Double, onP: Double
        public var offN: Double, offP: Double
        /// FinFET: effective width of one fin, m (0 for planar).
        public var finWidthMeters: Double
        /// Technology.cpp lines of the four currents.
        public var lines: String
    }

    /// NeuroSim V1.4 Technology.cpp, `currentOn/OffNmos/Pmos[0]` (300 K) per branch.
    public static let table: [Entry] = [
        Entry(nodeNanometers: 130, flavour: .hp, onN: 0.93e3, onP: 0.43e3, offN: 100.00e-3, offP: 100.20e-3, finWidthMeters: 0, lines: "83, 94, 105, 116"),
        Entry(nodeNanometers: 130, flavour: .lstp, onN: 300.70, onP: 150.70, offN: 100.20e-6, offP: 100.20e-6, finWidthMeters: 0, lines: "139, 150, 161, 172"),
        Entry(nodeNanometers: 90, flavour: .hp, onN: 1.07e3, onP: 0.54e3, offN: 100.8e-3, offP: 100.00e-3, finWidthMeters: 0, lines: "197, 208, 219, 230"),
        Entry(nodeNanometers: 90, flavour: .lstp, onN: 346.30, onP: 200.30, offN: 100.00e-6, offP: 100.30e-6, finWidthMeters: 0, lines: "253, 264, 275, 286"),
        Entry(nodeNanometers: 65, flavour: .hp, onN: 1.12e3, onP: 0.70e3, offN: 100.00e-3, offP: 100.10e-3, finWidthMeters: 0, lines: "311, 322, 333, 344"),
        Entry(nodeNanometers: 65, flavour: .lstp, onN: 400.00, onP: 238.70, offN: 100.20e-6, offP: 100.20e-6, finWidthMeters: 0, lines: "367, 378, 389, 400"),
        Entry(nodeNanometers: 45, flavour: .hp, onN: 1.27e3, onP: 1.08e3, offN: 100.00e-3, offP: 100.20e-3, finWidthMeters: 0, lines: "425, 436, 447, 458"),
        Entry(nodeNanometers: 45, flavour: .lstp, onN: 500.20, onP: 300.00, offN: 100.00e-6, offP: 100.20e-6, finWidthMeters: 0, lines: "481, 492, 503, 514"),
        Entry(nodeNanometers: 32, flavour: .hp, onN: 1.41e3, onP: 1.22e3, offN: 100.30e-3, offP: 100.10e-3, finWidthMeters: 0, lines: "539, 550, 561, 572"),
        Entry(nodeNanometers: 32, flavour: .lstp, onN: 600.20, onP: 400.00, offN: 100.10e-6, offP: 100.10e-6, finWidthMeters: 0, lines: "595, 606, 617, 628"),
        Entry(nodeNanometers: 22, flavour: .hp, onN: 1.50e3, onP: 1.32e3, offN: 100.20e-3, offP: 100.20e-3, finWidthMeters: 0, lines: "653, 664, 675, 686"),
        Entry(nodeNanometers: 22, flavour: .lstp, onN: 791.90, onP: 600.20, offN: 100.00e-6, offP: 100.00e-6, finWidthMeters: 0, lines: "709, 720, 731, 742"),
        // 14 nm: LSTP only ("HP for 14 nm and beyond is not supported", line 759); on-currents equal
        // (pnSizeRatio = 1, line 818); fin 8 nm wide and 42 nm high (lines 766-772).
        Entry(nodeNanometers: 14, flavour: .lstp, onN: 595.045, onP: 595.045, offN: 1.0e-4, offP: 102.3333e-6,
              finWidthMeters: 8.0e-9 + 2 * 4.2e-8, lines: "59, 795, 806, 817"),
    ]

    public static func entry(nodeNanometers: Double, flavour: Flavour) -> Entry? {
        table.first { Double($0.nodeNanometers) == nodeNanometers && $0.flavour == flavour }
    }

    /// Leakage current of one minimum inverter (A): W_n = 2F, W_p = 2F I_on,n / I_on,p, each a
    /// whole number of fins on a FinFET node (NeuroSim's `(int)` p/n ratio there).
    public static func inverterLeakageAmperes(_ e: Entry) -> Double {
        let f = Double(e.nodeNanometers) * 1e-9
        if e.finWidthMeters > 0 {
            let ratio = Double(Int(e.onN / e.onP))
            let finsN = (2 * f / (2 * f)).rounded(.up), finsP = (ratio * 2 * f / (2 * f)).rounded(.up)
            return (finsN * e.finWidthMeters * e.offN + finsP * e.finWidthMeters * e.offP) / 2
        }
        let wN = 2 * f, wP = 2 * f * e.onN / e.onP
        return (wN * e.offN + wP * e.offP) / 2
    }

    /// The nodes and flavours of the table, for messages: "130 nm lstp|hp, ..., 14 nm lstp".
    public static var known: String {
        var seen = [Int]()
        for e in table where !seen.contains(e.nodeNanometers) { seen.append(e.nodeNanometers) }
        return seen.map { n in "\(n) nm " + table.filter { $0.nodeNanometers == n }.map(\.flavour.rawValue).sorted().joined(separator: "|") }
            .joined(separator: ", ")
    }
}
