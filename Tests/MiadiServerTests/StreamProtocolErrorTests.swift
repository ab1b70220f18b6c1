import Foundation
import Logging
import MiadiAgent
import MiadiBridge
import MiadiTestSupport
import Testing
@testable import MiadiServer
#if canImport(Glibc)
import Glibc
#endif

/// What a client that breaks the WebSocket protocol gets: the close code RFC 6455 names, not a
/// call started on repaired bytes.
@Suite("miadi serve: WebSocket protocol errors close with the right code", .tags(.sockets), .timeLimit(.minutes(2)))
struct StreamProtocolErrorTests {
    /// A client frame: FIN, `opcode`, masked with `mask` (nil: unmasked, which clients must not send).
    static func frame(_ opcode: UInt8, _ payload: [UInt8], mask: [UInt8]? = [1, 2, 3, 4], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 { out.append(maskBit | UInt8(payload.count)) } else { out += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] }
        guard let mask else { return out + payload }
        return out + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    /// Upgrades with a real ticket, sends `frames`, and returns the close code the server sent.
    static func closeCode(after frames: [UInt8], port: Int, callSID: String) async throws -> UInt16? {
        let authorization = try await ServerHarness.answer(port: port, body: "CallSid=\(callSID)&From=%2B254711000002&To=%2B254709000100")
        let request = Array(ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: authorization).utf8)
        return closeCode(in: try await Self.exchange(port: port, request, then: frames))
    }

    /// The close code in what the server sent after its 101, if it sent a close frame.
    static func closeCode(in received: [UInt8]) -> UInt16? {
        guard let head = received.indices.first(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) else { return nil }
        var at = head + 4
        // Server frames are unmasked: walk them to the close frame.
        while at + 2 <= received.count {
            let opcode = received[at] & 0x0F
            var length = Int(received[at + 1] & 0x7F)
            var start = at + 2
            if length == 126 { length = Int(received[at + 2]) << 8 | Int(received[at + 3]); start = at + 4 }
            if opcode == 0x8, start + 2 <= received.count { return UInt16(received[start]) << 8 | UInt16(received[start + 1]) }
            at = start + length
        }
        return nil
    }

    /// Sends `request`, waits for the 101, sends `then`, and reads until the server closes.
    static func exchange(port: Int, _ request: [UInt8], then frames: [UInt8]) async throws -> [UInt8] {
        try await exchange(port: port, request, then: frames, shutAfter: false).received
    }

    /// As `exchange`; with `shutAfter`, the client shuts its side of the socket once `frames`
    /// are sent (a platform that died). `closedByServer`: the read ended at the server's close,
    /// not at the 30 s timeout.
    static func exchange(port: Int, _ request: [UInt8], then frames: [UInt8], shutAfter: Bool) async throws -> (received: [UInt8], closedByServer: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let socket: LoopbackSocket
                do { socket = try LoopbackSocket(port: port, readTimeoutSeconds: 30) } catch { return continuation.resume(throwing: error) }
                socket.send(request)
                var received: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                var sent = false
                var closedByServer = false
                while true {
                    let n = socket.receive(into: &chunk)
                    if n <= 0 {
                        closedByServer = n == 0 || errno == ECONNRESET
                        break
                    }
                    received += chunk[0..<n]
                    if !sent, received.count >= 4, received.indices.contains(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) {
                        sent = true
                        socket.send(frames)
                        if shutAfter { socket.shutWrite() }
                    }
                }
                continuation.resume(returning: (received, closedByServer))
            }.start()
        }
    }

    static let metadata = Array(#"{"call_sid":"CA-proto","from":"+254711000002","to":"+254709000100"}"#.utf8)

    @Test("an unmasked frame from the client closes 1002")
    func unmasked() async throws {
        let traces = ServerHarness.scratch("proto-unmasked")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let code = try await Self.closeCode(after: Self.frame(0x1, Self.metadata, mask: nil), port: port, callSID: "CA-proto")
            #expect(code == 1002)
        }
    }

    @Test("a first text frame that is not UTF-8 closes 1007, and starts no call")
    func invalidUTF8() async throws {
        let traces = ServerHarness.scratch("proto-utf8")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let code = try await Self.closeCode(after: Self.frame(0x1, Array(#"{"call_sid":"CA-proto"#.utf8) + [0xC3, 0x28] + Array("\"}".utf8)), port: port, callSID: "CA-proto")
            #expect(code == 1007)
        }
        #expect(!FileManager.default.fileExists(atPath: traces + "/CA-proto.trace.jsonl"))
    }

    @Test("reserved bits, a close with a reserved, unassigned or one-byte code close 1002; a valid close code is answered with itself")
    func reservedBitsAndCloseCodes() async throws {
        let traces = ServerHarness.scratch("proto-rsv")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let start = Self.frame(0x1, Self.metadata)
            var reserved = Self.frame(0x2, [UInt8](repeating: 0, count: 64))
            reserved[0] |= 0x40
            #expect(try await Self.closeCode(after: start + reserved, port: port, callSID: "CA-proto") == 1002)
            for (body, expected) in [([UInt8(0x03), 0xED], UInt16(1002)), ([0x03, 0xE7], 1002), ([0x03], 1002), ([0x0F, 0xA0], 4000), ([0x03, 0xE8, 0xFF], 1007)] {
                let code = try await Self.closeCode(after: start + Self.frame(0x8, body), port: port, callSID: "CA-proto")
                #expect(code == expected, "a close with \(body): answered \(code.map(String.init) ?? "nothing")")
            }
        }
    }

    @Test("a platform that shuts its side of the socket mid-call ends the call: the server closes, and the trace is written")
    func halfClosed() async throws {
        let traces = ServerHarness.scratch("proto-half")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let authorization = try await ServerHarness.answer(port: port, body: "CallSid=CA-half&From=%2B254711000002&To=%2B254709000100")
            let request = Array(ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: authorization).utf8)
            let metadata = Array(#"{"call_sid":"CA-half","from":"+254711000002","to":"+254709000100"}"#.utf8)
            let audio = Self.frame(0x2, [UInt8](repeating: 0, count: 1280))
            let outcome = try await Self.exchange(port: port, request, then: Self.frame(0x1, metadata) + audio + audio, shutAfter: true)
            #expect(outcome.closedByServer, "the server kept a half-closed stream open")
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: traces + "/CA-half.trace.jsonl") { try await Task.sleep(for: .milliseconds(100)) }
            #expect(FileManager.default.fileExists(atPath: traces + "/CA-half.trace.jsonl"))
        }
    }

    @Test("a continuation frame with no message to continue closes 1002")
    func strayContinuation() async throws {
        let traces = ServerHarness.scratch("proto-continuation")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let code = try await Self.closeCode(after: Self.frame(0x0, [1, 2, 3, 4]), port: port, callSID: "CA-proto")
            #expect(code == 1002)
        }
    }
}

