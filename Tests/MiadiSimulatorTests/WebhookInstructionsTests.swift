import MiadiBridge
import MiadiSimulator
import Testing

/// The emulated platform reads the webhook's answer as Sautikit does: with an XML parser.
@Suite("Webhook instructions")
struct WebhookInstructionsTests {
    @Test("what serve writes is what the platform reads, escaping included")
    func roundTrip() throws {
        let response = WebhookResponse(
            say: (text: "Karibu <Whitedent> & \"friends\"", language: "en"),
            stream: .init(url: "wss://miadi.example.com/stream", track: .both, outputSamplingRate: 8000, statusCallback: "https://miadi.example.com/stream-status",
                          headerMetadata: ["Authorization": "Bearer a&b"], openMetadata: #"{"call_sid":"CA1","from":"+254","to":"+255"}"#),
            dialNumber: "+254709000999")
        let read = try WebhookInstructions.parse(response.xml())
        #expect(read.say == "Karibu <Whitedent> & \"friends\"")
        #expect(read.streamURL == "wss://miadi.example.com/stream")
        #expect(read.track == .both)
        #expect(read.outputSamplingRate == 8000)
        #expect(read.statusCallback == "https://miadi.example.com/stream-status")
        #expect(read.headers == ["Authorization": "Bearer a&b"])
        #expect(read.openMetadata == #"{"call_sid":"CA1","from":"+254","to":"+255"}"#)
        #expect(read.dial == "+254709000999")
    }

    @Test("answers the platform cannot act on are named", arguments: [
        ("not xml at all", "not XML"),
        ("<Response><Say>Hello</Say></Response>", "has no <Stream>"),
        (#"<Response><Stream url="http://x/stream" track="inbound_track" outputSamplingRate="8000"/></Response>"#, "<Stream url>"),
        (#"<Response><Stream url="ws://x/stream" track="inbound_track" outputSamplingRate="44100"/></Response>"#, "<Stream outputSamplingRate>"),
        (#"<Response><Stream url="ws://x/stream" track="sideways" outputSamplingRate="8000"/></Response>"#, "<Stream track>"),
        (#"<Other><Stream url="ws://x/stream"/></Other>"#, "not <Response>"),
    ])
    func refused(xml: String, message: String) {
        do {
            _ = try WebhookInstructions.parse(xml)
            Issue.record("accepted \(xml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
