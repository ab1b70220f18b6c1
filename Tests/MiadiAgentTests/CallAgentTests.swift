import Foundation
import MiadiAgent
import MiadiBooking
import MiadiLanguage
import MiadiTestSupport
import Testing

/// Drives the agent with tool calls as a model would, with the bridge's evidence as trace
/// events, against a real SQLite calendar.
struct AgentHarness {
    static let root = Repository.root
    var agent: CallAgent
    let tools: ToolRunner
    var engine: BookingEngine { tools.engine }
    var calls = 0

    init(caller: String = "+254711000002", language: LanguageCode = .en, seed: [SeedAppointment] = []) async throws {
        let clinic = try ClinicFile.load(path: Self.root + "/Scenarios/clinics/whitedent-nairobi.yaml")
        let now = ISO8601DateFormatter().date(from: "2026-03-02T09:15:00+03:00")!
        let engine = try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(now))
        try await engine.seed(seed)
        agent = CallAgent(clinic: clinic, today: CivilDate(now, in: clinic.timeZone), context: CallContext(callerNumber: caller, callSID: "CA-agent"), language: language, handoffNumber: "+254709000101")
        tools = ToolRunner(engine: engine)
    }

    mutating func call(_ name: String, _ args: String, at t: Int, id: String? = nil) async -> CallAgent.Outcome {
        calls += 1
        return await agent.execute(ToolCall(id: id ?? "call-\(calls)", name: name, argumentsJSON: args), nowMs: t, runner: tools)
    }

    mutating func played(_ text: String, id: String = "agent-1", endMs: Int, completed: Bool = true) {
        agent.observe(.agentUtterance(id: id, text: text, endMs: endMs, completed: completed))
    }

    mutating func callerSaid(_ text: String, at t: Int) {
        agent.observe(.callerSaid(text: text, atMs: t))
    }

    static func object(_ outcome: CallAgent.Outcome) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(outcome.result.outputJSON.utf8)) as? [String: Any]) ?? [:]
    }
}

