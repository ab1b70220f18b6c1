import Foundation

/// A compact description of one spoken utterance that survives the phone line: a sequence of
/// log mel-band energies over the telephone band, at 20 ms steps, trimmed to the speech.
///
/// It exists so that the mock model can "hear" which corpus utterance a caller said without a
/// speech recogniser: the audio goes through the real line (resampling, loss, noise, offset),
/// and `FingerprintIndex` finds the utterance again, or refuses. The features are built to
/// ignore what a line changes and keep what a sentence is:
/// - everything is analysed at 8 kHz, 150–3,800 Hz, so a 16 → 8 → 16 kHz round trip changes nothing;
/// - each band is mean-normalised over the utterance (gain and channel colour cancel out);
/// - energies below -30 dB of the utterance's loud frames are clamped, so noise at 20 dB SNR fills
///   only cells that were near-silent anyway;
/// - leading and trailing silence or noise are trimmed, so start offsets do not matter.
public struct AudioFingerprint: Sendable, Equatable {
    public static let bandCount = 16
    public static let hopMs = 20
    static let analysisRate = 8000

    /// `frameCount × bandCount` values, frame-major.
    public let features: [Float]
    public let frameCount: Int

    /// Duration of the fingerprinted speech in milliseconds.
    public var durationMs: Int { frameCount * Self.hopMs }

    public init(_ buffer: PCMBuffer) {
        let mono = buffer.channels == 1 ? buffer : buffer.channel(0)
        let at8k = mono.resampled(to: Self.analysisRate, quality: .studio).floatSamples()
        let analyzer = Self.analyzer
        let hop = Self.analysisRate * Self.hopMs / 1000
        let frames = at8k.count >= SpectrumAnalyzer.size ? (at8k.count - SpectrumAnalyzer.size) / hop + 1 : (at8k.isEmpty ? 0 : 1)
        var energies = [[Float]](repeating: [Float](repeating: 0, count: Self.bandCount), count: frames)
        at8k.withUnsafeBufferPointer { samples in
            for f in 0..<frames { analyzer.bandEnergies(samples, offset: f * hop, into: &energies[f]) }
        }
        // Frame totals decide what is speech: from the first to the last frame within 30 dB of
        // the loud frames and 10 dB above the quietest ones (the line's noise, or silence).
        let totals = energies.map { 10 * log10(Double($0.reduce(0, +)) + 1e-10) }
        var kept = 0..<0
        if !totals.isEmpty {
            let sorted = totals.sorted()
            let loud = sorted[Int(Double(sorted.count - 1) * 0.9)]
            let quiet = sorted[Int(Double(sorted.count - 1) * 0.03)]
            let threshold = max(loud - 30, quiet + 10)
            if let first = totals.firstIndex(where: { $0 >= threshold }), let last = totals.lastIndex(where: { $0 >= threshold }) {
                kept = first..<(last + 1)
            }
        }
        let speech = Array(energies[kept])
        // Clamp to -30 dB of the loud band energies, take logs, subtract each band's mean.
        let allBands = speech.flatMap { $0 }.sorted()
        let reference = allBands.isEmpty ? 1 : Double(allBands[Int(Double(allBands.count - 1) * 0.95)])
        let floor = max(reference * 1e-3, 1e-10)
        var logs = speech.map { frame in frame.map { Float(10 * log10(max(Double($0), floor))) } }
        for b in 0..<Self.bandCount where !logs.isEmpty {
            let mean = logs.reduce(Float(0)) { $0 + $1[b] } / Float(logs.count)
            for f in 0..<logs.count { logs[f][b] -= mean }
        }
        features = logs.flatMap { $0 }
        frameCount = logs.count
    }

    private static let analyzer = SpectrumAnalyzer(sampleRate: analysisRate, bandCount: bandCount, lowHz: 150, highHz: 3800)

    /// How well a clip's warping onto a reference fits.
    struct Warp: Sendable, Equatable {
        /// Mean per-step distance (dB, averaged over bands) along the path.
        var meanDistance: Double
        /// The worst mean over any `window` consecutive steps: a clip that shares only its first
        /// words with the reference ("Ndiyo, sawa" against "Ndiyo, tafadhali…") fits well on
        /// average but badly somewhere.
        var worstWindowDistance: Double
        /// Clip frames over reference frames along the path: ~1 for the same utterance at the
        /// same pace, ~0.7 for a clip cut to 70 % that the warping stretched over the whole.
        var timeRatio: Double
    }

