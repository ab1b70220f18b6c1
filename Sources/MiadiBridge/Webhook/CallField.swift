/// What a call SID or a phone number from outside may hold before Miadi uses it: in log lines,
/// XML attributes, file names and traces. Printable text, at most `maximumLength` characters:
/// no control characters (a newline in a `CallSid` forged a log line), no format or private-use
/// characters, and none of the noncharacters XML 1.0 forbids (U+FFFE and U+FFFF made the
/// webhook's answer unparsable, so the platform would drop the call).
public enum CallField {
    public static let maximumLength = 128

    /// Why `value` cannot be `name` (nil: it can); `name` is the field as the request named it.
    public static func problem(_ value: String, name: String) -> String? {
        guard value.unicodeScalars.count <= maximumLength else { return "\(name) is longer than \(maximumLength) characters" }
        for scalar in value.unicodeScalars {
            if scalar.properties.isNoncharacterCodePoint { return "\(name) holds U+\(format4(scalar.value)), which XML forbids" }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                return "\(name) holds the unprintable character U+\(format4(scalar.value))"
            default:
                continue
            }
        }
        return nil
    }

    private static func format4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension WebhookRequest {
    /// Why this request's fields cannot be used (nil: they can): the first field at fault.
    public var problem: String? {
        CallField.problem(callSID, name: "CallSid") ?? CallField.problem(from, name: "From") ?? CallField.problem(to, name: "To")
    }
}
