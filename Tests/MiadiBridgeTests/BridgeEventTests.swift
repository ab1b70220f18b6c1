import MiadiAgent
import MiadiBridge
import MiadiJSON
import Testing

@Suite("Typed trace events")
struct BridgeEventTests {
    @Test("typed events render the trace schema's lines (field names, nulls, absent keys)")
    func lines() throws {
        let cut = BridgeEvent.agentUtterance(id: "agent-2", text: "We have…", startMs: nil, endMs: nil, status: "cut", heardMs: 0, plannedMs: 1200).line(atMs: 900)
        let encoder = JSONCoding.encoder()
        #expect(String(decoding: try encoder.encode(cut), as: UTF8.self)
            == #"{"end_ms":null,"heard_ms":0,"id":"agent-2","planned_ms":1200,"start_ms":null,"status":"cut","t_ms":900,"text":"We have…","type":"agent.utterance"}"#)
        let bridgeError = BridgeEvent.error(where: "bridge", message: "audio before the metadata frame", fatal: nil).line(atMs: 20)
        #expect(bridgeError.fields["fatal"] == nil, "only a provider's error says whether it was fatal")
        let commit = CallEvent.agent(.guardRefused(proposalID: "prop-1", reason: "the caller said no")).line(atMs: 5)
        #expect(commit.type == "guard" && commit["decision"] == "refused")
    }
}
