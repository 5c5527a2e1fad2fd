import XCTest
import Hardware
import Numerics
import TestSupport
@testable import Simulator

/// The learning core's events on the simulator's one event engine, against timelines worked out
/// by hand from the preset's figures.
final class CoreEngineTests: XCTestCase {
    func readout(_ classes: Int) -> CoreReadout {
        CoreReadout(classCount: classes, prototypesPerClass: 1, tau: 0.1, combine: .last)
    }

    /// Two prototypes over 4 inputs, 2 synapses per neuron: each prototype is 2 partial neurons and
    /// an aggregation neuron, prototype 0 on core 0 (1 link from the source), prototype 1 on core 1
    /// (2 links). rram-neurosim's core: injection 2.1 ns, hop 6.5 ns, tag match 2.1 ns, synaptic
    /// operation 3.5 ns, neuron update 8.4 ns, winner-take-all step 8.4 ns.
    func testCoreEventsOnTheOneEngineFollowByHand() throws {
        let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=2", "learningCore.mismatchRelative=0"])
        let p = CoreParameters(hw)
        XCTAssertEqual([p.injectionNanoseconds, p.hopNanoseconds, p.tagMatchNanoseconds, p.synapticOperationNanoseconds,
                        p.neuronUpdateNanoseconds, p.winnerTakeAllStepNanoseconds], [2.1, 6.5, 2.1, 3.5, 8.4, 8.4])
        let core = try LearningCore(hardware: hw, placement: TestCores.twoPrototypes, prototypes: [TestCores.twoPrototypeWeights], seed: 0)
        let r = core.infer([Matrix(rows: 1, cols: 4, storage: [0.5, 0, 0.25, 1])], readout: readout(2))
        // The source injects 3 values then a marker per core, each 2.1 ns: they are on the mesh at
        // 2.1, 4.2, 6.3 (values), 8.4 (core 0's marker), 10.5 (core 1's).
        // Core 0 (6.5 ns away): values arrive 8.6, 10.7, 12.8, served 5.6 ns each (tag 2.1 + one
        // synapse 3.5) until 25.4; the marker (arrived 14.9) 25.4-27.5; partial updates 27.5-35.9
        // and 35.9-44.3; their partial sums, on the same core, 44.3-49.9 and 49.9-55.5; the
        // aggregation 55.5-63.9; its score reaches the winner-take-all unit at 70.4, done 78.8.
        // Core 1 (13 ns away): values arrive 15.1, 17.2, 19.3, served until 31.9; the marker
        // (arrived 23.5) until 34.0; partials until 50.8; partial sums until 62.0; aggregation
        // until 70.4; the score arrives 83.4 and is done at 91.8.
        XCTAssertEqual(CoreReadoutExperiment.latencyNanoseconds(r.program(sample: 0)), 91.8, accuracy: 1e-9)
        // The program's counts are the ones LearningCore counts (worked by hand in LearningCoreTests).
        XCTAssertEqual(r.program(sample: 0).counts, r.counts[0])
    }

    /// The two-prototype chip of the test above, read-out input all zeros: the source injects
    /// only the markers (on the mesh at 2.1 and 4.2 ns); core 0's arrives at 8.6 and is served
    /// until 10.7, core 1's arrives at 17.2 and is served until 19.3. Both prototypes are silent,
    /// so the decision is 2 winner-take-all steps (16.8 ns); it waits for the last marker and
    /// ends at 36.1. Every task is an ancestor of the decision.
    func testSilentReadoutDecidesAfterItsLastMarker() throws {
        let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=2", "learningCore.mismatchRelative=0"])
        let core = try LearningCore(hardware: hw, placement: TestCores.twoPrototypes, prototypes: [TestCores.twoPrototypeWeights], seed: 0)
        let program = core.infer([Matrix(rows: 1, cols: 4)], readout: readout(2)).program(sample: 0)
        XCTAssertEqual(program.tasks.map(\.work), [.injection, .marker, .injection, .marker, .decision])
        XCTAssertEqual(CoreReadoutExperiment.latencyNanoseconds(program), 36.1, accuracy: 1e-9)
        // Ancestors of the decision, walked backwards over the edges.
        var into = [[Int]](repeating: [], count: program.tasks.count)
        for t in program.tasks.indices {
            for k in Int(program.edgeStart[t])..<Int(program.edgeStart[t + 1]) { into[Int(program.edgeTargets[k])].append(t) }
        }
        var seen = Set([Int(program.final)]), stack = [Int(program.final)]
        while let t = stack.popLast() { for a in into[t] where seen.insert(a).inserted { stack.append(a) } }
        XCTAssertEqual(seen.count, program.tasks.count)
    }

