import Foundation
import MiadiAgent
import MiadiBooking
import MiadiLanguage
@testable import MiadiProviders
import MiadiTestSupport
import Testing

/// A conversation at the text level: the mock's policy talks, the real agent runs its tools on
/// a real SQLite calendar, and a caller answers from a script. What the mock says counts as
/// played to the end, and what the caller says as heard.
struct TextCall {
    static let root = Repository.root
    var policy: MockPolicy
    var agent: CallAgent
    let tools: ToolRunner
    var engine: BookingEngine { tools.engine }
    var t = 0
    var transcript: [String] = []
    var effects: [CallAgent.Effect] = []

    init(clinic: String = "whitedent-nairobi", now: String, caller: String, seed: [SeedAppointment] = []) async throws {
        let clinic = try ClinicFile.load(path: Self.root + "/Scenarios/clinics/\(clinic).yaml")
        let instant = ISO8601DateFormatter().date(from: now)!
        let engine = try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(instant))
        try await engine.seed(seed)
        policy = MockPolicy(brief: MockBrief(clinic: clinic, today: CivilDate(instant, in: clinic.timeZone)))
        agent = CallAgent(clinic: clinic, today: CivilDate(instant, in: clinic.timeZone), context: CallContext(callerNumber: caller, callSID: "CA-text"), language: clinic.languages[0], handoffNumber: "+254709000101")
        tools = ToolRunner(engine: engine)
    }

    mutating func run(_ steps: [MockPolicy.Step]) async {
        var queue = steps[...]
        while let step = queue.popFirst() {
            t += 1000
            switch step {
            case .say(let text):
                transcript.append("agent: \(text)")
                agent.observe(.agentUtterance(id: "a\(t)", text: text, endMs: t, completed: true))
            case .tool(let invocation):
                let name = invocation.tool.rawValue
                let arguments = invocation.argumentsJSON
                let outcome = await agent.execute(ToolCall(id: "tool-\(t)", invocation: invocation), nowMs: t, runner: tools)
                transcript.append("tool: \(name) \(arguments) → \(outcome.result.outputJSON)")
                if let effect = outcome.effect { effects.append(effect) }
                queue.append(contentsOf: policy.toolResult(tool: invocation.tool, output: outcome.result.output))
            }
        }
    }

    /// Says `line` (nil: not understood) and lets the mock answer.
    mutating func caller(_ line: String?, _ language: LanguageCode) async {
        t += 1000
        transcript.append("caller: \(line ?? "(garbled)")")
        if let line { agent.observe(.callerSaid(text: line, atMs: t)) }
        await run(policy.heard(line, language: language))
    }

    var lastAgentLine: String { transcript.last { $0.hasPrefix("agent:") } ?? "" }
}

@Suite("Mock policy with the real agent and calendar")
struct MockPolicyTests {
    @Test("English: book a cleaning next Thursday afternoon at three")
    func bookEnglish() async throws {
        var call = try await TextCall(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002")
        await call.run(call.policy.greet())
        #expect(call.lastAgentLine.contains("Whitedent Clinic"))
        await call.caller("Hi, I'd like to book a cleaning next Thursday afternoon.", .en)
        #expect(call.lastAgentLine.contains("name"))
        await call.caller("It's Amina.", .en)
        #expect(call.lastAgentLine.contains("Which time would you like?"), "\(call.transcript)")
        await call.caller("Three o'clock would be great.", .en)
        #expect(call.lastAgentLine.contains("Thursday the 5th of March at three p.m."), "\(call.transcript)")
        await call.caller("Yes, that's right.", .en)
        #expect(call.lastAgentLine.contains("You're booked"), "\(call.transcript)")
        let booked = try await call.engine.allAppointments()
        #expect(booked.count == 1)
        #expect(ClinicTime(zone: call.engine.clinic.timeZone).localISO(booked[0].start) == "2026-03-05T15:00")
        #expect(call.effects == [.endCall(reason: "booked")])
    }

    @Test("Swahili: move a check-up from Wednesday to Saturday at 'saa tatu asubuhi' (09:00)")
    func rescheduleSwahili() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-04T09:00:00+03:00")!
        var call = try await TextCall(now: "2026-03-02T12:00:00+03:00", caller: "+254722000091", seed: [
            SeedAppointment(id: "my-checkup", customer: "+254722000091", serviceID: "check-up", staffID: "dr-achieng", start: start),
        ])
        await call.run(call.policy.greet())
        await call.caller("Habari, naomba kuhamisha miadi yangu ya Jumatano hadi Jumamosi ijayo.", .sw)
        #expect(call.lastAgentLine.contains("Saa ngapi"), "\(call.transcript)")
        await call.caller("Saa tatu asubuhi.", .sw)
        #expect(call.lastAgentLine.contains("Jumamosi tarehe 7 Machi saa tatu asubuhi"), "\(call.transcript)")
        await call.caller("Ndiyo.", .sw)
        #expect(call.lastAgentLine.contains("Imehamishwa"), "\(call.transcript)")
        let moved = try await call.engine.allAppointments()
        #expect(ClinicTime(zone: call.engine.clinic.timeZone).localISO(moved[0].start) == "2026-03-07T09:00")
    }

