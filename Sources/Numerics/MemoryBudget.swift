import Foundation

/// How much memory one input may make hffsim allocate: half the machine's physical memory. Readers
/// compare what a file claims (an IDX header's dimensions, a gzip stream's output, a layer list's
/// parameters) against it before allocating, so a small hostile file cannot exhaust the machine.
public enum MemoryBudget {
    public static var bytes: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max))) }

    /// "12.0 GiB" for messages.
    public static func describe(_ n: Int) -> String { String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
}
