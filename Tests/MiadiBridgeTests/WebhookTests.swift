import Foundation
@testable import MiadiBridge
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

    @Test("handshake: subprotocol chosen or 400; only a valid ticket opens a stream, never the secret itself")
    func handshake() throws {
        let policy = HandshakePolicy(secret: "tok-123")
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let ticket = StreamTickets(secret: "tok-123").issue(callSID: "CA9", now: now, nonce: [1, 2, 3])
        guard case .accept(let chosen, let issued?) = policy.decide(offered: ["audio.drachtio.org"], authorization: "Bearer \(ticket)", now: now) else {
            Issue.record("a valid ticket was refused")
            return
        }
        #expect(chosen == "audio.drachtio.org")
        #expect(issued.callSID == "CA9")
        #expect(issued.expires == 1_790_000_000 + 120)
        func subprotocol(_ offered: [String], _ authorization: String?) -> String? {
            if case .accept(let s, _) = policy.decide(offered: offered, authorization: authorization, now: now) { return s }
            return nil
        }
        #expect(subprotocol(["foo, audio.jambonz.org"], "bearer \(ticket)") == "audio.jambonz.org")
        #expect(subprotocol(["audio.jambonz.org", "audio.drachtio.org"], "Bearer \(ticket)") == "audio.drachtio.org")
        #expect(policy.decide(offered: [], authorization: "Bearer \(ticket)", now: now) == .badRequest(reason: "the handshake must offer the subprotocol audio.drachtio.org"))
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: nil, now: now) == .unauthorized(reason: "missing bearer token"))
        for wrong in ["tok-123", "tok-124", ticket + "x", ticket.replacingOccurrences(of: "mt1.", with: "mt2.")] {
            #expect(subprotocol(["audio.drachtio.org"], "Bearer \(wrong)") == nil, "\(wrong) opened a stream")
        }
        #expect(policy.decide(offered: ["audio.drachtio.org"], authorization: "Bearer \(ticket)", now: now.addingTimeInterval(121)) == .unauthorized(reason: "the stream ticket has expired"))
        #expect(HandshakePolicy(secret: nil).decide(offered: ["audio.drachtio.org"], authorization: nil, now: now) == .accept(subprotocol: "audio.drachtio.org", ticket: nil))
    }

    @Test("the subprotocol matches exactly: HTTP's spaces and tabs around it, nothing else, and its own case")
    func subprotocolExactly() {
        let open = HandshakePolicy(secret: nil)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        func chosen(_ offered: String) -> String? {
            if case .accept(let s, _) = open.decide(offered: [offered], authorization: nil, now: now) { return s }
            return nil
        }
        #expect(chosen(" \taudio.drachtio.org\t ") == "audio.drachtio.org")
        #expect(chosen("x,audio.drachtio.org ,y") == "audio.drachtio.org")
        for near in ["audio.drachtio.org\u{200B}", "\u{200B}audio.drachtio.org", "audio.drachtio.org\u{00A0}", "Audio.Drachtio.org", "audio.drachtio.org\u{FEFF}", "audio.drachtio.org\0"] {
            #expect(chosen(near) == nil, "\(near.unicodeScalars.map { String($0.value, radix: 16) }) was taken for the subprotocol")
        }
    }

    @Test("a stream ticket names its call: another call's SID, another secret or a changed field is forged")
    func tickets() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let tickets = StreamTickets(secret: "s3cret")
        let ticket = tickets.issue(callSID: "CA-one", now: now, nonce: [9, 9])
        guard case .valid(let sid, _, _) = tickets.verify(ticket, now: now) else {
            Issue.record("not valid")
            return
        }
        #expect(sid == "CA-one")
        #expect(!ticket.contains("s3cret"))
        var parts = ticket.split(separator: ".").map(String.init)
        parts[1] = StreamTickets.base64url(Data("CA-two".utf8))
        #expect(tickets.verify(parts.joined(separator: "."), now: now) == .forged)
        #expect(StreamTickets(secret: "other").verify(ticket, now: now) == .forged)
        #expect(tickets.verify("mt1.x.y", now: now) == .malformed)
        #expect(tickets.verify(ticket, now: now.addingTimeInterval(120)) == .expired)
        #expect(tickets.issue(callSID: "CA-one", now: now, nonce: [1]) != ticket, "two tickets for one call differ")
    }
}

@Suite("What a call SID or number may hold")
struct CallFieldTests {
    @Test("printable SIDs pass; a newline, a control, U+FFFE, a private-use character or 129 characters do not, and the field is named")
    func problems() {
        #expect(CallField.problem("CA-123_x.y/z é", name: "CallSid") == nil)
        #expect(CallField.problem("CA1\nforged log line", name: "CallSid") == "CallSid holds the unprintable character U+000A")
        #expect(CallField.problem("CA1\u{7}", name: "CallSid") != nil)
        #expect(CallField.problem("CA\u{FFFE}", name: "From") == "From holds U+FFFE, which XML forbids")
        #expect(CallField.problem("CA\u{E000}", name: "To") != nil)
        #expect(CallField.problem(String(repeating: "x", count: 129), name: "CallSid") == "CallSid is longer than 128 characters")
        #expect(CallField.problem(String(repeating: "x", count: 128), name: "CallSid") == nil)
        #expect(WebhookRequest(callSID: "CA1", from: "+2547\u{0}", to: "+2").problem == "From holds the unprintable character U+0000")
    }

    @Test("a first frame naming a SID with a newline is no metadata (the call closes 1008)")
    func metadata() {
        #expect(StreamMetadata.parse(#"{"call_sid":"CA1\nx"}"#) == nil)
        #expect(StreamMetadata.parse(#"{"call_sid":"CA1"}"#)?.callSID == "CA1")
    }
}