@Suite("Call agent: tools and the confirmation guard")
struct CallAgentTests {
    @Test("book: find, propose, read back, yes, confirm; the guard refuses before the read-back")
    func booking() async throws {
        var h = try await AgentHarness()
        let found = AgentHarness.object(await h.call("find_slots", #"{"service":"cleaning","date":"2026-03-05","part_of_day":"afternoon"}"#, at: 1000))
        let slots = try #require(found["slots"] as? [[String: Any]])
        #expect(slots.count == 3)
        #expect(slots.first?["say"] as? String == "Thursday the 5th of March at noon")
        let proposal = await h.call("propose_booking", #"{"service":"cleaning","start":"2026-03-05T14:00","caller_name":"Amina"}"#, at: 2000)
        let proposed = AgentHarness.object(proposal)
        let id = try #require(proposed["proposal_id"] as? String)
        let readBack = try #require(proposed["read_back"] as? String)
        #expect(readBack == "a cleaning with Dr Wanjiru on Thursday the 5th of March at two p.m.")
        #expect(proposal.trace.first?.type == "proposal")

        let early = await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 2100)
        #expect(early.result.isError)
        #expect(early.result.outputJSON.contains("have not been read back"))
        #expect(early.trace.first { $0.type == "guard" }?["decision"] == "refused")

        h.played("So that's \(readBack). Shall I book it?", endMs: 6000)
        h.callerSaid("Yes, that's right.", at: 7200)
        let confirmed = await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 7300)
        #expect(!confirmed.result.isError, "\(confirmed.result.outputJSON)")
        #expect(confirmed.trace.map(\.type) == ["guard", "commit", "tool.result"])
        let mine = try await h.engine.upcomingAppointments(for: CallContext(callerNumber: "+254711000002", callSID: "x"))
        #expect(mine.count == 1)
        let audit = try await h.engine.auditTrail()
        #expect(audit.last?.evidence?.contains("Yes, that's right.") == true)
    }

    @Test("a read-back cut by a barge-in, of the wrong day, or answered no does not confirm")
    func refusals() async throws {
        var h = try await AgentHarness()
        let id = try #require(AgentHarness.object(await h.call("propose_booking", #"{"service":"check-up","start":"2026-03-06T10:00"}"#, at: 1000))["proposal_id"] as? String)
        h.played("A check-up on Friday the 6th of March at ten a.m., shall I book it?", id: "agent-1", endMs: 3000, completed: false)
        h.callerSaid("Yes.", at: 3500)
        #expect(await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 3600).result.outputJSON.contains("cut off"))
        h.played("A check-up on Saturday the 7th of March at ten a.m., shall I book it?", id: "agent-2", endMs: 5000)
        h.callerSaid("Yes.", at: 5500)
        #expect(await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 5600).result.outputJSON.contains("cut off"),
                "the wrong day is no read-back at all; the only one of the right day was cut")
        h.played("A check-up on Friday the 6th of March at ten a.m., is that right?", id: "agent-3", endMs: 8000)
        h.callerSaid("No, that's not right.", at: 8600)
        let no = await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 8700)
        #expect(no.result.outputJSON.contains("the caller said no"))
        #expect(try await h.engine.allAppointments().isEmpty)
    }

    @Test("a Swahili read-back 'saa kumi jioni' confirms 16:00 and 'ndiyo' is yes")
    func swahili() async throws {
        var h = try await AgentHarness(language: .sw)
        let proposed = AgentHarness.object(await h.call("propose_booking", #"{"service":"kusafisha meno","start":"2026-03-03T16:00","language":"sw"}"#, at: 1000))
        let id = try #require(proposed["proposal_id"] as? String)
        #expect(proposed["read_back"] as? String == "kusafisha meno na Dr Wanjiru, Jumanne tarehe 3 Machi saa kumi jioni")
        h.played("Nimekuwekea \(proposed["read_back"] as? String ?? ""). Nithibitishe?", endMs: 4000)
        h.callerSaid("Ndiyo, sawa.", at: 4600)
        #expect(!(await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 4700)).result.isError)
    }

    @Test("another caller's appointment: the engine refuses, the model gets a sentence to say")
    func otherCaller() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-03T09:00:00+03:00")!
        var h = try await AgentHarness(seed: [SeedAppointment(id: "neighbours-checkup", customer: "+254788000071", serviceID: "check-up", staffID: "dr-wanjiru", start: start)])
        let outcome = await h.call("propose_cancellation", #"{"appointment_id":"neighbours-checkup"}"#, at: 1000)
        #expect(outcome.result.isError)
        // The model hears the same code as for an appointment that does not exist: nothing says
        // that it does, under another number.
        #expect(outcome.result.outputJSON == #"{"code":"no_such_appointment","error":"I can't find that appointment under your number."}"#)
        #expect(AgentHarness.object(await h.call("list_my_appointments", "{}", at: 1100))["appointments"] as? [Any] != nil)
    }

    @Test("a retried confirm (same tool call id) commits once; transfer and end are effects; bad calls are explained")
    func effectsAndErrors() async throws {
        var h = try await AgentHarness()
        let id = try #require(AgentHarness.object(await h.call("propose_booking", #"{"service":"filling","start":"2026-03-05T10:00"}"#, at: 1000))["proposal_id"] as? String)
        h.played("A filling with Dr Kamau on Thursday the 5th of March at ten a.m., shall I book it?", endMs: 3000)
        h.callerSaid("Yes please.", at: 3300)
        let first = await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 3400, id: "tool-7")
        let retry = await h.call("confirm_proposal", #"{"proposal_id":"\#(id)"}"#, at: 3500, id: "tool-7")
        #expect(!first.result.isError && !retry.result.isError)
        #expect(retry.trace.first { $0.type == "commit" }?["replayed"] == true)
        #expect(try await h.engine.allAppointments().count == 1)
        #expect(await h.call("transfer_to_human", #"{"reason":"billing question"}"#, at: 4000).effect == .handoff(target: "+254709000101", reason: "billing question"))
        #expect(await h.call("end_call", "{}", at: 5000).effect == .endCall(reason: "conversation finished"))
        #expect(await h.call("book_everything", "{}", at: 6000).result.outputJSON.contains("no tool called"))
        #expect(await h.call("propose_booking", "not json", at: 6100).result.outputJSON.contains("JSON object"))
        #expect(await h.call("propose_booking", #"{"service":"whitening","start":"2026-03-05T10:00"}"#, at: 6200).result.outputJSON.contains("We offer: check-up, cleaning, filling, extraction"))
    }

    @Test("every tool has a description and a JSON Schema that parses")
    func catalogue() throws {
        for tool in AgentTool.allCases {
            #expect(!tool.description.isEmpty)
            let schema = try JSONSerialization.jsonObject(with: Data(tool.parametersSchema.utf8)) as? [String: Any]
            #expect(schema?["type"] as? String == "object", "\(tool)")
        }
    }
}
