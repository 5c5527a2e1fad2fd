import Foundation
import Numerics

/// The physics of one cell type, from a hardware description: how a target conductance becomes
/// the conductance a chip instance holds at inference time.
///
/// Programming a cell, in order (conductances in microsiemens):
/// 1. quantise the target to the 2^bitsPerCell levels between Gmin and Gmax (16 bits: analog);
/// 2. programming noise: G + N(0, sigma(G_T)), sigma a constant or aihwkit's PCM polynomial
///    sigma = (0.26348 + 1.9650 r - 1.1731 r^2) Gmax / 25, r = G_T / Gmax;
/// 3. device-to-device variation: G (1 + N(0, sigma_d2d)); then G is clamped at 0;
/// 4. stuck-at faults: a cell is stuck at Gmax with probability stuckAtOnRate, at Gmin with
///    probability stuckAtOffRate (drawn once per chip instance, not subject to drift);
/// 5. drift to the inference time t: G ((t + t0) / t0)^-nu, with nu ~ |N(nuMean, nuStd)|
///    (power-law) or aihwkit's PCM model (nu's mean and spread from r, then an accumulated 1/f
///    read noise |G| Q_s sqrt(ln((t + t_read) / (2 t_read))) N(0, 1), Q_s = min(0.0088 /
///    max((G_prog / Gmax)^0.65, 1e-3), 0.2), clamped at 0).
///
/// Every draw comes from the generator passed in, so a chip instance is a seed.
public struct DeviceModel: Sendable {
    public enum Programming: String, Sendable { case none, constant, pcmPolynomial = "pcm-polynomial" }
    public enum Drift: String, Sendable { case none, powerLaw = "power-law", pcmAihwkit = "pcm-aihwkit" }

    public var gMin: Double
    public var gMax: Double
    /// Levels per cell (2^bitsPerCell), or nil for an analog cell (bitsPerCell 16).
    public var levels: Int?
    public var programming: Programming
    public var programmingSigma: Double
    public var deviceVariation: Double
    public var stuckAtOnRate: Double
    public var stuckAtOffRate: Double
    public var drift: Drift
    public var nuMean: Double
    public var nuStd: Double
    public var t0Seconds: Double { didSet { pcmSpread = pcmReadNoiseSpread } }
    public var timeSeconds: Double { didSet { pcmSpread = pcmReadNoiseSpread } }
    public var tReadSeconds: Double { didSet { pcmSpread = pcmReadNoiseSpread } }
    /// `pcmReadNoiseSpread`, kept up to date (the drift model reads it for every cell).
    private var pcmSpread = 0.0

    /// aihwkit's PCM programming-noise coefficients (noise/pcm.py, prog_coeff) and their Gmax.
    public static let pcmCoefficients = (0.26348, 1.9650, -1.1731)
    public static let pcmReferenceGMax = 25.0

    public init(_ d: HardwareDescription) {
        gMin = d.number("crossbar.conductanceMinMicrosiemens")
        gMax = d.number("crossbar.conductanceMaxMicrosiemens")
        let bits = d.integer("crossbar.bitsPerCell")
        levels = bits >= 16 ? nil : 1 << bits
        programming = Programming(rawValue: d.choice("noise.programming.model"))!
        programmingSigma = d.number("noise.programming.sigmaMicrosiemens")
        deviceVariation = d.number("noise.deviceVariationRelative")
        stuckAtOnRate = d.number("noise.stuckAtOnRate")
        stuckAtOffRate = d.number("noise.stuckAtOffRate")
        drift = Drift(rawValue: d.choice("noise.drift.model"))!
        nuMean = d.number("noise.drift.nuMean")
        nuStd = d.number("noise.drift.nuStd")
        t0Seconds = d.number("noise.drift.t0Seconds")
        timeSeconds = d.number("noise.drift.timeSinceProgrammingSeconds")
        tReadSeconds = d.number("noise.drift.readSeconds")
        pcmSpread = pcmReadNoiseSpread
    }

