import MiadiBooking

/// How a lab call reaches the bridge: in process on virtual time (the default, deterministic),
/// or over real sockets against a running `miadi serve` on the real clock (`MiadiSocketLab`).
/// Both play the same `LabCall.Setup` through the same `PlatformEmulator`.
public protocol LabTransport: Sendable {
    /// `inproc` or `websocket`, as written into traces and results.
    var name: String { get }
    func play(_ setup: LabCall.Setup) async throws -> LabCall.Result
    /// The calendar after a scenario's calls, when it lives elsewhere (`nil`: the lab's own
    /// engine holds it). The transport may forget it afterwards.
    func calendarAfter(_ calendar: LabCall.CalendarSpec) async throws -> CalendarSnapshot?
}

extension LabTransport {
    public func calendarAfter(_ calendar: LabCall.CalendarSpec) async throws -> CalendarSnapshot? { nil }
}

/// The bridge's session, the mock model, the agent and the calendar in this process, driven
/// by one discrete-event loop on virtual time.
public struct InProcessTransport: LabTransport {
    public init() {}
    public var name: String { "inproc" }
    public func play(_ setup: LabCall.Setup) async throws -> LabCall.Result { await LabCall.run(setup) }
}
