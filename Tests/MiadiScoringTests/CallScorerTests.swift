import MiadiAgent
import MiadiAudio
@testable import MiadiScoring
import Testing

@Suite("Scoring: timing from the audio of the line")
struct CallScorerTests {
    typealias F = ScoringFixtures

    @Test("turn latency is measured at the caller's ear, not from the bridge's stamps")
    func latencyFromAudio() throws {
        // The trace claims the agent answered 100 ms after the caller; the line says 1,200 ms.
        let recording = F.line(durationMs: 9000, caller: [1000..<3000], agent: [4200..<6500])
        let trace = F.trace([F.callerSaid("I'd like a check-up.", at: 1000), F.agentSaid("When would suit you?", from: 3100, to: 5400), F.ended(at: 9000)])
        let metrics = try CallScorer.score(trace: trace, recording: recording)
        #expect(metrics.turnLatenciesMs.count == 1)
        #expect(abs(metrics.turnLatenciesMs[0] - 1200) <= 60, "\(metrics.turnLatenciesMs) \(SpeechTimeline(recording: recording))")
        #expect(abs((metrics.firstAudioMs ?? 0) - 4200) <= 40)
        #expect(metrics.deadAirMs == 0)
    }

    @Test("a barge-in: how long the agent went on, and the talk-over it caused")
    func bargeIn() throws {
        let recording = F.line(durationMs: 10_000, caller: [1000..<2000, 5000..<6500], agent: [3000..<5600, 7300..<8500])
        let metrics = try CallScorer.score(trace: F.trace([F.ended(at: 10_000)]), recording: recording)
        #expect(metrics.bargeInStopsMs.count == 1)
        #expect(abs(metrics.bargeInStopsMs[0] - 600) <= 80, "\(metrics.bargeInStopsMs)")
        #expect(abs(metrics.talkOverMs - 600) <= 80, "\(metrics.talkOverMs)")
        // The caller's first turn was answered after 1 s, the barge-in after 0.8 s.
        #expect(metrics.turnLatenciesMs.count == 2)
    }

    @Test("dead air counts the silence beyond 2 s while the caller waits")
    func deadAir() throws {
        let recording = F.line(durationMs: 9000, caller: [500..<2000], agent: [5500..<7000])
        let metrics = try CallScorer.score(trace: F.trace([F.ended(at: 9000)]), recording: recording)
        #expect(abs(metrics.deadAirMs - 1500) <= 80, "\(metrics.deadAirMs)")
    }

    @Test("per-second billing rounds up", arguments: [(30_000, 30), (30_001, 31), (999, 1), (0, 0)])
    func billing(durationMs: Int, seconds: Int) throws {
        let metrics = try CallScorer.score(trace: F.trace([F.ended(at: durationMs)]), recording: F.line(durationMs: 100, caller: [], agent: []))
        #expect(metrics.billedSeconds == seconds)
        #expect(metrics.telephonyCost(ratePerMinute: 6) == Double(seconds) * 0.1)
    }

    @Test("percentiles by nearest rank")
    func percentiles() {
        let p = Percentiles(Array(1...20).map { $0 * 100 })
        #expect(p == Percentiles([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000]))
        #expect(p?.p50 == 1000)
        #expect(p?.p90 == 1800)
        #expect(p?.p95 == 1900)
        #expect(p?.max == 2000)
        #expect(Percentiles([]) == nil)
    }

    @Test("a mono recording or an unknown language is refused with the reason")
    func refusals() {
        #expect(throws: CallScorer.ScoreError.recordingNotStereo(channels: 1)) {
            try CallScorer.score(trace: F.trace([]), recording: PCMBuffer.silence(durationMs: 100, sampleRate: 16_000))
        }
        #expect(throws: CallScorer.ScoreError.unknownLanguage("de")) {
            try CallScorer.score(trace: F.trace(language: "de", []), recording: F.line(durationMs: 100, caller: [], agent: []))
        }
    }
}

@Suite("Scoring: confirmation before commit, from the words")
struct ConfirmationCheckTests {
    typealias F = ScoringFixtures

    func verdict(_ events: [TraceEvent], language: String = "en") throws -> ConfirmationCheck.Verdict {
        // The recording carries the agent's speech wherever the trace says it played.
        let agent = events.filter { $0.type == "agent.utterance" }.compactMap { e in e["start_ms"]?.int.flatMap { s in e["end_ms"]?.int.map { s..<$0 } } }
        let metrics = try CallScorer.score(trace: F.trace(language: language, events + [F.ended(at: 30_000)]), recording: F.line(durationMs: 30_000, caller: [], agent: agent))
        try #require(metrics.confirmations.count == 1)
        return metrics.confirmations[0]
    }

    @Test("a complete read-back of the committed slot and a yes confirm it")
    func confirmed() throws {
        let v = try verdict([F.agentSaid("So that's a check-up on Thursday the 5th of March at two p.m. Shall I book it?", from: 10_000, to: 14_000),
                             F.callerSaid("Yes, that's right.", at: 14_700), F.commit("2026-03-05T14:00:00+03:00", at: 16_000)])
        #expect(v.confirmed, "\(v.reason ?? "")")
    }

    @Test("a read-back cut by a barge-in does not confirm")
    func cut() throws {
        let v = try verdict([F.agentSaid("So that's a check-up on Thursday the 5th of March at two p.m. Shall I book it?", from: 10_000, to: 11_500, status: "cut"),
                             F.callerSaid("Yes.", at: 11_000), F.commit("2026-03-05T14:00:00+03:00", at: 13_000)])
        #expect(!v.confirmed)
        #expect(v.reason?.contains("cut") == true)
    }

    @Test("a read-back of the wrong day does not confirm")
    func wrongDay() throws {
        let v = try verdict([F.agentSaid("So that's a check-up on Friday the 6th of March at two p.m. Shall I book it?", from: 10_000, to: 14_000),
                             F.callerSaid("Yes, that's right.", at: 14_700), F.commit("2026-03-05T14:00:00+03:00", at: 16_000)])
        #expect(!v.confirmed)
        #expect(v.reason?.contains("does not name") == true)
    }

    @Test("without a yes after the read-back there is no confirmation")
    func noYes() throws {
        let v = try verdict([F.callerSaid("Yes.", at: 5000),
                             F.agentSaid("So that's a check-up on Thursday the 5th of March at two p.m. Shall I book it?", from: 10_000, to: 14_000),
                             F.commit("2026-03-05T14:00:00+03:00", at: 16_000)])
        #expect(!v.confirmed)
        #expect(v.reason?.contains("did not say yes") == true)
    }

    @Test("Swahili: \"saa kumi jioni\" reads back 16:00")
    func swahili() throws {
        let v = try verdict([F.agentSaid("Ni uchunguzi Alhamisi tarehe 5 Machi saa kumi jioni. Nikuwekee?", from: 10_000, to: 14_000),
                             F.callerSaid("Ndiyo.", at: 14_700), F.commit("2026-03-05T16:00:00+03:00", at: 16_000)], language: "sw")
        #expect(v.confirmed, "\(v.reason ?? "")")
        let wrong = try verdict([F.agentSaid("Ni uchunguzi Alhamisi tarehe 5 Machi saa kumi jioni. Nikuwekee?", from: 10_000, to: 14_000),
                                 F.callerSaid("Ndiyo.", at: 14_700), F.commit("2026-03-05T10:00:00+03:00", at: 16_000)], language: "sw")
        #expect(!wrong.confirmed, "saa kumi jioni is 16:00, not 10:00")
    }
}
