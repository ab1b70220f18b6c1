import Foundation
import MiadiJSON
import Hummingbird
import MiadiAgent
import MiadiBooking
import MiadiBridge
import NIOCore

/// `miadi serve --lab`: the routes `miadi run --target URL` drives (see `LabControl`). They
/// exist only when the server was started with `--lab`, and ask for the lab token (`lab_token`)
/// as a bearer token: whoever holds it may create lab calendars on this server.
///
/// - `GET /lab` — answers 200 when lab calls are taken from this client (the lab's first check)
/// - `POST /lab/calls` — announce a call (`LabCallRequest` as JSON) → 201
/// - `GET /lab/calls/{sid}/words?after=N` — the agent's words from index N (waits up to 1 s for one)
/// - `GET /lab/calls/{sid}/result?wait_ms=M` — the server's trace once the call ended (202 while it runs)
/// - `GET /lab/calls/{sid}/recording` — the line as 16-bit little-endian stereo PCM
/// - `GET /lab/calendars/{key}` — the calendar now (`miadi.calendar/1`)
/// - `DELETE /lab/calendars/{key}` — forget a calendar and its calls
extension MiadiServerApp {
    func addLabRoutes(to router: Router<ServerRequestContext>, control: LabControl) {
        let lab = router.group("/lab").add(middleware: LabTokenMiddleware(token: configuration.labToken))
        lab.get { _, _ -> Response in
            Self.json(.ok, ["lab": "miadi", "version": MiadiServerVersion.current])
        }
        lab.post("calls") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 << 20)
            let call: LabCallRequest
            do { call = try JSONCoding.decoder().decode(LabCallRequest.self, from: Data(buffer: body)) } catch {
                return Self.json(.badRequest, ["error": "the body is not a lab call: \(Self.reason(error))"])
            }
            do { try await control.register(call) } catch {
                return Self.json(.badRequest, ["error": "\(error)"])
            }
            return Self.json(.created, ["call_sid": call.callSID])
        }
        lab.get("calls/{sid}/words") { request, context -> Response in
            let sid = context.parameters.get("sid") ?? ""
            let after = request.uri.queryParameters.get("after").flatMap(Int.init) ?? 0
            do {
                var answer = try await control.words(of: sid, after: after)
                // Long poll: up to a second for the next words, so the caller hears them soon
                // without the lab asking fifty times a second.
                var waited = 0
                while answer.events.isEmpty && !answer.ended && waited < 1000 {
                    try await Task.sleep(for: .milliseconds(20))
                    waited += 20
                    answer = try await control.words(of: sid, after: after)
                }
                let payload = LabWords(events: answer.events, next: answer.next, ended: answer.ended)
                return Self.json(.ok, payload)
            } catch let error as LabControl.ControlError {
                return Self.json(.notFound, ["error": "\(error)"])
            }
        }
        lab.get("calls/{sid}/result") { request, context -> Response in
            let sid = context.parameters.get("sid") ?? ""
            let waitMs = min(60_000, max(0, request.uri.queryParameters.get("wait_ms").flatMap(Int.init) ?? 0))
            do {
                var record = try await control.record(of: sid)
                var waited = 0
                while record == nil && waited < waitMs {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 50
                    record = try await control.record(of: sid)
                }
                guard let record else { return Self.json(.accepted, ["call_sid": sid, "state": "in progress"]) }
                let result = LabResult(endReason: record.endReason, trace: String(decoding: record.trace.jsonLines(), as: UTF8.self),
                                       sampleRate: record.recording.sampleRate, channels: record.recording.channels)
                return Self.json(.ok, result)
            } catch let error as LabControl.ControlError {
                return Self.json(.notFound, ["error": "\(error)"])
            }
        }
        lab.get("calls/{sid}/recording") { request, context -> Response in
            let sid = context.parameters.get("sid") ?? ""
            do {
                guard let record = try await control.record(of: sid) else { return Self.json(.accepted, ["call_sid": sid, "state": "in progress"]) }
                let pcm = record.recording
                return Response(status: .ok, headers: [
                    .contentType: "audio/L16; rate=\(pcm.sampleRate); channels=\(pcm.channels)",
                ], body: .init(byteBuffer: ByteBuffer(bytes: pcm.littleEndianBytes)))
            } catch let error as LabControl.ControlError {
                return Self.json(.notFound, ["error": "\(error)"])
            }
        }
        lab.get("calendars/{key}") { request, context -> Response in
            do {
                let snapshot = try await control.snapshot(of: context.parameters.get("key") ?? "")
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: snapshot.jsonData())))
            } catch {
                return Self.json(.notFound, ["error": "\(error)"])
            }
        }
        lab.delete("calendars/{key}") { request, context -> Response in
            do {
                try await control.delete(calendar: context.parameters.get("key") ?? "")
                return Response(status: .noContent)
            } catch {
                return Self.json(.notFound, ["error": "\(error)"])
            }
        }
    }

    /// A decoding error in a sentence: which field, what was wrong.
    static func reason(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            let at = path(context)
            return "field \(at.isEmpty ? "" : at + ".")\(key.stringValue) is missing"
        case .typeMismatch(let type, let context)?: return "field \(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context)?: return "field \(path(context)) is null, expected a \(type)"
        case .dataCorrupted(let context)?: return context.codingPath.isEmpty ? "not JSON" : "field \(path(context)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONCoding.encoder()
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// Refuses every `/lab` request without the lab token (`lab_token`), which `miadi serve --lab`
/// requires: whoever holds it may create calendars and place calls here. It is not the stream
/// token: a platform that opens streams has no business with the lab, nor a lab with streams.
struct LabTokenMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let token, BearerToken.check(request.headers[.authorization], against: token) != .accepted {
            return MiadiServerApp.json(.unauthorized, ["error": "lab routes need the lab token (lab_token, MIADI_LAB_TOKEN) as a bearer token"])
        }
        return try await next(request, context)
    }
}

/// `GET /lab/calls/{sid}/words`.
public struct LabWords: Codable, Sendable {
    public let events: [TraceEvent]
    /// The index to ask from next time.
    public let next: Int
    /// The call has ended: no more words will come.
    public let ended: Bool
}

/// `GET /lab/calls/{sid}/result`.
public struct LabResult: Codable, Sendable {
    public let endReason: String
    /// The server's trace, JSON Lines (`miadi.trace/1`).
    public let trace: String
    public let sampleRate: Int
    public let channels: Int

    enum CodingKeys: String, CodingKey {
        case trace, channels
        case endReason = "end_reason"
        case sampleRate = "sample_rate"
    }
}
