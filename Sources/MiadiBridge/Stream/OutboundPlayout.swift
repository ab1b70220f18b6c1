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
        /// Audio not sent yet: `pending[pendingStart...]` (an offset, so sending a frame does
        /// not copy the rest of the utterance).
        var pending: [Int16] = []
        var pendingStart = 0
        var pendingCount: Int { pending.count - pendingStart }
        var sentSamples = 0
        var firstSampleMs: Int?
        var endMs: Int?
        var endMarkSent = false
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
        playedUntilMs > nowMs || utterances.contains { $0.pendingCount > 0 }
    }

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

    /// Frames (and end marks) to send at `nowMs` without exceeding the lead.
    mutating func pump(nowMs: Int) -> [Output] {
        var out: [Output] = []
        guard nowMs >= resumeAtMs else { return out }
        let frame = framesPer20ms
        while let index = utterances.firstIndex(where: { !$0.endMarkSent }) {
            var u = utterances[index]
            let canSendFull = u.pendingCount >= frame
            let lastPartial = u.closed && u.pendingCount > 0 && u.pendingCount < frame
            if canSendFull || lastPartial {
                let start = max(playedUntilMs, nowMs)
                guard start + 20 - nowMs <= maximumLeadMs else { break }
                var samples = Array(u.pending[u.pendingStart..<(u.pendingStart + min(frame, u.pendingCount))])
                u.pendingStart += samples.count
                if u.pendingStart == u.pending.count { u.pending = []; u.pendingStart = 0 }
                samples += [Int16](repeating: 0, count: frame - samples.count)
                if u.firstSampleMs == nil { u.firstSampleMs = start }
                u.sentSamples += samples.count
                playedUntilMs = start + 20
                u.endMs = playedUntilMs
                utterances[index] = u
                out.append(.frame(samples: samples, atMs: start, utteranceID: u.id))
                continue
            }
            if u.closed && u.pendingCount == 0 {
                u.endMarkSent = true
                utterances[index] = u
                if u.sentSamples > 0 { out.append(.endMark(name: "agent-\(u.id)-end", utteranceID: u.id)) }
                continue
            }
            break // waiting for more audio from the provider
        }
        // Utterances fully sent and marked stay until their fate is known; keep the list short.
        if utterances.count > 64 { utterances.removeFirst(utterances.count - 64) }
        return out
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
        playedUntilMs = min(playedUntilMs, nowMs)
        resumeAtMs = nowMs + resumeGapMs
        return cut
    }
}
