import Datasets
import Foundation
import Numerics

/// What `Trainer.train` reports while it runs.
public enum TrainingProgress {
    /// A batch finished: `batch` of `batches` in `epoch` (1-based), with the running mean loss.
    case batch(epoch: Int, batch: Int, batches: Int, loss: Double)
    /// An epoch finished, with its record (test accuracy when a test split was given).
    case epoch(EpochRecord)
}

/// Everything that defines a training run besides the data.
public struct TrainingConfiguration: Equatable, Sendable {
    public var algorithm: Algorithm
    public var widths: [Int]
    /// Convolution blocks before the dense layers (`--arch`); they need images with a shape.
    public var convs: [ConvSpec] = []
    public var hyperparameters: Hyperparameters
    /// Standardise each feature on its own (true) or all features with one mean and std (false).
    public var perFeatureStandardization: Bool = false
    /// HFF: false trains the prototypes alone (weights and biases stay as they start).
    public var trainsWeights: Bool = true

    /// Bounds that keep every size computation far from overflow; the parameter budget below
    /// keeps memory sane.
    public static let maxWidth = 1 << 20
    public static let maxBatchSize = 1 << 24
    public static let maxPrototypesPerClass = 4096
    /// Most parameters (weights, biases, prototypes) a model may have: 2^31, 8 GiB of Float32
    /// before the optimiser's two moments.
    public static let maxParameters = 1 << 31

    /// Checks the model's size for `inputs` features and `classes` classes; errors name --layers.
    public func validateSize(inputs: Int, classes: Int, shape: ImageShape? = nil) throws {
        var total = 0
        var fanIn = inputs
        var convUnits = 0
        if !convs.isEmpty, let shape {
            let (blocks, out) = try architecture.shapes(from: shape)
            for (i, c) in convs.enumerated() {
                let g = ConvGeometry(input: blocks[i], spec: c)
                total += g.patch * c.outChannels + c.outChannels
                    + (algorithm == .hff ? classes * hyperparameters.prototypesPerClass * hyperparameters.convScoring.width(g.output) : 0)
                // Per image: the patches, the activation map and its gradient.
                convUnits += g.positions * g.patch + 3 * g.convOutput.count
            }
            fanIn = out.count
        }
        for w in widths {
            total += fanIn * w + w + (algorithm == .hff ? classes * hyperparameters.prototypesPerClass * w : 0)
            fanIn = w
        }
        if algorithm == .backprop { total += fanIn * classes + classes }
        if total > Self.maxParameters {
            throw InputError.usage(flag: "--layers", "the model would have \(total) parameters, more than the \(Self.maxParameters) allowed")
        }
        // Training holds per parameter the weight, its gradient and Adam's two moments (4 Floats),
        // and per batch row and unit about 4 activations (pre-activation, output, normalised,
        // gradient); evaluation's batches of 1,000 rows likewise.
        let units = widths.reduce(0, +) + inputs + classes + convUnits
        let rows = max(hyperparameters.batchSize, 1000)
        let (paramBytes, o1) = total.multipliedReportingOverflow(by: 16)
        let (activationBytes, o2) = (rows * 16).multipliedReportingOverflow(by: units)
        let budget = MemoryBudget.bytes
        if o1 || o2 || paramBytes + activationBytes > budget {
            let need = o1 || o2 ? "more than" : MemoryBudget.describe(paramBytes + activationBytes) + ", more than"
            throw InputError.usage(flag: "--layers", "training this model needs \(need) the memory budget of \(MemoryBudget.describe(budget)) (half this machine's memory): \(total) parameters x 16 bytes (weights, gradients, Adam's moments) and \(rows)-row batches of \(units) units")
        }
    }

    /// The layers as `--arch` writes them.
    public var architecture: Architecture {
        get { Architecture(convs: convs, widths: widths) }
        set { convs = newValue.convs; widths = newValue.widths }
    }

