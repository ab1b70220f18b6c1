import Foundation

/// A JSON value in a trace event. Traces are read by tools that do not share our types
/// (scoring, `jq`, other languages), so events carry plain JSON; objects encode with sorted
/// keys, which makes equal traces equal bytes.
public enum TraceValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TraceValue])
    case object([String: TraceValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([TraceValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: TraceValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }
    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var array: [TraceValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: [String: TraceValue]? { if case .object(let o) = self { return o }; return nil }

    public subscript(key: String) -> TraceValue? { object?[key] }
}

extension TraceValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension TraceValue {
    /// `nil` becomes JSON null.
    public static func optional(_ value: String?) -> TraceValue { value.map(TraceValue.string) ?? .null }
    public static func optional(_ value: Int?) -> TraceValue { value.map(TraceValue.int) ?? .null }
}

extension TraceValue: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(arrayLiteral elements: TraceValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TraceValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
