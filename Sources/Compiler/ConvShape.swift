import Datasets
import HFF

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