    public init(algorithm: Algorithm, widths: [Int], hyperparameters: Hyperparameters) {
        self.algorithm = algorithm
        self.widths = widths
        self.hyperparameters = hyperparameters
    }

    /// Checks every value; errors name the flag that sets it.
    public func validate() throws {
        let h = hyperparameters
        if widths.isEmpty { throw InputError.usage(flag: convs.isEmpty ? "--layers" : "--arch", "expected at least one dense layer width") }
        if !convs.isEmpty && algorithm == .ff {
            throw InputError.usage(flag: "--arch", "convolutions are built for hff and backprop; FF (its label written over the first inputs, K passes) is dense only")
        }
        if let w = widths.first(where: { !(1...Self.maxWidth).contains($0) }) {
            throw InputError.usage(flag: "--layers", "expected widths in 1...\(Self.maxWidth), got \(w)")
        }
        if widths.count > 64 { throw InputError.usage(flag: "--layers", "expected at most 64 layers, got \(widths.count)") }
        if !(1...1_000_000).contains(h.epochs) { throw InputError.usage(flag: "--epochs", "expected 1...1000000, got \(h.epochs)") }
        if !(1...Self.maxBatchSize).contains(h.batchSize) {
            throw InputError.usage(flag: "--batch-size", "expected 1...\(Self.maxBatchSize), got \(h.batchSize)")
        }
        // 1/tau scales the cosine scores; below 1e-4 they overflow Float's exponent range.
        if !(h.tau >= 1e-4) || !h.tau.isFinite { throw InputError.usage(flag: "--tau", "expected a number >= 1e-4, got \(h.tau)") }
        if !(h.learningRate > 0) || !h.learningRate.isFinite {
            throw InputError.usage(flag: "--learning-rate", "expected a positive number, got \(h.learningRate)")
        }
        if !(1...Self.maxPrototypesPerClass).contains(h.prototypesPerClass) {
            throw InputError.usage(flag: "--prototypes-per-class", "expected 1...\(Self.maxPrototypesPerClass), got \(h.prototypesPerClass)")
        }
        if !h.margin.isFinite || h.margin < 0 { throw InputError.usage(flag: "--margin", "expected a number >= 0, got \(h.margin)") }
        if !(h.emaMomentum >= 0 && h.emaMomentum < 1) {
            throw InputError.usage(flag: "--ema-momentum", "expected a number in [0, 1), got \(h.emaMomentum)")
        }
        if !(h.threshold > 0) || !h.threshold.isFinite {
            throw InputError.usage(flag: "--threshold", "expected a positive number, got \(h.threshold)")
        }
    }
}

/// Trains HFF, FF and backprop models with per-batch optimiser (Adam or SGD) updates.
///
/// HFF and FF update every layer on every batch with that layer's own loss; a layer's input is the
/// previous layer's output of the same batch, treated as a constant. Batches are drawn from a
/// seeded permutation per epoch, so a run is reproducible from its seed.
public enum Trainer {
    /// Batches per chunk of the layer-by-layer schedule (HFF and FF); see `train`. Longer chunks
    /// fill and drain the layers' pipeline less often (`hffsim bench train --chunk-batches`, HFF
    /// CNN c32k3,p2,c64k3,p2,f1000: 38.9 s per epoch at 8, 33.9 s at 32; the 784-1000-1000-1000
    /// MLP 6.8 and 5.9 s); a chunk keeps every layer's outputs of its batches, so it is cut
    /// shorter when they would pass `chunkBytes`. Results do not depend on it.
    nonisolated(unsafe) public static var chunkBatches = 32
    static let chunkBytes = 512 << 20

    /// The number a `LayerProduct` knows batch `batch` (0-based) of epoch `epoch` (1-based) by.
    public static func step(epoch: Int, batch: Int) -> UInt64 { UInt64(epoch) << 32 | UInt64(batch) }

