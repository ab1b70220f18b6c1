import AsyncHTTPClient
import Foundation
import MiadiJSON
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiServer
import MiadiSimulator
import NIOCore
import NIOHTTP1

/// The lab's side of a `miadi serve --lab` it did not start: announces each call with its
/// scenario's calendar, reads the agent's words while the call runs, and fetches the server's
/// trace, recording and calendar afterwards (the routes are in `MiadiServer/LabRoutes.swift`).
struct RemoteLab: Sendable {
    /// The lab's own HTTP client for the /lab routes. Every call in flight holds a long poll
    /// for the agent's words; in the shared client's pool (8 connections a host) eight calls'
    /// polls kept the rest waiting, and callers gave up on an agent they never heard.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)))

    let baseURL: String
    let token: String?
    /// This run's prefix for calendar names on the server.
    let run: String

    /// The server's name for one of this run's calendars.
    func key(_ calendar: String) -> String { "\(run)-\(calendar)" }

    /// Whether the server takes lab calls from us, before any is placed: a wrong URL, a server
    /// without `--lab` or a wrong token is one clear error, not a failed call per scenario.
    func check() async throws {
        var request = HTTPClientRequest(url: baseURL + "/lab")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let status: Int, body: String
        do {
            let response = try await Self.client.execute(request, timeout: .seconds(10))
            status = Int(response.status.code)
            body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        } catch {
            throw SocketLabError.unreadable(url: baseURL, reason: "cannot reach the server: \(error)")
        }
        switch status {
        case 200: return
        case 401: throw SocketLabError.unreadable(url: baseURL, reason: "the server refused the lab (401): set MIADI_LAB_TOKEN to its lab token (lab_token)")
        case 404: throw SocketLabError.unreadable(url: baseURL, reason: "the server has no /lab routes: start it with `miadi serve --lab`")
        default: throw SocketLabError.http(url: "GET \(baseURL)/lab", status: status, body: body)
        }
    }

    /// `POST /lab/calls` with everything the server's side of this call needs.
    func announce(_ setup: LabCall.Setup) async throws {
        guard let spec = setup.calendar else { throw SocketLabError.unreadable(url: baseURL, reason: "the call \(setup.caller.callSID) has no calendar to send") }
        let yaml: String
        do { yaml = try String(contentsOfFile: spec.clinicFile, encoding: .utf8) } catch {
            throw SocketLabError.unreadable(url: spec.clinicFile, reason: "cannot read the clinic file: \(error.localizedDescription)")
        }
        let time = ClinicTime(zone: setup.engine.clinic.timeZone)
        var request = LabCallRequest(
            callSID: setup.caller.callSID, calendar: key(spec.key), clinicFile: spec.clinicFile, clinicYAML: yaml, now: time.isoWithOffset(spec.now),
            appointments: spec.appointments.map { .init(id: $0.id, customer: $0.customer, customerName: $0.customerName, service: $0.serviceID, staff: $0.staffID, start: time.isoWithOffset($0.start)) },
            faults: setup.mock.faults.map(\.rawValue).sorted(), toldAppointmentIDs: setup.toldAppointmentIDs, handoffNumber: setup.handoffNumber,
            track: setup.line.bothTracks ? "both_tracks" : "inbound_track", rate: setup.line.rate, bookingLatencyMs: setup.bookingLatencyMs)
        request.bargeIn = setup.bargeIn
        let encoder = JSONCoding.encoder()
        _ = try await send(.POST, "/lab/calls", body: try encoder.encode(request), expect: [201])
    }

    /// The agent's words from index `after` (the server waits up to a second for new ones).
    func words(_ callSID: String, after: Int) async throws -> LabWords {
        let (_, body) = try await send(.GET, "/lab/calls/\(callSID)/words?after=\(after)", expect: [200])
        return try decode(LabWords.self, body, "/lab/calls/\(callSID)/words")
    }

    /// The server's trace and recording of a call, once it has written them.
    func record(_ callSID: String, waitMs: Int) async throws -> LabCallRecord {
        let path = "/lab/calls/\(callSID)/result?wait_ms=\(waitMs)"
        let (status, body) = try await send(.GET, path, expect: [200, 202])
        guard status == 200 else { throw SocketLabError.unreadable(url: baseURL + path, reason: "the server wrote no trace for \(callSID) within \(waitMs / 1000) s of the stream's end") }
        let result = try decode(LabResult.self, body, path)
        let trace: CallTrace
        do { trace = try CallTrace.parse(Data(result.trace.utf8), path: baseURL + path) } catch {
            throw SocketLabError.unreadable(url: baseURL + path, reason: error.description)
        }
        let (_, audio) = try await send(.GET, "/lab/calls/\(callSID)/recording", expect: [200], limit: 256 << 20)
        let frame = 2 * result.channels
        guard result.channels >= 1, audio.count % frame == 0 else {
            throw SocketLabError.unreadable(url: baseURL + "/lab/calls/\(callSID)/recording", reason: "\(audio.count) bytes is not a whole number of \(result.channels)-channel 16-bit frames")
        }
        return LabCallRecord(trace: trace, recording: PCMBuffer(littleEndianBytes: audio, sampleRate: result.sampleRate, channels: result.channels), endReason: result.endReason)
    }

    /// The calendar as it stands on the server.
    func calendar(_ key: String) async throws -> CalendarSnapshot {
        let (_, body) = try await send(.GET, "/lab/calendars/\(key)", expect: [200])
        return try decode(CalendarSnapshot.self, body, "/lab/calendars/\(key)")
    }

    /// Lets the server forget a calendar the lab has read.
    func forget(_ key: String) async throws {
        _ = try await send(.DELETE, "/lab/calendars/\(key)", expect: [204])
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, expect: Set<Int>, limit: Int = 16 << 20) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(90))
        let bytes = try await response.body.collect(upTo: limit)
        let status = Int(response.status.code)
        guard expect.contains(status) else {
            throw SocketLabError.http(url: "\(method.rawValue) \(baseURL + path)", status: status, body: String(buffer: bytes))
        }
        return (status, Array(buffer: bytes))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ path: String) throws -> T {
        do { return try JSONCoding.decoder().decode(type, from: Data(bytes)) } catch {
            throw SocketLabError.unreadable(url: baseURL + path, reason: "unexpected answer: \(error)")
        }
    }
}
