import Foundation
import HTTPTypes
import HummingbirdWSClient
import NIOCore
import Logging
import MiadiAgent
import MiadiAudio
import MiadiBridge
import MiadiServer
import ServiceLifecycle
import MiadiTestSupport
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("miadi serve on 127.0.0.1", .serialized, .tags(.sockets), .timeLimit(.minutes(3)))
struct ServerSocketTests {
    @Test("the handshake: subprotocol echoed in the 101, none offered is 400, a wrong or missing token is 401")
    func handshake() async throws {
        let traces = ServerHarness.scratch("handshake")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let ok = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: ServerHarness.ticket("CA-hs-1")))
            #expect(ok.hasPrefix("HTTP/1.1 101"))
            #expect(ok.lowercased().contains("sec-websocket-protocol: audio.drachtio.org\r\n"))
            #expect(ok.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
            let jambonz = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.jambonz.org", authorization: ServerHarness.ticket("CA-hs-2")))
            #expect(jambonz.lowercased().contains("sec-websocket-protocol: audio.jambonz.org\r\n"))
            let none = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: nil, authorization: ServerHarness.ticket("CA-hs-3")))
            #expect(none.hasPrefix("HTTP/1.1 400"))
            let wrong = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: "Bearer tok-124"))
            #expect(wrong.hasPrefix("HTTP/1.1 401"))
            let missing = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: nil))
            #expect(missing.hasPrefix("HTTP/1.1 401"))
            // The server's secret itself opens nothing: only a call's ticket does.
            let secret = try await ServerHarness.raw(port: port, ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: "Bearer tok-123"))
            #expect(secret.hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test("the webhook answers XML with the configured Say, Stream and Dial; health and metrics answer")
    func webhook() async throws {
        let traces = ServerHarness.scratch("webhook")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let body = "CallSid=CA-web-1&From=%2B254711000002&To=%2B254709000100"
            let response = try await ServerHarness.raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            #expect(response.hasPrefix("HTTP/1.1 200"))
            #expect(response.lowercased().contains("content-type: application/xml"))
            let xml = try #require(response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) })
            let root = try #require(try XMLDocument(xmlString: xml, options: []).rootElement())
            let stream = try #require(root.elements(forName: "Stream").first)
            #expect(stream.attribute(forName: "url")?.stringValue == "wss://miadi.example.com/stream")
            #expect(stream.attribute(forName: "statusCallback")?.stringValue == "https://miadi.example.com/stream-status")
            #expect(stream.attribute(forName: "track")?.stringValue == "both_tracks")
            // A ticket for this call, never the server's secret.
            let header = try #require(stream.attribute(forName: "headerMetadata")?.stringValue)
            #expect(header.hasPrefix(#"{"Authorization":"Bearer mt1."#))
            #expect(!xml.contains("tok-123"))
            #expect(stream.attribute(forName: "openMetadata")?.stringValue == #"{"call_sid":"CA-web-1","from":"+254711000002","to":"+254709000100"}"#)
            #expect(root.elements(forName: "Say").first?.stringValue == "Welcome to Whitedent Clinic.")
            #expect(root.elements(forName: "Dial").first?.stringValue == "+254709000101")
            let bad = try await ServerHarness.raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\nfoo=ba")
            #expect(bad.hasPrefix("HTTP/1.1 400"))
            let status = "CallSid=CA-web-1&StreamEvent=stream-started&StreamName=miadi"
            #expect(try await ServerHarness.raw(port: port, "POST /stream-status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(status.utf8.count)\r\nConnection: close\r\n\r\n\(status)").hasPrefix("HTTP/1.1 200"))
            #expect(try await ServerHarness.raw(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").hasSuffix("ok\n"))
            let metrics = try await ServerHarness.raw(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(metrics.contains("miadi_live_calls"))
            #expect(metrics.contains("miadi_tick_lag_seconds"))
            #expect(metrics.contains("miadi_resident_memory_bytes "), "read from /proc/self/statm at the scrape")
        }
    }

    @Test("with a webhook secret only /voice/<secret> answers: /voice, a wrong secret and a near one are 404 like any unknown path")
    func webhookSecretPath() async throws {
        let traces = ServerHarness.scratch("webhook-secret")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.webhookSecret = "route-5f0c2d9e1b7a4c3e"
        try await ServerHarness.with(configuration) { port in
            let body = "CallSid=CA-secret-1&From=%2B254711000002&To=%2B254709000100"
            func post(_ path: String) async throws -> String {
                try await ServerHarness.raw(port: port, "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            }
            for path in ["/voice", "/voice/", "/voice/route-5f0c2d9e1b7a4c3f", "/voice/route-5f0c2d9e1b7a4c3", "/voice/route-5f0c2d9e1b7a4c3e0", "/voice/ROUTE-5F0C2D9E1B7A4C3E", "/voice/route-5f0c2d9e1b7a4c3e/x"] {
                let refused = try await post(path)
                #expect(refused.hasPrefix("HTTP/1.1 404"), "\(path): \(refused.prefix(40))")
                #expect(!refused.contains("Bearer"), "\(path) handed out a ticket")
            }
            let answered = try await post("/voice/route-5f0c2d9e1b7a4c3e")
            #expect(answered.hasPrefix("HTTP/1.1 200"))
            #expect(answered.contains("Bearer mt1."))
        }
    }

    @Test("a stream ticket opens one stream, for its own call: another call's first frame is refused, a second use is closed")
    func ticketsOpenOneStream() async throws {
        let traces = ServerHarness.scratch("tickets")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let authorization = try await ServerHarness.answer(port: port, body: "CallSid=CA-own&From=%2B254711000002&To=%2B254709000100")
            let headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org", .authorization: authorization]
            // Someone who learnt this call's ticket tries to open a stream for another call.
            let first = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(additionalHeaders: headers), logger: Logger(label: "test.client")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"call_sid":"CA-other","from":"+254711000002","to":"+254709000100"}"#))
                for try await _ in inbound.messages(maxSize: 1 << 20) {}
            }
            #expect(first?.closeCode == .policyViolation)
            // The ticket was taken by that stream: it opens no second one, even for its own call.
            let second = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(additionalHeaders: headers), logger: Logger(label: "test.client")) { inbound, outbound, _ in
                try? await outbound.write(.text(#"{"call_sid":"CA-own","from":"+254711000002","to":"+254709000100"}"#))
                for try await _ in inbound.messages(maxSize: 1 << 20) {}
            }
            #expect(second?.closeCode == .policyViolation)
            #expect(second?.reason == "this stream ticket was used already")
            #expect(!FileManager.default.fileExists(atPath: traces + "/CA-other.trace.jsonl"), "no call was made for the other SID")
        }
    }

    @Test("a whole call over a real WebSocket: the echo provider's reply comes back paced, with its mark; trace and recording are written")
    func wholeCall() async throws {
        let traces = ServerHarness.scratch("call")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        let line = try AudioFile.read(ServerHarness.root + "/Corpora/en/7ba6be4c9b0e351e.flac") // "The first one is fine."
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let body = "CallSid=CA-call-1&From=%2B254711000002&To=%2B254709000100"
            let authorization = try await ServerHarness.answer(port: port, body: body)
            let headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org", .authorization: authorization]
            let received = ReceivedAudio()
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers), logger: Logger(label: "test.client")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"call_sid":"CA-call-1","from":"+254711000002","to":"+254709000100"}"#))
                let silence = PCMBuffer.silence(durationMs: 900, sampleRate: 16_000)
                var caller = line
                caller.append(silence)
                for packet in caller.packets20ms() {
                    let stereo = PCMBuffer.interleave(left: packet, right: PCMBuffer(samples: [Int16](repeating: 0, count: packet.frameCount), sampleRate: 16_000))
                    try await outbound.write(.binary(ByteBuffer(bytes: stereo.littleEndianBytes)))
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .binary(let buffer): await received.add(buffer.readableBytes)
                    case .text(let text):
                        guard text.contains("agent-1-end") else { continue }
                        try await outbound.write(.text(#"{"type":"mark","data":{"name":"agent-1-end","event":"playout"}}"#))
                        return
                    }
                }
            }
            let bytes = await received.bytes
            let voicedMs = VoiceActivityDetector.segments(of: line).reduce(0) { $0 + $1.count }
            #expect(abs(bytes / 32 - voicedMs) <= 60, "echoed \(bytes / 32) ms for \(voicedMs) ms of speech")
        }
        let trace = try CallTrace.load(path: traces + "/CA-call-1.trace.jsonl")
        #expect(trace.header.source == "serve")
        #expect(trace.header.provider == "echo")
        let types = trace.orderedEvents.map(\.type)
        for type in ["call.answered", "webhook", "stream.open", "transcript.in", "mark", "agent.utterance", "stream.close", "call.ended"] {
            #expect(types.contains(type), "missing \(type)")
        }
        #expect(trace.events(ofType: .agentUtterance).first?["status"] == "completed")
        #expect(!String(decoding: trace.jsonLines(), as: UTF8.self).contains("tok-123"), "no secrets in the trace")
        let recording = try AudioFile.read(traces + "/CA-call-1.wav")
        #expect(recording.channels == 2)
        #expect(recording.durationMs >= line.durationMs)
    }
}