    /// `initial`: start from this model's parameters and input standardisation (fine-tuning;
    /// same algorithm and layers) instead of a fresh initialisation. `hardware`: HFF dense layers
    /// take their products from it (`LayerProduct`: hardware-aware or chip-in-the-loop training).
    public static func train(_ config: TrainingConfiguration, train: Dataset, test: Dataset?, initial: Model? = nil,
                             hardware: LayerProduct? = nil,
                             progress: (TrainingProgress) -> Void = { _ in }) throws -> Model {
        try config.validate()
        let h = config.hyperparameters
        let k = train.classCount
        if train.count == 0 { throw InputError(.data, "\(train.name): the training split is empty") }
        if train.featureCount == 0 { throw InputError(.data, "\(train.name): samples have no features") }
        try config.validateSize(inputs: train.featureCount, classes: train.classCount, shape: train.shape)
        if !config.convs.isEmpty && train.shape == nil {
            throw InputError.usage(flag: "--arch", "\(train.name) has no image shape (convolutions need IDX or CIFAR images)")
        }
        if k < 2 { throw InputError(.data, "\(train.name): expected at least 2 classes, got \(k)") }
        if config.algorithm == .ff && train.featureCount < k {
            throw InputError(.data, "\(train.name): FF writes the label over the first \(k) inputs but samples have only \(train.featureCount)")
        }
        if hardware != nil && (config.algorithm != .hff || !config.convs.isEmpty) {
            throw InputError.usage(flag: "--hardware", "hardware-aware training is built for dense HFF models (got \(config.algorithm.rawValue)\(config.convs.isEmpty ? "" : " with convolutions"))")
        }
        if let initial {
            if initial.algorithm != config.algorithm || initial.widths != config.widths || !initial.convBlocks.isEmpty
                || !config.convs.isEmpty || initial.inputSize != train.featureCount || initial.classCount != k
                || initial.hyperparameters.prototypesPerClass != h.prototypesPerClass {
                throw InputError.usage(flag: "--initial-model", "the initial model is \(initial.algorithm.rawValue) \(initial.architecture.describe(inputs: initial.inputSize, shape: nil)) with \(initial.classCount) classes; training asks for \(config.algorithm.rawValue) \(config.architecture.describe(inputs: train.featureCount, shape: nil)) with \(k) (dense models only)")
            }
        }
        let rng = SeededRandom(seed: h.seed)
        var initRNG = rng.split(1)
        let norm = initial?.normalization ?? Standardization.fit(train.features, perFeature: config.perFeatureStandardization)
        let x = norm.applied(to: train.features)

        var blocks = [ConvBlock]()
        var inputs = train.featureCount
        if let shape = train.shape, !config.convs.isEmpty {
            let (blockInputs, output) = try config.architecture.shapes(from: shape)
            for (i, spec) in config.convs.enumerated() { blocks.append(ConvBlock.initialised(input: blockInputs[i], spec: spec, rng: &initRNG)) }
            inputs = output.count
        }
        var layers = [DenseLayer]()
        for w in config.widths {
            layers.append(DenseLayer.initialised(inputs: inputs, outputs: w, rng: &initRNG))
            inputs = w
        }
        var model = Model(algorithm: config.algorithm, inputSize: train.featureCount, classCount: k,
                          layers: layers, hyperparameters: h, normalization: norm)
        model.convBlocks = blocks
        model.inputShape = blocks.isEmpty ? nil : train.shape
        var cwState = config.algorithm == .backprop ? blocks.map { Optimizer.State(count: $0.conv.weight.count) } : []
        var cbState = config.algorithm == .backprop ? blocks.map { Optimizer.State(count: $0.conv.bias.count) } : []
        let optimizer = Optimizer(kind: h.optimizer, learningRate: h.learningRate)
        // Optimiser state of backprop layers (HFF and FF layers keep theirs in their layer state).
        var wState = config.algorithm == .backprop ? layers.map { Optimizer.State(count: $0.weight.count) } : []
        var bState = config.algorithm == .backprop ? layers.map { Optimizer.State(count: $0.bias.count) } : []
        var headW = Optimizer.State(count: 0), headB = Optimizer.State(count: 0)
        switch config.algorithm {
        case .hff:
            let rows = k * h.prototypesPerClass
            model.prototypes = config.widths.map { w in
                var p = Matrix(rows: rows, cols: w)
                for i in 0..<p.storage.count { p.storage[i] = initRNG.gaussian() }
                // Unit-norm starts, as HFF defines prototypes (uniform on the sphere): a raw N(0, 1)
                // row has length about sqrt(width), which Adam's fixed-size steps turn that much more slowly.
                Kernels.normalizeRows(&p, epsilon: HFFMath.epsilon)
                return p
            }
            model.convPrototypes = blocks.map { b in
                var p = Matrix(rows: rows, cols: h.convScoring.width(b.geometry.output))
                for i in 0..<p.storage.count { p.storage[i] = initRNG.gaussian() }
                Kernels.normalizeRows(&p, epsilon: HFFMath.epsilon)
                return p
            }
        case .ff:
            model.overlayValue = x.storage.max() ?? 1
        case .backprop:
            let head = DenseLayer.initialised(inputs: inputs, outputs: k, rng: &initRNG)
            model.head = head
            headW = Optimizer.State(count: head.weight.count)
            headB = Optimizer.State(count: k)
        }

        if let initial {
            model.layers = initial.layers
            model.prototypes = initial.prototypes
            model.head = initial.head
            model.overlayValue = initial.overlayValue
        }
        // HFF layers train independently; each owns its parameters and optimiser state so that
        // workers can update different layers at the same time.
        // Conv blocks first, then the dense layers.
        let hffLayers: [HFFLayerState] = config.algorithm == .hff
            ? model.convBlocks.indices.map { HFFLayerState(layer: model.convBlocks[$0].conv, prototypes: model.convPrototypes[$0], geometry: model.convBlocks[$0].geometry) }
              + (0..<model.layers.count).map { HFFLayerState(layer: model.layers[$0], prototypes: model.prototypes[$0]) }
            : []
        let ffLayers: [FFLayerState] = config.algorithm == .ff ? model.layers.map(FFLayerState.init) : []
        let batches = (train.count + h.batchSize - 1) / h.batchSize
        // Floats a chunk keeps per batch: its inputs, and per layer its output and scored vector.
        let keptPerBatch = h.batchSize * 4 * (train.featureCount
            + model.convBlocks.reduce(0) { $0 + 2 * $1.geometry.output.count } + model.layers.reduce(0) { $0 + 2 * $1.outputs })
        let chunkBatches = max(1, min(Trainer.chunkBatches, Trainer.chunkBytes / max(1, keptPerBatch)))
        for epoch in 1...h.epochs {
            let start = Date()
            var epochRNG = rng.split(UInt64(1000 + epoch))
            let order = epochRNG.permutation(train.count)
            var lossSum = 0.0, hits = 0
            // Batches run in chunks, layer by layer: layer l takes every batch of the chunk before
            // layer l+1 starts, so its weights and Adam moments stay in cache across the chunk.
            // Each layer still sees the same inputs and updates in the same order as one batch at
            // a time (a layer's input is the previous layer's output of the same batch, computed
            // with that layer's weights as they were at that batch), so results are identical.
            for chunkStart in stride(from: 0, to: batches, by: chunkBatches) {
                let chunk = chunkStart..<min(batches, chunkStart + chunkBatches)
                let indices = chunk.map { bi in Array(order[(bi * h.batchSize)..<min(train.count, (bi + 1) * h.batchSize)]) }
                let labels = indices.map { idx in idx.map { train.labels[$0] } }
                var inputs = indices.map { x.gatherRows($0) }
                var losses = [Double](repeating: 0, count: chunk.count)
                var predictions = [[Int]](repeating: [], count: chunk.count)
                switch config.algorithm {
                case .hff:
                    // One task per (layer, batch); a task needs its layer's previous batch and the
                    // previous layer's output of its batch. Workers run single-threaded kernels.
                    let layerCount = hffLayers.count
                    let outputs = (0..<layerCount * chunk.count).map { _ in Box<HFFMath.Gradients?>(nil) }
                    try Wavefront.run(stages: layerCount, items: chunk.count, workers: GEMM.defaultThreads) { l, b in
                        let layer = hffLayers[l]
                        let input = l == 0 ? inputs[b] : outputs[(l - 1) * chunk.count + b].value!.output
                        // Hardware-aware: the product from the hardware model, on chip instances
                        // keyed by (epoch, batch), so results do not depend on the schedule.
                        let product = try hardware.flatMap {
                            try $0.product(layer: l, step: step(epoch: epoch, batch: chunk.lowerBound + b), input: input, weight: layer.layer.weight)
                        }
                        var g = layer.geometry.map { geometry in
                            HFFMath.convLossAndGradients(
                                block: ConvBlock(geometry: geometry, conv: layer.layer), prototypes: layer.prototypes, input: input,
                                labels: labels[b], classCount: k, perClass: h.prototypesPerClass, tau: h.tau, margin: h.margin,
                                scoring: h.convScoring)
                        } ?? HFFMath.lossAndGradients(
                            layer: layer.layer, prototypes: layer.prototypes, input: input, labels: labels[b],
                            classCount: k, perClass: h.prototypesPerClass, tau: h.tau, margin: h.margin, product: product)
                        layer.update(g, labels: labels[b], optimizer: optimizer, hyperparameters: h, weights: config.trainsWeights)
                        // Keep what the read-out and the next layer need; drop the large gradients.
                        g.weight = Matrix(rows: 0, cols: 0)
                        g.prototypes = Matrix(rows: 0, cols: 0)
                        if l == layerCount - 1 { g.output = Matrix(rows: 0, cols: 0) }
                        outputs[l * chunk.count + b].value = g
                    }
                    for b in 0..<chunk.count {
                        let layerOutputs = (0..<layerCount).map { outputs[$0 * chunk.count + b].value! }
                        for g in layerOutputs { losses[b] += g.loss / Double(layerCount) }
                        predictions[b] = Kernels.argmaxRows(h.readout.scores(layerOutputs.map(\.logits)))
                    }
                case .ff:
                    // Positive rows carry the true label, negative rows a uniformly drawn wrong one.
                    for b in 0..<chunk.count {
                        let wrong = labels[b].map { y -> Int in
                            let r = epochRNG.below(k - 1)
                            return r >= y ? r + 1 : r
                        }
                        let pos = FFMath.overlay(inputs[b], labels: labels[b], classCount: k, value: model.overlayValue)
                        let neg = FFMath.overlay(inputs[b], labels: wrong, classCount: k, value: model.overlayValue)
                        inputs[b] = Matrix(rows: 2 * pos.rows, cols: pos.cols, storage: pos.storage + neg.storage)
                    }
                    let layerCount = model.layers.count
                    let outputs = (0..<layerCount * chunk.count).map { _ in Box<FFMath.Gradients?>(nil) }
                    try Wavefront.run(stages: layerCount, items: chunk.count, workers: GEMM.defaultThreads) { l, b in
                        let layer = ffLayers[l]
                        let input = l == 0 ? inputs[b] : outputs[(l - 1) * chunk.count + b].value!.h
                        var g = FFMath.lossAndGradients(layer: layer.layer, input: input, positives: labels[b].count,
                                                        threshold: h.threshold)
                        layer.update(g, optimizer: optimizer)
                        g.weight = Matrix(rows: 0, cols: 0)
                        outputs[l * chunk.count + b].value = g
                    }
                    for b in 0..<chunk.count {
                        for l in 0..<layerCount { losses[b] += outputs[l * chunk.count + b].value!.loss / Double(layerCount) }
                    }
                case .backprop:
                    for b in 0..<chunk.count {
                        let g = BackpropMath.lossAndGradients(blocks: model.convBlocks, layers: model.layers, head: model.head!,
                                                              input: inputs[b], labels: labels[b])
                        for c in 0..<model.convBlocks.count {
                            optimizer.step(&model.convBlocks[c].conv.weight.storage, gradient: g.blocks[c].weight.storage, state: &cwState[c])
                            optimizer.step(&model.convBlocks[c].conv.bias, gradient: g.blocks[c].bias, state: &cbState[c])
                        }
                        for l in 0..<model.layers.count {
                            optimizer.step(&model.layers[l].weight.storage, gradient: g.layers[l].weight.storage, state: &wState[l])
                            optimizer.step(&model.layers[l].bias, gradient: g.layers[l].bias, state: &bState[l])
                        }
                        optimizer.step(&model.head!.weight.storage, gradient: g.head.weight.storage, state: &headW)
                        optimizer.step(&model.head!.bias, gradient: g.head.bias, state: &headB)
                        losses[b] = g.loss
                        predictions[b] = Kernels.argmaxRows(g.logits)
                    }
                }
                for (b, bi) in chunk.enumerated() {
                    if !losses[b].isFinite {
                        throw InputError(.data, "training diverged at epoch \(epoch), batch \(bi + 1): the loss is \(losses[b]); try a smaller --learning-rate")
                    }
                    lossSum += losses[b] * Double(labels[b].count)
                    for (p, y) in zip(predictions[b], labels[b]) where p == y { hits += 1 }
                    progress(.batch(epoch: epoch, batch: bi + 1, batches: batches,
                                    loss: lossSum / Double(bi * h.batchSize + labels[b].count)))
                }
            }
            for (l, state) in hffLayers.enumerated() {
                let c = model.convBlocks.count
                if l < c {
                    model.convBlocks[l].conv = state.layer
                    model.convPrototypes[l] = state.prototypes
                } else {
                    model.layers[l - c] = state.layer
                    model.prototypes[l - c] = state.prototypes
                }
            }
            for (l, state) in ffLayers.enumerated() { model.layers[l] = state.layer }
            let seconds = Date().timeIntervalSince(start)
            var trainAccuracy = Double(hits) / Double(train.count)
            if config.algorithm == .ff {
                // FF's training accuracy needs K passes per sample: measured on a fixed random sample
                // of up to 2,000 training rows after the epoch, outside the timed training.
                var sampleRNG = rng.split(2)
                let sample = Array(sampleRNG.permutation(train.count).prefix(2000)).sorted()
                trainAccuracy = model.accuracy(on: train.subset(sample))
            }
            let record = EpochRecord(epoch: epoch, loss: lossSum / Double(train.count), trainAccuracy: trainAccuracy,
                                     testAccuracy: test.map { model.accuracy(on: $0) }, seconds: seconds)
            model.history.append(record)
            progress(.epoch(record))
        }
        return model
    }
}


