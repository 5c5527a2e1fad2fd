import Datasets
import Numerics

/// A pooling window over each channel: `size` x `size`, stride `size` (PyTorch's
/// `nn.MaxPool2d(size)` / `nn.AvgPool2d(size)`: rows and columns beyond the last whole window
/// are dropped).
public struct PoolSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case max, average }
    public var kind: Kind
    public var size: Int

    public init(kind: Kind, size: Int) {
        self.kind = kind
        self.size = size
    }
}

/// One convolution block: a 2-D convolution (`outChannels` filters of `kernel` x `kernel` over
/// every input channel, `stride`, zero `padding` on each side), ReLU, then its pooling layers.
/// HFF trains each block by its own loss.
public struct ConvSpec: Codable, Equatable, Sendable {
    public var outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var pools: [PoolSpec]

    public init(outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil, pools: [PoolSpec] = []) {
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding ?? kernel / 2
        self.pools = pools
    }
}

/// A network's layers as `--arch` writes them: convolution blocks, then dense layers.
///
///     c32k3         conv, 32 filters of 3 x 3, stride 1, padding 1 ("same": kernel / 2)
///     c64k5s2pad0   conv, 64 filters of 5 x 5, stride 2, no padding
///     p2  /  a2     2 x 2 max / average pooling (after a conv, in the block before it)
///     f1000         dense layer of 1000 units
///
/// Convolutions and pooling come first, dense layers last; at least one layer.
public struct Architecture: Equatable, Sendable {
    public var convs: [ConvSpec]
    public var widths: [Int]

    public init(convs: [ConvSpec] = [], widths: [Int]) {
        self.convs = convs
        self.widths = widths
    }

    /// Largest filter count, kernel, stride, padding and pooling size `parse` accepts.
    public static let maxChannels = 1 << 14
    public static let maxKernel = 64

    public static func parse(_ text: String, flag: String = "--arch") throws -> Architecture {
        var arch = Architecture(widths: [])
        func fail(_ token: Substring, _ why: String) -> InputError {
            InputError.usage(flag: flag, "'\(token)': \(why) (tokens: cCkK[sS][padP], pN, aN, fW, comma-separated)")
        }
        func number(_ s: Substring, _ token: Substring, _ what: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let v = Int(s), range.contains(v) else { throw fail(token, "\(what) must be a whole number in \(range.lowerBound)...\(range.upperBound)") }
            return v
        }
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false)
        for token in tokens {
            guard let head = token.first else { throw fail(token, "empty layer") }
            let rest = token.dropFirst()
            switch head {
            case "c":
                guard arch.widths.isEmpty else { throw fail(token, "convolutions come before dense layers") }
                // cC kK [sS] [padP]
                guard let k = rest.firstIndex(of: "k") else { throw fail(token, "a convolution needs a kernel size, for example c32k3") }
                let channels = try number(rest[..<k], token, "the filter count", 1...maxChannels)
                var tail = rest[rest.index(after: k)...]
                let kEnd = tail.firstIndex(where: { !$0.isNumber }) ?? tail.endIndex
                let kernel = try number(tail[..<kEnd], token, "the kernel size", 1...maxKernel)
                tail = tail[kEnd...]
                var stride = 1, padding: Int? = nil
                if tail.hasPrefix("s") {
                    let sEnd = tail.dropFirst().firstIndex(where: { !$0.isNumber }) ?? tail.endIndex
                    stride = try number(tail.dropFirst()[..<sEnd], token, "the stride", 1...maxKernel)
                    tail = tail[sEnd...]
                }
                if tail.hasPrefix("pad") {
                    padding = try number(tail.dropFirst(3), token, "the padding", 0...maxKernel)
                    tail = tail[tail.endIndex...]
                }
                guard tail.isEmpty else { throw fail(token, "unexpected '\(tail)'") }
                arch.convs.append(ConvSpec(outChannels: channels, kernel: kernel, stride: stride, padding: padding))
            case "p", "a":
                guard !arch.convs.isEmpty, arch.widths.isEmpty else { throw fail(token, "pooling follows a convolution") }
                let size = try number(rest, token, "the pooling size", 1...maxKernel)
                arch.convs[arch.convs.count - 1].pools.append(PoolSpec(kind: head == "p" ? .max : .average, size: size))
            case "f":
                arch.widths.append(try number(rest, token, "the width", 1...TrainingConfiguration.maxWidth))
            default:
                throw fail(token, "unknown layer")
            }
        }
        if arch.convs.count + arch.widths.count > 64 { throw InputError.usage(flag: flag, "expected at most 64 layers, got \(arch.convs.count + arch.widths.count)") }
        return arch
    }

    /// The compact form `parse` reads (padding written only where it is not kernel / 2).
    public var description: String {
        var parts = [String]()
        for c in convs {
            var s = "c\(c.outChannels)k\(c.kernel)"
            if c.stride != 1 { s += "s\(c.stride)" }
            if c.padding != c.kernel / 2 { s += "pad\(c.padding)" }
            parts.append(s)
            for p in c.pools { parts.append((p.kind == .max ? "p" : "a") + "\(p.size)") }
        }
        return (parts + widths.map { "f\($0)" }).joined(separator: ",")
    }

    /// For messages: "784-1000-1000" for a dense network, "1x28x28 c32k3,p2,f1000" with convolutions.
    public func describe(inputs: Int, shape: ImageShape?) -> String {
        convs.isEmpty ? ([inputs] + widths).map(String.init).joined(separator: "-") : "\(shape.map(\.description) ?? "?") \(description)"
    }

    /// The shapes through the convolution blocks from `input`: each block's input shape, and the
    /// shape the last block hands to the dense layers. Errors name `flag` when a block does not fit.
    public func shapes(from input: ImageShape, flag: String = "--arch") throws -> (blocks: [ImageShape], output: ImageShape) {
        var shape = input
        var inputs = [ImageShape]()
        for (i, c) in convs.enumerated() {
            inputs.append(shape)
            let g = ConvGeometry(input: shape, spec: c)
            guard g.convOutput.height >= 1, g.convOutput.width >= 1 else {
                throw InputError.usage(flag: flag, "convolution \(i + 1) (\(c.kernel)x\(c.kernel), padding \(c.padding)) does not fit its \(shape) input")
            }
            guard g.output.height >= 1, g.output.width >= 1 else {
                throw InputError.usage(flag: flag, "the pooling after convolution \(i + 1) does not fit its \(g.convOutput) input")
            }
            shape = g.output
        }
        return (inputs, shape)
    }
}
