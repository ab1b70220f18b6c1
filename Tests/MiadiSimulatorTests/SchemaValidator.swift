import Foundation

/// Validates a value against the JSON Schema keywords `scenario.schema.json` uses (type, enum,
/// required, properties, additionalProperties, propertyNames, items, min/max items, length and
/// value, multipleOf, pattern, $ref into $defs, oneOf, anyOf, not). Written for the test because
/// no listed Swift package validates JSON Schema, and the point is to check the bundled files
/// against the very schema editors use. An unknown keyword fails loudly, so the schema cannot
/// grow a rule this validator silently skips.
struct SchemaValidator {
    let root: [String: Any]

    static let known: Set<String> = [
        "$schema", "$id", "$defs", "title", "description", "type", "enum", "required", "properties", "additionalProperties",
        "propertyNames", "items", "minItems", "maxItems", "minLength", "minimum", "maximum", "multipleOf", "pattern", "$ref",
        "oneOf", "anyOf", "not", "minProperties",
    ]

    /// Problems found, as "path: what", empty when the value is valid.
    func errors(_ value: Any, _ schema: [String: Any], path: String = "$") -> [String] {
        var out: [String] = []
        for key in schema.keys where !Self.known.contains(key) { out.append("\(path): the schema uses \(key), which this validator does not know") }
        if let ref = schema["$ref"] as? String {
            let name = String(ref.dropFirst("#/$defs/".count))
            guard let target = (root["$defs"] as? [String: Any])?[name] as? [String: Any] else { return ["\(path): no $defs/\(name)"] }
            out += errors(value, target, path: path)
        }
        if let type = schema["type"] as? String, !Self.isType(value, type) { return out + ["\(path): not a \(type)"] }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.same($0, value) }) { out.append("\(path): \(value) is not one of \(options)") }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { out.append("\(path): \(key) is required") }
            if let min = schema["minProperties"] as? Int, object.count < min { out.append("\(path): fewer than \(min) properties") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                if let names = schema["propertyNames"] as? [String: Any] { out += errors(key, names, path: "\(path).\(key) (name)") }
                if let sub = properties[key] as? [String: Any] {
                    out += errors(item, sub, path: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    out += errors(item, extra, path: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    out.append("\(path): \(key) is not allowed")
                }
            }
        }
        if let list = value as? [Any], !(value is String) {
            if let min = schema["minItems"] as? Int, list.count < min { out.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, list.count > max { out.append("\(path): more than \(max) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in list.enumerated() { out += errors(item, items, path: "\(path)[\(i)]") }
            }
        }
        if let text = value as? String {
            if let min = schema["minLength"] as? Int, text.count < min { out.append("\(path): shorter than \(min)") }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil { out.append("\(path): \"\(text)\" does not match \(pattern)") }
        }
        if let number = Self.number(value) {
            if let min = schema["minimum"].flatMap(Self.number), number < min { out.append("\(path): below \(min)") }
            if let max = schema["maximum"].flatMap(Self.number), number > max { out.append("\(path): above \(max)") }
            if let step = schema["multipleOf"].flatMap(Self.number), number.truncatingRemainder(dividingBy: step) != 0 { out.append("\(path): not a multiple of \(step)") }
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let passing = options.filter { errors(value, $0, path: path).isEmpty }.count
            if passing != 1 { out.append("\(path): matches \(passing) of oneOf's \(options.count) branches, not exactly one") }
        }
        if let options = schema["anyOf"] as? [[String: Any]], !options.contains(where: { errors(value, $0, path: path).isEmpty }) {
            out.append("\(path): matches none of anyOf")
        }
        if let negated = schema["not"] as? [String: Any], errors(value, negated, path: path).isEmpty { out.append("\(path): matches what `not` forbids") }
        return out
    }

    static func isType(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any] && !(value is String)
        case "string": return value is String
        case "boolean": return value is Bool
        case "integer": return value is Int && !(value is Bool)
        case "number": return number(value) != nil
        default: return false
        }
    }

    static func number(_ value: Any) -> Double? {
        if value is Bool { return nil }
        if let i = value as? Int { return Double(i) }
        return value as? Double
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = number(a), let y = number(b) { return x == y }
        return false
    }
}
