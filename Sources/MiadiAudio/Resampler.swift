import CMiadiDSP
import Foundation
import Synchronization

/// Streaming sample-rate converter for mono audio: a rational polyphase FIR with a
/// Kaiser-windowed sinc low-pass.
///
/// Why our own and not libsoxr or libsamplerate: Miadi converts only between a handful of fixed
/// rates (8, 16, 24 and 48 kHz on the wire, 22.05 kHz from espeak-ng), always by a rational
/// ratio, and needs a converter that is streaming (20 ms at a time, state carried over),
/// time-aligned (the group delay is compensated, so a resampled voice onset lands on the same
/// millisecond: latency metrics depend on it) and bit-for-bit deterministic on every machine.
/// A polyphase FIR does all of that in ~150 lines with no extra C library to install.
///
/// Design: a Kaiser-windowed sinc whose stop band starts at the lower Nyquist frequency, in
/// two qualities (`Quality`): `telephone` for audio on its way along a call, as good as the
/// platform's own converter, and `studio` for offline conversions whose output is kept.
///
/// Streaming: `process(_:)` returns every output sample whose input neighbourhood has arrived
/// (a few ms of look-ahead are held back); `flush()` ends the stream and returns the tail, so
/// that a whole buffer of `n` input samples yields `round(n × out / in)` output samples.
public struct Resampler: Sendable {
    /// How good a conversion has to be, and so how long its filter is.
    public enum Quality: Sendable, Hashable {
        /// ≥ 60 dB stop band, pass band to 0.80 × the lower Nyquist frequency (3.2 kHz on an
        /// 8 kHz line): the platform's own converter. Sautikit's media server resamples with
        /// FreeSWITCH's `SWITCH_RESAMPLE_QUALITY` 2 (speexdsp quality 2: "~60 dB stop", 82 %
        /// cutoff), so a call never carries better audio than that, and filtering the bridge's
        /// and the emulated platform's conversions harder only costs time (about half the taps
        /// of `studio`). For every conversion along a call.
        case telephone
        /// ≥ 80 dB stop band, pass band to 0.85 × the lower Nyquist frequency (3.4 kHz, the
        /// whole telephone band, at 8 kHz). For offline conversions whose output is kept (the
        /// recorded corpus, synthesised speech) and for the mock model's fingerprint analysis,
        /// whose thresholds were set with it.
        case studio
    }

    public let inputRate: Int
    public let outputRate: Int
    public let quality: Quality
    private let filter: PolyphaseFilter
    /// Input samples still needed (history plus not-yet-used), starting at absolute index `bufferStart`.
    private var buffer: [Float] = []
    private var bufferStart: Int64 = 0
    private var inputCount: Int64 = 0
    private var outputIndex: Int64 = 0

    public init(from inputRate: Int, to outputRate: Int, quality: Quality) {
        precondition(inputRate > 0 && outputRate > 0, "Resampler: rates must be positive (\(inputRate) → \(outputRate))")
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.quality = quality
        self.filter = PolyphaseFilter.shared(from: inputRate, to: outputRate, quality: quality)
    }

    /// Which inner loop runs on this machine: `avx`, or `portable` (same bits, slower). For
    /// benchmark reports: the lab's speed depends on it.
    public static var kernel: String { miadi_polyphase_uses_avx() == 1 ? "avx" : "portable" }

    /// A fresh converter with the same rates and quality (what a stream restarts with).
    public func restarted() -> Resampler { Resampler(from: inputRate, to: outputRate, quality: quality) }

    /// Feeds input samples (full scale ±1); returns the output samples now computable.
    public mutating func process(_ input: [Float]) -> [Float] {
        // Same rate: the samples themselves (the filter would only delay and smooth them).
        if inputRate == outputRate { return input }
        buffer.append(contentsOf: input)
        inputCount += Int64(input.count)
        return produce(upToInput: inputCount)
    }

    /// Ends the stream: returns the remaining output as if the input were followed by silence,
    /// up to `round(totalInput × outputRate / inputRate)` samples in all.
    public mutating func flush() -> [Float] {
        if inputRate == outputRate { return [] }
        let total = (inputCount * Int64(filter.up) + Int64(filter.down) / 2) / Int64(filter.down)
        buffer.append(contentsOf: [Float](repeating: 0, count: filter.tapsPerPhase + 1))
        let produced = produce(upToInput: inputCount + Int64(filter.tapsPerPhase + 1), limit: total)
        return produced
    }

    /// Computes outputs whose newest needed input index is below `available`.
    private mutating func produce(upToInput available: Int64, limit: Int64 = .max) -> [Float] {
        let up = Int64(filter.up), down = Int64(filter.down), delay = Int64(filter.delay)
        let taps = filter.tapsPerPhase
        // Output n needs input up to (n·down + delay) / up, so the outputs computable now are
        // those with n·down + delay < available·up.
        let reachable = available * up - delay
        let end = min(limit, reachable > 0 ? (reachable + down - 1) / down : 0)
        let count = Int(max(0, end - outputIndex))
        // The position of output n on the up-sampled grid is n·down + delay; its newest input
        // and filter phase follow from it, and from there they step (no division per output).
        let first = outputIndex * down + delay
        let out = [Float](unsafeUninitializedCapacity: count) { o, initialized in
            filter.rows.withUnsafeBufferPointer { rows in
                buffer.withUnsafeBufferPointer { x in
                    miadi_polyphase(rows.baseAddress, taps, x.baseAddress, x.count,
                                    Int(first / up - bufferStart), Int(first % up), Int(down / up), Int(down % up), Int(up),
                                    count, o.baseAddress)
                }
            }
            initialized = count
        }
        outputIndex += Int64(count)
        // Keep only the history the next output can reach back to.
        let nextNewest = (outputIndex * down + delay) / up
        let keepFrom = max(bufferStart, nextNewest - Int64(taps) + 1)
        let drop = Int(min(Int64(buffer.count), keepFrom - bufferStart))
        if drop > 0 {
            buffer.removeFirst(drop)
            bufferStart += Int64(drop)
        }
        return out
    }
}

