import MiadiAgent
import MiadiProviders

/// A live provider's protocol with no I/O: what to send first, what to send for each input
/// from the bridge, what each server message means. `LiveSocket` runs one over a WebSocket.
public protocol LiveWireProtocol: Sendable {
    /// `openai-realtime`, `gemini-live`: written into traces and errors.
    var providerID: String { get }
    /// The first messages of the session.
    mutating func opening() -> [JSONValue]
    mutating func send(_ input: ProviderInput) -> [JSONValue]
    mutating func receive(_ message: JSONValue) -> [ProviderEvent]
    /// What a close by the service means for the call (nil: a normal end, nothing to say).
    func closedByService(code: Int?, reason: String) -> ProviderEvent?
}

extension OpenAIRealtimeProtocol: LiveWireProtocol {
    public var providerID: String { "openai-realtime" }

    public mutating func opening() -> [JSONValue] { opening(tools: AgentTool.allCases) }

    /// OpenAI reports errors as `error` events; a close the call did not ask for is the
    /// session lost (the service's own limit, an expired key, a network cut).
    public func closedByService(code: Int?, reason: String) -> ProviderEvent? {
        .failed(message: "openai-realtime: the service closed the session (\(code.map(String.init) ?? "no code")\(reason.isEmpty ? "" : ": \(reason)"))", fatal: true)
    }
}
