import XCTest
import Numerics
import HFF
import Datasets

/// Analytic gradients against central finite differences, on small layers in Float32.
final class GradientTests: XCTestCase {
    func randomMatrix(_ r: Int, _ c: Int, _ rng: inout SeededRandom, scale: Float = 1) -> Matrix {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.gaussian() * scale })
    }

    /// Compares d loss / d p[i] with (loss(p + h) - loss(p - h)) / 2h at `count` random indices.
    func check(_ name: String, values: [Float], analytic: [Float], count: Int = 12, h: Float = 2e-3,
               rng: inout SeededRandom, loss: ([Float]) -> Double) {
        for _ in 0..<count {
            let i = rng.below(values.count)
            var plus = values, minus = values
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
            let err = abs(numeric - Double(analytic[i])) / max(1e-3, abs(numeric) + abs(Double(analytic[i])))
            XCTAssertLessThan(err, 0.05, "\(name)[\(i)]: numeric \(numeric), analytic \(analytic[i])")
        }
    }

    func hffCase(perClass: Int, margin: Float) {
        var rng = SeededRandom(seed: UInt64(perClass * 10) + (margin > 0 ? 1 : 0))
        let inputs = 6, width = 5, k = 3, b = 4
        let x = randomMatrix(b, inputs, &rng)
        let labels = [0, 2, 1, 2]
        let layer = DenseLayer(weight: randomMatrix(inputs, width, &rng, scale: 0.5), bias: (0..<width).map { _ in rng.gaussian() * 0.1 + 0.3 })
        let protos = randomMatrix(k * perClass, width, &rng)
        let tau: Float = 0.5
        let g = HFFMath.lossAndGradients(layer: layer, prototypes: protos, input: x, labels: labels,
                                         classCount: k, perClass: perClass, tau: tau, margin: margin)
        func lossWith(_ l: DenseLayer, _ p: Matrix) -> Double {
            HFFMath.lossAndGradients(layer: l, prototypes: p, input: x, labels: labels, classCount: k,
                                     perClass: perClass, tau: tau, margin: margin).loss
        }
        check("W", values: layer.weight.storage, analytic: g.weight.storage, rng: &rng) { v in
            var l = layer; l.weight.storage = v; return lossWith(l, protos)
        }
        check("b", values: layer.bias, analytic: g.bias, count: width, rng: &rng) { v in
            var l = layer; l.bias = v; return lossWith(l, protos)
        }
        check("P", values: protos.storage, analytic: g.prototypes.storage, rng: &rng) { v in
            var p = protos; p.storage = v; return lossWith(layer, p)
        }
        // z lies on the unit sphere (or is zero where ReLU silenced the whole row).
        let norms = Kernels.rowNorms(g.z)
        for n in norms where n != 0 { XCTAssertEqual(n, 1, accuracy: 1e-5) }
        XCTAssertTrue(norms.contains { $0 != 0 })
    }

    func testHFFLayerGradientSinglePrototype() { hffCase(perClass: 1, margin: 0) }
    func testHFFLayerGradientLogSumExpPrototypesAndMargin() { hffCase(perClass: 3, margin: 0.2) }

    func testFFLayerGradient() {
        var rng = SeededRandom(seed: 77)
        let x = randomMatrix(6, 7, &rng)
        let layer = DenseLayer(weight: randomMatrix(7, 5, &rng, scale: 1.5), bias: (0..<5).map { _ in rng.gaussian() * 0.2 + 0.5 })
        let g = FFMath.lossAndGradients(layer: layer, input: x, positives: 3, threshold: 0.5)
        check("W", values: layer.weight.storage, analytic: g.weight.storage, rng: &rng) { v in
            var l = layer; l.weight.storage = v
            return FFMath.lossAndGradients(layer: l, input: x, positives: 3, threshold: 0.5).loss
        }
        check("b", values: layer.bias, analytic: g.bias, count: 5, rng: &rng) { v in
            var l = layer; l.bias = v
            return FFMath.lossAndGradients(layer: l, input: x, positives: 3, threshold: 0.5).loss
        }
    }

    /// A small conv block: 2 channels of 6 x 5, 3 filters of 3 x 3, stride 2, padding 1, then the pooling given.
    func convBlock(_ rng: inout SeededRandom, pools: [PoolSpec], stride: Int = 2, input: ImageShape = ImageShape(channels: 2, height: 6, width: 5)) -> ConvBlock {
        let g = ConvGeometry(input: input, spec: ConvSpec(outChannels: 3, kernel: 3, stride: stride, padding: 1, pools: pools))
        return ConvBlock(geometry: g, conv: DenseLayer(weight: randomMatrix(g.patch, 3, &rng, scale: 0.5), bias: (0..<3).map { _ in rng.gaussian() * 0.1 + 0.2 }))
    }

    /// The block's forward pass against the convolution's definition, summed directly:
    /// y[c', oy, ox] = ReLU(b[c'] + sum_{c, ky, kx} W[c', c, ky, kx] x[c, 2 oy - 1 + ky, 2 ox - 1 + kx]).
    func testConvForwardIsTheDirectConvolution() {
        var rng = SeededRandom(seed: 41)
        let block = convBlock(&rng, pools: [])
        let x = randomMatrix(2, 60, &rng)
        let y = block.forward(x).output
        let g = block.geometry
        XCTAssertEqual(g.convOutput, ImageShape(channels: 3, height: 3, width: 3))
        for n in 0..<2 {
            for o in 0..<3 {
                for oy in 0..<3 {
                    for ox in 0..<3 {
                        var sum = block.conv.bias[o]
                        for c in 0..<2 {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let (iy, ix) = (2 * oy - 1 + ky, 2 * ox - 1 + kx)
                                    guard iy >= 0, iy < 6, ix >= 0, ix < 5 else { continue }
                                    // Weight [o, c, ky, kx] is row (c * 3 + ky) * 3 + kx of column o.
                                    sum += block.conv.weight[(c * 3 + ky) * 3 + kx, o] * x[n, c * 30 + iy * 5 + ix]
                                }
                            }
                        }
                        XCTAssertEqual(y[n, o * 9 + oy * 3 + ox], max(0, sum), accuracy: 1e-5)
                    }
                }
            }
        }
    }

    func convHFFCase(pools: [PoolSpec], scoring: ConvScoring = .average) {
        var rng = SeededRandom(seed: 43 + UInt64(pools.count))
        let block = convBlock(&rng, pools: pools, stride: 1)
        let x = randomMatrix(4, 60, &rng)
        let labels = [0, 2, 1, 2]
        let protos = randomMatrix(3, scoring.width(block.geometry.output), &rng)
        func loss(_ b: ConvBlock, _ p: Matrix) -> Double {
            HFFMath.convLossAndGradients(block: b, prototypes: p, input: x, labels: labels, classCount: 3, perClass: 1, tau: 0.5, margin: 0.1,
                                         scoring: scoring).loss
        }
        let g = HFFMath.convLossAndGradients(block: block, prototypes: protos, input: x, labels: labels, classCount: 3, perClass: 1, tau: 0.5,
                                             margin: 0.1, scoring: scoring)
        check("conv W", values: block.conv.weight.storage, analytic: g.weight.storage, count: 20, rng: &rng) { v in
            var b = block; b.conv.weight.storage = v; return loss(b, protos)
        }
        check("conv b", values: block.conv.bias, analytic: g.bias, count: 3, rng: &rng) { v in
            var b = block; b.conv.bias = v; return loss(b, protos)
        }
        check("conv P", values: protos.storage, analytic: g.prototypes.storage, count: 12, rng: &rng) { v in
            var p = protos; p.storage = v; return loss(block, p)
        }
    }

    func testConvHFFBlockGradient() { convHFFCase(pools: []) }
    func testConvHFFBlockGradientThroughMaxAndAveragePooling() { convHFFCase(pools: [PoolSpec(kind: .max, size: 2), PoolSpec(kind: .average, size: 1)]) }
    func testConvHFFBlockGradientScoringTheWholeMap() { convHFFCase(pools: [PoolSpec(kind: .max, size: 2)], scoring: .map) }

    /// Two conv blocks (the second needs the first's input gradient: col2imT and the max pooling's
    /// routing), a dense layer and the head, end to end.
    func testBackpropGradientThroughConvBlocks() {
        var rng = SeededRandom(seed: 47)
        let first = convBlock(&rng, pools: [PoolSpec(kind: .max, size: 2)], stride: 1)
        let second = convBlock(&rng, pools: [PoolSpec(kind: .average, size: 1)], stride: 1, input: first.geometry.output)
        let flat = second.geometry.output.count
        let x = randomMatrix(3, 60, &rng)
        let labels = [0, 1, 2]
        let layers = [DenseLayer(weight: randomMatrix(flat, 4, &rng, scale: 0.5), bias: (0..<4).map { _ in 0.1 + rng.gaussian() * 0.1 })]
        let head = DenseLayer(weight: randomMatrix(4, 3, &rng), bias: [0, 0.1, -0.1])
        func loss(_ blocks: [ConvBlock]) -> Double {
            BackpropMath.lossAndGradients(blocks: blocks, layers: layers, head: head, input: x, labels: labels).loss
        }
        let g = BackpropMath.lossAndGradients(blocks: [first, second], layers: layers, head: head, input: x, labels: labels)
        check("block 0 W", values: first.conv.weight.storage, analytic: g.blocks[0].weight.storage, count: 20, rng: &rng) { v in
            var b = first; b.conv.weight.storage = v; return loss([b, second])
        }
        check("block 0 b", values: first.conv.bias, analytic: g.blocks[0].bias, count: 3, rng: &rng) { v in
            var b = first; b.conv.bias = v; return loss([b, second])
        }
        check("block 1 W", values: second.conv.weight.storage, analytic: g.blocks[1].weight.storage, count: 20, rng: &rng) { v in
            var b = second; b.conv.weight.storage = v; return loss([first, b])
        }
    }

    func testBackpropGradientReachesFirstLayer() {
        var rng = SeededRandom(seed: 5)
        let x = randomMatrix(5, 6, &rng)
        let labels = [0, 1, 2, 1, 0]
        let layers = [DenseLayer(weight: randomMatrix(6, 8, &rng, scale: 0.5), bias: (0..<8).map { _ in 0.1 + rng.gaussian() * 0.1 }),
                      DenseLayer(weight: randomMatrix(8, 4, &rng, scale: 0.5), bias: (0..<4).map { _ in 0.1 + rng.gaussian() * 0.1 })]
        let head = DenseLayer(weight: randomMatrix(4, 3, &rng), bias: [0, 0.1, -0.1])
        let g = BackpropMath.lossAndGradients(layers: layers, head: head, input: x, labels: labels)
        check("W0", values: layers[0].weight.storage, analytic: g.layers[0].weight.storage, rng: &rng) { v in
            var l = layers; l[0].weight.storage = v
            return BackpropMath.lossAndGradients(layers: l, head: head, input: x, labels: labels).loss
        }
        check("head", values: head.weight.storage, analytic: g.head.weight.storage, rng: &rng) { v in
            var hd = head; hd.weight.storage = v
            return BackpropMath.lossAndGradients(layers: layers, head: hd, input: x, labels: labels).loss
        }
        check("W1", values: layers[1].weight.storage, analytic: g.layers[1].weight.storage, rng: &rng) { v in
            var l = layers; l[1].weight.storage = v
            return BackpropMath.lossAndGradients(layers: l, head: head, input: x, labels: labels).loss
        }
        check("b0", values: layers[0].bias, analytic: g.layers[0].bias, count: 8, rng: &rng) { v in
            var l = layers; l[0].bias = v
            return BackpropMath.lossAndGradients(layers: l, head: head, input: x, labels: labels).loss
        }
        check("head bias", values: head.bias, analytic: g.head.bias, count: 3, rng: &rng) { v in
            var hd = head; hd.bias = v
            return BackpropMath.lossAndGradients(layers: layers, head: hd, input: x, labels: labels).loss
        }
    }

    func testEMAPrototypesMoveTowardClassMeanAndStayUnit() {
        var p = Matrix(rows: 2, cols: 2, storage: [1, 0, 0, 1])
        let z = Matrix(rows: 2, cols: 2, storage: [0, 1, 0, 1])
        HFFMath.emaUpdate(prototypes: &p, z: z, labels: [0, 0], perClass: 1, momentum: 0.5)
        // Class 0 moves from (1, 0) halfway toward (0, 1), then is renormalised; class 1 is untouched.
        XCTAssertEqual(p[0, 0], Float(0.5.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(p[0, 1], Float(0.5.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(p[1, 1], 1)
    }
}
