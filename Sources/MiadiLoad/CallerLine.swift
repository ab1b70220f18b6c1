import MiadiAudio

/// What each emulated caller says, over and over: half a second of quiet, an utterance, then
/// quiet long enough for an echo reply to be played back before the next one. The reply start
/// is timed from the utterance's last sample.
public struct CallerLine: Sendable {
    /// One loop, mono, at `sampleRate`.
    public let samples: [Int16]
    public let sampleRate: Int
    /// Where in the loop the caller stops speaking (sample offsets).
    public let utteranceEnds: [UInt32]

    /// A loop around `clip` (its first channel, resampled to `sampleRate`).
    public init(clip: PCMBuffer, sampleRate: Int, leadMs: Int = 500, loopMs: Int = 6000) {
        var mono = clip
        if clip.channels > 1 {
            mono = PCMBuffer(samples: stride(from: 0, to: clip.samples.count, by: clip.channels).map { clip.samples[$0] }, sampleRate: clip.sampleRate)
        }
        if mono.sampleRate != sampleRate { mono = mono.resampled(to: sampleRate, quality: .telephone) }
        let lead = sampleRate * leadMs / 1000
        let total = max(sampleRate * loopMs / 1000, lead + mono.samples.count * 3)
        var samples = [Int16](repeating: 0, count: total)
        samples.replaceSubrange(lead..<(lead + mono.samples.count), with: mono.samples)
        self.samples = samples
        self.sampleRate = sampleRate
        self.utteranceEnds = [UInt32(lead + mono.samples.count)]
    }
}
