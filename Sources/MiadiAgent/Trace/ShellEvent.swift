/// What a shell records around the call machine, typed: the platform's side of a call (the
/// answer, the webhook, status callbacks, the scripted caller's lines, the end). `miadi serve`,
/// the in-process lab and the socket lab write these with the same fields (`Docs/trace.md`).
public enum ShellEvent: Sendable, Equatable {
    case callAnswered
    /// The webhook's parsed verbs (the handshake token is never recorded).
    case webhook(Webhook)
    /// A status callback; fields the platform left out are recorded as null.
    case streamStatus(callSID: String?, event: String?, streamName: String?, reason: String?)
    /// A line of the scripted caller's: when it starts and ends, and whether it was said over the agent.
    /// `bargeIn`: said over the agent; `backchannel`: a sound meant not to stop it ("mm-hmm", a
    /// cough), which the lab scores as a false interruption if it does.
    case callerUtterance(text: String, startMs: Int, endMs: Int, bargeIn: Bool, backchannel: Bool = false)
    /// An error outside the bridge: `where` is `platform` or `lab`.
    case error(where: String, message: String)
    /// The end; billed seconds follow from the duration (Sautikit bills each started second).
    case callEnded(reason: String, durationMs: Int)

    /// The verbs a `<Response>` carried.
    public struct Webhook: Sendable, Equatable {
        public let say: String?
        public let streamURL: String
        public let track: String
        public let outputRate: Int
        public let dial: String?
        public let from: String
        public let to: String

        public init(say: String?, streamURL: String, track: String, outputRate: Int, dial: String?, from: String, to: String) {
            self.say = say
            self.streamURL = streamURL
            self.track = track
            self.outputRate = outputRate
            self.dial = dial
            self.from = from
            self.to = to
        }
    }

    /// Seconds Sautikit bills for a call of `durationMs`: every started second.
    public static func billedSeconds(durationMs: Int) -> Int { (durationMs + 999) / 1000 }

    /// The trace line, at call time `atMs`.
    public func line(atMs t: Int) -> TraceEvent {
        switch self {
        case .callAnswered:
            return TraceEvent(tMs: t, type: .callAnswered)
        case .webhook(let w):
            return TraceEvent(tMs: t, type: .webhook, fields: [
                "say": .optional(w.say), "stream_url": .string(w.streamURL), "track": .string(w.track),
                "output_rate": .int(w.outputRate), "dial": .optional(w.dial), "from": .string(w.from), "to": .string(w.to),
            ])
        case .streamStatus(let callSID, let event, let streamName, let reason):
            var fields: [String: TraceValue] = ["call_sid": .optional(callSID), "event": .optional(event), "stream_name": .optional(streamName)]
            if let reason { fields["reason"] = .string(reason) }
            return TraceEvent(tMs: t, type: .streamStatus, fields: fields)
        case .callerUtterance(let text, let start, let end, let bargeIn, let backchannel):
            return TraceEvent(tMs: t, type: .callerUtterance, fields: ["text": .string(text), "start_ms": .int(start), "end_ms": .int(end), "barge_in": .bool(bargeIn),
                                                                       "backchannel": .bool(backchannel)])
        case .error(let place, let message):
            return TraceEvent(tMs: t, type: .error, fields: ["where": .string(place), "message": .string(message)])
        case .callEnded(let reason, let duration):
            return TraceEvent(tMs: t, type: .callEnded, fields: [
                "reason": .string(reason), "duration_ms": .int(duration), "billed_seconds": .int(Self.billedSeconds(durationMs: duration)),
            ])
        }
    }
}
