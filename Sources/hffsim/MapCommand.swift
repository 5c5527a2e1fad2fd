import Foundation
import Compiler
import Datasets
import Hardware
import HFF
import Numerics

enum MapCommand {
    static let spec = CommandSpec(
        name: "map",
        overview: "Compile a model onto a hardware model: crossbar tiles, quantised weights, ADC ranges, learning-core placement and a schedule, written as a hardware config.",
        usage: "hffsim map <model.safetensors> --hardware <preset> [--set key=value ...] --output <config.json> [--json]",
        arguments: [("<model.safetensors>", "A model written by 'hffsim train'.")],
        options: [
            OptionSpec("--hardware", "preset", "Preset name or hardware description file.", default: "rram-neurosim"),
            OptionSpec("--set", "key=value", "Override a hardware key (repeatable).", default: "none"),
            OptionSpec("--output", "config.json", "The hardware config to write (its tensors go beside it, .tensors.safetensors).", default: "required"),
            OptionSpec("--weight-scale", "per-layer|per-column", "One weight scale per layer, or per output column.", default: "per-layer"),
            OptionSpec("--clip-percentile", "P", "Weights above this percentile of |w| clip to the largest code.", default: "100"),
            OptionSpec("--calibration-samples", "N", "Training samples the ADC ranges (calibrated range modes; 0: worst case) and a calibrated DAC input scale are calibrated on.", default: "256"),
            OptionSpec("--adc-headroom", "F", "Calibrated ADC ranges are the calibration set's largest currents times 1 + F.", default: "the hardware's crossbar.adc.calibrationHeadroom"),
            OptionSpec("--calibration-inputs", "float|chip", "Calibrate each layer's DAC scale and ADC ranges on the float model's activations, or on those the noiseless chip's own layers below produce.", default: "float"),
            OptionSpec("--duplicate", "n,n,...", "Copies of each crossbar layer's tiles, to balance a layer pipeline.", default: "1 each"),
        ] + DatasetFlags.modelDataOptions + [
            OptionSpec("--json", nil, "Print one JSON object on stdout."),
        ],
        positionals: 1...1)

    static func run(_ argv: [String]) throws {
        let args = try Arguments(argv, spec: spec)
        guard let output = args.string("--output") else { throw InputError.usage(flag: "--output", "is required: where to write the hardware config") }
        try TrainCommand.checkWritable(output, flag: "--output")
        try TrainCommand.refuseOverwritingInputs([(output, "--output"), (HardwareConfig.tensorsPath(for: output), "--output")],
                                                 args: args, inputs: [args.positionals[0]])
        var options = MapOptions()
        options.weightScale = try args.choice("--weight-scale", default: .perLayer)
        options.clipPercentile = Double(try args.float("--clip-percentile", default: 100, expected: "a percentile in 50...100") { $0 >= 50 && $0 <= 100 })
        options.calibrationSamples = try args.int("--calibration-samples", default: 256, range: 0...1_000_000)
        if args.string("--adc-headroom") != nil {
            options.adcHeadroom = Double(try args.float("--adc-headroom", default: 0, expected: "a fraction in 0...10") { $0 >= 0 && $0 <= 10 })
        }
        if args.string("--calibration-inputs") != nil {
            options.calibrationInputs = try args.choice("--calibration-inputs", default: .float)
        }
        if args.string("--duplicate") != nil {
            options.duplication = try args.intList("--duplicate", default: [])
            if let big = options.duplication.first(where: { $0 > 65_536 }) {
                throw InputError.usage(flag: "--duplicate", "expected copies in 1...65536 per layer, got \(big)")
            }
        }
        let modelPath = args.positionals[0]
        let hardware = try HardwareDescription.load(args.string("--hardware") ?? "rram-neurosim", sets: args.strings("--set"))
        let model = try ModelFile.load(path: modelPath)
        guard let modelBytes = FileManager.default.contents(atPath: modelPath) else { throw InputError.data(file: modelPath, "cannot read the file") }
        // Calibration samples from the training split (only read when the ADC ranges need them).
        var calibration = Matrix(rows: 0, cols: model.inputSize)
        let calibrates = hardware.choice("crossbar.adc.rangeMode") != "full-scale" || hardware.choice("crossbar.dac.inputScaling") == "calibrated"
        if calibrates && options.calibrationSamples > 0 {
            let (train, _) = try DatasetFlags.load(args, for: model, modelName: modelPath, seed: nil)
            if train.featureCount != model.inputSize {
                throw InputError(.data, "\(train.name): samples have \(train.featureCount) features but the model \(modelPath) expects \(model.inputSize)")
            }
            calibration = train.features.rows(0..<min(train.count, options.calibrationSamples))
        }
        let start = Date()
        let config = try Mapper.map(model: model, modelPath: modelPath, modelDigest: SHA256.hex(modelBytes), hardware: hardware,
                                    options: options, calibration: calibration)
        let seconds = Date().timeIntervalSince(start)
        try config.write(to: output)
        let r = config.resources
        if args.flag("--json") {
            var out: [String: Any] = [
                "config": output, "tensors": HardwareConfig.tensorsPath(for: output), "hardware": hardware.name, "seconds": seconds,
                "tiles": r.tiles, "arrays": r.arrays, "adcs": r.adcs, "dacs": r.dacs, "tileSites": r.tileSites,
                "learningCores": r.learningCores, "learningCoreNeurons": r.learningCoreNeurons,
                "utilization": r.utilization, "siteUtilization": r.siteUtilization, "hopsPerInference": r.hopsPerInference,
                "layers": config.layers.map { ["index": $0.index, "rowTiles": $0.rowTiles, "columnTiles": $0.columnTiles, "duplication": $0.duplication,
                                               "tiles": $0.tiles.count, "utilization": $0.utilization, "clippedWeights": $0.clippedWeights] as [String: Any] },
            ]
            if let a = r.areaSquareMillimeters { out["areaSquareMillimeters"] = a }
            Output.json(out)
            return
        }
        for line in config.summary { print(line) }
        let wire = config.taskGraph.stages.reduce(0.0) { $0 + $1.actions.linkBitMillimeters }
        let topology = HardwareModel(config.hardware).chip.interconnect
        let traffic = topology.isWire
            ? "\(Output.format(wire, 0)) bit mm of \(topology == .bus ? "bus" : "H-tree") wire per inference" : "\(r.hopsPerInference) mesh hops per inference"
        print("resources: \(r.tiles) tiles = arrays, \(r.adcs) ADCs, \(r.dacs) row drivers, \(r.learningCores) of \(r.learningCoresAvailable) learning cores (\(r.learningCoreNeurons) neurons); tile sites used \(Output.format(r.siteUtilization * 100, 1))%, weight cells \(Output.format(r.utilization * 100, 1))% of the tiles' cells; \(traffic)"
              + (r.areaSquareMillimeters.map { ", area \(Output.format($0, 2)) mm^2" } ?? ", area: not given by the preset"))
        print("mapped in \(Output.format(seconds, 3)) s; wrote \(output) and \(HardwareConfig.tensorsPath(for: output))")
    }
}
