import MiadiAgent

/// What the caller's sounds over the agent did to it, from the trace: the bridge's pauses,
/// resumes and barge-ins, and — on a lab call, whose trace says which caller lines were
/// backchannels and which were meant to stop the agent — whether the agent's utterances
/// survived the backchannels and whether a real interruption was ever resumed.
public struct InterruptionFacts: Sendable, Equatable, Codable {
    /// `barge_in.pause` lines: the agent went silent at a sound's onset.
    public var pauses = 0
    /// `barge_in.resume` lines: it played on after a backchannel, a cough or a noise.
    public var resumes = 0
    /// `barge_in` lines: it stopped for good.
    public var bargeIns = 0
    /// For each resume: from the end of the caller's sound to the agent playing on, ms.
    public var resumeGapsMs: [Int] = []
    /// Agent utterances a lab backchannel fell in, and how many of them the caller heard to
    /// the end (the goal is all).
    public var backchannelUtterances = 0
    public var backchannelUtterancesCompleted = 0
    /// Words of those utterances the caller never heard (cut for good), by the share unheard.
    public var wordsLost = 0
    /// Lab lines meant to stop the agent that were said over it, and how many of them the
    /// bridge took for a backchannel and resumed over (the goal is none).
    public var trueInterruptions = 0
    public var trueInterruptionsResumed = 0

    public init() {}

    public init(events: [TraceEvent]) {
        pauses = events.filter { $0.is(.bargeInPause) }.count
        let resumeLines = events.filter { $0.is(.bargeInResume) }
        resumes = resumeLines.count
        bargeIns = events.filter { $0.is(.bargeIn) }.count
        resumeGapsMs = resumeLines.compactMap { e in e["sound_end_ms"]?.int.map { max(0, e.tMs - $0) } }
        struct Heard { let start: Int; let end: Int; let completed: Bool; let words: Int; let heard: Int; let planned: Int }
        let utterances: [String: Heard] = Dictionary(events.filter { $0.is(.agentUtterance) }.compactMap { e -> (String, Heard)? in
            guard let id = e["id"]?.string, let start = e["start_ms"]?.int else { return nil }
            let heard = e["heard_ms"]?.int ?? 0
            return (id, Heard(start: start, end: e["end_ms"]?.int ?? start + heard, completed: e["status"]?.string == "completed",
                              words: (e["text"]?.string ?? "").split(whereSeparator: { $0 == " " }).count, heard: heard, planned: e["planned_ms"]?.int ?? heard))
        }, uniquingKeysWith: { first, _ in first })
        let ids = utterances.keys.sorted()
        /// The agent utterance playing when the caller began a line.
        func under(_ start: Int) -> String? { ids.first { utterances[$0]!.start <= start && start < utterances[$0]!.end } }
        var backchannelIDs: Set<String> = []
        for line in events where line.is(.callerUtterance) && line["barge_in"]?.bool == true {
            guard let start = line["start_ms"]?.int, let id = under(start) else { continue }
            if line["backchannel"]?.bool == true {
                backchannelIDs.insert(id)
            } else {
                trueInterruptions += 1
                let end = line["end_ms"]?.int ?? start
                // The bridge hears the line a little after the caller says it (the line's
                // delay), and its VAD dates an onset a little early.
                if resumeLines.contains(where: { ($0["caller_onset_ms"]?.int).map { start - 150 <= $0 && $0 <= end + 150 } ?? false }) {
                    trueInterruptionsResumed += 1
                }
            }
        }
        backchannelUtterances = backchannelIDs.count
        for id in backchannelIDs.sorted() {
            let u = utterances[id]!
            if u.completed {
                backchannelUtterancesCompleted += 1
            } else if u.planned > 0 {
                wordsLost += Int((Double(u.words) * Double(max(0, u.planned - u.heard)) / Double(u.planned)).rounded(.up))
            }
        }
    }
}
