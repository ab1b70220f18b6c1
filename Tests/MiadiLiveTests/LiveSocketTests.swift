import Foundation
import MiadiAgent
import MiadiFakeProviders
import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Logging
import Testing

/// The OpenAI Realtime client over a real WebSocket on 127.0.0.1, against the local service.
@Suite(.tags(.sockets))
struct LiveSocketTests {
    static let key = "sk-test-\(UUID().uuidString.prefix(8))"

    /// Runs `body` with a local service listening; stops it after.
    static func withService(failure: FakeRealtimeServer.Failure? = nil, _ body: @Sendable (FakeRealtimeServer, Int) async throws -> Void) async throws {
        let server = FakeRealtimeServer(apiKey: key, failure: failure, brain: OpenAIRealtimeProtocolTests.brain)
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { sink.yield($0) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(server, port)
    }

    static func socket(port: Int, key: String = LiveSocketTests.key) throws -> LiveSocket {
        let endpoint = try OpenAIEndpoint(baseURL: "http://127.0.0.1:\(port)/v1")
        var logger = Logger(label: "test.live")
        logger.logLevel = .critical
        return LiveSocket(url: endpoint.realtimeURL(model: "gpt-realtime"), headers: endpoint.headers(apiKey: key),
                          wire: OpenAIRealtimeProtocol(configuration: .init(instructions: try OpenAIRealtimeProtocolTests.instructions())), logger: logger)
    }

    /// Collects events until `done` holds or the session ends.
    static func collect(_ socket: LiveSocket, until done: ([ProviderEvent]) -> Bool) async -> [ProviderEvent] {
        var all: [ProviderEvent] = []
        for await events in socket.events {
            all += events
            if done(all) { break }
        }
        return all
    }

    @Test(.timeLimit(.minutes(3)))
    func theAgentGreetsOverARealSocket() async throws {
        try await Self.withService { server, port in
            let socket = try Self.socket(port: port)
            let events = await Self.collect(socket) { $0.contains(.turnDone) }
            #expect(events.contains { if case .outputTranscript(let text, true) = $0 { return text.contains("Whitedent") }; return false })
            #expect(events.contains { if case .audio(let a) = $0 { return a.sampleRate == 24_000 && !a.isEmpty }; return false })
            socket.send(.endOfCall)
            await socket.finished()
            // What the client sent, as the service read it: the setup first, nothing refused.
            let record = try #require(server.sessions.first)
            #expect(record.received.first?["type"] == "session.update")
            #expect(record.errors.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aWrongKeyIsOneFatalFailureThatNamesTheCause() async throws {
        try await Self.withService { _, port in
            let socket = try Self.socket(port: port, key: "sk-wrong")
            let events = await Self.collect(socket) { _ in false }
            #expect(events.count == 1)
            guard case .failed(let message, true) = events.first else { Issue.record("no fatal failure: \(events)"); return }
            #expect(message.contains("upgrade was refused"))
            #expect(!message.contains("sk-wrong"))
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aSessionLostMidCallIsAFatalFailure() async throws {
        try await Self.withService(failure: .dropAfterMs(500)) { _, port in
            let socket = try Self.socket(port: port)
            let events = await Self.collect(socket) { _ in false }
            #expect(events.contains { if case .failed(_, true) = $0 { return true }; return false }, "\(events.suffix(2))")
        }
    }
}
