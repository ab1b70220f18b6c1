import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The `<Response>` the voice webhook returns: an optional greeting, the `<Stream>` to the
/// bridge, and an optional `<Dial>` the call falls through to when the bridge ends the stream
/// (the human handoff). Built with an XML library, so every attribute and text is escaped.
public struct WebhookResponse: Sendable, Equatable {
    public struct Stream: Sendable, Equatable {
        public var url: String
        public var track: StreamTrack
        public var outputSamplingRate: Int
        public var name: String
        public var statusCallback: String?
        public var statusEvents: [String]
        /// Becomes HTTP headers of the WebSocket handshake (the bearer token goes here).
        public var headerMetadata: [String: String]
        /// Delivered as the stream's first text frame.
        public var openMetadata: String

        public init(url: String, track: StreamTrack, outputSamplingRate: Int, name: String = "miadi", statusCallback: String? = nil, statusEvents: [String] = ["stream-started", "stream-stopped", "stream-error"], headerMetadata: [String: String] = [:], openMetadata: String) {
            self.url = url
            self.track = track
            self.outputSamplingRate = outputSamplingRate
            self.name = name
            self.statusCallback = statusCallback
            self.statusEvents = statusEvents
            self.headerMetadata = headerMetadata
            self.openMetadata = openMetadata
        }
    }

    public var say: (text: String, language: String?)?
    public var stream: Stream
    public var dialNumber: String?

    public init(say: (text: String, language: String?)? = nil, stream: Stream, dialNumber: String? = nil) {
        self.say = say
        self.stream = stream
        self.dialNumber = dialNumber
    }

    public static func == (a: WebhookResponse, b: WebhookResponse) -> Bool {
        a.say?.text == b.say?.text && a.say?.language == b.say?.language && a.stream == b.stream && a.dialNumber == b.dialNumber
    }

    /// `openMetadata` for a call: JSON with call_sid, from and to, keys sorted.
    public static func openMetadata(for request: WebhookRequest) -> String {
        let object = ["call_sid": request.callSID, "from": request.from, "to": request.to]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The XML document, UTF-8.
    public func xml() -> String {
        let root = XMLElement(name: "Response")
        if let say {
            let element = XMLElement(name: "Say", stringValue: say.text)
            if let language = say.language { element.addAttribute(Self.attribute("language", language)) }
            root.addChild(element)
        }
        let element = XMLElement(name: "Stream")
        var attributes: [(String, String)] = [
            ("url", stream.url), ("track", stream.track.rawValue), ("outputSamplingRate", String(stream.outputSamplingRate)), ("name", stream.name),
        ]
        if let callback = stream.statusCallback {
            attributes.append(("statusCallback", callback))
            attributes.append(("statusEvents", stream.statusEvents.joined(separator: " ")))
        }
        if !stream.headerMetadata.isEmpty {
            let data = (try? JSONSerialization.data(withJSONObject: stream.headerMetadata, options: [.sortedKeys])) ?? Data()
            attributes.append(("headerMetadata", String(decoding: data, as: UTF8.self)))
        }
        attributes.append(("openMetadata", stream.openMetadata))
        for (name, value) in attributes { element.addAttribute(Self.attribute(name, value)) }
        root.addChild(element)
        if let dialNumber {
            let dial = XMLElement(name: "Dial")
            dial.addChild(XMLElement(name: "Number", stringValue: dialNumber))
            root.addChild(dial)
        }
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlString
    }

    static func attribute(_ name: String, _ value: String) -> XMLNode {
        // XMLNode.attribute returns Any on Linux; it is always an XMLNode.
        XMLNode.attribute(withName: name, stringValue: value) as! XMLNode
    }
}
