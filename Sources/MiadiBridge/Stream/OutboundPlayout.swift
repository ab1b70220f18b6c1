import MiadiAudio

/// The agent's side of the line: model audio queued per utterance, sent as 20 ms frames no
/// more than `maximumLeadMs` ahead of real time, with a mark after each utterance's last frame.
///
/// It models the platform's playout clock: a frame sent at `now` plays from
/// `max(playedUntilMs, now)` for 20 ms. That clock says what the caller has heard, which is what
/// a barge-in truncates to and what the recording's right channel shows.
struct OutboundPlayout: Sendable {
    struct Utterance: Sendable {
        let id: Int
        var text = ""
        /// The provider finished this response; no more audio joins it.
        var closed = false
        /// The utterance's audio at the output rate; not sent yet: `pending[pendingStart...]`
        /// (an offset, so sending a frame does not copy the rest of the utterance). What was sent
        /// stays until it has played, so a pause can take back what the caller did not hear and
        /// a resume can start again before the word it cut; then it is let go.
        var pending: [Int16] = []
        var pendingStart = 0
        var pendingCount: Int { pending.count - pendingStart }
        var sentSamples = 0
        var firstSampleMs: Int?
        var endMs: Int?
        var endMarkSent = false
        /// The last frames sent: when each plays and its first sample (what maps the playout
        /// clock back to the audio). Bounded: a pause only needs the frames still unplayed.
        var recentFrames: [(atMs: Int, sample: Int)] = []
        /// Times a pause took part of it back: each resume's end mark has a name of its own,
        /// so the platform's "cleared" for the old mark cannot be taken for the new one's.
        var resumes = 0
        var endMarkName: String { resumes == 0 ? "agent-\(id)-end" : "agent-\(id)-end-r\(resumes)" }
        /// Total length of the utterance's audio, ms (what the caller would hear uncut).
        func plannedMs(rate: Int) -> Int { pending.isEmpty ? (endMs ?? 0) - (firstSampleMs ?? 0) : pending.count * 1000 / rate }
    }

    /// Where a pause left the agent: the utterance it cut and the sample the caller heard up to.
    struct PausePoint: Sendable, Equatable {
        let utteranceID: Int
        let heardSample: Int
        /// Ms of the utterance the caller heard.
        let heardMs: Int
    }

    enum Output: Sendable, Equatable {
        /// A 20 ms frame (little-endian bytes) that plays from `atMs`.
        case frame(samples: [Int16], atMs: Int, utteranceID: Int)
        /// A mark after the utterance's last frame.
        case endMark(name: String, utteranceID: Int)
    }

    let outputRate: Int
    let maximumLeadMs: Int
    private var resampler: Resampler
    private(set) var utterances: [Utterance] = []
    private var nextID = 1
    /// Call time at which the platform will have played everything sent.
    private(set) var playedUntilMs = 0
    /// No audio is sent before this call time (the gap after a killAudio).
    private(set) var resumeAtMs = 0
    /// Paused at the caller's first syllable: nothing is sent until `resume` or `flush`.
    private(set) var pausedAt: PausePoint?
    private(set) var isPaused = false

    init(providerRate: Int, outputRate: Int, maximumLeadMs: Int) {
        self.outputRate = outputRate
        self.maximumLeadMs = maximumLeadMs
        self.resampler = Resampler(from: providerRate, to: outputRate, quality: .telephone)
    }

    var framesPer20ms: Int { outputRate / 50 }

    /// Whether the provider is still producing the current response (no `turnDone` yet).
    var hasOpenResponse: Bool { utterances.last.map { !$0.closed } ?? false }

    /// Whether the caller is hearing, or is about to hear, the agent.
    func isAudible(nowMs: Int) -> Bool {
        !isPaused && (playedUntilMs > nowMs || utterances.contains { $0.pendingCount > 0 })
    }

    /// Samples held for utterances not yet played out (at the output rate).
    var heldSamples: Int { utterances.reduce(0) { $0 + $1.pending.count } }

    /// Whether anything is left to say (paused or not).
    var hasUnplayedAudio: Bool { utterances.contains { $0.pendingCount > 0 } }

    /// The utterance being filled by the provider now (a new one after the last was closed).
    private mutating func openUtterance() -> Int {
        if let last = utterances.indices.last, !utterances[last].closed { return last }
        utterances.append(Utterance(id: nextID))
        nextID += 1
        return utterances.count - 1
    }

    mutating func audio(_ buffer: PCMBuffer) -> Int {
        let index = openUtterance()
        let converted = resampler.process(buffer.floatSamples())
        utterances[index].pending += PCMBuffer.quantize(converted)
        return utterances[index].id
    }

