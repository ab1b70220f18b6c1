import Foundation

/// The first text frame of a stream (`openMetadata`): who is calling. Sautikit sends
/// snake_case (`call_sid`), jambonz camelCase (`callSid`); both are read.
public struct StreamMetadata: Sendable, Equatable {
    public let callSID: String
    public let from: String?
    public let to: String?
    /// The rate the platform says it streams at (jambonz `sampleRate`), if it says.
    public let sampleRate: Int?

    public init(callSID: String, from: String?, to: String?, sampleRate: Int? = nil) {
        self.callSID = callSID
        self.from = from
        self.to = to
        self.sampleRate = sampleRate
    }

    /// Parses the first frame; nil when it is not JSON or names no usable call (see `CallField`).
    public static func parse(_ text: String) -> StreamMetadata? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        func field(_ names: String...) -> String? {
            for name in names { if let value = object[name] as? String, !value.isEmpty { return value } }
            return nil
        }
        // A SID that could not go into a log line, a file name or the trace is no SID.
        guard let sid = field("call_sid", "callSid", "CallSid"), CallField.problem(sid, name: "call_sid") == nil else { return nil }
        let rate = (object["sampleRate"] as? Int) ?? (object["sample_rate"] as? Int)
        return StreamMetadata(callSID: sid, from: field("from", "From"), to: field("to", "To"), sampleRate: rate)
    }
}

/// A later text frame from the platform.
public enum PlatformMessage: Sendable, Equatable {
    public enum MarkEvent: String, Sendable { case playout, cleared }

    case mark(name: String, event: MarkEvent)
    case dtmf(digit: String)
    /// Anything else: ignored, traced by type.
    case other(type: String)

    public static func parse(_ text: String) -> PlatformMessage {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return .other(type: "(not json)") }
        if object["type"] as? String == "mark", let data = object["data"] as? [String: Any],
           let name = data["name"] as? String, let event = (data["event"] as? String).flatMap(MarkEvent.init(rawValue:)) {
            return .mark(name: name, event: event)
        }
        if object["event"] as? String == "dtmf", let digit = object["dtmf"] as? String { return .dtmf(digit: digit) }
        return .other(type: (object["type"] as? String) ?? (object["event"] as? String) ?? "(untyped)")
    }
}

/// The control messages the bridge sends the platform, typed so that a shell can count them
/// (barge-ins are `killAudio`s) without reading strings; `text` is the frame on the wire.
public enum BridgeCommand: Sendable, Equatable {
    /// Flush whatever the platform has buffered for the caller: a barge-in.
    case killAudio
    /// End the stream; the platform goes on with the webhook's `<Dial>`.
    case disconnect
    /// A mark at the position of the next audio sent; names are ours (`agent-3-end`).
    case mark(String)

    public var text: String {
        switch self {
        case .killAudio: return #"{"type":"killAudio"}"#
        case .disconnect: return #"{"type":"disconnect"}"#
        case .mark(let name):
            // Written by hand (one per utterance on every stream; a JSON encoder was most of
            // the cost of sending one): the same bytes, keys in sorted order.
            return #"{"data":{"name":"# + Self.jsonString(name) + #"},"type":"mark"}"#
        }
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "/": out += "\\/"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
