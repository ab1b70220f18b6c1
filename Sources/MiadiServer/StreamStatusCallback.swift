/// A stream status callback (`POST /stream-status`), read from the spellings platforms use:
/// Sautikit's snake case, Twilio-style `CallSid`/`StreamEvent`, and camel case.
struct StreamStatusCallback: Equatable {
    let callSID: String
    let event: String?
    let streamName: String?
    let reason: String?

    /// Nil when the callback names no call: there is no trace it could join.
    init?(fields raw: [String: String]) {
        func first(_ names: String...) -> String? { names.lazy.compactMap { raw[$0] }.first }
        guard let sid = first("call_sid", "CallSid", "callSid") else { return nil }
        callSID = sid
        event = first("event", "StreamEvent", "status")
        streamName = first("name", "StreamName", "stream_name")
        reason = first("reason", "StreamError", "error")
    }
}
