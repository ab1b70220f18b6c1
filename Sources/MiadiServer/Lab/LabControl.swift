import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiProviders
import Synchronization

/// The lab's remote control of a running `miadi serve --lab`: `miadi run --target URL` announces
/// each call before placing it, reads the agent's words as they happen (its scripted caller
/// answers them), and fetches the server's trace, recording and calendar afterwards.
///
/// Lab calendars are in-memory SQLite engines of their own, never the server's database: a lab
/// run cannot touch a real clinic's appointments. They stay until the lab deletes them
/// (`DELETE /lab/calendars/{key}`), at most `calendarLimit` at a time.
public actor LabControl {
    public enum ControlError: Error, CustomStringConvertible, Equatable {
        case badRequest(String)
        case unknownCall(String)
        case unknownCalendar(String)
        case full(Int)

        public var description: String {
            switch self {
            case .badRequest(let reason): return reason
            case .unknownCall(let sid): return "no lab call \(sid) was announced to this server"
            case .unknownCalendar(let key): return "no lab calendar \(key) on this server"
            case .full(let limit): return "this server already holds \(limit) lab calendars; delete finished ones (DELETE /lab/calendars/{key})"
            }
        }
    }

    /// One announced call: the agent's words so far and, once it ended, its record. Written
    /// synchronously from the call's own loop (so the words keep their order), read by the lab.
    final class CallLog: Sendable {
        let calendar: String
        let state = Mutex<(said: [TraceEvent], record: LabCallRecord?)>(([], nil))
        init(calendar: String) { self.calendar = calendar }
    }

    let directory: LabCallDirectory
    let hearing: MockHearing
    let speech: any SpeechRenderer
    let calendarLimit: Int
    private var calendars: [String: (engine: BookingEngine, clock: ManualClock)] = [:]
    private var calls: [String: CallLog] = [:]

    public init(directory: LabCallDirectory, hearing: MockHearing, speech: any SpeechRenderer, calendarLimit: Int = 64) {
        self.directory = directory
        self.hearing = hearing
        self.speech = speech
        self.calendarLimit = calendarLimit
    }

    /// Announces a call: its calendar (created and seeded if new), its models, its line.
    public func register(_ request: LabCallRequest) async throws(ControlError) {
        guard !request.callSID.isEmpty, !request.calendar.isEmpty else { throw .badRequest("call_sid and calendar must not be empty") }
        // A call SID may come again in a later run; not while its call is still going on.
        if let earlier = calls[request.callSID], earlier.state.withLock({ $0.record == nil }) {
            throw .badRequest("call \(request.callSID) was announced already and has not ended")
        }
        guard let track = StreamTrack(rawValue: request.track) else {
            throw .badRequest("track \"\(request.track)\" is not one of \(StreamTrack.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard [8000, 16000].contains(request.rate) else { throw .badRequest("rate \(request.rate) is not 8000 or 16000") }
        var faults: Set<MockFault> = []
        for name in request.faults {
            guard let fault = MockFault(rawValue: name) else { throw .badRequest("fault \"\(name)\" is not one of \(MockFault.allCases.map(\.rawValue).joined(separator: ", "))") }
            faults.insert(fault)
        }
        let calendar = try await calendar(for: request)
        var mock = MockConfiguration()
        mock.faults = faults
        let sid = request.callSID
        let log = CallLog(calendar: request.calendar)
        calls[sid] = log
        var models = LabCallModels(
            engine: calendar.engine, hearing: hearing, speech: speech, mock: mock, toldAppointmentIDs: request.toldAppointmentIDs,
            handoffNumber: request.handoffNumber, track: track, rate: request.rate, bookingLatencyMs: max(0, request.bookingLatencyMs),
            clock: calendar.clock,
            said: { text, atMs in
                let words = TraceEvent(tMs: atMs, type: .transcriptOut, fields: ["text": .string(text)])
                log.state.withLock { $0.said.append(words) }
            },
            finished: { record in
                log.state.withLock { $0.record = record }
            })
        models.bargeIn = request.bargeIn
        await directory.register(callSID: sid, models)
    }

    private func calendar(for request: LabCallRequest) async throws(ControlError) -> (engine: BookingEngine, clock: ManualClock) {
        if let existing = calendars[request.calendar] { return existing }
        guard calendars.count < calendarLimit else { throw .full(calendarLimit) }
        let clinic: Clinic
        do { clinic = try ClinicFile.parse(text: request.clinicYAML, file: request.clinicFile) } catch {
            throw .badRequest(error.description)
        }
        guard let now = ISO8601DateFormatter().date(from: request.now) else { throw .badRequest("now \"\(request.now)\" is not an ISO 8601 time with an offset") }
        var seeds: [SeedAppointment] = []
        for a in request.appointments {
            guard let start = ISO8601DateFormatter().date(from: a.start) else { throw .badRequest("appointment \(a.id): start \"\(a.start)\" is not an ISO 8601 time with an offset") }
            seeds.append(SeedAppointment(id: a.id, customer: a.customer, customerName: a.customerName, serviceID: a.service, staffID: a.staff, start: start))
        }
        let clock = ManualClock(now)
        do {
            let engine = try BookingEngine.inMemory(clinic: clinic, clock: clock)
            try await engine.seed(seeds, callSID: "scenario")
            calendars[request.calendar] = (engine, clock)
            return (engine, clock)
        } catch {
            throw .badRequest("calendar \(request.calendar): \(error.description)")
        }
    }

    /// The agent's words from index `after` on, and whether the call has ended.
    public func words(of sid: String, after: Int) throws(ControlError) -> (events: [TraceEvent], next: Int, ended: Bool) {
        guard let log = calls[sid] else { throw .unknownCall(sid) }
        return log.state.withLock { state in
            let from = min(max(0, after), state.said.count)
            return (Array(state.said[from...]), state.said.count, state.record != nil)
        }
    }

    /// The call's record once the server has written it (`nil` while it runs).
    public func record(of sid: String) throws(ControlError) -> LabCallRecord? {
        guard let log = calls[sid] else { throw .unknownCall(sid) }
        return log.state.withLock { $0.record }
    }

    /// The calendar as it stands.
    public func snapshot(of key: String) async throws(ControlError) -> CalendarSnapshot {
        guard let calendar = calendars[key] else { throw .unknownCalendar(key) }
        do { return try await calendar.engine.snapshot() } catch { throw .badRequest("calendar \(key): \(error.description)") }
    }

    /// Forgets a calendar and its calls.
    public func delete(calendar key: String) throws(ControlError) {
        guard calendars.removeValue(forKey: key) != nil else { throw .unknownCalendar(key) }
        calls = calls.filter { $0.value.calendar != key }
    }
}