    @Test("French: cancel Wednesday's check-up, then no thanks")
    func cancelFrench() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-04T11:00:00+00:00")!
        var call = try await TextCall(clinic: "abidjan-sourire", now: "2026-03-02T09:00:00+00:00", caller: "+2250500000101", seed: [
            SeedAppointment(id: "mon-controle", customer: "+2250500000101", serviceID: "check-up", staffID: "dr-kone", start: start),
        ])
        await call.run(call.policy.greet())
        #expect(call.lastAgentLine.hasPrefix("agent: Bonjour"))
        await call.caller("Bonjour, je dois annuler mon rendez-vous de mercredi.", .fr)
        #expect(call.lastAgentLine.contains("mercredi 4 mars à 11 heures"), "\(call.transcript)")
        await call.caller("Oui, annulez-le s'il vous plaît.", .fr)
        #expect(call.lastAgentLine.contains("C'est annulé"), "\(call.transcript)")
        await call.caller("Non merci.", .fr)
        #expect(call.lastAgentLine.contains("Au revoir"))
        #expect(try await call.engine.allAppointments().first?.status == .cancelled)
    }

    @Test("a caller it cannot understand twice is offered a person")
    func notUnderstood() async throws {
        var call = try await TextCall(now: "2026-03-02T10:00:00+03:00", caller: "+254711000009")
        await call.run(call.policy.greet())
        await call.caller(nil, .en)
        #expect(call.lastAgentLine.contains("say it again"))
        await call.caller(nil, .en)
        #expect(call.lastAgentLine.contains("put you through"))
        #expect(call.effects == [.handoff(target: "+254709000101", reason: "could not understand the caller")])
    }

    @Test("a neighbour's appointment: nothing under this number, nothing changed")
    func neighbour() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-03T09:00:00+03:00")!
        var call = try await TextCall(now: "2026-03-02T10:00:00+03:00", caller: "+254799000072", seed: [
            SeedAppointment(id: "neighbours-checkup", customer: "+254788000071", serviceID: "check-up", staffID: "dr-wanjiru", start: start),
        ])
        await call.run(call.policy.greet())
        await call.caller("Please cancel my neighbour's check-up tomorrow at nine, her number is 0788 000 071.", .en)
        #expect(call.lastAgentLine.contains("I can't find an appointment"), "\(call.transcript)")
        #expect(try await call.engine.allAppointments().first?.status == .booked)
    }

    @Test("a calendar refusal is said in the call's language; in English the engine's own sentence", arguments: [
        (LanguageCode.en, "That slot was just taken."), (.fr, "Ce créneau vient d'être pris."), (.sw, "Nafasi hiyo imechukuliwa sasa hivi."),
    ])
    func refusalInTheCallsLanguage(language: LanguageCode, expected: String) async throws {
        var call = try await TextCall(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002")
        _ = call.policy.heard("Yes.", language: language)
        let steps = call.policy.toolResult(tool: .proposeBooking, output: .refused(sentence: "That slot was just taken.", code: "slot_taken"))
        #expect(steps.first == .say(expected))
        let unknown = call.policy.toolResult(tool: .proposeBooking, output: .refused(sentence: "Something went wrong.", code: "store_failed"))
        if language != .en { #expect(unknown.first != .say("Something went wrong."), "no English in a \(language) call") }
    }
}
