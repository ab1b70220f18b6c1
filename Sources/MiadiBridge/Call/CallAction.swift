import MiadiAgent
import MiadiProviders

/// A timer a call machine asks its shell for. The shell fires it back with
/// `CallMachine.timerFired(_:nowMs:)` at (or soon after) the call time it was set for.
public enum CallTimer: Sendable, Hashable {
    /// The first frame must name the call within `CallMachine.metadataDeadlineMs`.
    case metadataDeadline
    /// The 20 ms beat: the model's time passes and paced audio goes out.
    case pacing
    /// A tool call held back by a slow calendar (a lab's injected latency), by call id.
    case toolDue(String)
    /// A network model has been silent since the caller's turn ended (or a tool's answer went
    /// to it): when this fires, it is taken as lost.
    case modelSilence
}

/// What a call machine tells its shell to do: I/O only. The shell performs these in order and
/// decides nothing; what comes back (a frame, a tool's completion, a timer) is an input.
public enum CallAction: Sendable, Equatable {
    /// A binary frame to the platform (16-bit LE mono PCM at the stream's output rate).
    case sendBinary([UInt8])
    /// A control message to the platform, as a text frame (`command.text`).
    case send(BridgeCommand)
    /// Close the WebSocket with this code.
    case close(code: UInt16, reason: String)
    /// The first frame named this call: find what it needs (its model, agent, line) and give it
    /// to `CallMachine.attach(_:nowMs:)` before anything else reaches the machine.
    case identify(StreamMetadata)
    /// An input for a model that lives across a network (never for an in-process one).
    case toProvider(ProviderInput)
    /// Ask the calendar; give the completion to `CallMachine.toolCompleted(_:nowMs:)`.
    case runTool(ToolRequest)
    /// Append to the call's trace, at call time `atMs` (`event.line(atMs:)` is the line).
    case trace(CallEvent, atMs: Int)
    /// The agent's words, as said (a scripted caller listens to these).
    case agentSaid(String)
    /// Something the agent made happen that outlives the call's audio (a transfer, the end).
    case effect(CallAgent.Effect)
    case schedule(CallTimer, atMs: Int)
    case cancel(CallTimer)
    /// The call is over: write the trace and recording, release everything.
    case ended(reason: String)
}
