import MiadiTestSupport
import Foundation
import Logging
import MiadiBridge
import MiadiServer
#if canImport(Glibc)
import Glibc
#endif

/// Starts a real `miadi serve` application on 127.0.0.1 (an ephemeral port) for one test.
enum ServerHarness {
    static let root = Repository.root
    static let token = "tok-123"

    static func scratch(_ name: String) -> String { Scratch.folder(name) }

    static func configuration(traces: String) -> ServeConfiguration {
        var config = ServeConfiguration(publicURL: "https://miadi.example.com", clinicFile: root + "/Scenarios/clinics/whitedent-nairobi.yaml", databasePath: traces + "/calendar.sqlite")
        config.port = 0
        config.streamToken = token
        // Tests share two cores with CPU-bound suites: a loop is often late there, and a test
        // of the webhook is not a test of admission control (which has its own).
        config.shedLagMs = nil
        config.tracesDirectory = traces
        config.handoffNumber = "+254709000101"
        config.greetings = ["en": "Welcome to Whitedent Clinic."]
        return config
    }

    static func with(_ configuration: ServeConfiguration, labControl: LabControl? = nil, _ body: @Sendable (Int) async throws -> Void) async throws {
        var quiet = Logger(label: "miadi.test")
        quiet.logLevel = .critical
        let app = try MiadiServerApp(configuration: configuration, logger: quiet, labControl: labControl)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = app.application { channel in continuation.yield(channel.localAddress?.port ?? 0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            try await body(port)
            // The calls the body hung up end in tasks of their own: their traces are written
            // before the server goes, so the test can read them (a busy machine is slow at it).
            for _ in 0..<600 where app.openStreamCount > 0 { try await Task.sleep(for: .milliseconds(50)) }
            group.cancelAll()
        }
    }

    /// Sends raw bytes on a fresh TCP connection and returns the response head (and its body
    /// when short). Plain POSIX sockets, so the test sees the exact bytes, the 101 response's
    /// headers included; run on a thread of its own, because a blocking `recv` on one of the
    /// few cooperative threads could starve the very server it waits for.
    static func raw(port: Int, _ request: String) async throws -> String {
        try await OffPool.run { try blockingRaw(port: port, request) }
    }

    private static func blockingRaw(port: Int, _ request: String) throws -> String {
        // Generous: under a full `swift test` the server shares two cores with CPU-bound suites.
        let socket = try LoopbackSocket(port: port, readTimeoutSeconds: 90)
        let bytes = Array(request.utf8)
        socket.send(bytes)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = socket.receive(into: &chunk)
            if n <= 0 { break }
            received += chunk[0..<n]
            let text = String(decoding: received, as: UTF8.self)
            if let range = text.range(of: "\r\n\r\n") {
                // Done with the head; read the body only if its length is given and short.
                if let lengthLine = text[..<range.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                   let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
                   text[range.upperBound...].utf8.count < length { continue }
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// POSTs the voice webhook for a call, as the platform does, and returns the `Authorization`
    /// the answer's `<Stream headerMetadata>` carries (the call's stream ticket).
    static func answer(port: Int, body: String) async throws -> String {
        let response = try await raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        guard let start = response.range(of: "headerMetadata=\""), let end = response[start.upperBound...].firstIndex(of: "\"") else { throw POSIXError(.EPROTO) }
        let json = String(response[start.upperBound..<end]).replacingOccurrences(of: "&quot;", with: "\"")
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String], let authorization = object["Authorization"] else { throw POSIXError(.EPROTO) }
        return authorization
    }

    /// A stream ticket for `callSID`, as the webhook would issue it.
    static func ticket(_ callSID: String) -> String {
        "Bearer " + StreamTickets(secret: token).issue(callSID: callSID, now: Date(), nonce: Array(UUID().uuidString.utf8.prefix(12)))
    }

    static func upgradeRequest(port: Int, protocols: String?, authorization: String?) -> String {
        var lines = ["GET /stream HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
        if let protocols { lines.append("Sec-WebSocket-Protocol: \(protocols)") }
        if let authorization { lines.append("Authorization: \(authorization)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }
}