    /// The nearest programmable level to `g` (clamped to [Gmin, Gmax]); `g` itself for analog cells.
    @inlinable public func quantize(_ g: Double) -> Double {
        let c = min(max(g, gMin), gMax)
        guard let levels, levels > 1 else { return c }
        let step = (gMax - gMin) / Double(levels - 1)
        return gMin + ((c - gMin) / step).rounded() * step
    }

    /// The programming-noise sigma (uS) at target conductance `g`.
    public func programmingNoiseSigma(at g: Double) -> Double {
        switch programming {
        case .none: return 0
        case .constant: return programmingSigma
        case .pcmPolynomial:
            let r = g / gMax
            let (c0, c1, c2) = DeviceModel.pcmCoefficients
            return max(0, c0 + c1 * r + c2 * r * r) * gMax / DeviceModel.pcmReferenceGMax
        }
    }

    /// aihwkit's drift-exponent distribution for target conductance `g`: (mean, std).
    public func pcmNu(at g: Double) -> (mean: Double, std: Double) {
        let logR = Foundation.log(max(abs(g) / gMax, 1e-7))
        let mu = min(max(-0.0155 * logR + 0.0244, 0.049), 0.1)
        let sigma = min(max(-0.0125 * logR - 0.0059, 0.008), 0.045)
        return (mu, sigma)
    }

    /// aihwkit's 1/f read-noise spread at the inference time, sqrt(ln((t + t_read) / (2 t_read))),
    /// t = timeSinceProgramming + t0: the same for every cell of a chip instance.
    public var pcmReadNoiseSpread: Double {
        let t = timeSeconds + t0Seconds
        return (Foundation.log((t + tReadSeconds) / (2 * tReadSeconds))).squareRoot()
    }

    /// The conductance at inference time of a cell programmed to `target`.
    public func program(_ target: Double, rng: inout SeededRandom) -> Double {
        programAndDrift(target, rng: &rng).atInference
    }

    /// The conductance just after programming and at inference time (the same draws).
    public func programAndDrift(_ target: Double, rng: inout SeededRandom) -> (programmed: Double, atInference: Double) {
        let u = Double(rng.uniform())
        if u < stuckAtOnRate { return (gMax, gMax) }
        if u < stuckAtOnRate + stuckAtOffRate { return (gMin, gMin) }
        let gT = quantize(target)
        var g = gT
        let sigma = programmingNoiseSigma(at: gT)
        if sigma > 0 { g += sigma * Double(rng.gaussian()) }
        if deviceVariation > 0 { g *= 1 + deviceVariation * Double(rng.gaussian()) }
        g = max(g, 0)
        switch drift {
        case .none:
            return (g, g)
        case .powerLaw:
            let nu = abs(nuMean + nuStd * Double(rng.gaussian()))
            return (g, g * Foundation.pow((timeSeconds + t0Seconds) / t0Seconds, -nu))
        case .pcmAihwkit:
            let (mu, s) = pcmNu(at: gT)
            let nu = abs(mu + s * Double(rng.gaussian()))
            let t = timeSeconds + t0Seconds
            let gDrift = t > t0Seconds ? g * Foundation.pow(t / t0Seconds, -nu) : g
            let qs = min(0.0088 / max(Foundation.pow(abs(g) / gMax, 0.65), 1e-3), 0.2)
            let spread = pcmSpread
            return (g, max(gDrift + abs(gDrift) * qs * spread * Double(rng.gaussian()), 0))
        }
    }

    /// The mean drift factor E[((t + t0) / t0)^-nu] for nu ~ N(nuMean, nuStd) (power-law), the
    /// mean of a log-normal: exp(-mu L + sigma^2 L^2 / 2), L = ln((t + t0) / t0). Exact while the
    /// fold |nu| is negligible (nuMean several nuStd above 0).
    public var meanPowerLawDriftFactor: Double {
        let l = Foundation.log((timeSeconds + t0Seconds) / t0Seconds)
        return Foundation.exp(-nuMean * l + nuStd * nuStd * l * l / 2)
    }
}
