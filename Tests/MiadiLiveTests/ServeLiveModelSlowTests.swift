import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import MiadiAgent
import MiadiAudio
import MiadiFakeProviders
import MiadiServer
import MiadiTestSupport
import NIOCore
import Synchronization
import Testing

/// `miadi serve` with `provider: openai-realtime`, pointed (as `OPENAI_BASE_URL` would) at the
/// local OpenAI Realtime service: the platform's stream on one side, the model's session on the
/// other, both real sockets on 127.0.0.1, on the real clock.
@Suite(.tags(.sockets), .serialized)
struct ServeLiveModelSlowTests {
    static func configuration(servicePort: Int, traces: String) -> ServeConfiguration {
        var config = ServeConfiguration(publicURL: "http://127.0.0.1:0", clinicFile: Repository.path("Scenarios/clinics/whitedent-nairobi.yaml"), databasePath: traces + "/calendar.sqlite")
        config.shedLagMs = nil
        config.port = 0
        config.streamToken = "tok-live"
        config.tracesDirectory = traces
        config.handoffNumber = "+254709000101"
        config.provider = "openai-realtime"
        config.liveEnvironment = ["OPENAI_API_KEY": LiveSocketTests.key, "OPENAI_BASE_URL": "http://127.0.0.1:\(servicePort)/v1"]
        config.liveModel.promptFile = Repository.path("Prompts/system.md")
        config.liveModel.answerLimitMs = 3_000
        config.fallbackAudioDirectory = Repository.path("Audio/fallback")
        return config
    }

