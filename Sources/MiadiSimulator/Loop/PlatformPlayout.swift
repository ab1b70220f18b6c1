/// The emulated platform's playout buffer: it plays what the bridge sends at real-time rate,
/// 20 ms a tick, reports marks as it reaches them and clears everything on `killAudio`
/// (reporting pending marks as cleared), as `mod_audio_fork` does.
struct PlatformPlayout: Sendable {
    enum Item: Sendable { case audio([Int16]), mark(String) }

    private(set) var queue: [Item] = []
    /// Call time the last queued sample will have played by.
    private(set) var playingUntilMs = 0
    /// Agent samples as the caller heard them, at the output rate, placed at call time.
    private(set) var heard: [(atMs: Int, samples: [Int16])] = []
    let frameMs = 20
    /// An utterance has started playing and its end mark has not played yet: the bridge marks
    /// each utterance's last frame, so a gap before that mark is the bridge running late (an
    /// underrun), not the agent done talking.
    private(set) var utteranceOpen = false

    var isPlaying: Bool { queue.contains { if case .audio = $0 { return true }; return false } }

    mutating func received(audio samples: [Int16]) { queue.append(.audio(samples)) }
    mutating func received(mark name: String) { queue.append(.mark(name)) }

    /// Clears the buffer; returns the marks that were pending (now cleared).
    mutating func kill() -> [String] {
        let marks = queue.compactMap { if case .mark(let n) = $0 { return n }; return nil }
        queue.removeAll()
        utteranceOpen = false
        return marks
    }

    /// Plays one 20 ms frame at `nowMs`; returns marks reached (played out).
    mutating func tick(nowMs: Int) -> [String] {
        var reached: [String] = []
        while case .mark(let name)? = queue.first { reached.append(name); queue.removeFirst(); utteranceOpen = false }
        guard case .audio(let samples)? = queue.first else { return reached }
        queue.removeFirst()
        heard.append((nowMs, samples))
        playingUntilMs = nowMs + frameMs
        utteranceOpen = true
        while case .mark(let name)? = queue.first { reached.append(name); queue.removeFirst(); utteranceOpen = false }
        return reached
    }
}
