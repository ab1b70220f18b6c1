@testable import MiadiSimulator
import Testing

@Suite("Scripted caller")
struct ScriptedCallerTests {
    @Test("answers come by what is asked, in whatever order the agent asks, in any language")
    func outOfOrder() {
        var caller = ScriptedCaller(steps: [
            .say("I'd like a cleaning."),
            .answers(["name": ["It's Amina."], "time": ["Three o'clock."], "confirm": ["Yes, that's right."]]),
            .hangUp("after_goodbye"),
        ])
        #expect(caller.turnEnded(agentText: "Hello, this is Whitedent Clinic. How can I help you?") == .say("I'd like a cleaning."))
        // The agent asks for the time before the name.
        #expect(caller.turnEnded(agentText: "I have two p.m. or three p.m. Which time would you like?") == .say("Three o'clock."))
        #expect(caller.turnEnded(agentText: "Naomba jina lako tafadhali?") == .say("It's Amina."))
        #expect(caller.turnEnded(agentText: "So that's a cleaning on Thursday at three p.m. Shall I book it?") == .say("Yes, that's right."))
        #expect(caller.turnEnded(agentText: "You're booked. Thank you for calling, goodbye.") == .hangUp("caller hung up after goodbye"))
    }

    @Test("a question the caller has no answer for leaves it silent, with the reason kept")
    func stuck() {
        var caller = ScriptedCaller(steps: [.say("Hello."), .answers(["name": ["Baraka."]])])
        _ = caller.turnEnded(agentText: "Hello, how can I help?")
        #expect(caller.turnEnded(agentText: "Which day would suit you?") == .wait)
        #expect(caller.stuckOn == "no answer for the agent's day question")
    }

    @Test("a barge-in waits for a turn the caller cannot answer, then for its delay")
    func bargeIn() {
        var caller = ScriptedCaller(steps: [.answers(["name": ["Wanjiku."]]), .bargeIn(afterMs: 1200, say: "The first one is fine.")])
        #expect(caller.duringTurn(msIntoTurn: 1500, agentText: "May I have your name, please?") == .wait)
        #expect(caller.turnEnded(agentText: "May I have your name, please?") == .say("Wanjiku."))
        #expect(caller.duringTurn(msIntoTurn: 1000, agentText: "I have eight, nine or ten a.m. Which time would you like?") == .wait)
        #expect(caller.duringTurn(msIntoTurn: 1200, agentText: "I have eight, nine or ten a.m. Which time would you like?") == .sayOver("The first one is fine."))
    }

    @Test("a question asked again gets the next answer of its list, then none")
    func answerLists() {
        var caller = ScriptedCaller(steps: [.answers(["time": ["Nine o'clock, please.", "Nine forty-five then."]])])
        let ask = "I have eight a.m., nine a.m. or ten a.m. Which time would you like?"
        #expect(caller.turnEnded(agentText: ask) == .say("Nine o'clock, please."))
        #expect(caller.turnEnded(agentText: "That slot was just taken. " + ask) == .say("Nine forty-five then."))
        #expect(caller.turnEnded(agentText: ask) == .wait)
        #expect(caller.stuckOn == "no answer for the agent's time question")
    }
}
