import MiadiAgent
import MiadiProviders

/// A live provider's protocol with no I/O: what to send first, what to send for each input
/// from the bridge, what each server message means. `LiveSocket` runs one over a WebSocket.
public protocol LiveWireProtocol: Sendable {
    /// `openai-realtime`, `gemini-live`: written into traces and errors.
    var providerID: String { get }
    /// The service has confirmed the session's setup.
    var isSetUp: Bool { get }
    /// The first messages of the session.
    mutating func opening() -> [JSONValue]
    mutating func send(_ input: ProviderInput) -> [JSONValue]
    mutating func receive(_ message: JSONValue) -> [ProviderEvent]
    /// What a close by the service means for the call (nil: a normal end, nothing to say).
    func closedByService(code: Int?, reason: String) -> ProviderEvent?
    /// Messages the protocol holds until it may send them (inputs that came before the
    /// session was set up), to send now.
    mutating func takeOutgoing() -> [JSONValue]
    /// After the service closed the socket: whether to open a new one and resume the same
    /// session (its next `opening()` then resumes it).
    mutating func shouldResume(afterClose code: Int?) -> Bool
}

extension LiveWireProtocol {
    public mutating func takeOutgoing() -> [JSONValue] { [] }
    public mutating func shouldResume(afterClose code: Int?) -> Bool { false }
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
