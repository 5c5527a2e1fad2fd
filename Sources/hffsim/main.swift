import Foundation
import Numerics
import CKernels
// Large arrays (per-sample core programs, per-block matrices) are allocated and freed many times
// a run; keep them in the heap rather than mapping fresh zeroed pages each time.
hffsim_keep_large_allocations()
// SIGINT and SIGTERM remove the temporary outputs in flight (Cleanup), so nothing partial is left.
Cleanup.installSignalHandlers()

/// hffsim's entry point: argument dispatch only. Each command lives in its own file.
let topSpec = CommandSpec(
    name: "",
    overview: "Accuracy, latency and energy of locally trained (Hyperspherical Forward-Forward) networks on analog in-memory hardware.",
    usage: "hffsim <subcommand> [options]",
    subcommands: [
        ("train", "Train the ideal float model (hff, ff or backprop)."),
        ("eval", "Evaluate a model: accuracy, per-class accuracy, confusion matrix."),
        ("map", "Compile a model onto a hardware model: a hardware config."),
        ("run", "Simulate a hardware config: accuracy, latency, energy, reports and a trace."),
        ("compare", "Map and run several models (HFF, FF, backprop) on one hardware: one table."),
        ("sweep", "Design-space sweep: map and run a grid of hardware settings; table, Pareto front, plots (resumable, shardable)."),
        ("check", "Re-simulate the reference traces in Traces/ and compare (regression)."),
        ("validate", "Run the reference points (NeuroSim, silicon, aihwkit): hffsim against each, pass or fail."),
        ("hardware", "Hardware descriptions: show, check, keys."),
        ("bench", "Measure hffsim's own speed (gemm, train, tile, core)."),
    ],
    discussion: "See 'hffsim <subcommand> --help' for each command's options.")

func dispatch(_ argv: [String]) throws {
    guard let command = argv.first else {
        print(topSpec.help, terminator: "")
        throw InputError(.usage, "missing subcommand; see 'hffsim --help'")
    }
    let rest = Array(argv.dropFirst())
    switch command {
    case "train": try TrainCommand.run(rest)
    case "eval": try EvalCommand.run(rest)
    case "map": try MapCommand.run(rest)
    case "run": try RunCommand.run(rest)
    case "compare": try CompareCommand.run(rest)
    case "sweep": try SweepCommand.run(rest)
    case "check": try CheckCommand.run(rest)
    case "validate": try ValidateCommand.run(rest)
    case "bench": try BenchCommand.run(rest)
    case "hardware": try HardwareCommand.run(rest)
    case "--help", "-h", "help": print(topSpec.help, terminator: "")
    default: throw InputError(.usage, "unknown subcommand '\(command)'; see 'hffsim --help'")
    }
}

do {
    try dispatch(Array(CommandLine.arguments.dropFirst()))
} catch let help as HelpRequested {
    print(help.text, terminator: "")
} catch let checked as ArgumentsChecked {
    print("valid: hffsim \(checked.command)")
} catch let error as InputError {
    Output.error("error: \(error.message)")
    exit(error.exitCode)
} catch {
    Output.error("error: \(error)")
    exit(70)
}
