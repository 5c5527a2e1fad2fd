import Foundation
import Numerics
import XCTest
import TestSupport
import Hardware

final class LearningCoreTests: XCTestCase {
    /// Rows of unit norm; non-negative rows model normalised ReLU activations.
    func unitRows(_ r: Int, _ c: Int, seed: UInt64, nonNegative: Bool) -> Matrix {
        var rng = SeededRandom(seed: seed)
        var m = Matrix(rows: r, cols: c)
        for i in 0..<r {
            var n: Float = 0
            for j in 0..<c {
                let v = rng.gaussian()
                m[i, j] = nonNegative ? max(0, v) : v
                n += m[i, j] * m[i, j]
            }
            for j in 0..<c { m[i, j] /= n.squareRoot() }
        }
        return m
    }

    func readout(_ classes: Int) -> CoreReadout {
        CoreReadout(classCount: classes, prototypesPerClass: 1, tau: 0.1, combine: .last)
    }

    /// |s_hw - z . p| <= (u / 2) sum |z_i| + (m / (2 L_in)) sum |p_i| + D (u / 2)(m / (2 L_in)):
    /// each stored component within half a weight unit u, each input within half an input step.
    func assertWithinQuantisationBound(preset: String, sets: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let hw = try HardwareDescription.load(preset, sets: sets)
        let p = CoreParameters(hw)
        let d = 150, protos = 6
        let prototypes = unitRows(protos, d, seed: 1, nonNegative: false)
        let z = unitRows(40, d, seed: 2, nonNegative: true)
        let placement = try CorePlacement.greedy(groups: [.init(inputs: d, prototypes: protos)], core: p)
        XCTAssertTrue(placement.neurons.allSatisfy { $0.core == 0 }, file: file, line: line)
        let core = try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: 3)
        let result = core.infer([z], readout: readout(protos))
        let exact = GEMM.product(z, prototypes, transB: true)
        let inputLevels = Float((1 << p.gradedBits) - 1)
        var worst: Float = 0
        for i in 0..<z.rows {
            let m = (0..<d).map { abs(z[i, $0]) }.max()!
            let sumZ = (0..<d).reduce(Float(0)) { $0 + abs(z[i, $1]) }
            for q in 0..<protos {
                let u = core.units[0]  // every prototype here sits on core 0 (greedy)
                let sumP = (0..<d).reduce(Float(0)) { $0 + abs(prototypes[q, $1]) }
                let inputStep = m / inputLevels
                let bound = u / 2 * sumZ + inputStep / 2 * sumP + Float(d) * u / 2 * inputStep / 2 + 1e-5
                let error = abs(result.prototypeScores[0][i, q] - exact[i, q])
                worst = max(worst, error / bound)
                XCTAssertLessThanOrEqual(error, bound, "sample \(i) prototype \(q)", file: file, line: line)
            }
        }
        XCTAssertGreaterThan(worst, 0.01, "the bound should not be vacuous", file: file, line: line)
    }

    func testHighPrecisionWithoutMismatchEqualsFloatCosineWithinQuantisation() throws {
        try assertWithinQuantisationBound(preset: "ideal", sets: [])
    }

    func testDYNAPSE2FourBitWeightsStayWithinTheDocumentedBound() throws {
        try assertWithinQuantisationBound(preset: "rram-neurosim", sets: ["learningCore.mismatchRelative=0"])
    }

    func testFanInSplitGivesTheSameScoresAsAnUnsplitNeuron() throws {
        let d = 200, protos = 5
        let prototypes = unitRows(protos, d, seed: 4, nonNegative: false)
        let z = unitRows(30, d, seed: 5, nonNegative: true)
        var scores = [Matrix]()
        for slots in [256, 64, 16] {
            let hw = try HardwareDescription.load("ideal", sets: ["learningCore.synapsesPerNeuron=\(slots)", "learningCore.neuronsPerCore=1024"])
            let placement = try CorePlacement.greedy(groups: [.init(inputs: d, prototypes: protos)], core: CoreParameters(hw))
            let parts = placement.neurons.filter { if case .partial = $0.role { return true } else { return false } }.count
            XCTAssertEqual(parts, protos * ((d + slots - 1) / slots))
            let core = try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: 1)
            scores.append(core.infer([z], readout: readout(protos)).prototypeScores[0])
        }
        for s in scores.dropFirst() {
            for k in 0..<s.count { XCTAssertEqual(s.storage[k], scores[0].storage[k], accuracy: 1e-5) }
        }
    }

    /// Two prototypes over 4 inputs, 2 synapses per neuron: each prototype is 2 partial neurons and
    /// an aggregation neuron, prototype 0 on core 0 (1 link from the source), prototype 1 on core
    /// 1 (2 links). Every count and the latency follow by hand (see the comments).
    func testEventCountsAndLatencyForAKnownInputAreExact() throws {
        let hw = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=2", "learningCore.mismatchRelative=0"])
        let p = CoreParameters(hw)
        let placement = TestCores.twoPrototypes, prototypes = TestCores.twoPrototypeWeights
        let core = try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: 0)
        let z = Matrix(rows: 1, cols: 4, storage: [0.5, 0, 0.25, 1])
        let r = core.infer([z], readout: readout(2))
        var expected = CoreCounts()
        expected.sourceEvents = 3 + 2           // three non-zero values, a marker per core
        expected.tagMatches = 3 * 2 + 2 + 4     // each value reaches both cores, markers, 4 partial sums
        expected.synapticOperations = 3 * 2 + 4 // one synapse per prototype per value, one per partial sum
        expected.neuronUpdates = 4 + 2          // every partial neuron has input, two aggregations
        expected.hops = 3 * (1 + 2) + (1 + 2) + (1 + 2)  // values, markers, scores to the source side
        expected.winnerTakeAllSteps = 2
        XCTAssertEqual(r.counts[0], expected)
        // Its latency on the simulator's event engine: SimulatorTests.testCoreEventsOnTheOneEngineFollowByHand.
        XCTAssertEqual(r.picojoules[0], expected.picojoules(p), accuracy: 1e-9)
        let byHand: Double = 12 * 1.7 + 10 * 23.6 + 6 * 81.0 + 15 * 4.0 + 2 * 81.0
        XCTAssertEqual(expected.picojoules(p), byHand, accuracy: 1e-9)

        // Rate coding with T = 16: round(16 z / max z) = 8, 0, 4, 16 spikes, each an event.
        let rateHW = try HardwareDescription.load("rram-neurosim", sets: ["learningCore.synapsesPerNeuron=2", "learningCore.input.coding=rate"])
        let rate = try LearningCore(hardware: rateHW, placement: placement, prototypes: [prototypes], seed: 0)
        let rr = rate.infer([z], readout: readout(2))
        XCTAssertEqual(rr.counts[0].sourceEvents, 28 + 2)
        XCTAssertEqual(rr.counts[0].synapticOperations, 28 * 2 + 4)
    }

    func testOnChipLearningOfANewClassConvergesToTheFloatEMA() throws {
        let hw = try HardwareDescription.load("rram-neurosim")
        let p = CoreParameters(hw)
        let d = 100
        let prototypes = unitRows(3, d, seed: 6, nonNegative: true)
        let placement = try CorePlacement.greedy(groups: [.init(inputs: d, prototypes: 3)], core: p)
        var core = try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: 2)
        let added = try core.allocatePrototypes(perClass: 1)
        XCTAssertEqual(added, [[3]])
        XCTAssertEqual(core.placement.groups[0].prototypes, 4)
        // Samples of the new class: a direction plus noise, normalised.
        let direction = unitRows(1, d, seed: 7, nonNegative: true)
        var rng = SeededRandom(seed: 8)
        var reference = [Float]()
        let alpha = Float(1) / Float(1 << p.rateShift)
        var samples = [[Float]]()
        for _ in 0..<20 {
            var z = (0..<d).map { max(0, direction[0, $0] + 0.05 * rng.gaussian()) }
            let n = z.reduce(0) { $0 + $1 * $1 }.squareRoot()
            z = z.map { $0 / n }
            samples.append(z)
            let (counts, ns) = core.learn(group: 0, prototype: 3, sample: z)
            XCTAssertEqual(counts.synapticUpdates, 3 * d)
            XCTAssertEqual(ns, Double(3 * d) * p.synapticUpdateNanoseconds, accuracy: 1e-9)
            // Float EMA: the first sample sets the prototype, then p <- normalise(p + (z - p) alpha).
            if reference.isEmpty { reference = z } else { reference = zip(reference, z).map { $0 + ($1 - $0) * alpha } }
            let rn = reference.reduce(0) { $0 + $1 * $1 }.squareRoot()
            reference = reference.map { $0 / rn }
            let learned = try XCTUnwrap(core.learnedPrototype(group: 0, prototype: 3))
            let worst = zip(learned, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-3, "fixed-point EMA drifted from the float EMA")
        }
        // The new class wins on its own samples.
        let x = Matrix(rows: samples.count, cols: d, storage: samples.flatMap { $0 })
        let r = core.infer([x], readout: readout(4))
        XCTAssertGreaterThanOrEqual(r.predictions.filter { $0 == 3 }.count, 18)
    }

    func testInvalidPlacementsAndWeightsGetNamedErrors() throws {
        let p = CoreParameters(try HardwareDescription.load("rram-neurosim"))
        func expect(_ placement: CorePlacement, _ mention: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try placement.validate(p, file: "cfg.json"), file: file, line: line) { e in
                XCTAssertTrue("\(e)".contains(mention) && "\(e)".contains("cfg.json"), "\(e)", file: file, line: line)
            }
        }
        let group = CorePlacement.Group(inputs: 100, prototypes: 1)
        expect(CorePlacement(groups: [group], neurons: [.init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 0..<100))]),
               "needs 100 synapses, a neuron has 64")
        expect(CorePlacement(groups: [group], neurons: [
            .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 0..<50)),
            .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 60..<100)),
            .init(core: 0, role: .aggregate(group: 0, prototype: 0))]), "inputs 50..<60 have no partial neuron")
        expect(CorePlacement(groups: [group], neurons: [
            .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 0..<50)),
            .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 50..<100))]), "no aggregation neuron")
        expect(CorePlacement(groups: [group], neurons: [.init(core: 4, role: .partial(group: 0, prototype: 0, inputs: 0..<50))]), "learningCore.cores is 4")
        // 300 neurons on one core.
        let many = CorePlacement(groups: [.init(inputs: 10, prototypes: 300)],
                                 neurons: (0..<300).map { .init(core: 0, role: .partial(group: 0, prototype: $0, inputs: 0..<10)) })
        expect(many, "needs 300 neurons, a core has 256")
        // 3000 distinct input tags on one core.
        let wide = CorePlacement(groups: [.init(inputs: 3000, prototypes: 1)],
                                 neurons: (0..<50).map { .init(core: 0, role: .partial(group: 0, prototype: 0, inputs: ($0 * 60)..<($0 * 60 + 60))) }
                                 + [.init(core: 0, role: .aggregate(group: 0, prototype: 0))])
        expect(wide, "source tags, a core has 2048")
        // Levels outside the representable set (4-bit mask: -15...15).
        let placement = CorePlacement(groups: [.init(inputs: 4, prototypes: 1)], neurons: [.init(core: 0, role: .partial(group: 0, prototype: 0, inputs: 0..<4))])
        XCTAssertThrowsError(try LearningCore(parameters: p, placement: placement, levels: [[1, 2, 16, 0]], units: [1, 1, 1, 1], seed: 0)) { e in
            XCTAssertTrue("\(e)".contains("levels[0][2]") && "\(e)".contains("-15...15"), "\(e)")
        }
        XCTAssertThrowsError(try LearningCore(parameters: p, placement: placement, levels: [[1, 2, 3, 0]], units: [1, 0, 1, 1], seed: 0)) { e in
            XCTAssertTrue("\(e)".contains("units[1]"), "\(e)")
        }
        // Too few cores for a greedy placement: the error says what is short and the --set.
        XCTAssertThrowsError(try CorePlacement.greedy(groups: [.init(inputs: 1000, prototypes: 100)], core: p)) { e in
            XCTAssertTrue("\(e)".contains("short") && "\(e)".contains("--set learningCore.cores="), "\(e)")
        }
    }

    func testMismatchIsDrawnPerChipFromTheSeed() throws {
        let hw = try HardwareDescription.load("rram-neurosim")
        let prototypes = unitRows(4, 80, seed: 9, nonNegative: false)
        let z = unitRows(10, 80, seed: 10, nonNegative: true)
        let placement = try CorePlacement.greedy(groups: [.init(inputs: 80, prototypes: 4)], core: CoreParameters(hw))
        func scores(_ seed: UInt64) throws -> Matrix {
            try LearningCore(hardware: hw, placement: placement, prototypes: [prototypes], seed: seed).infer([z], readout: readout(4)).prototypeScores[0]
        }
        XCTAssertEqual(try scores(1), try scores(1))
        XCTAssertNotEqual(try scores(1), try scores(2))
    }
}
