import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics

/// Runs a sweep's points: grouped by compiled config (`SweepPoint.mapKey`: a model is mapped
/// once per distinct hardware and map options), the groups shared out to `jobs` workers, each
/// finished point written at once to `dir`/points/ID.json (so an interrupted sweep resumes).
/// Results do not depend on `jobs` or the order groups finish in: each point's row is a
/// function of its own settings and seeds.
public enum SweepRunner {
    /// Per model: the training set (calibration) and the test samples every point runs.
    public typealias ModelData = (train: Dataset, raw: Matrix, labels: [Int])

    /// A share's distinct points (a point listed twice runs once), and those not finished in `dir`.
    public static func pending(_ share: [SweepPoint], dir: String) -> (unique: [SweepPoint], todo: [SweepPoint]) {
        var seen = Set<String>()
        let unique = share.filter { seen.insert($0.id).inserted }
        return (unique, unique.filter { SweepIndex.readRow(dir: dir, id: $0.id) == nil })
    }

    /// Points that share a compiled config, in plan order (each group runs on one worker).
    public static func groups(_ points: [SweepPoint]) -> [[SweepPoint]] {
        var groups = [[SweepPoint]]()
        var groupOf = [String: Int]()
        for p in points {
            if let g = groupOf[p.mapKey] { groups[g].append(p) } else { groupOf[p.mapKey] = groups.count; groups.append([p]) }
        }
        return groups
    }

    /// Runs the groups, `jobs` at a time; `finished(count, row, point, seconds)` is called under
    /// a lock after each point's file is written. The first error stops the workers taking new
    /// groups and is thrown.
    public static func run(_ groups: [[SweepPoint]], plan: SweepPlan, sources: [Experiment.ModelSource], data: [ModelData],
                           dir: String, jobs: Int, finished: @escaping (Int, [String: Any], SweepPoint, Double) -> Void) throws {
        let lock = NSLock()
        var nextGroup = 0, count = 0, failure: Error?
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, groups.count))) { _ in
            while true {
                lock.lock()
                let g = failure == nil && nextGroup < groups.count ? nextGroup : nil
                nextGroup += 1
                lock.unlock()
                guard let g else { return }
                do {
                    try runGroup(groups[g], plan: plan, sources: sources, data: data) { row, point, seconds in
                        lock.lock()
                        defer { lock.unlock() }
                        try AtomicFile.write(Data(SweepIndex.rowText(row).utf8), to: SweepIndex.pointPath(dir: dir, id: point.id))
                        count += 1
                        finished(count, row, point, seconds)
                    }
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
        }
        if let failure { throw failure }
    }

    /// Maps the group's shared config once, then runs each point; `done` receives each point's
    /// row. A config that does not fit, or hardware that is not valid, is every point's result.
    static func runGroup(_ group: [SweepPoint], plan: SweepPlan, sources: [Experiment.ModelSource],
                         data: [ModelData],
                         done: ([String: Any], SweepPoint, Double) throws -> Void) throws {
        let first = group[0]
        let start = Date()
        guard let hardware = first.hardware else {
            for p in group { try done(SweepTable.row(p, plan: plan, status: "invalid", reason: p.invalidReason), p, 0) }
            return
        }
        let source = sources[first.model], d = data[first.model]
        let config: HardwareConfig
        do {
            let calibration = d.train.features.rows(0..<min(d.train.count, first.options.map.calibrationSamples))
            config = try Mapper.map(model: source.model, modelPath: source.path, modelDigest: source.digest, hardware: hardware,
                                    options: first.options.map, calibration: calibration)
        } catch let e as InputError {
            let status = e.kind == .doesNotFit ? "does-not-fit" : "error"
            for p in group { try done(SweepTable.row(p, plan: plan, status: status, reason: e.message), p, Date().timeIntervalSince(start)) }
            return
        }
        for p in group {
            let pointStart = Date()
            var options = RunOptions()
            options.chipSeeds = plan.spec.chipSeeds
            options.traceSamples = 0
            options.timeSinceProgrammingSeconds = p.options.timeSinceProgrammingSeconds
            do {
                let result = try Simulation.run(config: config, model: source.model, raw: d.raw, labels: d.labels, options: options)
                try done(SweepTable.row(p, plan: plan, status: "ok", config: config, result: result), p, Date().timeIntervalSince(pointStart))
            } catch let e as InputError {
                try done(SweepTable.row(p, plan: plan, status: "error", reason: e.message), p, Date().timeIntervalSince(pointStart))
            }
        }
    }
}