    mutating func transcript(_ text: String, final: Bool) -> Int {
        let index = openUtterance()
        // Providers stream either deltas or, with `final`, the whole text.
        if final { utterances[index].text = text } else { utterances[index].text += text }
        return utterances[index].id
    }

    /// The provider ended its response: what is queued is all of this utterance.
    mutating func closeCurrent() {
        guard let last = utterances.indices.last, !utterances[last].closed else { return }
        utterances[last].closed = true
        let tail = PCMBuffer.quantize(resampler.flush())
        utterances[last].pending += tail
        resampler = resampler.restarted()
    }

    /// Nothing to send, mark or let go, now or later, until more audio, a pause or a flush
    /// comes: `pump` at any time returns nothing and changes nothing.
    var isIdle: Bool {
        !isPaused && utterances.allSatisfy { $0.endMarkSent && $0.pending.isEmpty }
    }

    /// How far the lead falls below `maximumLeadMs` before frames go out again, ms: a third of
    /// the writes on a loaded server (three frames in one WebSocket write every 60 ms rather
    /// than one every beat; each write is a trip through the kernel's TCP path, a tenth of
    /// `miadi serve`'s CPU at 1,000 streams), while the platform still holds 140 ms or more.
    /// Where the lead is short, at most half of it in whole frames, so a small one is never let
    /// run low (a 60 ms lead is topped up at 40, not at 20).
    var topUpMs: Int { max(20, min(60, maximumLeadMs / 2 / 20 * 20)) }

    /// Frames (and end marks) to send at `nowMs` without exceeding the lead. Once the lead is
    /// full, no frame goes until it has fallen by `topUpMs`; then it is filled again.
    mutating func pump(nowMs: Int) -> [Output] {
        var out: [Output] = []
        guard nowMs >= resumeAtMs, !isPaused else { return out }
        let frame = framesPer20ms
        let refill = playedUntilMs - nowMs <= maximumLeadMs - topUpMs
        while let index = utterances.firstIndex(where: { !$0.endMarkSent }) {
            // Changed in place: a copy of the utterance out and back copied its frame list
            // (shared while both existed) on every frame sent.
            let pendingCount = utterances[index].pendingCount
            let closed = utterances[index].closed
            if pendingCount >= frame || (closed && pendingCount > 0) {
                let start = max(playedUntilMs, nowMs)
                guard refill, start + 20 - nowMs <= maximumLeadMs else { break }
                let from = utterances[index].pendingStart
                let taken = min(frame, pendingCount)
                var samples = [Int16](repeating: 0, count: frame)
                samples.withUnsafeMutableBufferPointer { o in
                    utterances[index].pending.withUnsafeBufferPointer { p in
                        for i in 0..<taken { o[i] = p[from + i] }
                    }
                }
                utterances[index].recentFrames.append((start, from))
                if utterances[index].recentFrames.count > 80 { utterances[index].recentFrames.removeFirst(utterances[index].recentFrames.count - 40) }
                utterances[index].pendingStart += taken
                if utterances[index].firstSampleMs == nil { utterances[index].firstSampleMs = start }
                utterances[index].sentSamples += frame
                playedUntilMs = start + 20
                utterances[index].endMs = playedUntilMs
                out.append(.frame(samples: samples, atMs: start, utteranceID: utterances[index].id))
                continue
            }
            if closed && pendingCount == 0 {
                utterances[index].endMarkSent = true
                let u = utterances[index]
                if u.sentSamples > 0 { out.append(.endMark(name: u.endMarkName, utteranceID: u.id)) }
                continue
            }
            break // waiting for more audio from the provider
        }
        // Audio the caller has heard to the end is let go; the utterance stays (its text, its
        // times) until its fate is known, and the list is kept short.
        for i in utterances.indices where utterances[i].endMarkSent && !utterances[i].pending.isEmpty && (utterances[i].endMs ?? 0) <= nowMs {
            utterances[i].pending = []
            utterances[i].pendingStart = 0
            utterances[i].recentFrames = []
        }
        if utterances.count > 64 { utterances.removeFirst(utterances.count - 64) }
        return out
    }