@Suite("The call registry forgets webhooks that no stream followed")
struct CallRegistryExpiryTests {
    @Test("an answered call with no stream is forgotten after five minutes; a streaming one is kept")
    func expiresUnstreamed() async {
        let registry = CallRegistry()
        let webhook = ShellEvent.Webhook(say: nil, streamURL: "wss://x/stream", track: "both_tracks", outputRate: 16_000, dial: nil, from: "+1", to: "+2")
        await registry.answered(callSID: "CA-gone", webhook: webhook)
        await registry.answered(callSID: "CA-live", webhook: webhook)
        _ = await registry.opened("CA-live")
        await registry.expireUnstreamed(now: .now + .seconds(60))
        #expect(await registry.knownCount == 2)
        await registry.expireUnstreamed(now: .now + registry.unstreamedLifetime + .seconds(1))
        #expect(await registry.knownCount == 1)
        #expect(await registry.liveCount == 1)
        // A flood of webhooks holds a bounded table: past the cap the oldest unstreamed go,
        // however young; the live call stays.
        for i in 0..<(CallRegistry.maximumUnstreamed + 5) { await registry.answered(callSID: "CA-flood-\(i)", webhook: webhook) }
        #expect(await registry.knownCount == CallRegistry.maximumUnstreamed + 1)
        #expect(await registry.liveCount >= 1)
        _ = await registry.opened("CA-flood-\(CallRegistry.maximumUnstreamed + 4)")
        #expect(await registry.finished("CA-flood-0") == nil, "the oldest went first")
    }
}

