import MiadiAgent
import MiadiAudio
import MiadiLanguage

/// Scores one call from what any call leaves behind — its trace and the stereo recording of
/// the line — so a call `miadi serve` answered is scored exactly like a simulated one.
public enum CallScorer {
    public enum ScoreError: Error, Equatable, CustomStringConvertible {
        case unknownLanguage(String)
        case badNow(String)
        case recordingNotStereo(channels: Int)

        public var description: String {
            switch self {
            case .unknownLanguage(let code): return "trace header: language \"\(code)\" is not one Miadi speaks (en, sw, fr)"
            case .badNow(let now): return "trace header: now \"\(now)\" is not an ISO 8601 local time with offset"
            case .recordingNotStereo(let channels): return "the recording has \(channels) channel(s); the line's recording is stereo (caller left, agent right)"
            }
        }
    }

    public static func score(trace: CallTrace, recording: PCMBuffer) throws(ScoreError) -> CallMetrics {
        guard recording.channels == 2 else { throw .recordingNotStereo(channels: recording.channels) }
        return try score(trace: trace, caller: recording.channel(0), agent: recording.channel(1))
    }

    /// The same, from the line's two sides as mono buffers (what the lab has before it writes
    /// the stereo file).
    public static func score(trace: CallTrace, caller: PCMBuffer, agent: PCMBuffer) throws(ScoreError) -> CallMetrics {
        guard let language = LanguageCode(rawValue: trace.header.language) else { throw .unknownLanguage(trace.header.language) }
        // The clinic-local "today" is the date part of the header's local time.
        guard let today = CivilDate(iso: String(trace.header.now.prefix(10))) else { throw .badNow(trace.header.now) }
        let events = trace.orderedEvents
        let timeline = SpeechTimeline(caller: caller, agent: agent)
        let durationMs = events.last(where: { $0.is(.callEnded) })?["duration_ms"]?.int ?? max(caller.durationMs, agent.durationMs)
        let agentWords = events.filter { $0.is(.agentUtterance) }.reduce(0) { count, u in
            count + (u["text"]?.string ?? "").split(whereSeparator: { $0 == " " }).count
        }
        // A lab trace says which caller lines were meant to stop the agent: each one's stop is
        // timed from the caller's first sound to the agent's silence at the ear. A served call's
        // trace does not, and every caller turn begun over the agent counts.
        let callerLines = events.filter { $0.is(.callerUtterance) }
        let stops = callerLines.isEmpty ? timeline.bargeInStopsMs : callerLines.compactMap { line -> Int? in
            guard line["barge_in"]?.bool == true, line["backchannel"]?.bool != true, let start = line["start_ms"]?.int else { return nil }
            return timeline.agentStopMs(after: start)
        }
        var metrics = CallMetrics(
            durationMs: durationMs, billedSeconds: (durationMs + 999) / 1000, firstAudioMs: timeline.firstAudioMs,
            turnLatenciesMs: timeline.turnLatenciesMs, bargeInStopsMs: stops, talkOverMs: timeline.talkOverMs,
            deadAirMs: timeline.deadAirMs(), turns: timeline.caller.count, agentWords: agentWords,
            toolCalls: events.filter { $0.is(.toolCall) }.count,
            confirmations: ConfirmationCheck.judge(events, language: language, today: today, agentSpeech: timeline.agent))
        metrics.timeline = timeline
        metrics.interruptions = InterruptionFacts(events: events)
        metrics.usage = ModelUsage(events: events)
        metrics.usage.fillSeconds(from: timeline)
        metrics.refusedCommits = events.filter { $0.is(.guardDecision) && $0["decision"]?.string == "refused" }.count
        metrics.authorizationRefusals = events.filter { $0.is(.toolResult) && $0["error_code"]?.string == "not_your_appointment" }.count
        return metrics
    }
}
