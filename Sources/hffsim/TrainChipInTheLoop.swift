import Compiler
import Datasets
import Foundation
import Hardware
import HFF
import Numerics
import Simulator

extension TrainCommand {
    /// `train --chip CONFIG --chip-seed S [--chip-own-layer [--hardware-fraction f]]`:
    /// chip-in-the-loop training (`ChipInTheLoop`) of the config's model on chip instance S of the
    /// config's hardware, layer by layer, `--epochs` per layer; then the on-chip cost of doing it,
    /// from a run of the trained model's config on up to 200 test samples.
    static func runChipInTheLoop(_ args: Arguments, hyperparameters h: Hyperparameters, output: String, json: Bool) throws {
        guard let path = args.string("--chip") else { return }
        for flag in ["--hardware", "--set", "--drift-range", "--initial-model", "--layers", "--arch", "--algorithm"] where args.string(flag) != nil || args.flag(flag) {
            throw InputError.usage(flag: flag, "does not go with --chip (the config gives the model and the hardware)")
        }
        let ownLayer = args.flag("--chip-own-layer")
        if !ownLayer && args.string("--hardware-fraction") != nil {
            throw InputError.usage(flag: "--hardware-fraction", "with --chip, applies to --chip-own-layer, which is not given")
        }
        let fraction = ownLayer ? try hardwareFraction(args) : nil
        let chipSeed = try args.int("--chip-seed", default: 1, range: 1...1_000_000)
        let (config, initial) = try Experiment.loadConfig(path: path)
        let (train, test) = try DatasetFlags.load(args, for: initial, modelName: "the config's model (\(config.model.file))", seed: nil)
        var h = h
        h.prototypesPerClass = initial.hyperparameters.prototypesPerClass
        h.tau = initial.hyperparameters.tau
        h.readout = initial.hyperparameters.readout
        if !json { Output.error("chip-in-the-loop: \(config.model.file) on chip \(chipSeed) of \(config.hardware.name), \(h.epochs) epochs per layer, \(train.count) training samples") }
        let start = Date()
        var (model, passes, reprogrammings) = try ChipInTheLoop.train(
            from: initial, train: train, hardware: config.hardware, options: config.options, chipSeed: chipSeed,
            hyperparameters: h, test: json ? nil : test, ownLayer: fraction) { if !json { Output.error($0) } }
        let seconds = Date().timeIntervalSince(start)
        let accuracy = model.accuracy(on: test)
        // The last record carries the finished model's float test accuracy.
        if !model.history.isEmpty { model.history[model.history.count - 1].testAccuracy = accuracy }
        model.data = initial.data
        let json64 = try JSONSerialization.data(withJSONObject: config.hardware.jsonObject(), options: [.sortedKeys])
        model.hardwareTraining = HardwareTraining(mode: .chipInTheLoop, hardware: config.hardware.name, sets: [], hardwareSHA256: SHA256.hex(json64),
                                                  driftSeconds: nil, chipSeed: UInt64(chipSeed), initialModel: URL(fileURLWithPath: config.model.file).lastPathComponent,
                                                  hardwareFraction: fraction.flatMap { $0 < 1 ? $0 : nil })
        if ownLayer { model.hardwareTraining?.ownLayerOnChip = true }
        // The cost model's per-layer energy and busy time, from the trained model compiled and run.
        let samples = min(test.count, 200)
        let (_, run) = try Experiment.mapAndRun(Experiment.ModelSource(path: output, model: model, digest: "0"), hardware: config.hardware,
                                                mapOptions: config.options, train: train, raw: test.features.rows(0..<samples),
                                                labels: Array(test.labels.prefix(samples)), runOptions: RunOptions())
        let cost = ChipInTheLoop.cost(layerPasses: passes, run: run)
        try ModelFile.save(model, to: output)
        if json {
            Output.json(["mode": "chip-in-the-loop", "config": path, "chipSeed": chipSeed, "epochsPerLayer": h.epochs,
                         "testAccuracy": accuracy, "seconds": seconds, "layerPasses": passes, "reprogrammings": reprogrammings,
                         "chipEnergyJoules": cost.energyJoules, "chipSeconds": cost.seconds, "output": output])
        } else {
            print("float test accuracy \(Output.format(accuracy * 100, 2))%  (\(Output.format(seconds, 1)) s)  model written to \(output)")
            print("on the chip: \(passes.map(String.init).joined(separator: ", ")) layer passes (layers 1...\(passes.count)); \(Output.format(cost.energyJoules * 1000, 3)) mJ, \(Output.format(cost.seconds, 3)) s of busy time (cost model, \(samples)-sample run of the trained model)")
            if ownLayer { print("reprogrammed: \(reprogrammings.map(String.init).joined(separator: ", ")) times (layers 1...\(passes.count)); programming energy is not modelled") }
        }
    }
}
