import Foundation

/// One line of a call trace after the header: what happened, at which call time.
///
/// `tMs` is integer milliseconds since the call was answered; `type` names the event (the
/// list, with each event's fields, is in `Docs/trace.md`); `fields` are the facts. Encoded as
/// one JSON object with `t_ms` and `type` beside the fields, keys sorted.
public struct TraceEvent: Sendable, Equatable, Codable {
    public let tMs: Int
    public let type: String
    public let fields: [String: TraceValue]

    public init(tMs: Int, type: String, fields: [String: TraceValue] = [:]) {
        precondition(fields["t_ms"] == nil && fields["type"] == nil, "t_ms and type are reserved trace keys")
        self.tMs = tMs
        self.type = type
        self.fields = fields
    }

    public subscript(key: String) -> TraceValue? { fields[key] }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        tMs = try c.decode(Int.self, forKey: Key(stringValue: "t_ms"))
        type = try c.decode(String.self, forKey: Key(stringValue: "type"))
        var fields: [String: TraceValue] = [:]
        for key in c.allKeys where key.stringValue != "t_ms" && key.stringValue != "type" {
            fields[key.stringValue] = try c.decode(TraceValue.self, forKey: key)
        }
        self.fields = fields
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(tMs, forKey: Key(stringValue: "t_ms"))
        try c.encode(type, forKey: Key(stringValue: "type"))
        for (key, value) in fields { try c.encode(value, forKey: Key(stringValue: key)) }
    }
}