actor ReceivedAudio {
    var bytes = 0
    func add(_ n: Int) { bytes += n }
}

@Suite("miadi serve graceful shutdown", .serialized, .tags(.sockets), .timeLimit(.minutes(3)))
struct ServerShutdownTests {
    @Test("SIGTERM-style shutdown lets a live call finish: the reply still plays and the trace is written")
    func drainsLiveCalls() async throws {
        let traces = ServerHarness.scratch("drain")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        let line = try AudioFile.read(ServerHarness.root + "/Corpora/en/7ba6be4c9b0e351e.flac")
        var quiet = Logger(label: "miadi.test")
        quiet.logLevel = .critical
        var configuration = ServerHarness.configuration(traces: traces)
        // Longer than this test takes on a loaded machine: past it the server closes the stream.
        configuration.drainSeconds = 120
        let app = try MiadiServerApp(configuration: configuration, logger: quiet)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = app.serviceGroup(gracefulShutdownSignals: []) { continuation.yield($0.localAddress?.port ?? 0) }
        let received = ReceivedAudio()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let answer = "CallSid=CA-drain&From=%2B254711000002&To=%2B254709000100"
            let authorization = try await ServerHarness.answer(port: port, body: answer)
            let headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org", .authorization: authorization]
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(additionalHeaders: headers), logger: Logger(label: "test.client")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"call_sid":"CA-drain","from":"+254711000002","to":"+254709000100"}"#))
                // The call is live on the server (its metadata read, the call known) before the
                // server is told to stop: on a loaded machine the trigger could otherwise come
                // before the server had the stream, which is then no live call to wait for.
                var live = false
                for _ in 0..<2_000 where !live {
                    let metrics = try await ServerHarness.raw(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    live = metrics.contains("miadi_live_calls 1")
                    if !live { try await Task.sleep(for: .milliseconds(50)) }
                }
                try #require(live, "the call never became live on the server")
                // The server is told to stop while the caller is mid-sentence: new calls are refused…
                await group.triggerGracefulShutdown()
                // The drain starts asynchronously after the trigger: ask until it has (each try is a
                // real request, so this waits on the server, not on a timer).
                var health = ""
                for _ in 0..<500 {
                    health = try await ServerHarness.raw(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if health.hasPrefix("HTTP/1.1 503") { break }
                }
                #expect(health.hasPrefix("HTTP/1.1 503"))
                let body = "CallSid=CA-late&From=%2B1&To=%2B2"
                let late = try await ServerHarness.raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                #expect(late.hasPrefix("HTTP/1.1 503"))
                // …and this one goes on.
                var caller = line
                caller.append(PCMBuffer.silence(durationMs: 900, sampleRate: 16_000))
                for packet in caller.packets20ms() {
                    let stereo = PCMBuffer.interleave(left: packet, right: PCMBuffer(samples: [Int16](repeating: 0, count: packet.frameCount), sampleRate: 16_000))
                    try await outbound.write(.binary(ByteBuffer(bytes: stereo.littleEndianBytes)))
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .binary(let buffer) = message { await received.add(buffer.readableBytes) }
                    if case .text(let text) = message, text.contains("agent-1-end") { return }
                }
            }
            // The server stops by itself once the call is over.
            try await tasks.next()
        }
        #expect(await received.bytes > 0, "the reply was still played after the shutdown began")
        #expect(FileManager.default.fileExists(atPath: traces + "/CA-drain.trace.jsonl"))
    }
}

