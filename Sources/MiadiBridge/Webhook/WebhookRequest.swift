import Foundation

/// The voice webhook's POST: which call, from whom, to which number. Sautikit may send a form
/// or JSON, with snake_case, PascalCase or camelCase names; all are read.
public struct WebhookRequest: Sendable, Equatable {
    public let callSID: String
    public let from: String
    public let to: String

    public init(callSID: String, from: String, to: String) {
        self.callSID = callSID
        self.from = from
        self.to = to
    }

    /// Nil when the body names no call SID; `from`/`to` default to empty.
    public static func parse(body: Data, contentType: String?) -> WebhookRequest? {
        var fields: [String: String] = [:]
        let type = (contentType ?? "").lowercased()
        if type.contains("json") || body.first == UInt8(ascii: "{") {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
            for (key, value) in object {
                if let s = value as? String { fields[key] = s } else if let n = value as? NSNumber { fields[key] = n.stringValue }
            }
        } else {
            let text = String(decoding: body, as: UTF8.self)
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
        }
        func first(_ names: String...) -> String? { names.lazy.compactMap { fields[$0] }.first { !$0.isEmpty } }
        guard let sid = first("call_sid", "CallSid", "callSid") else { return nil }
        return WebhookRequest(callSID: sid, from: first("from", "From") ?? "", to: first("to", "To") ?? "")
    }
}
