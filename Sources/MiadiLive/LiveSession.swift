import MiadiProviders

/// One call's session with a live model, whatever carries it (a WebSocket for the realtime
/// providers, HTTP requests for the cascade): inputs in, events out, in order.
public protocol LiveSession: Sendable {
    /// What the model says, in order; finishes when the session ends.
    var events: AsyncStream<[ProviderEvent]> { get }
    /// An input for the model; after `.endOfCall` the session closes.
    func send(_ input: ProviderInput)
    /// Whether the service has confirmed the session (a realtime setup; the cascade's first answer).
    var isSetUp: Bool { get }
    /// Waits until the session has ended.
    func finished() async
}

extension LiveSocket: LiveSession {}
