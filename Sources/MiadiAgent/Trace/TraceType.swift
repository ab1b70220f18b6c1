/// The vocabulary of a call trace: every event type a trace line can carry (`Docs/trace.md`).
///
/// Writers (`AgentEvent`, `BridgeEvent`, `ShellEvent`) and readers (scoring, verdicts,
/// reconciliation) name an event through this one enum, so a misspelt type is a compile error
/// rather than a check that silently never matches. The raw value is the JSONL's `type`.
public enum TraceType: String, Sendable, CaseIterable {
    // Written by the shells (serve, the lab, the socket lab).
    case callAnswered = "call.answered"
    case webhook
    case streamStatus = "stream.status"
    case callerUtterance = "caller.utterance"
    case callEnded = "call.ended"
    // Written by the bridge (the stream session inside the call machine).
    case streamOpen = "stream.open"
    case streamClose = "stream.close"
    case callerSpeech = "caller.speech"
    case guardBargeIn = "guard.barge_in"
    case bargeIn = "barge_in"
    case bargeInPause = "barge_in.pause"
    case bargeInResume = "barge_in.resume"
    case agentUtterance = "agent.utterance"
    case mark
    case transcriptIn = "transcript.in"
    case transcriptOut = "transcript.out"
    case toolCall = "tool.call"
    case toolCancelled = "tool.cancelled"
    case usage
    case dtmf
    case platformMessage = "platform.message"
    case error
    case handoff
    case handoffRefused = "handoff.refused"
    // Written by the agent.
    case toolResult = "tool.result"
    case proposal
    case guardDecision = "guard"
    case commit
    case release
}

extension TraceEvent {
    /// A line of a known type.
    public init(tMs: Int, type: TraceType, fields: [String: TraceValue] = [:]) {
        self.init(tMs: tMs, type: type.rawValue, fields: fields)
    }

    /// The event's type, or nil for a type this version does not know (a newer writer's).
    public var kind: TraceType? { TraceType(rawValue: type) }

    /// Whether this line is of type `kind`.
    public func `is`(_ kind: TraceType) -> Bool { type == kind.rawValue }
}