/// One HFF layer's parameters and optimiser state, updated only by the task that owns the layer.
final class HFFLayerState {
    /// A dense layer's weights, or a conv block's filters (patch x channels).
    var layer: DenseLayer
    var prototypes: Matrix
    /// A conv block's geometry (nil: a dense layer).
    let geometry: ConvGeometry?
    var weightState: Optimizer.State
    var biasState: Optimizer.State
    var prototypeState: Optimizer.State

    init(layer: DenseLayer, prototypes: Matrix, geometry: ConvGeometry? = nil) {
        self.layer = layer
        self.prototypes = prototypes
        self.geometry = geometry
        weightState = Optimizer.State(count: layer.weight.count)
        biasState = Optimizer.State(count: layer.bias.count)
        prototypeState = Optimizer.State(count: prototypes.count)
    }

    func update(_ g: HFFMath.Gradients, labels: [Int], optimizer: Optimizer, hyperparameters h: Hyperparameters, weights: Bool = true) {
        if weights {
            optimizer.step(&layer.weight.storage, gradient: g.weight.storage, state: &weightState)
            optimizer.step(&layer.bias, gradient: g.bias, state: &biasState)
        }
        if h.prototypeLearning == .gradient {
            optimizer.step(&prototypes.storage, gradient: g.prototypes.storage, state: &prototypeState)
        } else {
            HFFMath.emaUpdate(prototypes: &prototypes, z: g.z, labels: labels, perClass: h.prototypesPerClass, momentum: h.emaMomentum)
        }
    }
}

