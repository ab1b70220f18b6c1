/// A value that may not apply, written as JSON `null` rather than left out: a reader of
/// `results.json` can tell "not applicable" from "this version did not write it".
public struct Nullable<Wrapped: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var value: Wrapped?

    public init(_ value: Wrapped?) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = container.decodeNil() ? nil : try container.decode(Wrapped.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
