import MiadiAudio

/// The stereo recording of the line at the stream's rate: left the caller as received, right
/// the agent as played (the platform's own right channel with `both_tracks`; otherwise the
/// frames the bridge sent, placed at their playout time and cut where a barge-in flushed them).
struct LineRecorder: Sendable {
    let sampleRate: Int
    private(set) var left: [Int16] = []
    private(set) var right: [Int16] = []
    /// With `both_tracks` the right channel comes from the platform and the bridge's own
    /// frames are not written.
    let rightFromPlatform: Bool

    init(sampleRate: Int, rightFromPlatform: Bool) {
        self.sampleRate = sampleRate
        self.rightFromPlatform = rightFromPlatform
    }

    func index(ofMs ms: Int) -> Int { max(0, ms) * sampleRate / 1000 }

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
        for (i, s) in samples.enumerated() {
            if start + i < right.count { right[start + i] = s } else { right.append(s) }
        }
    }

    /// A barge-in at `ms`: what was sent but not played never reached the caller.
    mutating func cutAgent(atMs ms: Int) {
        guard !rightFromPlatform else { return }
        let end = index(ofMs: ms)
        if right.count > end { right.removeLast(right.count - end) }
    }

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