    /// Serves `configuration` while `body` runs.
    static func serving(_ configuration: ServeConfiguration, _ body: @Sendable (Int) async throws -> Void) async throws {
        var quiet = Logger(label: "miadi.test")
        quiet.logLevel = .critical
        let app = try MiadiServerApp(configuration: configuration, logger: quiet)
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await app.application { sink.yield($0.localAddress?.port ?? 0) }.runService(gracefulShutdownSignals: []) }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
    }

    /// Plays the platform for `seconds` after the metadata: silence, and `line` (16 kHz mono)
    /// from `lineAtMs`; returns the agent's audio bytes.
    static func call(port: Int, callSID: String, seconds: Int, line: PCMBuffer? = nil, lineAtMs: Int = 0) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/voice")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "CallSid=\(callSID)&From=%2B254711000002&To=%2B254709000100"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let xml = String(buffer: try await response.body.collect(upTo: 1 << 16))
        let start = try #require(xml.range(of: "Bearer "))
        let ticket = String(xml[start.lowerBound...].prefix { $0 != "&" && $0 != "\"" })
        let headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org", .authorization: ticket]
        let received = Counter()
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/stream", configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers), logger: Logger(label: "test.platform")) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"call_sid":"\#(callSID)","from":"+254711000002","to":"+254709000100"}"#))
            let reader = Task {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .binary(let buffer): received.add(buffer.readableBytes)
                    case .text(let text):
                        // The platform plays out what it was sent and says so at each mark.
                        guard let mark = text.firstMatch(of: /"name":"([^"]+)"/) else { continue }
                        try await outbound.write(.text(#"{"type":"mark","data":{"name":"\#(mark.1)","event":"playout"}}"#))
                    }
                }
            }
            var caller = PCMBuffer.silence(durationMs: seconds * 1000, sampleRate: 16_000)
            if let line {
                let start = lineAtMs * 16
                for (i, sample) in line.samples.enumerated() where start + i < caller.samples.count { caller.samples[start + i] = sample }
            }
            let clock = ContinuousClock()
            var next = clock.now
            for packet in caller.packets20ms() {
                let frame = PCMBuffer.interleave(left: packet, right: .silence(durationMs: 20, sampleRate: 16_000))
                try await outbound.write(.binary(ByteBuffer(bytes: frame.littleEndianBytes)))
                next = next.advanced(by: .milliseconds(20))
                try await clock.sleep(until: next)
            }
            try await outbound.close(.normalClosure, reason: "caller hung up")
            reader.cancel()
        }
        return received.value
    }

    static func trace(_ folder: String, _ callSID: String) async throws -> CallTrace {
        // The server writes the trace once the stream has closed.
        for _ in 0..<100 {
            if let trace = try? CallTrace.load(path: folder + "/\(callSID).trace.jsonl") { return trace }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try CallTrace.load(path: folder + "/\(callSID).trace.jsonl")
    }

    @Test(.timeLimit(.minutes(1)))
    func aServedCallHearsTheLiveModelsGreeting() async throws {
        let traces = Scratch.folder("serve-live")
        try await LiveSocketTests.withService { service, servicePort in
            try await Self.serving(Self.configuration(servicePort: servicePort, traces: traces)) { port in
                let bytes = try await Self.call(port: port, callSID: "CA-live-1", seconds: 5)
                #expect(bytes / 32 > 1_500, "the caller heard \(bytes / 32) ms of the agent")
            }
            let trace = try await Self.trace(traces, "CA-live-1")
            #expect(trace.header.provider == "openai-realtime")
            #expect(trace.header.model == "gpt-realtime")
            #expect(trace.events(ofType: .transcriptOut).first?["text"]?.string?.contains("Whitedent") == true)
            #expect(trace.events(ofType: .usage).isEmpty == false)
            #expect(trace.events(ofType: .agentUtterance).first?["status"] == "completed")
            let record = try #require(service.sessions.first)
            #expect(record.received.first?["type"] == "session.update")
            #expect(record.received.contains { $0["type"] == "input_audio_buffer.append" })
            #expect(record.errors.isEmpty, "\(record.errors)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aModelLostMidCallHandsTheCallerToAPerson() async throws {
        let traces = Scratch.folder("serve-live-drop")
        try await LiveSocketTests.withService(failure: .dropAfterMs(400)) { _, servicePort in
            try await Self.serving(Self.configuration(servicePort: servicePort, traces: traces)) { port in
                _ = try await Self.call(port: port, callSID: "CA-live-2", seconds: 10)
            }
            let trace = try await Self.trace(traces, "CA-live-2")
            try Self.expectApologyThenHandoff(trace, because: "closed the session")
        }
    }

    /// The caller heard the fallback recording to its end, then the call went to a person.
    static func expectApologyThenHandoff(_ trace: CallTrace, because cause: String) throws {
        let error = try #require(trace.events(ofType: .error).first { $0["fatal"] == true && $0["where"] == "provider" })
        #expect(error["message"]?.string?.contains(cause) == true, "\(error)")
        let apology = try #require(trace.events(ofType: .agentUtterance).first { $0["text"]?.string?.hasPrefix("I'm sorry, I'm having trouble") == true })
        #expect(apology["status"] == "completed")
        let handoff = try #require(trace.events(ofType: .handoff).first)
        #expect(handoff["target"] == "+254709000101")
        #expect(handoff.tMs >= apology["end_ms"]?.int ?? .max)
        #expect(trace.events(ofType: .commit).isEmpty)
    }

    static let caller = try! AudioFile.read(Repository.path("Corpora/en/7ba6be4c9b0e351e.flac")) // "The first one is fine."

    @Test(.timeLimit(.minutes(1)))
    func aModelThatStopsAnsweringIsTakenAsLost() async throws {
        let traces = Scratch.folder("serve-live-mute")
        try await LiveSocketTests.withService(failure: .stopAnsweringAfterMs(3_500)) { _, servicePort in
            try await Self.serving(Self.configuration(servicePort: servicePort, traces: traces)) { port in
                _ = try await Self.call(port: port, callSID: "CA-live-3", seconds: 17, line: Self.caller, lineAtMs: 4_000)
            }
            let trace = try await Self.trace(traces, "CA-live-3")
            try Self.expectApologyThenHandoff(trace, because: "stopped answering")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aRateLimitIsTakenAsLost() async throws {
        let traces = Scratch.folder("serve-live-limit")
        try await LiveSocketTests.withService(failure: .rateLimitedAfterMs(500)) { _, servicePort in
            try await Self.serving(Self.configuration(servicePort: servicePort, traces: traces)) { port in
                _ = try await Self.call(port: port, callSID: "CA-live-4", seconds: 10)
            }
            let trace = try await Self.trace(traces, "CA-live-4")
            try Self.expectApologyThenHandoff(trace, because: "rate_limit_exceeded")
        }
    }
}

/// A count shared with a reader task.
final class Counter: Sendable {
    private let total = Mutex(0)
    func add(_ n: Int) { total.withLock { $0 += n } }
    var value: Int { total.withLock { $0 } }
}
