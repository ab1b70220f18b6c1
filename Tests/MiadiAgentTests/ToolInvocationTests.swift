@testable import MiadiAgent
import Testing

@Suite("Typed tool calls and results")
struct ToolInvocationTests {
    @Test("a model's JSON is read once into typed arguments, leniently; the typed call renders the same JSON back")
    func readsModelJSON() throws {
        let find = try ToolInvocation(tool: .findSlots, json: #"{"service":"cleaning","date":"2026-03-05","limit":"2","part_of_day":"afternoon"}"#)
        #expect(find == .findSlots(.init(service: "cleaning", date: "2026-03-05", partOfDay: "afternoon", limit: 2)))
        #expect(find.argumentsJSON == #"{"date":"2026-03-05","limit":2,"part_of_day":"afternoon","service":"cleaning"}"#)
        let booking = try ToolInvocation(tool: .proposeBooking, json: #"{"service":"cleaning","start":"2026-03-05T14:00","caller_name":"Amina","language":"sw"}"#)
        #expect(booking.language == "sw")
        #expect(try ToolInvocation(tool: .proposeBooking, json: booking.argumentsJSON) == booking)
        #expect(try ToolInvocation(tool: .confirmProposal, json: #"{"proposal_id":12}"#) == .confirmProposal(proposalID: "12"))
    }

    @Test("missing arguments and bad JSON are refusals a model can act on")
    func refusals() {
        #expect(throws: ToolFailure.say("The argument start is missing.")) { try ToolInvocation(tool: .proposeBooking, json: #"{"service":"cleaning"}"#) }
        #expect(throws: ToolFailure.say("The arguments must be a JSON object.")) { try ToolInvocation(tool: .findSlots, json: "[1]") }
        #expect(throws: ToolFailure.say("The argument proposal_id is missing.")) { try ToolInvocation(tool: .releaseProposal, json: "") }
    }

    @Test("an in-process call needs no JSON: the agent takes its typed arguments as made")
    func typedCall() {
        let call = ToolCall(id: "c1", invocation: .endCall(reason: "booked"))
        #expect(call.name == "end_call")
        #expect(call.argumentsJSON == #"{"reason":"booked"}"#)
        #expect(call.invocation == .endCall(reason: "booked"))
        // A network model's call carries only its JSON.
        #expect(ToolCall(id: "c2", name: "end_call", argumentsJSON: "{}").invocation == nil)
    }

    @Test("results are typed for the model in process and rendered as JSON for the wire and the trace")
    func outputs() {
        let refused = ToolResult(callID: "c1", name: "confirm_proposal", output: .refused(sentence: "Not confirmed.", code: nil))
        #expect(refused.isError)
        #expect(refused.outputJSON == #"{"error":"Not confirmed."}"#)
        let proposal = ToolOutput.proposal(.init(proposalID: "prop-1", kind: "booking", readBack: "a cleaning on Thursday", expiresInSeconds: 300))
        #expect(proposal.json == #"{"expires_in_seconds":300,"kind":"booking","proposal_id":"prop-1","read_back":"a cleaning on Thursday"}"#)
        #expect(!ToolResult(callID: "c2", name: "end_call", output: .ending).isError)
    }
}