    /// Inferences in flight on one engine, silent read-outs among them: each leaves its slot when
    /// its decision ends, and the next one admitted there runs to its end (before the decision
    /// waited for the markers, a silent one left a marker in flight for the slot's next owner
    /// and the run stalled with inferences never finished).
    func testSilentReadoutsLeaveTheirSlotsClean() throws {
        let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=2", "learningCore.mismatchRelative=0"])
        let core = try LearningCore(hardware: hw, placement: TestCores.twoPrototypes, prototypes: [TestCores.twoPrototypeWeights], seed: 0)
        let inputs = Matrix(rows: 2, cols: 4, storage: [0, 0, 0, 0, 0.5, 0, 0.25, 1])
        let r = core.infer([inputs], readout: readout(2))
        let ticks: (Double) -> Int64 = { Int64(($0 * HardwareModel.ticksPerNanosecond).rounded()) }
        var engine = EventEngine(template: .init(dependsOn: [[]], final: 0, units: Int(hw.number("learningCore.cores")) + 2))
        func admit(_ i: Int) {
            engine.admit(sample: i, durations: [0], delays: [0], units: [-1],
                         expansion: EventEngine.Expansion(r.program(sample: i % 2), anchor: 0, ticks: ticks) { $0 })
        }
        admit(0); admit(1)
        var next = 2, finished = [Int]()
        while let c = engine.next() {
            guard c.stage == 0 else { continue }
            finished.append(c.sample)
            if next < 8 { admit(next); next += 1 }
        }
        XCTAssertEqual(finished.sorted(), Array(0..<8))
    }

    /// One event that five synapses on one core match: one after another (Loihi style) the core
    /// spends 5 synaptic operation times on it, in parallel (DYNAP-SE2's analog synapses) one.
    func testParallelSynapsesServeAnEventInOneOperationTime() throws {
        let placement = CorePlacement(groups: [.init(inputs: 4, prototypes: 5)],
                                      neurons: (0..<5).map { .init(core: 0, role: .partial(group: 0, prototype: $0, inputs: 0..<4)) })
        let prototypes = Matrix(rows: 5, cols: 4, storage: (0..<20).map { Float($0 % 7) / 7 })
        let z = Matrix(rows: 1, cols: 4, storage: [0, 0.5, 0, 0])
        var latency = [Double]()
        for parallel in [false, true] {
            let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.mismatchRelative=0", "learningCore.timing.parallelSynapses=\(parallel)"])
            let core = try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: 0)
            let r = core.infer([z], readout: readout(5))
            XCTAssertEqual(r.counts[0].synapticOperations, 5, "energy counts every synapse either way")
            latency.append(CoreReadoutExperiment.latencyNanoseconds(r.program(sample: 0)))
        }
        XCTAssertEqual(latency[0] - latency[1], 4 * 3.5, accuracy: 1e-9)
    }

    /// `infer`'s per-sample counts (computed without building programs) are the sums over the
    /// programs' tasks, for split neurons over several groups, graded and rate coding.
    func testCountsWithoutProgramsEqualTheProgramsCounts() throws {
        for coding in ["graded", "rate"] {
            let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=16", "learningCore.input.coding=\(coding)"])
            let groups: [CorePlacement.Group] = [.init(inputs: 40, prototypes: 3), .init(inputs: 24, prototypes: 3)]
            let placement = try CorePlacement.greedy(groups: groups, core: CoreParameters(hw))
            var rng = SeededRandom(seed: 11)
            func rows(_ r: Int, _ c: Int, _ relu: Bool) -> Matrix {
                var m = Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in relu ? max(0, rng.gaussian()) : rng.gaussian() })
                Kernels.normalizeRows(&m, epsilon: 1e-12)
                return m
            }
            let core = try LearningCore(hardware: hw, placement: placement, prototypes: groups.map { rows($0.prototypes, $0.inputs, false) }, seed: 1)
            let r = core.infer(groups.map { rows(20, $0.inputs, true) },
                               readout: CoreReadout(classCount: 3, prototypesPerClass: 1, tau: 0.1, combine: .sumOfLogSoftmax))
            for i in 0..<20 { XCTAssertEqual(r.counts[i], r.program(sample: i).counts, "\(coding) sample \(i)") }
        }
    }
}