    /// The caller spoke over the agent at `nowMs` and `killAudio` went out: takes back every
    /// frame sent that had not played, and holds everything until `resume` or `flush`. Returns
    /// where the caller was cut off (nil: nothing was audible).
    mutating func pause(nowMs: Int) -> PausePoint? {
        var point: PausePoint?
        for i in utterances.indices {
            var u = utterances[i]
            guard let unplayed = u.recentFrames.firstIndex(where: { $0.atMs + 20 > nowMs }) else {
                if point == nil && u.pendingCount > 0 && u.firstSampleMs != nil {
                    // Sent to here and played out: the caller heard every sample sent.
                    point = PausePoint(utteranceID: u.id, heardSample: u.pendingStart, heardMs: (u.endMs ?? nowMs) - (u.firstSampleMs ?? nowMs))
                }
                continue
            }
            let frame = u.recentFrames[unplayed]
            let heard = frame.sample + max(0, nowMs - frame.atMs) * outputRate / 1000
            u.pendingStart = min(heard, u.pending.count)
            u.recentFrames.removeSubrange(unplayed...)
            u.sentSamples = u.pendingStart
            if u.endMarkSent { u.resumes += 1 }
            u.endMarkSent = false
            if u.pendingStart == 0 {
                u.firstSampleMs = nil
                u.endMs = nil
            } else {
                u.endMs = min(u.endMs ?? nowMs, nowMs)
            }
            utterances[i] = u
            if point == nil {
                point = PausePoint(utteranceID: u.id, heardSample: u.pendingStart, heardMs: u.firstSampleMs.map { nowMs - $0 } ?? 0)
            }
        }
        playedUntilMs = min(playedUntilMs, nowMs)
        isPaused = true
        pausedAt = point
        return point
    }

    /// Plays on after a pause, from the start of the word the pause cut (a pause between words
    /// no further back than 500 ms) or `rewindMs` before the last sample heard (0: from that
    /// very sample, no rewind), from `atMs`.
    /// Returns how far it went back, ms.
    mutating func resume(atMs: Int, rewindMs: Int) -> Int {
        defer { isPaused = false; pausedAt = nil; resumeAtMs = max(resumeAtMs, atMs) }
        guard let point = pausedAt, let i = utterances.firstIndex(where: { $0.id == point.utteranceID }), !utterances[i].pending.isEmpty else { return 0 }
        let heard = min(point.heardSample, utterances[i].pending.count)
        // No rewind at all: on from the very sample the caller heard last.
        let from = rewindMs == 0 ? heard : Self.wordStart(in: utterances[i].pending, before: heard, rate: outputRate, fallbackMs: rewindMs)
        utterances[i].pendingStart = from
        utterances[i].sentSamples = from
        utterances[i].endMarkSent = false
        return (point.heardSample - from) * 1000 / outputRate
    }

    /// The start of the word that `sample` falls in: the end of the last pause between words
    /// (30 ms at least 30 dB under the loudest 10 ms around it) in the 500 ms before it, or
    /// `fallbackMs` before it when the words run together.
    static func wordStart(in audio: [Int16], before sample: Int, rate: Int, fallbackMs: Int) -> Int {
        let step = max(1, rate / 100)
        let windowStart = max(0, sample - rate / 2)
        var energies: [Double] = []
        var s = windowStart
        while s + step <= sample {
            var sum = 0.0
            for k in s..<(s + step) { let v = Double(audio[k]); sum += v * v }
            energies.append(sum / Double(step))
            s += step
        }
        let loudest = energies.max() ?? 0
        let fallback = max(0, sample - fallbackMs * rate / 1000)
        guard loudest > 0 else { return fallback }
        let quiet = loudest / 1000 // 30 dB down
        var run = 0
        // Walk back from the cut: the latest run of three quiet frames ends where the word began.
        for j in stride(from: energies.count - 1, through: 0, by: -1) {
            if energies[j] <= quiet {
                run += 1
                if run >= 3 {
                    var end = j + run
                    while end < energies.count && energies[end] <= quiet { end += 1 }
                    return windowStart + end * step - step // one frame of the pause kept before the word
                }
            } else {
                run = 0
            }
        }
        return fallback
    }

    /// A barge-in at `nowMs`: drops everything unsent, and returns each utterance that was
    /// audible or queued with how much of it the caller heard (ms).
    mutating func flush(nowMs: Int, resumeGapMs: Int) -> [(utterance: Utterance, heardMs: Int)] {
        var cut: [(Utterance, Int)] = []
        for u in utterances {
            let audibleTail = (u.endMs ?? 0) > nowMs
            guard u.pendingCount > 0 || audibleTail || !u.closed else { continue }
            let heard = u.firstSampleMs.map { max(0, min(nowMs, u.endMs ?? nowMs) - $0) } ?? 0
            cut.append((u, heard))
        }
        utterances.removeAll()
        resampler = resampler.restarted()
        isPaused = false
        pausedAt = nil
        playedUntilMs = min(playedUntilMs, nowMs)
        resumeAtMs = nowMs + resumeGapMs
        return cut
    }
}