/// Sends what a phone line sends: one 20 ms frame every 20 ms of real time. A real socket and a
/// real clock cannot be tested otherwise; this suite is the only one that waits on time.
actor PacedLine {
    private var pending: [Int16] = []
    func say(_ samples: [Int16]) { pending += samples }
    func nextFrame() -> [Int16] {
        let frame = Array(pending.prefix(320))
        pending.removeFirst(frame.count)
        return frame + [Int16](repeating: 0, count: 320 - frame.count)
    }
}

@Suite("miadi serve with the mock model", .serialized, .tags(.sockets), .timeLimit(.minutes(3)))
struct ServerMockTests {
    @Test("a real call over a WebSocket: greeting, the caller asks for a person, the agent hands off with disconnect")
    func handoff() async throws {
        let traces = ServerHarness.scratch("mock")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var config = ServerHarness.configuration(traces: traces)
        config.provider = "mock"
        config.corpusDirectory = ServerHarness.root + "/Corpora"
        config.track = .inbound
        let line = try AudioFile.read(ServerHarness.root + "/Corpora/en/6e60dc3b33b656c5.flac") // "I have a question about my bill, can I talk to a person?"
        try await ServerHarness.with(config) { port in
            let body = "CallSid=CA-mock-1&From=%2B254711000031&To=%2B254709000100"
            let authorization = try await ServerHarness.answer(port: port, body: body)
            let headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org", .authorization: authorization]
            let phone = PacedLine()
            let outcome = ReceivedAudio()
            let closed = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers), logger: Logger(label: "test.client")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"call_sid":"CA-mock-1","from":"+254711000031","to":"+254709000100"}"#))
                let sender = Task {
                    while !Task.isCancelled {
                        let frame = await phone.nextFrame()
                        try await outbound.write(.binary(ByteBuffer(bytes: PCMBuffer(samples: frame, sampleRate: 16_000).littleEndianBytes)))
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                defer { sender.cancel() }
                var greeted = false
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .binary(let buffer): await outcome.add(buffer.readableBytes)
                    case .text(let text):
                        if let name = text.range(of: #"agent-\d+-end"#, options: .regularExpression).map({ String(text[$0]) }) {
                            try await outbound.write(.text(#"{"type":"mark","data":{"name":"\#(name)","event":"playout"}}"#))
                            if !greeted { greeted = true; await phone.say(line.samples) }
                        }
                        if text == #"{"type":"disconnect"}"# { return }
                    }
                }
            }
            #expect(await outcome.bytes > 32_000, "the greeting and the transfer sentence were played (closed: \(closed.map { "\($0.closeCode) \($0.reason ?? "")" } ?? "by the test"))")
        }
        let trace = try CallTrace.load(path: traces + "/CA-mock-1.trace.jsonl")
        #expect(trace.header.provider == "mock")
        #expect(trace.events(ofType: .transcriptIn).first?["text"] == "I have a question about my bill, can I talk to a person?")
        #expect(trace.events(ofType: .toolCall).first?["name"] == "transfer_to_human")
        #expect(trace.events(ofType: .handoff).first?["target"] == "+254709000101")
    }
}
