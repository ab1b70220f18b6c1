import Foundation
import MiadiAudio
@testable import MiadiBridge
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `WebhookResponse.xml()` is written by hand (FoundationXML leaks on Linux); these tests hold
/// it to the bytes FoundationXML's `XMLDocument` writes for the same response.
@Suite("The webhook's XML, written by hand")
struct WebhookXMLTests {
    /// The response as FoundationXML writes it: the oracle.
    static func foundationXML(_ response: WebhookResponse) -> String {
        func attribute(_ name: String, _ value: String) -> XMLNode { XMLNode.attribute(withName: name, stringValue: value) as! XMLNode }
        let root = XMLElement(name: "Response")
        if let say = response.say {
            let element = XMLElement(name: "Say", stringValue: say.text)
            if let language = say.language { element.addAttribute(attribute("language", language)) }
            root.addChild(element)
        }
        let stream = response.stream
        let element = XMLElement(name: "Stream")
        var attributes: [(String, String)] = [("url", stream.url), ("track", stream.track.rawValue), ("outputSamplingRate", String(stream.outputSamplingRate)), ("name", stream.name)]
        if let callback = stream.statusCallback {
            attributes.append(("statusCallback", callback))
            attributes.append(("statusEvents", stream.statusEvents.joined(separator: " ")))
        }
        if !stream.headerMetadata.isEmpty {
            let data = (try? JSONSerialization.data(withJSONObject: stream.headerMetadata, options: [.sortedKeys])) ?? Data()
            attributes.append(("headerMetadata", String(decoding: data, as: UTF8.self)))
        }
        attributes.append(("openMetadata", stream.openMetadata))
        for (name, value) in attributes { element.addAttribute(attribute(name, value)) }
        root.addChild(element)
        if let dial = response.dialNumber {
            let element = XMLElement(name: "Dial")
            element.addChild(XMLElement(name: "Number", stringValue: dial))
            root.addChild(element)
        }
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlString
    }

    static func response(_ text: String, seed: Int) -> WebhookResponse {
        let request = WebhookRequest(callSID: "CA-" + text, from: text, to: "+254709000100")
        return WebhookResponse(
            say: seed % 3 == 0 ? nil : (text, seed % 2 == 0 ? "sw" : nil),
            stream: .init(url: "wss://miadi.example/stream?x=1&y=" + text, track: seed % 2 == 0 ? .both : .inbound, outputSamplingRate: seed % 2 == 0 ? 16_000 : 8_000,
                          statusCallback: seed % 4 == 1 ? nil : "https://miadi.example/stream-status", headerMetadata: seed % 5 == 0 ? [:] : ["Authorization": "Bearer " + text],
                          openMetadata: WebhookResponse.openMetadata(for: request)),
            dialNumber: seed % 3 == 1 ? nil : "+2547" + text)
    }

    @Test("the same bytes as FoundationXML for the characters XML escapes, whitespace, non-ASCII and random printable text")
    func sameBytes() {
        var texts = ["", "plain", "a&b", "<tag>", "\"quoted\" 'single'", "tab\there", "line\nbreak", "cr\rlf\r\n", "]]>", "Karibu — ñ é 日本 🎉",
                     "&amp; already", "%20 + =", "\u{7F}\u{85}\u{A0}\u{200B}\u{2028}"]
        var generator = SeededGenerator(seed: 18)
        let pool: [Unicode.Scalar] = Array("abcXYZ019 &<>\"'\t\n\r=;:/?#%+—éñ日🎉".unicodeScalars) + [Unicode.Scalar(0x85)!, Unicode.Scalar(0x2028)!, Unicode.Scalar(0xFFFD)!]
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &generator) { text.unicodeScalars.append(pool.randomElement(using: &generator)!) }
            texts.append(text)
        }
        for (index, text) in texts.enumerated() {
            let response = Self.response(text, seed: index)
            #expect(response.xml() == Self.foundationXML(response), "\(text.debugDescription)")
        }
    }
}
