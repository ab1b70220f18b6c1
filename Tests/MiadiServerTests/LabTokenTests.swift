import Foundation
import MiadiProviders
import MiadiServer
import MiadiTestSupport
import Testing

/// Three secrets, three jobs: the lab token opens `/lab` and nothing else; the stream token
/// (which only signs tickets) opens neither; one constant-time bearer check everywhere.
@Suite("the /lab routes' own token", .tags(.sockets), .timeLimit(.minutes(1)))
struct LabTokenTests {
    @Test("/lab opens with the lab token only (either case of the scheme): the stream token, a wrong token or none is 401; the lab token opens no stream")
    func labTokenOnly() async throws {
        let traces = ServerHarness.scratch("lab-token")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.labToken = "lab-secret-1"
        let control = LabControl(directory: LabCallDirectory(), hearing: try MockHearing.load(corpusDirectory: ServerHarness.root + "/Corpora"), speech: EspeakSpeech())
        try await ServerHarness.with(configuration, labControl: control) { port in
            func lab(_ authorization: String?) async throws -> String {
                let header = authorization.map { "Authorization: \($0)\r\n" } ?? ""
                return try await ServerHarness.raw(port: port, "GET /lab HTTP/1.1\r\nHost: x\r\n\(header)Connection: close\r\n\r\n")
            }
            #expect(try await lab("Bearer lab-secret-1").hasPrefix("HTTP/1.1 200"))
            #expect(try await lab("bearer lab-secret-1").hasPrefix("HTTP/1.1 200"))
            for refused in ["Bearer \(ServerHarness.token)", "Bearer lab-secret-2", "Bearer lab-secret-1x", "Basic bGFiLXNlY3JldC0x", nil] {
                #expect(try await lab(refused).hasPrefix("HTTP/1.1 401"), "\(refused ?? "no header") opened /lab")
            }
            let stream = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: "Bearer lab-secret-1"))
            #expect(stream.hasPrefix("HTTP/1.1 401"), "the lab token opened a stream")
        }
    }

    @Test("a request head over 16 KB is answered 431 and closed")
    func oversizedHead() async throws {
        let traces = ServerHarness.scratch("head-431")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let long = String(repeating: "a", count: 20_000)
            for request in ["GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: \(long)\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: \(long)"] {
                let answer = try await ServerHarness.raw(port: port, request)
                #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(40))")
            }
        }
    }

    @Test("a request the HTTP parser cannot read is answered 400 and closed; a good one after it on a new connection is served")
    func unparsableRequest() async throws {
        let traces = ServerHarness.scratch("head-400")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            // A header line with no colon; a request line with a space in its target; a
            // Content-Length that is not a number.
            for request in ["GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                            "GET /health z HTTP/1.1\r\nHost: x\r\n\r\n",
                            "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"] {
                let answer = try await ServerHarness.raw(port: port, request)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(request.prefix(24).debugDescription): \(answer.prefix(60).debugDescription)")
                #expect(answer.contains("Connection: close"))
            }
            #expect(try await ServerHarness.raw(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        }
    }
}
