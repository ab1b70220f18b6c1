import MiadiAgent
import MiadiLanguage

/// Confirmation before commit, judged from the trace's words alone, independently of the
/// agent's own guard: before each commit the agent's last completed utterance that reads back
/// a date and time must read back the committed ones (in the call's language), and after it
/// the caller must have said yes. A read-back cut by a barge-in does not count; neither does
/// a read-back of another day.
public enum ConfirmationCheck {
    public struct Verdict: Sendable, Equatable {
        public let proposalID: String
        public let committedAtMs: Int
        public let confirmed: Bool
        /// Why not, in words (nil when confirmed).
        public let reason: String?
    }

    /// `ordered`: the call's events in call order (`CallTrace.orderedEvents`). `agentSpeech`:
    /// when the agent was audible on the recording (`SpeechTimeline.agent`); nil when there is
    /// no recording, and then the trace's word is taken for what was played.
    public static func judge(_ ordered: [TraceEvent], language: LanguageCode, today: CivilDate, agentSpeech: [Range<Int>]? = nil) -> [Verdict] {
        let book = language.phrasebook
        // What the caller said: the scenario's lines when the trace has them (the lab), else
        // what the model heard (a real call).
        let callerLines: TraceType = ordered.contains { $0.is(.callerUtterance) } ? .callerUtterance : .transcriptIn
        // The spans the bridge held the agent back itself (`pause_resume`, waiting to know
        // whether a sound was a backchannel): silence it chose and traced, not audio missing.
        let pauses = ordered.filter { $0.is(.bargeInResume) }.compactMap { resume in
            resume["paused_at_ms"]?.int.flatMap { $0 < resume.tMs ? $0..<resume.tMs : nil }
        }
        return ordered.filter { $0.is(.commit) }.map { commit in
            let id = commit["proposal_id"]?.string ?? "?"
            func fail(_ reason: String) -> Verdict { Verdict(proposalID: id, committedAtMs: commit.tMs, confirmed: false, reason: reason) }
            guard let start = commit["start"]?.string, let (date, time) = localDateAndTime(start) else {
                return fail("the commit names no start time")
            }
            let spoken = ordered.filter { $0.is(.agentUtterance) && ($0["end_ms"]?.int ?? $0.tMs) <= commit.tMs }
            // The agent's last slot read-back before the commit: any date-and-time it said.
            guard let readBack = spoken.last(where: { u in
                let text = u["text"]?.string ?? ""
                return book.recogniseDate(in: text, today: today) != nil && book.recogniseTime(in: text) != nil
            }) else { return fail("no read-back of a date and time before the commit") }
            let text = readBack["text"]?.string ?? ""
            guard book.readsBack(date: date, time: time, in: text, today: today) else {
                if let why = book.contradiction(in: text, today: today) { return fail("the read-back \"\(text)\" contradicts itself: \(why)") }
                return fail("the read-back \"\(text)\" does not name \(date) at \(time)")
            }
            guard readBack["status"]?.string == "completed" else {
                return fail("the read-back was cut before the caller heard it all")
            }
            let readBackEnd = readBack["end_ms"]?.int ?? readBack.tMs
            if let agentSpeech, let readBackStart = readBack["start_ms"]?.int, let why = inaudible(readBackStart..<readBackEnd, agentSpeech, paused: pauses) {
                return fail("the read-back is marked played but \(why) on the recording's agent channel")
            }
            let answers = ordered.filter { $0.is(callerLines) && $0.tMs >= readBackEnd && $0.tMs <= commit.tMs }
            guard answers.contains(where: { book.recogniseAnswer(in: $0["text"]?.string ?? "") == .yes }) else {
                return fail("the caller did not say yes after the read-back")
            }
            return Verdict(proposalID: id, committedAtMs: commit.tMs, confirmed: true, reason: nil)
        }
    }

    /// Why the recording says the caller did not hear a read-back played over `span` (nil when
    /// they did): the agent channel must carry speech over most of it and up to its end, where
    /// the date and time are said. A shell that reports audio it never sent cannot pass. The
    /// bridge's own traced pauses inside the span (`paused`) are not part of what must sound.
    static func inaudible(_ span: Range<Int>, _ agentSpeech: [Range<Int>], paused: [Range<Int>] = []) -> String? {
        guard span.count > 0 else { return nil }
        func overlap(_ ranges: [Range<Int>]) -> Int {
            ranges.reduce(0) { $0 + max(0, min($1.upperBound, span.upperBound) - max($1.lowerBound, span.lowerBound)) }
        }
        let covered = overlap(agentSpeech)
        let expected = span.count - overlap(paused)
        if covered * 10 < expected * 8 {
            let held = span.count - expected
            return "only \(covered) of its \(span.count) ms carry speech" + (held > 0 ? " (\(held) ms of them paused by the bridge)" : "")
        }
        let tail = max(span.lowerBound, span.upperBound - 1000)..<span.upperBound
        if !agentSpeech.contains(where: { $0.overlaps(tail) }) { return "its last second is silent" }
        return nil
    }

    /// "2026-03-05T14:00:00+03:00" → (2026-03-05, 14:00): the clinic-local date and time as
    /// the trace writes them.
    static func localDateAndTime(_ iso: String) -> (CivilDate, ClockTime)? {
        let parts = iso.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = CivilDate(iso: parts[0]), let time = ClockTime(iso: String(parts[1].prefix(5))) else { return nil }
        return (date, time)
    }
}
