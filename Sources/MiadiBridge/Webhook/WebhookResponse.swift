import Foundation

/// The `<Response>` the voice webhook returns: an optional greeting, the `<Stream>` to the
/// bridge, and an optional `<Dial>` the call falls through to when the bridge ends the stream
/// (the human handoff). Every attribute and text is escaped.
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

    /// The XML document, UTF-8: the bytes FoundationXML's `XMLDocument` wrote for it
    /// (`WebhookXMLTests` holds the two side by side), written here by hand because on Linux
    /// FoundationXML leaks every attribute node it makes (heaptrack: 72 bytes and libxml2's own
    /// allocations per attribute, about 330 bytes a webhook: 35,000 webhooks kept 11 MB).
    public func xml() -> String {
        var out = #"<?xml version="1.0" encoding="utf-8" standalone="no"?>"# + "\n<Response>"
        if let say {
            out += "<Say"
            if let language = say.language { Self.attribute("language", language, into: &out) }
            out += ">"
            Self.text(say.text, into: &out)
            out += "</Say>"
        }
        out += "<Stream"
        Self.attribute("url", stream.url, into: &out)
        Self.attribute("track", stream.track.rawValue, into: &out)
        Self.attribute("outputSamplingRate", String(stream.outputSamplingRate), into: &out)
        Self.attribute("name", stream.name, into: &out)
        if let callback = stream.statusCallback {
            Self.attribute("statusCallback", callback, into: &out)
            Self.attribute("statusEvents", stream.statusEvents.joined(separator: " "), into: &out)
        }
        if !stream.headerMetadata.isEmpty {
            let data = (try? JSONSerialization.data(withJSONObject: stream.headerMetadata, options: [.sortedKeys])) ?? Data()
            Self.attribute("headerMetadata", String(decoding: data, as: UTF8.self), into: &out)
        }
        Self.attribute("openMetadata", stream.openMetadata, into: &out)
        out += "></Stream>"
        if let dialNumber {
            out += "<Dial><Number>"
            Self.text(dialNumber, into: &out)
            out += "</Number></Dial>"
        }
        out += "</Response>\n"
        return out
    }

    /// ` name="value"`, escaped as libxml2 escapes attribute values.
    static func attribute(_ name: String, _ value: String, into out: inout String) {
        out += " " + name + "=\""
        escape(value, inAttribute: true, into: &out)
        out += "\""
    }

    /// Element text, escaped as libxml2 escapes it.
    static func text(_ value: String, into out: inout String) {
        escape(value, inAttribute: false, into: &out)
    }

    /// libxml2's escaping: `&`, `<`, `>` and carriage return everywhere; in an attribute also
    /// the quote, line feed and tab (a parser would fold those to spaces).
    private static func escape(_ value: String, inAttribute: Bool, into out: inout String) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            case "\"" where inAttribute: out += "&quot;"
            case "\n" where inAttribute: out += "&#10;"
            case "\t" where inAttribute: out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
