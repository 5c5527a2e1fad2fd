import Numerics

/// A layer's matrix product `x W` as a hardware model computes it, for hardware-aware and
/// chip-in-the-loop training (the HFF module knows no hardware; the compiler provides it).
///
/// Training with a product: layer l's pre-activation is h = product(x, W) + b instead of
/// x W + b; the rest of the layer's loss is unchanged. The backward pass is the straight-through
/// estimator: dW = x^T dh, as if the product were exact (no gradient is taken through
/// quantisation, noise or drift). Because HFF layers learn from their own loss, the next layer
/// takes this layer's output as the hardware produced it.
public protocol LayerProduct: Sendable {
    /// x W for dense layer `layer` on batch `step` (a number unique to the batch within the run:
    /// epoch and batch index), x in the units the float model uses (standardised for layer 0);
    /// nil when this batch runs in float (a schedule that mixes float and hardware batches).
    func product(layer: Int, step: UInt64, input x: Matrix, weight: Matrix) throws -> Matrix?
}

/// The hardware a model was trained on, stored in its file (`__metadata__.hffsim.hardwareTraining`).
public struct HardwareTraining: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable {
        /// Every batch and layer on a fresh chip instance (programming noise drawn anew).
        case hardwareAware = "hardware-aware"
        /// Every batch on one chip instance (`chipSeed`), layer by layer.
        case chipInTheLoop = "chip-in-the-loop"
    }
    public var mode: Mode
    /// The preset or file given to --hardware, and the --set overrides, in order.
    public var hardware: String
    public var sets: [String]
    /// The resolved description's SHA-256 (of its sorted-key JSON), to tell it apart from others of the same name.
    public var hardwareSHA256: String
    /// Drift: the range of times since programming drawn per batch (log-uniform), seconds.
    public var driftSeconds: [Double]?
    /// Chip-in-the-loop: the chip instance trained on.
    public var chipSeed: UInt64?
    /// The model the training started from (its file name), if any.
    public var initialModel: String?
    /// The share of batches run on the hardware (the rest in float); nil: all.
    public var hardwareFraction: Double?
    /// Chip-in-the-loop: each layer's own product also ran on the chip while it trained.
    public var ownLayerOnChip: Bool?

    public init(mode: Mode, hardware: String, sets: [String], hardwareSHA256: String, driftSeconds: [Double]?, chipSeed: UInt64?,
                initialModel: String?, hardwareFraction: Double? = nil) {
        self.mode = mode
        self.hardware = hardware
        self.sets = sets
        self.hardwareSHA256 = hardwareSHA256
        self.driftSeconds = driftSeconds
        self.chipSeed = chipSeed
        self.initialModel = initialModel
        self.hardwareFraction = hardwareFraction
    }
}
