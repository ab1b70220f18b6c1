import MiadiAgent
import MiadiProviders

/// What the shell must do after an event: the session decides, the shell only performs.
public enum StreamAction: Sendable, Equatable {
    /// A binary frame to the platform (16-bit LE mono PCM at the output rate).
    case sendBinary([UInt8])
    /// A text frame to the platform (`killAudio`, `mark`, `disconnect`).
    case sendText(String)
    /// An input for the model session.
    case toProvider(ProviderInput)
    /// A tool call to run (by the agent) and answer with `ProviderInput.toolResult`.
    case runTool(ToolCall)
    case trace(TraceEvent)
    /// Close the WebSocket with this code (e.g. 1008 for a bad first frame).
    case close(code: UInt16, reason: String)
    /// The call is over for the bridge: write the trace and recording, release resources.
    case ended(reason: String)
}
