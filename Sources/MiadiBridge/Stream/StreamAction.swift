import MiadiAgent
import MiadiProviders

/// What the shell must do after an event: the session decides, the shell only performs.
public enum StreamAction: Sendable, Equatable {
    /// A binary frame to the platform (16-bit LE mono PCM at the output rate).
    case sendBinary([UInt8])
    /// A control message to the platform, sent as a text frame (`killAudio`, `mark`, `disconnect`).
    case send(BridgeCommand)
    /// An input for the model session.
    case toProvider(ProviderInput)
    /// A tool call to run (by the agent) and answer with `ProviderInput.toolResult`.
    case runTool(ToolCall)
    /// Record this, at call time `atMs`.
    case trace(BridgeEvent, atMs: Int)
    /// Evidence for the confirmation guard: what the caller heard of the agent, and said.
    case evidence(ConfirmationGuard.Evidence)
    /// The agent's words as the model said them (its final output transcript): what a scripted
    /// caller listens to.
    case agentSaid(String)
    /// Close the WebSocket with this code (e.g. 1008 for a bad first frame).
    case close(code: UInt16, reason: String)
    /// The call is over for the bridge: write the trace and recording, release resources.
    case ended(reason: String)
}
