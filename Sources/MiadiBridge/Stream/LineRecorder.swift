import MiadiAudio

/// The stereo recording of the line at the stream's rate: left the caller as received, right
/// the agent as played (the platform's own right channel with `both_tracks`; otherwise the
/// frames the bridge sent, placed at their playout time and cut where a barge-in flushed them).
///
/// It holds only what the shell has not taken yet (`take(settledAtMs:)`): `miadi serve` takes
/// the settled part four times a second into the call's WAV file, so a live call keeps about a quarter second
/// of its recording in memory however long it lasts. The lab takes nothing until the end.
struct LineRecorder: Sendable {
    let sampleRate: Int
    /// The line from sample `origin` on (what was taken before is the shell's).
    private(set) var left: [Int16] = []
    private(set) var right: [Int16] = []
    private(set) var origin = 0
    /// With `both_tracks` the right channel comes from the platform and the bridge's own
    /// frames are not written.
    let rightFromPlatform: Bool

    init(sampleRate: Int, rightFromPlatform: Bool) {
        self.sampleRate = sampleRate
        self.rightFromPlatform = rightFromPlatform
    }

    /// The index in `left`/`right` of stream time `ms` (negative: already taken).
    func index(ofMs ms: Int) -> Int { max(0, ms) * sampleRate / 1000 - origin }

    mutating func caller(_ samples: [Int16]) { left += samples }

    mutating func platformRight(_ samples: [Int16]) {
        guard rightFromPlatform else { return }
        right += samples
    }

    /// Agent samples (already at `sampleRate`) that play from `atMs` (stream time).
    mutating func agent(_ samples: [Int16], atMs: Int) {
        guard !rightFromPlatform else { return }
        let start = index(ofMs: atMs)
        if right.count < start { right += [Int16](repeating: 0, count: start - right.count) }
        for (i, s) in samples.enumerated() where start + i >= 0 {
            if start + i < right.count { right[start + i] = s } else { right.append(s) }
        }
    }

    /// A barge-in at `ms`: what was sent but not played never reached the caller.
    mutating func cutAgent(atMs ms: Int) {
        guard !rightFromPlatform else { return }
        let end = max(0, index(ofMs: ms))
        if right.count > end { right.removeLast(right.count - end) }
    }

    /// Hands out the line up to stream time `ms` (interleaved stereo, left the caller), keeping
    /// only what may still change: nothing before the present is written again (agent frames
    /// are placed at or after it, and a barge-in cuts from it).
    mutating func take(settledAtMs ms: Int) -> [Int16] {
        take(frames: min(left.count, max(0, index(ofMs: ms))))
    }

    /// Hands out all that is left (the call is over), the shorter side padded with silence.
    mutating func takeAll() -> [Int16] {
        take(frames: max(left.count, right.count))
    }

    private mutating func take(frames n: Int) -> [Int16] {
        guard n > 0 else { return [] }
        var out = [Int16](repeating: 0, count: 2 * n)
        out.withUnsafeMutableBufferPointer { o in
            left.withUnsafeBufferPointer { l in for i in 0..<min(n, l.count) { o[2 * i] = l[i] } }
            right.withUnsafeBufferPointer { r in for i in 0..<min(n, r.count) { o[2 * i + 1] = r[i] } }
        }
        left.removeFirst(min(n, left.count))
        right.removeFirst(min(n, right.count))
        origin += n
        return out
    }

    /// Samples held, both sides: what a live call keeps of its recording.
    var heldSamples: Int { left.count + right.count }

    /// Each side as mono, unpadded.
    func channels() -> (caller: PCMBuffer, agent: PCMBuffer) {
        (PCMBuffer(samples: left, sampleRate: sampleRate), PCMBuffer(samples: right, sampleRate: sampleRate))
    }

    /// Both channels, the shorter padded with silence.
    func stereo() -> PCMBuffer {
        // `interleave` pads the shorter side itself.
        PCMBuffer.interleave(left: PCMBuffer(samples: left, sampleRate: sampleRate), right: PCMBuffer(samples: right, sampleRate: sampleRate))
    }
}
