import MiadiAgent
import MiadiLanguage
@testable import MiadiScoring
import Testing

/// Confirmation is judged from what the caller could hear: a read-back that contradicts itself
/// is none, and a read-back the trace calls played must be audible on the recording.
@Suite("Confirmation evidence")
struct ConfirmationEvidenceTests {
    static let today = CivilDate(year: 2026, month: 3, day: 2)

    static func call(readBack: String, readBackSpan: Range<Int> = 1000..<5000) -> [TraceEvent] {
        [
            TraceEvent(tMs: readBackSpan.upperBound, type: "agent.utterance", fields: [
                "text": .string(readBack), "status": .string("completed"), "start_ms": .int(readBackSpan.lowerBound), "end_ms": .int(readBackSpan.upperBound)]),
            TraceEvent(tMs: 5600, type: "caller.utterance", fields: ["text": .string("Yes, that's right."), "start_ms": .int(5600), "end_ms": .int(6600)]),
            TraceEvent(tMs: 7000, type: "commit", fields: ["proposal_id": .string("prop-1"), "kind": .string("booking"), "start": .string("2026-03-06T10:00:00+03:00")]),
        ]
    }

    @Test("a consistent read-back, audible to its end, confirms")
    func confirmed() {
        let verdicts = ConfirmationCheck.judge(Self.call(readBack: "So that's Friday the 6th of March at ten a.m. Shall I book it?"), language: .en, today: Self.today,
                                               agentSpeech: [900..<5050])
        #expect(verdicts.map(\.confirmed) == [true])
    }

    @Test("a weekday that contradicts the date fails, naming the contradiction")
    func contradiction() {
        let verdicts = ConfirmationCheck.judge(Self.call(readBack: "So that's Saturday the 6th of March at ten a.m. Shall I book it?"), language: .en, today: Self.today)
        #expect(verdicts.first?.confirmed == false)
        #expect(verdicts.first?.reason?.contains("contradicts itself") == true, "\(verdicts)")
    }

    @Test("a read-back marked played but silent on the recording fails", arguments: [
        ([Range<Int>](), "only 0 of its 4000 ms"),
        ([1000..<2500], "only 1500 of its 4000 ms"),
        ([1000..<5450], "its last second is silent"),
    ])
    func inaudible(speech: [Range<Int>], why: String) {
        // The third case: a 5-second read-back, audible for 86% of it but not at its end.
        let span = why.contains("last second") ? 1000..<6500 : 1000..<5000
        let verdicts = ConfirmationCheck.judge(Self.call(readBack: "So that's Friday the 6th of March at ten a.m. Shall I book it?", readBackSpan: span),
                                               language: .en, today: Self.today, agentSpeech: speech)
        #expect(verdicts.first?.confirmed == false)
        #expect(verdicts.first?.reason?.contains(why) == true, "\(verdicts)")
    }

    @Test("the bridge's own pause inside a read-back is not missing audio; it excuses nothing else")
    func pausedReadBack() {
        // The bridge paused 2.0–3.0 s on a caller's sound (pause_resume) and resumed: a quarter
        // of the span is silence it chose and traced.
        var events = Self.call(readBack: "So that's Friday the 6th of March at ten a.m. Shall I book it?")
        events.insert(TraceEvent(tMs: 3000, type: "barge_in.resume", fields: ["paused_at_ms": .int(2000), "caller_onset_ms": .int(1950), "reason": .string("backchannel")]), at: 0)
        let heard = ConfirmationCheck.judge(events, language: .en, today: Self.today, agentSpeech: [900..<2000, 3000..<5050])
        #expect(heard.map(\.confirmed) == [true], "\(heard)")
        let silent = ConfirmationCheck.judge(events, language: .en, today: Self.today, agentSpeech: [1000..<1500, 4000..<5050])
        #expect(silent.first?.confirmed == false)
        #expect(silent.first?.reason?.contains("only 1500 of its 4000 ms carry speech (1000 ms of them paused by the bridge)") == true, "\(silent)")
    }

    @Test("the guard refuses a contradictory read-back and says why")
    func guardRefuses() {
        var guardian = ConfirmationGuard(today: Self.today)
        guardian.proposed(.init(id: "prop-1", date: CivilDate(year: 2026, month: 3, day: 6), time: ClockTime(hour: 10), madeAtMs: 0))
        guardian.observe(.agentUtterance(id: "agent-3", text: "Kwa hiyo ni Jumamosi tarehe 6 Machi saa nne asubuhi. Nithibitishe?", endMs: 5000, completed: true))
        guardian.observe(.callerSaid(text: "Ndiyo.", atMs: 5600))
        guard case .refused(let reason) = guardian.decide(proposalID: "prop-1") else {
            Issue.record("a contradictory read-back was accepted")
            return
        }
        #expect(reason.contains("contradicts itself"))
        guardian.observe(.agentUtterance(id: "agent-4", text: "Samahani, ni Ijumaa tarehe 6 Machi saa nne asubuhi. Nithibitishe?", endMs: 9000, completed: true))
        guardian.observe(.callerSaid(text: "Ndiyo, sawa.", atMs: 9600))
        #expect(guardian.decide(proposalID: "prop-1") != .refused(reason: reason))
    }
}
