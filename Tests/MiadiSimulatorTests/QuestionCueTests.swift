@testable import MiadiSimulator
import Testing

/// How agents really ask, per kind and language: each row is wording a model or a person uses,
/// with the kind of question it is. The scripted caller answers by these.
@Suite("Question cues")
struct QuestionCueTests {
    static let asked: [(String, QuestionKind)] = [
        // en
        ("So that's a cleaning on Thursday the 5th of March at three p.m. Shall I book it?", .confirm),
        ("Does that sound right to you?", .confirm),
        ("It's cancelled. Would you like to book another time?", .rebook),
        ("Can I make another appointment for you?", .rebook),
        ("Which appointment do you mean?", .which),
        ("Which one?", .which),
        ("May I have your name, please?", .name),
        ("And who am I speaking with?", .name),
        ("Which dentist would you like to see?", .staff),
        ("Do you have a preference for a doctor?", .staff),
        ("What time would you like?", .time),
        ("I have nine a.m. or ten a.m. Which suits you best?", .time),
        ("Which day would suit you?", .day),
        ("I'm sorry, nothing is free then. Would another day suit you?", .day),
        ("When would you like to come in?", .day),
        ("Which treatment would you like: cleaning, check-up or filling?", .service),
        ("What can we do for you today?", .service),
        // sw
        ("Kwa hiyo ni kusafisha meno, Alhamisi tarehe 5 Machi saa tisa mchana. Nithibitishe?", .confirm),
        ("Imefutwa. Ungependa kupanga siku nyingine?", .rebook),
        ("Ni miadi ipi?", .which),
        ("Naomba jina lako tafadhali?", .name),
        ("Ungependa daktari gani?", .staff),
        ("Saa ngapi ingekufaa?", .time),
        ("Nina nafasi saa tatu asubuhi au saa nne asubuhi. Saa ipi ingekufaa?", .time),
        ("Siku gani itakufaa?", .day),
        ("Ungependa siku nyingine?", .day),
        ("Ungependa huduma gani?", .service),
        // fr
        ("Donc un détartrage le jeudi 5 mars à 15 heures. Je confirme ?", .confirm),
        ("C'est annulé. Souhaitez-vous un autre rendez-vous ?", .rebook),
        ("Quel rendez-vous ?", .which),
        ("Puis-je avoir votre nom, s'il vous plaît ?", .name),
        ("Avec quel praticien ?", .staff),
        ("À quelle heure ?", .time),
        ("Quel jour vous conviendrait ?", .day),
        ("Un autre jour vous conviendrait ?", .day),
        ("Quel soin souhaitez-vous ?", .service),
    ]

    @Test("each way of asking is recognised as its kind", arguments: asked)
    func recognised(text: String, kind: QuestionKind) {
        #expect(QuestionKind.asked(in: text) == kind, "\(text)")
    }

    @Test("every kind has wording in every language")
    func tableCovers() {
        for kind in QuestionKind.allCases {
            for language in [QuestionCues.LanguageTag.en, .sw, .fr] {
                #expect(QuestionCues.table.contains { $0.kind == kind && $0.language == language }, "\(kind) in \(language)")
            }
        }
    }

    static let repeats = ["Sorry, I didn't catch that. Could you say it again?", "Could you repeat that?", "Samahani, sikusikia vizuri. Unaweza kurudia?",
                          "Pardon, je n'ai pas bien compris. Pouvez-vous répéter ?"]

    @Test("a request to repeat is recognised in every language", arguments: repeats)
    func repeatRequest(text: String) {
        #expect(QuestionKind.asksToRepeat(text))
    }

    @Test("\"Which one?\" is the appointment when the caller has that answer, else the time")
    func whichOne() {
        var caller = ScriptedCaller(steps: [.answers(["time": ["The first one."]])])
        #expect(caller.turnEnded(agentText: "I have nine or ten. Which one?") == .say("The first one."))
    }

    @Test("asked to repeat, the caller says its last line again, not the next one")
    func repeatsLastLine() {
        var caller = ScriptedCaller(steps: [.say("I'd like a cleaning."), .say("Tomorrow morning."), .answers(["name": ["It's Amina."]])])
        #expect(caller.turnEnded(agentText: "Hello, how can I help?") == .say("I'd like a cleaning."))
        #expect(caller.turnEnded(agentText: "Sorry, I didn't catch that. Could you say it again?") == .say("I'd like a cleaning."))
        #expect(caller.turnEnded(agentText: "Which day would suit you?") == .say("Tomorrow morning."))
        // A question it can answer wins over the request to repeat.
        #expect(caller.turnEnded(agentText: "Sorry, could you repeat your name?") == .say("It's Amina."))
    }

    @Test("a correction is a confirm answer like any other")
    func correction() {
        var caller = ScriptedCaller(steps: [.answers(["confirm": ["No, sorry, Thursday instead.", "Yes, that's right."]])])
        #expect(caller.turnEnded(agentText: "So that's Wednesday the 4th of March at ten a.m. Shall I book it?") == .say("No, sorry, Thursday instead."))
        #expect(caller.turnEnded(agentText: "So that's Thursday the 5th of March at ten a.m. Shall I book it?") == .say("Yes, that's right."))
    }

    @Test("a scripted silence is kept before the next line")
    func silence() {
        var caller = ScriptedCaller(steps: [.silence(ms: 4000), .say("Sorry, I'm here.")])
        #expect(caller.turnEnded(agentText: "Hello, how can I help?") == .pause(ms: 4000))
        #expect(caller.turnEnded(agentText: "Hello, are you still there?") == .say("Sorry, I'm here."))
    }

    @Test("a backchannel is told apart from a barge-in")
    func backchannel() {
        var caller = ScriptedCaller(steps: [.backchannel(afterMs: 500, say: "Mm."), .answers(["day": ["Friday."]])])
        #expect(caller.duringTurn(msIntoTurn: 600, agentText: "Let me see what we have. Which day would suit you?") == .backchannel("Mm."))
        #expect(caller.turnEnded(agentText: "Let me see what we have. Which day would suit you?") == .say("Friday."))
    }
}