    /// The best time warping of this clip onto `other`, staying within ±`radius` frames of the
    /// diagonal. Each end of the path may skip up to `slack` frames of either side (trimming of
    /// noisy edges is never exact), but no more: a clip missing a larger part of the reference
    /// has no path. `nil` when no path exists.
    func warp(onto other: AudioFingerprint, radius: Int, slack: Int, window: Int = 10) -> Warp? {
        let n = frameCount, m = other.frameCount
        guard n > 0, m > 0 else { return nil }
        let bands = Self.bandCount
        let width = m + 1
        let inf = Double.infinity
        // Full (n+1)×(m+1) tables; only the band is filled. Clips are seconds long, so this is small.
        var cost = [Double](repeating: inf, count: (n + 1) * width)
        var steps = [Int32](repeating: 0, count: (n + 1) * width)
        var local = [Float](repeating: 0, count: (n + 1) * width)
        var from = [UInt8](repeating: 0, count: (n + 1) * width)   // 1 diagonal, 2 up, 3 left, 0 start
        // Each cell's mean cost per step, kept beside its cost: every cell is compared as a
        // predecessor up to three times, and a division each time was most of the search.
        var means = [Double](repeating: inf, count: (n + 1) * width)
        for j in 0...min(m, slack) { cost[j] = 0; means[j] = 0 }
        for i in 0...min(n, slack) { cost[i * width] = 0; means[i * width] = 0 }
        features.withUnsafeBufferPointer { a in
            other.features.withUnsafeBufferPointer { b in
                for i in 1...n {
                    let centre = Int((Double(i) * Double(m) / Double(n)).rounded())
                    let lo = max(1, centre - radius), hi = min(m, centre + radius)
                    guard lo <= hi else { continue }
                    for j in lo...hi {
                        var d: Float = 0
                        let ra = (i - 1) * bands, rb = (j - 1) * bands
                        for k in 0..<bands { d += abs(a[ra + k] - b[rb + k]) }
                        let here = i * width + j
                        // Choose the predecessor by mean cost, so long and short paths compete fairly.
                        var best = here - width - 1, dir: UInt8 = 1
                        if means[here - width] < means[best] { best = here - width; dir = 2 }
                        if means[here - 1] < means[best] { best = here - 1; dir = 3 }
                        guard cost[best].isFinite else { continue }
                        let dd = d / Float(bands)
                        cost[here] = cost[best] + Double(dd)
                        steps[here] = steps[best] + 1
                        means[here] = cost[here] / Double(steps[here])
                        local[here] = dd
                        from[here] = dir
                    }
                }
            }
        }
        // Free end: stop within `slack` of the end of either sequence.
        var end = -1
        var endMean = inf
        for i in max(1, n - slack)...n {
            for j in max(1, m - slack)...m {
                let k = i * width + j
                if steps[k] > 0 && means[k] < endMean { endMean = means[k]; end = k }
            }
        }
        guard end >= 0 else { return nil }
        // Walk the path back for the worst window.
        var path: [Float] = []
        var k = end
        var first = end
        while k > 0 && steps[k] > 0 {
            path.append(local[k])
            first = k
            switch from[k] {
            case 1: k -= width + 1
            case 2: k -= width
            case 3: k -= 1
            default: k = 0
            }
        }
        var worst = 0.0
        let w = min(window, path.count)
        var sum: Float = path.prefix(w).reduce(0, +)
        worst = Double(sum) / Double(w)
        if path.count > w {
            for t in w..<path.count {
                sum += path[t] - path[t - w]
                worst = max(worst, Double(sum) / Double(w))
            }
        }
        let clipSpan = end / width - first / width + 1
        let referenceSpan = end % width - first % width + 1
        return Warp(meanDistance: endMean, worstWindowDistance: worst, timeRatio: Double(clipSpan) / Double(max(1, referenceSpan)))
    }

    /// Distance after a straight (linear) stretch of one onto the other: cheap, used to rank
    /// candidates before the warping search.
    func stretchedDistance(to other: AudioFingerprint) -> Double {
        let n = frameCount, m = other.frameCount
        guard n > 0, m > 0 else { return .infinity }
        let bands = Self.bandCount
        var total: Float = 0
        for i in 0..<n {
            let j = min(m - 1, i * m / n)
            for k in 0..<bands { total += abs(features[i * bands + k] - other.features[j * bands + k]) }
        }
        return Double(total) / Double(n * bands)
    }
}