/// The coefficient table of one conversion ratio, phase-major, each phase's row stored oldest
/// input first: `rows[phase * tapsPerPhase + k]` weighs the input `tapsPerPhase − 1 − k` before
/// the newest (the order of the C kernel's contiguous dot product).
struct PolyphaseFilter: Sendable {
    let up: Int
    let down: Int
    let tapsPerPhase: Int
    /// Group delay in up-sampled samples, added to every output position to cancel the lag.
    let delay: Int
    let rows: [Float]

    private struct Key: Hashable { let inputRate: Int, outputRate: Int, quality: Resampler.Quality }
    private static let cache = Mutex<[Key: PolyphaseFilter]>([:])

    /// The filter for a rate pair and quality, designed once per process.
    static func shared(from inputRate: Int, to outputRate: Int, quality: Resampler.Quality) -> PolyphaseFilter {
        let key = Key(inputRate: inputRate, outputRate: outputRate, quality: quality)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let designed = PolyphaseFilter(from: inputRate, to: outputRate, quality: quality)
        cache.withLock { $0[key] = designed }
        return designed
    }

    init(from inputRate: Int, to outputRate: Int, quality: Resampler.Quality) {
        let g = Self.gcd(inputRate, outputRate)
        up = outputRate / g
        down = inputRate / g
        let upsampledRate = Double(inputRate) * Double(up)
        let nyquist = Double(min(inputRate, outputRate)) / 2
        let (passFraction, attenuationDb): (Double, Double) = quality == .telephone ? (0.80, 60) : (0.85, 80)
        let passEdge = passFraction * nyquist
        let stopEdge = nyquist
        let beta = 0.1102 * (attenuationDb - 8.7)   // Kaiser's β for attenuations over 50 dB
        let transition = 2 * Double.pi * (stopEdge - passEdge) / upsampledRate
        let estimated = Int(((attenuationDb - 8) / (2.285 * transition)).rounded(.up))
        var taps = max(4, (estimated + up - 1) / up)
        // A whole number of eight-lane vectors: the extra taps cost nothing in the SIMD dot
        // product and sharpen the filter a little. (Studio filters keep the length the
        // fingerprint's thresholds were tuned with.)
        if quality == .telephone { taps = (taps + 7) / 8 * 8 }
        tapsPerPhase = taps
        let length = taps * up
        delay = (length - 1) / 2
        let cutoff = (passEdge + stopEdge) / 2 / upsampledRate   // cycles per up-sampled sample
        let centre = Double(length - 1) / 2
        let i0Beta = Self.besselI0(beta)
        var prototype = [Double](repeating: 0, count: length)
        for n in 0..<length {
            let t = Double(n) - centre
            let sinc = t == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * t) / (Double.pi * t)
            let r = 2 * Double(n) / Double(length - 1) - 1
            let window = Self.besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
            prototype[n] = sinc * window * Double(up)
        }
        // Phase p's k-th tap (newest input first) is prototype[p + k·up]; stored reversed.
        var table = [Float](repeating: 0, count: length)
        for phase in 0..<up {
            for k in 0..<taps { table[phase * taps + (taps - 1 - k)] = Float(prototype[phase + k * up]) }
        }
        rows = table
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Modified Bessel function of the first kind, order 0 (power series; converges fast for β < 20).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let half = x / 2
        repeat {
            term *= (half / k) * (half / k)
            sum += term
            k += 1
        } while term > sum * 1e-12
        return sum
    }
}

extension PCMBuffer {
    /// This buffer at another sample rate, every channel converted separately, time-aligned.
    public func resampled(to rate: Int, quality: Resampler.Quality) -> PCMBuffer {
        if rate == sampleRate { return self }
        if channels == 1 {
            // Mono (every reply a model makes): no channel copy, no interleaving pass.
            var r = Resampler(from: sampleRate, to: rate, quality: quality)
            var out = r.process(floatSamples())
            out += r.flush()
            return PCMBuffer(floatSamples: out, sampleRate: rate)
        }
        var channelsOut: [[Float]] = []
        for c in 0..<channels {
            var r = Resampler(from: sampleRate, to: rate, quality: quality)
            let mono = channel(c).floatSamples()
            channelsOut.append(r.process(mono) + r.flush())
        }
        let frames = channelsOut.first?.count ?? 0
        var interleaved = [Float](repeating: 0, count: frames * channels)
        for c in 0..<channels {
            for i in 0..<frames { interleaved[i * channels + c] = channelsOut[c][i] }
        }
        return PCMBuffer(floatSamples: interleaved, sampleRate: rate, channels: channels)
    }
}
