import Hardware

/// How far data travels between two tile sites, by the chip's interconnect (`chip.interconnect`).
///
/// Sites sit on a grid `chip.tileSitesPerRow` wide, `pitch` = sqrt(`area.tileSquareMillimeters`)
/// apart (`Mapper` places the tiles on it).
///
/// - Mesh: a transfer from site a to site b crosses |ax - bx| + |ay - by| routers (hops); its
///   energy and delay are per hop, so it has no length in mm.
/// - H-tree: the grid is padded to the smallest power of two S at least as wide and as tall (an
///   assumption: the tree spans the padded square, so sites near an edge of a grid that is not
///   a power of two wide reach the root over branches that serve empty quadrants). A square of
///   side s branches at its centre into its left and right halves (s/4 pitches of wire from the
///   centre to each half's centre) and each half into its two quadrants (s/4 again), down to
///   single sites. From the centre of a square of side s to any site in it the path is
///
///       s/2 + s/4 + ... + 1 = s - 1 pitches,
///
///   so every site is S - 1 pitches from the root. Two sites in different halves of the
///   smallest square holding both (side s) meet at its centre, 2 (s - 1) pitches apart; two in
///   the same half (one above the other) meet at the half's centre, 2 (s/2 - 1 + s/4) =
///   3s/2 - 2 pitches apart. An H-tree has no routers: no hops.
/// - Bus: NeuroSim V1.4's X-Y bus (XYBus.cpp, `CalculatePower`: one horizontal and one vertical
///   repeated wire). A transfer from a to b runs |ax - bx| + |ay - by| pitches of wire; a
///   broadcast drives one horizontal wire across the columns its source and sinks span and one
///   vertical wire across their rows, each bit once:
///
///       (max x - min x) + (max y - min y) pitches   over the source and every sink.
///
///   No routers: no hops.
public struct Floorplan: Sendable, Equatable {
    public let topology: HardwareModel.Topology
    public let pitchMillimeters: Double
    /// Side of the H-tree's padded grid, in sites (a power of two).
    public let treeSide: Int

    public init(_ h: HardwareModel) {
        topology = h.chip.interconnect
        pitchMillimeters = h.chip.sitePitchMillimeters
        let width = h.chip.tileSitesPerRow, height = (h.chip.tileSites + width - 1) / width
        var side = 1
        while side < max(width, height) { side *= 2 }
        treeSide = side
    }

    /// Routers a transfer from (ax, ay) to (bx, by) crosses: its Manhattan distance on the mesh,
    /// none on the H-tree.
    public func hops(_ ax: Int, _ ay: Int, _ bx: Int, _ by: Int) -> Int {
        topology == .mesh ? abs(ax - bx) + abs(ay - by) : 0
    }

    /// Wire a transfer from (ax, ay) to (bx, by) runs on the H-tree, mm (0 on the mesh, whose
    /// wire is priced in its hops).
    public func millimeters(_ ax: Int, _ ay: Int, _ bx: Int, _ by: Int) -> Double {
        if topology == .bus { return Double(abs(ax - bx) + abs(ay - by)) * pitchMillimeters }
        guard topology == .hTree else { return 0 }
        var side = 1
        while ax / side != bx / side || ay / side != by / side { side *= 2 }
        guard side > 1 else { return 0 }
        let sameHalf = ax / (side / 2) == bx / (side / 2)
        let pitches = sameHalf ? Double(3 * side / 2 - 2) : Double(2 * (side - 1))
        return pitches * pitchMillimeters
    }

    /// The branches from a site up to the root: per level s = 1, 2, ..., S/2, the branch into
    /// its quadrant of side s (s/2 pitches, up to its half's centre) and the branch from that
    /// half into the square of side 2s (s/2 pitches), each named by the node below it.
    func branches(_ x: Int, _ y: Int) -> [SIMD4<Int32>] {
        var b = [SIMD4<Int32>]()
        var s = 1
        while s < treeSide {
            b.append(SIMD4(0, Int32(s), Int32(x / s), Int32(y / s)))
            b.append(SIMD4(1, Int32(s), Int32(x / s), Int32(y / (2 * s))))
            s *= 2
        }
        return b
    }

    /// The tree a broadcast from `source` to every site of `sinks` (x, y) takes, each link or
    /// branch counted once however many sinks lie beyond it: on the mesh the union of the XY
    /// routes (x first, then y), in links; on the H-tree the union of the tree paths, in mm (a
    /// path is the branches one end climbs that the other does not: the symmetric difference of
    /// their `branches`).
    public func multicast(from source: (Int, Int), to sinks: [(Int, Int)]) -> (hops: Int, millimeters: Double) {
        if topology == .bus {
            let xs = sinks.map(\.0) + [source.0], ys = sinks.map(\.1) + [source.1]
            return (0, Double(xs.max()! - xs.min()! + ys.max()! - ys.min()!) * pitchMillimeters)
        }
        var edges = Set<SIMD4<Int32>>()
        let up = topology == .hTree ? Set(branches(source.0, source.1)) : []
        for (x, y) in sinks {
            switch topology {
            case .mesh:
                var (cx, cy) = source
                while cx != x { let nx = cx + (x > cx ? 1 : -1); edges.insert(SIMD4(2, Int32(cx), Int32(cy), Int32(nx - cx))); cx = nx }
                while cy != y { let ny = cy + (y > cy ? 1 : -1); edges.insert(SIMD4(3, Int32(cx), Int32(cy), Int32(ny - cy))); cy = ny }
            case .hTree, .bus:
                edges.formUnion(up.symmetricDifference(branches(x, y)))
            }
        }
        guard topology == .hTree else { return (edges.count, 0) }
        let halfPitches = edges.reduce(0) { $0 + Int($1[1]) }  // whole numbers: the same sum in any order
        return (0, Double(halfPitches) / 2 * pitchMillimeters)
    }
}
