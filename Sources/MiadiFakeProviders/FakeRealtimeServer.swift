import Foundation
import Hummingbird
import HummingbirdWebSocket
import HTTPTypes
import Logging
import MiadiLive
import MiadiProviders
import NIOCore
import Synchronization

/// A local OpenAI Realtime service (GA) on 127.0.0.1, for tests and for trying a live setup
/// without a key: `GET /v1/realtime?model=…` upgrades to the protocol when the request carries
/// `Authorization: Bearer <key>` and no `OpenAI-Beta` header (the beta interface is another
/// protocol); each session is a `FakeRealtimeSession` with a brain of its own, ticked every
/// 20 ms on the real clock, streaming audio faster than real time as the service does.
public final class FakeRealtimeServer: Sendable {
    /// How a session misbehaves, to test what a caller hears when the service fails.
    public enum Failure: Sendable, Equatable {
        /// Close the socket this many ms after the first `response.create`, with no word.
        case dropAfterMs(Int)
        /// This many ms after the first `response.create`, stop answering anything (the
        /// socket stays open).
        case stopAnsweringAfterMs(Int)
        /// This many ms after the first `response.create`, say `rate_limit_exceeded` and stop.
        case rateLimitedAfterMs(Int)
    }

    public let apiKey: String
    private let brain: FakeRealtimeSession.Brain
    private let failure: Failure?
    private let records = Mutex<[FakeRealtimeSession.Record]>([])

    public init(apiKey: String, failure: Failure? = nil, brain: @escaping FakeRealtimeSession.Brain) {
        self.apiKey = apiKey
        self.failure = failure
        self.brain = brain
    }

    /// What each finished session received and did, in the order they ended.
    public var sessions: [FakeRealtimeSession.Record] { records.withLock { $0 } }

    /// Serves on 127.0.0.1 until the task is cancelled (port 0: any free one); `onListening` gets the port.
    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let key = apiKey
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        let ws = Router(context: BasicWebSocketRequestContext.self)
        ws.ws("/v1/realtime") { request, _ in
            guard request.headers[.authorization] == "Bearer \(key)",
                  request.headers[HTTPField.Name("OpenAI-Beta")!] == nil,
                  request.uri.queryParameters["model"] != nil else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { [self] inbound, outbound, _ in
            try await self.serve(inbound: inbound, outbound: outbound)
        }
        let logger = FakeServiceSocket.logger("miadi.fake.openai")
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: ws, configuration: .init(maxFrameSize: 16 << 20)),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-openai"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        try await app.runService()
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var session = FakeRealtimeSession(brain: brain)
        let socket = FakeServiceSocket(inbound)
        let start = ContinuousClock.now
        defer {
            socket.stop()
            records.withLock { $0.append(session.record) }
        }
        var firstResponseAt: Int?
        var mute = false
        for message in session.opened() { try await outbound.write(.text(message.jsonText)) }
        loop: for await input in socket.inputs {
            let t = FakeServiceSocket.ms(since: start)
            var out: [JSONValue]
            if let first = firstResponseAt, !mute {
                switch failure {
                case .stopAnsweringAfterMs(let ms) where t - first >= ms:
                    mute = true
                case .rateLimitedAfterMs(let ms) where t - first >= ms:
                    mute = true
                    let error: JSONValue = ["type": "error", "event_id": "event_limit", "error": ["type": "rate_limit_error", "code": "rate_limit_exceeded",
                                                                                             "message": "Rate limit reached for requests. Please try again later."]]
                    try await outbound.write(.text(error.jsonText))
                default: break
                }
            }
            if mute, case .closed = input { break loop }
            if mute { continue }
            switch input {
            case .text(let text):
                if firstResponseAt == nil, text.contains("\"response.create\"") { firstResponseAt = t }
                out = session.received(text, nowMs: t)
            case .tick:
                out = session.tick(nowMs: t)
                if case .dropAfterMs(let ms) = failure, let first = firstResponseAt, t - first >= ms {
                    // The session lost mid-call: the socket closes unasked.
                    throw CancellationError()
                }
            case .closed:
                break loop
            }
            for message in out { try await outbound.write(.text(message.jsonText)) }
        }
    }
}