/// One FF layer's parameters and optimiser state, updated only by the task that owns the layer.
final class FFLayerState {
    var layer: DenseLayer
    var weightState: Optimizer.State
    var biasState: Optimizer.State

    init(layer: DenseLayer) {
        self.layer = layer
        weightState = Optimizer.State(count: layer.weight.count)
        biasState = Optimizer.State(count: layer.bias.count)
    }

    func update(_ g: FFMath.Gradients, optimizer: Optimizer) {
        optimizer.step(&layer.weight.storage, gradient: g.weight.storage, state: &weightState)
        optimizer.step(&layer.bias, gradient: g.bias, state: &biasState)
    }
}

/// Runs a grid of tasks (stage s, item i) where task (s, i) needs (s, i - 1) and (s - 1, i):
/// each stage takes its items in order, and an item passes the stages in order. Ready tasks go
/// to `workers` threads, deepest stage first; each worker's kernels run single-threaded
/// (`GEMM.defaultThreads` is 1 inside). Every stage sees the same inputs in the same order as a
/// serial run, so results do not depend on the number of workers.
public enum Wavefront {
    /// Seconds each stage's tasks took, summed, while `GEMM.collectStatistics` is on (for `hffsim
    /// bench train`: the largest is the schedule's critical path). Read it while no run is going.
    nonisolated(unsafe) public static var stageSeconds = [Double]()