@Suite("miadi serve: a webhook whose fields cannot be used is refused", .tags(.sockets), .timeLimit(.minutes(1)))
struct WebhookFieldTests {
    @Test("a CallSid with a newline (a forged log line) or U+FFFF (unparsable XML) gets 400 naming the field, and no stream ticket")
    func refused() async throws {
        let traces = ServerHarness.scratch("webhook-fields")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            for (body, why) in [("CallSid=CA1%0Amiadi%3A+forged&From=%2B1&To=%2B2", "CallSid holds the unprintable character U+000A"),
                                ("CallSid=CA2&From=%EF%BF%BF&To=%2B2", "From holds U+FFFF, which XML forbids")] {
                let response = try await ServerHarness.raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                #expect(response.hasPrefix("HTTP/1.1 400"), "\(response)")
                #expect(response.contains(why))
                #expect(!response.contains("headerMetadata"))
            }
        }
    }
}

@Suite("Trace file names never collide")
struct TraceFileNameTests {
    @Test("a plain SID is its own file name; SIDs that clean to the same letters get names of their own, which no plain SID can take")
    func distinct() {
        #expect(StreamConnection.safeFileName("CA-drain_1") == "CA-drain_1")
        let names = ["CAcol/1", "CAcol_1", "CAcol.1", "CAcol 1", "CAcöl1"].map(StreamConnection.safeFileName)
        #expect(Set(names).count == names.count)
        #expect(names.filter { $0.contains(".") }.count == 4)
        let long = String(repeating: "A", count: 128)
        #expect(StreamConnection.safeFileName(long) == long)
        #expect(StreamConnection.safeFileName(long + "B") != StreamConnection.safeFileName(long + "C"))
        #expect(StreamConnection.safeFileName(long + "B").count <= 117)
        #expect(StreamConnection.safeFileName("../../etc/passwd").allSatisfy { $0 != "/" })
    }
}

