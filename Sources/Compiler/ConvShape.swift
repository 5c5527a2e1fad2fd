import Datasets
import HFF
import Numerics

/// A conv layer's geometry as a config records it: the input map, the block's spec, the
/// convolution's output (its positions: one read of the layer's tiles each) and the pooled map
/// it hands on. The derived shapes are recomputed from `input` and `spec` when a config is
/// loaded, so a hand-edited one cannot disagree with them.
public struct ConvShape: Codable, Equatable, Sendable {
    public var input: ImageShape
    public var spec: ConvSpec
    public var convOutput: ImageShape
    public var output: ImageShape
    /// HFF: what the block's prototypes score, which decides the digital unit's work on the
    /// map (`mapOperations`); nil: no read-out (backprop).
    public var scoring: ConvScoring?

    public init(_ g: ConvGeometry, scoring: ConvScoring?) {
        input = g.input
        spec = g.spec
        convOutput = g.convOutput
        output = g.output
        self.scoring = scoring
    }

    /// The same geometry with its derived shapes recomputed from `input` and `spec`.
    public var recomputed: ConvShape { ConvShape(geometry, scoring: scoring) }

    public var geometry: ConvGeometry { ConvGeometry(input: input, spec: spec) }
    /// Weights per filter: the crossbar rows of the layer.
    public var patch: Int { input.channels * spec.kernel * spec.kernel }
    /// Output positions, streamed through the tiles one output row (`convOutput.width`
    /// positions) at a time.
    public var positions: Int { convOutput.positions }

    /// Input rows the line buffer fetches from the layer's buffer for output row `oy` (those the
    /// previous output row's windows did not already bring): the window's rows
    /// [oy stride - pad, oy stride - pad + k) inside the image, less the previous window's.
    public func newInputRows(outputRow oy: Int) -> Int {
        let s = spec.stride, pad = spec.padding, k = spec.kernel, h = input.height
        let lo = max(0, oy * s - pad), hi = min(h, oy * s - pad + k)
        let held = oy == 0 ? 0 : min(h, (oy - 1) * s - pad + k)
        return max(0, hi - max(lo, held))
    }

    /// Digital operations on the finished map of one sample: each pooling window's compares
    /// (max: size^2 - 1) or adds and a scale (average: size^2); with `normalize` (HFF) the
    /// map's square-accumulate and scale (2 per value), and with `average` scoring its mean per
    /// channel (one add per value, one scale per channel) and that vector's normalisation.
    public func mapOperations(normalize: Bool, averageScoring: Bool) -> Int {
        var ops = 0, shape = convOutput
        for p in spec.pools {
            shape = ImageShape(channels: shape.channels, height: shape.height / p.size, width: shape.width / p.size)
            ops += shape.count * (p.kind == .max ? p.size * p.size - 1 : p.size * p.size)
        }
        if normalize {
            ops += 2 * output.count
            if averageScoring { ops += output.count + 3 * output.channels }
        }
        return ops
    }
}

extension HardwareConfig {
    /// A conv layer's geometry within what `--arch` accepts and consistent with the layer's
    /// crossbar shape, before the task graph sizes its stages by it.
    static func checkConv(_ c: ConvShape, layer: LayerMapping, index l: Int, fail: (String, String) -> InputError) throws {
        let field = "layers[\(l)].conv"
        for (name, v) in [("input.channels", c.input.channels), ("input.height", c.input.height), ("input.width", c.input.width)]
            where !(1...(1 << 16)).contains(v) {
            throw fail("\(field).\(name)", "expected a whole number in 1...65536, got \(v)")
        }
        guard (1...Architecture.maxKernel).contains(c.spec.kernel) else {
            throw fail("\(field).spec.kernel", "expected a whole number in 1...\(Architecture.maxKernel), got \(c.spec.kernel)")
        }
        guard (1...Architecture.maxKernel).contains(c.spec.stride) else {
            throw fail("\(field).spec.stride", "expected a whole number in 1...\(Architecture.maxKernel), got \(c.spec.stride)")
        }
        guard (0..<c.spec.kernel).contains(c.spec.padding) else {
            throw fail("\(field).spec.padding", "expected a whole number in 0...\(c.spec.kernel - 1), got \(c.spec.padding)")
        }
        if let bad = c.spec.pools.firstIndex(where: { !(1...Architecture.maxKernel).contains($0.size) }) {
            throw fail("\(field).spec.pools[\(bad)].size", "expected a whole number in 1...\(Architecture.maxKernel), got \(c.spec.pools[bad].size)")
        }
        guard c.spec.outChannels == layer.outputs, c.patch == layer.inputs else {
            throw fail(field, "\(c.input.channels) x \(c.spec.kernel) x \(c.spec.kernel) patches and \(c.spec.outChannels) filters, but the layer is \(layer.inputs) x \(layer.outputs)")
        }
        let r = c.recomputed
        guard r.positions >= 1, r.output.count >= 1, c.input.count <= 1 << 24 else {
            throw fail(field, "a \(c.input) input gives \(r.convOutput) positions and a \(r.output) map: expected at least one value, and at most 2^24 inputs")
        }
    }
}
