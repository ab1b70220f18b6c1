import Foundation
import MiadiBridge
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Webhook and handshake policy")
struct WebhookTests {
    @Test("the webhook request is read from its fields in any naming; none without a call SID")
    func request() {
        #expect(WebhookRequest(fields: ["CallSid": "CA9", "From": "+254711000002", "To": "+254709000100"]) == WebhookRequest(callSID: "CA9", from: "+254711000002", to: "+254709000100"))
        #expect(WebhookRequest(fields: ["callSid": "CA9", "from": "+254711000002"])?.to == "")
        #expect(WebhookRequest(fields: ["call_sid": "", "From": "x"]) == nil)
        #expect(WebhookRequest(fields: ["From": "x"]) == nil)
    }

    @Test("the response parses as XML with every configured attribute, escaped")
    func responseXML() throws {
        let request = WebhookRequest(callSID: "CA\"<&>", from: "+254711000002", to: "+254709000100")
        let response = WebhookResponse(
            say: ("Karibu Whitedent — hello & welcome", "en"),
            stream: .init(url: "wss://miadi.example/stream?x=1&y=2", track: .both, outputSamplingRate: 16000,
                          statusCallback: "https://miadi.example/stream-status", headerMetadata: ["Authorization": "Bearer s3cr\"t"],
                          openMetadata: WebhookResponse.openMetadata(for: request)),
            dialNumber: "+254700000000")
        let document = try XMLDocument(xmlString: response.xml(), options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "Response")
        #expect(root.children?.map(\.name) == ["Say", "Stream", "Dial"])
        let stream = try #require(root.elements(forName: "Stream").first)
        #expect(stream.attribute(forName: "url")?.stringValue == "wss://miadi.example/stream?x=1&y=2")
        #expect(stream.attribute(forName: "track")?.stringValue == "both_tracks")
        #expect(stream.attribute(forName: "outputSamplingRate")?.stringValue == "16000")
        #expect(stream.attribute(forName: "statusEvents")?.stringValue == "stream-started stream-stopped stream-error")
        let headers = try JSONSerialization.jsonObject(with: Data((stream.attribute(forName: "headerMetadata")?.stringValue ?? "").utf8)) as? [String: String]
        #expect(headers?["Authorization"] == "Bearer s3cr\"t")
        let open = try JSONSerialization.jsonObject(with: Data((stream.attribute(forName: "openMetadata")?.stringValue ?? "").utf8)) as? [String: String]
        #expect(open?["call_sid"] == "CA\"<&>")
        #expect(root.elements(forName: "Say").first?.stringValue == "Karibu Whitedent — hello & welcome")
        #expect(root.elements(forName: "Dial").first?.elements(forName: "Number").first?.stringValue == "+254700000000")
    }

    @Test("handshake: subprotocol chosen or 400, token checked or 401")
    func handshake() {
        let policy = HandshakePolicy(token: "tok-123")
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: "Bearer tok-123") == .accept(subprotocol: "audio.drachtio.org"))
        #expect(policy.decide(offered: ["foo, audio.jambonz.org"], authorization: "bearer tok-123") == .accept(subprotocol: "audio.jambonz.org"))
        #expect(policy.decide(offered: ["audio.jambonz.org", "audio.drachtio.org"], authorization: "Bearer tok-123") == .accept(subprotocol: "audio.drachtio.org"))
        #expect(policy.decide(offered: [], authorization: "Bearer tok-123") == .badRequest(reason: "the handshake must offer the subprotocol audio.drachtio.org"))
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: nil) == .unauthorized(reason: "missing bearer token"))
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: "Bearer tok-124") == .unauthorized(reason: "wrong bearer token"))
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: "Bearer tok-1234") == .unauthorized(reason: "wrong bearer token"))
        #expect(HandshakePolicy(token: nil).decide(offered: ["audio.drachtio.org"], authorization: nil) == .accept(subprotocol: "audio.drachtio.org"))
    }
}
