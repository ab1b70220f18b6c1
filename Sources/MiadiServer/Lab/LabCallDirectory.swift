import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLive
import MiadiProviders

/// What the lab tells a running `miadi serve` about one call it is about to place over real
/// sockets (`miadi run --transport websocket`): the scenario's own calendar and clock, the mock
/// model's settings, the line, and where to report. A call nobody registered is an ordinary
/// call and gets the server's configured models.
public struct LabCallModels: Sendable {
    public var engine: BookingEngine
    public var hearing: MockHearing
    public var speech: any SpeechRenderer
    public var mock: MockConfiguration
    public var toldAppointmentIDs: [String]
    public var handoffNumber: String?
    public var track: StreamTrack
    public var rate: Int
    /// How long every booking operation takes, ms: the call goes on meanwhile.
    public var bookingLatencyMs: Int
    /// Moved with call time, so holds lapse as in the in-process lab.
    public var clock: ManualClock?
    /// The agent's words as they are said, with their call time (the scripted caller keys its
    /// answers on them, as it does in process).
    public var said: @Sendable (_ text: String, _ atMs: Int) -> Void
    /// Called once when the call's trace and recording are complete.
    public var finished: @Sendable (LabCallRecord) -> Void
    /// A live model to run the call with instead of the mock (`miadi run --provider …`).
    public var live: LiveModel?
    /// The lab's barge-in policy for this call (nil: the server's).
    public var bargeIn: BargeInPolicy?

    public init(engine: BookingEngine, hearing: MockHearing, speech: any SpeechRenderer, mock: MockConfiguration, toldAppointmentIDs: [String], handoffNumber: String?,
                track: StreamTrack, rate: Int, bookingLatencyMs: Int, clock: ManualClock?,
                said: @escaping @Sendable (_ text: String, _ atMs: Int) -> Void, finished: @escaping @Sendable (LabCallRecord) -> Void) {
        self.engine = engine
        self.hearing = hearing
        self.speech = speech
        self.mock = mock
        self.toldAppointmentIDs = toldAppointmentIDs
        self.handoffNumber = handoffNumber
        self.track = track
        self.rate = rate
        self.bookingLatencyMs = bookingLatencyMs
        self.clock = clock
        self.said = said
        self.finished = finished
    }
}

/// What the server made of a lab call: its trace (as written to the traces folder) and the
/// recording of the line.
public struct LabCallRecord: Sendable {
    public let trace: CallTrace
    public let recording: PCMBuffer
    public let endReason: String

    public init(trace: CallTrace, recording: PCMBuffer, endReason: String) {
        self.trace = trace
        self.recording = recording
        self.endReason = endReason
    }
}

/// Lab calls announced to this server, by call SID.
public actor LabCallDirectory {
    private var calls: [String: LabCallModels] = [:]

    public init() {}

    public func register(callSID: String, _ models: LabCallModels) { calls[callSID] = models }

    func peek(_ callSID: String) -> LabCallModels? { calls[callSID] }

    /// The stream opened: the call's models leave the directory with it.
    func take(_ callSID: String) -> LabCallModels? { calls.removeValue(forKey: callSID) }
}
