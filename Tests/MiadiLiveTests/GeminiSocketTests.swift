import Foundation
import Logging
import MiadiFakeProviders
import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Testing

/// The Gemini Live client over a real WebSocket on 127.0.0.1 against the local service, which
/// sends its JSON in binary frames as the real one does.
@Suite(.tags(.sockets))
struct GeminiSocketTests {
    static let key = "g-test-\(UUID().uuidString.prefix(8))"

    static func withService(failure: FakeGeminiServer.Failure? = nil, _ body: @Sendable (FakeGeminiServer, Int) async throws -> Void) async throws {
        let server = FakeGeminiServer(apiKey: key, failure: failure, brain: OpenAIRealtimeProtocolTests.brain)
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { sink.yield($0) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(server, port)
    }

    static func socket(port: Int, key: String = GeminiSocketTests.key) throws -> LiveSocket {
        let endpoint = try GeminiEndpoint(baseURL: "http://127.0.0.1:\(port)")
        var logger = Logger(label: "test.gemini")
        logger.logLevel = .critical
        return LiveSocket(url: endpoint.socketURL, headers: endpoint.headers(apiKey: key),
                          wire: GeminiLiveProtocol(configuration: .init(instructions: try OpenAIRealtimeProtocolTests.instructions())), logger: logger)
    }

    @Test(.timeLimit(.minutes(3)))
    func theAgentGreetsOverBinaryFrames() async throws {
        try await Self.withService { server, port in
            let socket = try Self.socket(port: port)
            let events = await LiveSocketTests.collect(socket) { $0.contains(.turnDone) }
            #expect(events.contains { if case .outputTranscript(let text, true) = $0 { return text.contains("Whitedent") }; return false })
            #expect(events.contains { if case .audio(let a) = $0 { return a.sampleRate == 24_000 }; return false })
            socket.send(.endOfCall)
            await socket.finished()
            #expect(socket.isSetUp)
            #expect(server.sessions.first?.closes.isEmpty == true)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aWrongKeyIsAFatal1007() async throws {
        try await Self.withService { _, port in
            let socket = try Self.socket(port: port, key: "g-wrong")
            let events = await LiveSocketTests.collect(socket) { _ in false }
            guard case .failed(let message, true)? = events.last else { Issue.record("\(events)"); return }
            #expect(message.contains("1007") && message.contains("API key not valid"))
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aGoAwayResumesTheSameSessionOnANewSocket() async throws {
        try await Self.withService(failure: .goAwayAfterMs(300)) { server, port in
            let socket = try Self.socket(port: port)
            // The greeting goes on after the move: the brain is the same.
            let events = await LiveSocketTests.collect(socket) { $0.contains(.turnDone) }
            #expect(!events.contains { if case .failed = $0 { return true }; return false }, "\(events.filter { if case .audio = $0 { return false }; return true })")
            socket.send(.endOfCall)
            await socket.finished()
            let records = server.sessions
            #expect(records.count == 2, "two sockets")
            #expect(records.last?.resumptions == 1)
            #expect(records.last?.received.filter { $0["setup"]?["sessionResumption"]?["handle"] != nil }.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aQuotaCloseIsFatalAndSaysSo() async throws {
        try await Self.withService(failure: .closeAfterMs(200, code: 1011, reason: "You exceeded your current quota.")) { _, port in
            let socket = try Self.socket(port: port)
            let events = await LiveSocketTests.collect(socket) { _ in false }
            guard case .failed(let message, true)? = events.last else { Issue.record("\(events.suffix(2))"); return }
            #expect(message.contains("out of quota") && message.contains("exceeded your current quota"))
        }
    }
}