@Suite("miadi serve closes connections that never finish their request head", .tags(.sockets), .timeLimit(.minutes(1)))
struct HeadTimeoutTests {
    /// Connects, sends `partial`, and reports whether the server closed the socket (rather than
    /// the 20 s read timeout passing).
    static func closedByServer(port: Int, partial: String) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let socket: LoopbackSocket
                do { socket = try LoopbackSocket(port: port, readTimeoutSeconds: 20) } catch { return continuation.resume(throwing: error) }
                let bytes = Array(partial.utf8)
                socket.send(bytes)
                var chunk = [UInt8](repeating: 0, count: 512)
                let n = socket.receive(into: &chunk)
                continuation.resume(returning: n == 0)
            }.start()
        }
    }

    /// Connects, sends `request`, reads until the server closes (true) or 20 s pass (false);
    /// with `thenSendAfter`, once the answer and its end have come, waits that long and sends
    /// twice more: true only if the socket was closed for good (the second send fails), not just
    /// half-closed with the server still reading.
    static func closedEventually(port: Int, request: [UInt8], thenSendAfter: Double? = nil) async throws -> (closed: Bool, answer: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let socket: LoopbackSocket
                do { socket = try LoopbackSocket(port: port, readTimeoutSeconds: 20) } catch { return continuation.resume(throwing: error) }
                socket.send(request)
                var answer: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = socket.receive(into: &chunk)
                    if n > 0 { answer += chunk[0..<n]; continue }
                    if n < 0 && errno != ECONNRESET { return continuation.resume(returning: (false, String(decoding: answer, as: UTF8.self))) }
                    break
                }
                guard let wait = thenSendAfter else { return continuation.resume(returning: (true, String(decoding: answer, as: UTF8.self))) }
                Thread.sleep(forTimeInterval: wait)
                let byte: [UInt8] = [0x61]
                socket.send(byte)
                Thread.sleep(forTimeInterval: 0.3)
                let second = socket.send(byte)
                continuation.resume(returning: (second < 0, String(decoding: answer, as: UTF8.self)))
            }.start()
        }
    }

    @Test("a body that stops, or a kept-alive connection left idle, is closed at head_timeout_ms; a 413 answer closes the socket for good, not half")
    func unfinishedBodies() async throws {
        let traces = ServerHarness.scratch("body-timeout")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.headTimeoutMs = 500
        try await ServerHarness.with(configuration) { port in
            let stopped = try await Self.closedEventually(port: port, request: Array("POST /voice HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nCallSid=CA".utf8))
            #expect(stopped.closed && stopped.answer.isEmpty, "an unfinished body: \(stopped)")
            let chunked = try await Self.closedEventually(port: port, request: Array("POST /voice HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nCallS".utf8))
            #expect(chunked.closed, "an unfinished chunked body")
            let idle = try await Self.closedEventually(port: port, request: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(idle.closed && idle.answer.hasPrefix("HTTP/1.1 200"), "a kept-alive connection left idle: \(idle)")
        }
        // The 413 on a server with the usual deadline (a busy machine reads 70 KB slowly).
        configuration.headTimeoutMs = 10_000
        try await ServerHarness.with(configuration) { port in
            let oversized = Array("POST /voice HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000000\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: 70_000)
            let refused = try await Self.closedEventually(port: port, request: oversized, thenSendAfter: 3)
            #expect(refused.answer.hasPrefix("HTTP/1.1 413"), "\(refused.answer.prefix(40))")
            #expect(refused.closed, "the socket was only half closed after the 413 (FIN-WAIT-2 for good)")
        }
    }

    @Test("nothing sent, or half a request line: closed after head_timeout_ms; a whole request is answered as before")
    func idleClosed() async throws {
        let traces = ServerHarness.scratch("head-timeout")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.headTimeoutMs = 300
        try await ServerHarness.with(configuration) { port in
            #expect(try await Self.closedByServer(port: port, partial: ""))
            #expect(try await Self.closedByServer(port: port, partial: "GET /heal"))
            let health = try await ServerHarness.raw(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(health.hasPrefix("HTTP/1.1 200"))
        }
    }
}

@Suite("miadi serve forgets unstreamed webhooks on a timer", .tags(.sockets), .timeLimit(.minutes(1)))
struct RegistrySweepTests {
    @Test("with unstreamed_call_seconds 1, a webhook no stream followed is forgotten within seconds, with no other traffic to run the expiry")
    func sweepsWithoutTraffic() async throws {
        let traces = ServerHarness.scratch("sweep")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.unstreamedCallSeconds = 1
        var quiet = Logger(label: "miadi.test")
        quiet.logLevel = .critical
        let app = try MiadiServerApp(configuration: configuration, logger: quiet)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = app.application { continuation.yield($0.localAddress?.port ?? 0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            // (Each webhook is known at first; on a loaded machine the sweep may already have
            // forgotten some by the time they are counted, so the count is not checked here.)
            for i in 0..<3 { _ = try await ServerHarness.answer(port: port, body: "CallSid=CA-sweep-\(i)&From=%2B1&To=%2B2") }
            var known = await app.registry.knownCount
            for _ in 0..<300 where known > 0 {
                try await Task.sleep(for: .milliseconds(100))
                known = await app.registry.knownCount
            }
            #expect(known == 0, "\(known) unstreamed calls still kept")
            group.cancelAll()
        }
    }
}
