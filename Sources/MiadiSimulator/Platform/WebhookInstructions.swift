import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MiadiBridge

/// What the emulated platform takes from the voice webhook's `<Response>`, read with a real
/// XML parser (as Sautikit does): the greeting it says, the stream it opens and the number it
/// dials when the stream ends. Anything it cannot act on is an error naming the element.
public struct WebhookInstructions: Sendable, Equatable {
    public var say: String?
    public var streamURL: String
    public var track: StreamTrack
    public var outputSamplingRate: Int
    public var statusCallback: String?
    /// HTTP headers for the stream's handshake (`headerMetadata`, a JSON object).
    public var headers: [String: String]
    /// The stream's first text frame.
    public var openMetadata: String
    public var dial: String?

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notXML(String)
        case noStream
        case badAttribute(element: String, attribute: String, reason: String)

        public var description: String {
            switch self {
            case .notXML(let reason): return "the webhook's answer is not XML: \(reason)"
            case .noStream: return "the webhook's <Response> has no <Stream>: the platform would only play the greeting and hang up"
            case .badAttribute(let element, let attribute, let reason): return "<\(element) \(attribute)>: \(reason)"
            }
        }
    }

    public static func parse(_ xml: String) throws(ParseError) -> WebhookInstructions {
        let reader = ResponseReader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        guard parser.parse(), reader.root == "Response" else {
            throw .notXML(parser.parserError.map { "\($0.localizedDescription)" } ?? "the root element is <\(reader.root ?? "none")>, not <Response>")
        }
        guard let stream = reader.stream else { throw .noStream }
        guard let url = stream["url"], url.hasPrefix("ws://") || url.hasPrefix("wss://") else {
            throw .badAttribute(element: "Stream", attribute: "url", reason: "must be a ws:// or wss:// address, got \(stream["url"].map { "\"\($0)\"" } ?? "nothing")")
        }
        let trackName = stream["track"] ?? StreamTrack.inbound.rawValue
        guard let track = StreamTrack(rawValue: trackName) else {
            throw .badAttribute(element: "Stream", attribute: "track", reason: "unknown track \"\(trackName)\"")
        }
        let rateText = stream["outputSamplingRate"] ?? "8000"
        guard let rate = Int(rateText), [8000, 16000].contains(rate) else {
            throw .badAttribute(element: "Stream", attribute: "outputSamplingRate", reason: "must be 8000 or 16000, got \"\(rateText)\"")
        }
        var headers: [String: String] = [:]
        if let json = stream["headerMetadata"] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] else {
                throw .badAttribute(element: "Stream", attribute: "headerMetadata", reason: "must be a JSON object of strings")
            }
            headers = object
        }
        return WebhookInstructions(say: reader.say, streamURL: url, track: track, outputSamplingRate: rate, statusCallback: stream["statusCallback"],
                                   headers: headers, openMetadata: stream["openMetadata"] ?? "", dial: reader.dial)
    }
}

/// Collects the elements of a `<Response>` the platform acts on.
private final class ResponseReader: NSObject, XMLParserDelegate {
    var root: String?
    var say: String?
    var stream: [String: String]?
    var dial: String?
    private var path: [String] = []
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "Stream", stream == nil { stream = attributes }
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if name == "Say", say == nil { say = trimmed }
        if name == "Number", path.dropLast().last == "Dial", dial == nil { dial = trimmed }
        path.removeLast()
        text = ""
    }
}
