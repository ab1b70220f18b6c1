import MiadiAudio

/// The stereo recording of the line at the stream's rate: left the caller as received, right
/// the agent as played (the platform's own right channel with `both_tracks`; otherwise the
/// frames the bridge sent, placed at their playout time and cut where a barge-in flushed them).
///
/// It holds only what the shell has not taken yet (`take(settledAtMs:)`): `miadi serve` takes
/// the settled part once a second into the call's WAV file, so a live call keeps about a second
/// of its recording in memory however long it lasts. The lab takes nothing until the end.
///
/// Stored interleaved, as the file wants it: a `both_tracks` frame is appended as it came (no
/// split into two sides and no interleaving pass to take them back out), and a take is one
/// copy. Each side has its own length; past it, its slots are silence.
struct LineRecorder: Sendable {
    let sampleRate: Int
    /// The line from frame `origin` on, interleaved (what was taken before is the shell's):
    /// `max(leftCount, rightCount)` frames.
    private(set) var line: [Int16] = []
    private(set) var leftCount = 0
    private(set) var rightCount = 0
    private(set) var origin = 0
    /// With `both_tracks` the right channel comes from the platform and the bridge's own
    /// frames are not written.
    let rightFromPlatform: Bool

    init(sampleRate: Int, rightFromPlatform: Bool) {
        self.sampleRate = sampleRate
        self.rightFromPlatform = rightFromPlatform
    }

    private var frames: Int { line.count / 2 }

    /// The frame index in `line` of stream time `ms` (negative: already taken).
    func index(ofMs ms: Int) -> Int { max(0, ms) * sampleRate / 1000 - origin }

    /// Grows the line with silent frames to `count` frames.
    private mutating func extend(toFrames count: Int) {
        if count > frames { line.append(contentsOf: repeatElement(0, count: 2 * (count - frames))) }
    }

    /// Caller samples (mono), after those already recorded.
    mutating func caller(_ samples: [Int16]) {
        let start = leftCount
        extend(toFrames: start + samples.count)
        line.withUnsafeMutableBufferPointer { l in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<s.count { l[2 &* (start &+ i)] = s[i] }
            }
        }
        leftCount += samples.count
    }

    /// A `both_tracks` frame as the platform sent it (interleaved, left the caller, right what
    /// it played), after those already recorded. On such a line only these frames write (the
    /// bridge's own are not recorded), so the two sides are always level.
    mutating func platformStereo(_ samples: [Int16]) {
        precondition(rightFromPlatform && leftCount == rightCount, "LineRecorder.platformStereo on a line whose right side is the bridge's")
        line.append(contentsOf: samples)
        leftCount += samples.count / 2
        rightCount += samples.count / 2
    }

    /// Agent samples (already at `sampleRate`) that play from `atMs` (stream time).
    mutating func agent(_ samples: [Int16], atMs: Int) {
        guard !rightFromPlatform else { return }
        writeRight(samples, at: index(ofMs: atMs))
    }

    /// Writes right-channel samples from frame `start` (a negative start: its first samples
    /// were taken already and are skipped), silence filling any gap before it.
    private mutating func writeRight(_ samples: [Int16], at start: Int) {
        let end = start + samples.count
        guard end > 0 else { return }
        extend(toFrames: end)
        let from = max(0, -start)
        line.withUnsafeMutableBufferPointer { l in
            samples.withUnsafeBufferPointer { s in
                for i in from..<s.count { l[2 &* (start &+ i) &+ 1] = s[i] }
            }
        }
        rightCount = max(rightCount, end)
    }

    /// A barge-in at `ms`: what was sent but not played never reached the caller.
    mutating func cutAgent(atMs ms: Int) {
        guard !rightFromPlatform else { return }
        let end = max(0, index(ofMs: ms))
        guard rightCount > end else { return }
        for i in end..<rightCount { line[2 * i + 1] = 0 }
        rightCount = end
        let kept = max(leftCount, rightCount)
        if frames > kept { line.removeLast(2 * (frames - kept)) }
    }

    /// Hands out the line up to stream time `ms` (interleaved stereo, left the caller), keeping
    /// only what may still change: nothing before the present is written again (agent frames
    /// are placed at or after it, and a barge-in cuts from it).
    mutating func take(settledAtMs ms: Int) -> [Int16] {
        take(frames: min(leftCount, max(0, index(ofMs: ms))))
    }

    /// Hands out all that is left (the call is over), the shorter side padded with silence.
    mutating func takeAll() -> [Int16] {
        take(frames: frames)
    }

    private mutating func take(frames n: Int) -> [Int16] {
        guard n > 0 else { return [] }
        let out = Array(line[0..<(2 * n)])
        line.removeFirst(2 * n)
        leftCount = max(0, leftCount - n)
        rightCount = max(0, rightCount - n)
        origin += n
        return out
    }

    /// Samples held, both sides: what a live call keeps of its recording.
    var heldSamples: Int { leftCount + rightCount }

    /// Each side as mono, unpadded.
    func channels() -> (caller: PCMBuffer, agent: PCMBuffer) {
        (PCMBuffer(samples: side(0, count: leftCount), sampleRate: sampleRate), PCMBuffer(samples: side(1, count: rightCount), sampleRate: sampleRate))
    }

    /// The first `count` samples of one side (0 left, 1 right).
    private func side(_ offset: Int, count: Int) -> [Int16] {
        [Int16](unsafeUninitializedCapacity: count) { out, initialized in
            line.withUnsafeBufferPointer { l in
                for i in 0..<count { out[i] = l[2 &* i &+ offset] }
            }
            initialized = count
        }
    }

    /// Both channels, the shorter padded with silence.
    func stereo() -> PCMBuffer {
        PCMBuffer(samples: line, sampleRate: sampleRate, channels: 2)
    }
}
