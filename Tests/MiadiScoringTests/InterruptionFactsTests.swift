import MiadiAgent
import MiadiAudio
@testable import MiadiScoring
import Testing

@Suite("Scoring: what the caller's sounds over the agent did")
struct InterruptionFactsTests {
    typealias F = ScoringFixtures

    static func utterance(_ id: String, _ text: String, from start: Int, to end: Int, status: String, heard: Int, planned: Int) -> TraceEvent {
        TraceEvent(tMs: end, type: .agentUtterance, fields: ["id": .string(id), "text": .string(text), "start_ms": .int(start), "end_ms": .int(end),
                                                            "status": .string(status), "heard_ms": .int(heard), "planned_ms": .int(planned)])
    }

    static func line(_ text: String, from start: Int, to end: Int, backchannel: Bool) -> TraceEvent {
        ShellEvent.callerUtterance(text: text, startMs: start, endMs: end, bargeIn: true, backchannel: backchannel).line(atMs: start)
    }

    @Test("a backchannel the agent survived: completed, no words lost, the resume gap from the sound's end")
    func survived() {
        let events = [
            Self.line("Mm-hmm.", from: 2000, to: 2780, backchannel: true),
            TraceEvent(tMs: 2100, type: .bargeInPause, fields: ["caller_onset_ms": 2040, "detected_ms": 2100, "heard_ms": 1000]),
            TraceEvent(tMs: 3200, type: .bargeInResume, fields: ["caller_onset_ms": 2040, "sound_end_ms": 2820, "paused_at_ms": 2100, "rewound_ms": 200, "reason": "a backchannel"]),
            Self.utterance("agent-3", "So that is Friday at ten. Shall I book it?", from: 1000, to: 6000, status: "completed", heard: 5000, planned: 4000),
        ]
        let facts = InterruptionFacts(events: events)
        #expect(facts.pauses == 1 && facts.resumes == 1 && facts.bargeIns == 0)
        #expect(facts.resumeGapsMs == [380])
        #expect(facts.backchannelUtterances == 1 && facts.backchannelUtterancesCompleted == 1)
        #expect(facts.wordsLost == 0)
    }

    @Test("a backchannel that cut the agent for good loses the words not heard; a real interruption resumed over is counted")
    func lostAndResumedOver() {
        let events = [
            Self.line("Mm-hmm.", from: 2000, to: 2780, backchannel: true),
            Self.utterance("agent-3", "one two three four five six seven eight nine ten", from: 1000, to: 2400, status: "cut", heard: 1400, planned: 5600),
            Self.line("No, Thursday.", from: 9000, to: 10_200, backchannel: false),
            TraceEvent(tMs: 10_400, type: .bargeInResume, fields: ["caller_onset_ms": 9030, "sound_end_ms": 9400, "paused_at_ms": 9100, "rewound_ms": 200, "reason": "x"]),
            Self.utterance("agent-4", "We have Thursday at two.", from: 8000, to: 12_000, status: "completed", heard: 4000, planned: 4000),
        ]
        let facts = InterruptionFacts(events: events)
        #expect(facts.backchannelUtterances == 1 && facts.backchannelUtterancesCompleted == 0)
        #expect(facts.wordsLost == 8, "three quarters of ten words unheard, rounded up")
        #expect(facts.trueInterruptions == 1 && facts.trueInterruptionsResumed == 1)
    }

    @Test("a lab trace times each barge-in stop from the caller's first sound to the agent's silence; backchannels are left out")
    func stopsFromTheLabLines() throws {
        // The agent speaks 3000–4100 (paused by a nod), again 4800–6080 (stopped by a turn).
        let recording = F.line(durationMs: 9000, caller: [4000..<4300, 6000..<7000], agent: [3000..<4100, 4800..<6080])
        let trace = F.trace([Self.line("Mm-hmm.", from: 4000, to: 4300, backchannel: true), Self.line("No, wait.", from: 6000, to: 7000, backchannel: false), F.ended(at: 9000)])
        let metrics = try CallScorer.score(trace: trace, recording: recording)
        #expect(metrics.bargeInStopsMs.count == 1)
        #expect(abs((metrics.bargeInStopsMs.first ?? 0) - 80) <= 40, "\(metrics.bargeInStopsMs)")
    }
}