    static func run(stages: Int, items: Int, workers: Int, _ task: (Int, Int) throws -> Void) throws {
        let timed = GEMM.collectStatistics
        if timed && stageSeconds.count < stages { stageSeconds += [Double](repeating: 0, count: stages - stageSeconds.count) }
        let workers = min(workers, stages)  // at most one task per stage can run at a time
        if workers <= 1 {
            for s in 0..<stages {
                for i in 0..<items {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    try task(s, i)
                    if timed { stageSeconds[s] += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9 }
                }
            }
            return
        }
        let condition = NSCondition()
        var done = [Int](repeating: 0, count: stages)
        var running = [Bool](repeating: false, count: stages)
        var failure: Error?
        let savedThreads = GEMM.defaultThreads
        GEMM.defaultThreads = 1
        defer { GEMM.defaultThreads = savedThreads }
        withoutActuallyEscaping(task) { task in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                condition.lock()
                while true {
                    if failure != nil || done.allSatisfy({ $0 == items }) { break }
                    let ready = (0..<stages).reversed().first { s in
                        !running[s] && done[s] < items && (s == 0 || done[s - 1] > done[s])
                    }
                    guard let s = ready else { condition.wait(); continue }
                    running[s] = true
                    let item = done[s]
                    condition.unlock()
                    var error: Error?
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    do { try task(s, item) } catch let e { error = e }
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                    condition.lock()
                    if timed { stageSeconds[s] += seconds }
                    if let error, failure == nil { failure = error }
                    done[s] += 1
                    running[s] = false
                    condition.broadcast()
                }
                condition.unlock()
            }
        }
        if let failure { throw failure }
    }
}
