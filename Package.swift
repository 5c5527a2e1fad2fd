// swift-tools-version:6.0
//
// hffsim: accuracy, latency and energy of Hyperspherical Forward-Forward networks on analog
// compute-in-memory hardware. No third-party packages: the toolchain and the system zlib only.

import PackageDescription
import Foundation

/// Vector code needs a target CPU. Swift on Linux compiles for baseline x86-64 by default, where
/// SIMD8/SIMD16 arithmetic (`addProduct` above all) becomes per-lane library calls, 50-100x slower.
/// Release builds therefore compile for the CPU that builds them (`-target-cpu native`); set
/// HFFSIM_TARGET_CPU to another LLVM CPU name (for example `znver4`, `skylake-avx512`, `haswell`)
/// to cross-build, or to `generic` to drop the flag. See docs/performance.md for the measured effect.
let targetCPU = ProcessInfo.processInfo.environment["HFFSIM_TARGET_CPU"] ?? "native"
/// `-fno-math-errno`: Swift's `squareRoot()` comes from a C shim; with errno semantics (Linux's
/// default) every lane of a SIMD square root becomes a scalar sqrt plus a library call, 20x slower
/// in Adam. Square roots are correctly rounded either way, so results do not change.
var vectorSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"], .when(configuration: .release))]
#if arch(x86_64)
if targetCPU != "generic" {
    vectorSettings.append(.unsafeFlags(["-target-cpu", targetCPU], .when(configuration: .release)))
}
#endif

let package = Package(
    name: "hffsim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hffsim", targets: ["hffsim"]),
    ],
    targets: [
        .executableTarget(name: "hffsim", dependencies: ["Simulator", "Compiler", "Hardware", "HFF", "Datasets", "Numerics", "CKernels"],
                          swiftSettings: vectorSettings),
        .target(name: "Simulator", dependencies: ["Compiler", "Hardware", "HFF", "Datasets", "Numerics", "Plots"], swiftSettings: vectorSettings),
        // SVG charts and self-contained HTML reports (Foundation only).
        .target(name: "Plots"),
        .target(name: "Compiler", dependencies: ["Hardware", "HFF", "Datasets", "Numerics"], swiftSettings: vectorSettings),
        .target(name: "Hardware", dependencies: ["Numerics"], swiftSettings: vectorSettings),
        .target(name: "HFF", dependencies: ["Datasets", "Numerics"], swiftSettings: vectorSettings),
        .target(name: "Datasets", dependencies: ["Numerics", "CZlib"],
                resources: [.copy("Subset")], swiftSettings: vectorSettings),
        .target(name: "Numerics", dependencies: ["CKernels"], swiftSettings: vectorSettings),
        // The exact integer product kernel (AVX-512 VNNI, chosen at run time; a portable loop elsewhere).
        .target(name: "CKernels"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"], swiftSettings: vectorSettings),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], swiftSettings: vectorSettings),
        .testTarget(name: "HardwareTests", dependencies: ["Hardware", "TestSupport"], swiftSettings: vectorSettings),
        // Small random models shared by the Compiler and Simulator tests.
        .target(name: "TestSupport", dependencies: ["HFF", "Datasets", "Hardware", "Numerics"], path: "Tests/TestSupport", swiftSettings: vectorSettings),
        .testTarget(name: "CompilerTests", dependencies: ["Compiler", "TestSupport"], swiftSettings: vectorSettings),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "TestSupport"], swiftSettings: vectorSettings),
        .testTarget(name: "HFFTests", dependencies: ["HFF", "Datasets"], exclude: ["Fixtures"], swiftSettings: vectorSettings),
        .testTarget(name: "hffsimTests", dependencies: ["hffsim", "TestSupport"], swiftSettings: vectorSettings),
    ],
    swiftLanguageModes: [.v5]
)
