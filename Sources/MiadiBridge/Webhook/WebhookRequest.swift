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

    /// The request from a webhook body's fields (a form's or a JSON object's, read by the
    /// server), in any of the namings platforms use; nil when it names no call SID.
    /// `from`/`to` default to empty.
    public init?(fields: [String: String]) {
        func first(_ names: String...) -> String? { names.lazy.compactMap { fields[$0] }.first { !$0.isEmpty } }
        guard let sid = first("call_sid", "CallSid", "callSid") else { return nil }
        self.init(callSID: sid, from: first("from", "From") ?? "", to: first("to", "To") ?? "")
    }
}
