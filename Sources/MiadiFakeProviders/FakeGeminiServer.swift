import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import MiadiLive
import MiadiProviders
import NIOCore
import NIOWebSocket
import Synchronization

/// A local Gemini Live service on 127.0.0.1, for tests and trials without a key: the
/// BidiGenerateContent socket (`v1`, `v1beta` or `v1alpha`), the key in `x-goog-api-key` or
/// `?key=`; each session is a `FakeGeminiSession` with the mock as its brain, ticked every
/// 20 ms, its JSON sent in binary frames as the real service does. Sessions that asked for
/// resumption can be resumed on a new socket with their handle.
public final class FakeGeminiServer: Sendable {
    public enum Failure: Sendable, Equatable {
        /// Close the socket this many ms after the greeting cue, with no word.
        case dropAfterMs(Int)
        /// This many ms after the greeting cue, say `goAway` and close; the session can be resumed.
        case goAwayAfterMs(Int)
        /// This many ms after the greeting cue, close with this code and reason (1011 quota, …).
        case closeAfterMs(Int, code: Int, reason: String)
    }

    public let apiKey: String
    private let brain: FakeRealtimeSession.Brain
    private let failure: Failure?
    private let binaryFrames: Bool
    private let records = Mutex<[FakeGeminiSession.Record]>([])
    private let parked = Mutex<[String: FakeGeminiSession]>([:])
    private let failed = Mutex(false)
    private let epoch = ContinuousClock.now

    public init(apiKey: String, failure: Failure? = nil, binaryFrames: Bool = true, brain: @escaping FakeRealtimeSession.Brain) {
        self.apiKey = apiKey
        self.failure = failure
        self.binaryFrames = binaryFrames
        self.brain = brain
    }

    /// What each socket's session had received when it closed, in the order they closed.
    public var sessions: [FakeGeminiSession.Record] { records.withLock { $0 } }

    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        let ws = Router(context: BasicWebSocketRequestContext.self)
        for version in ["v1", "v1beta", "v1alpha"] {
            ws.ws("/ws/google.ai.generativelanguage.\(version).GenerativeService.BidiGenerateContent") { request, _ in
                request.headers[HTTPField.Name("x-goog-api-key")!] != nil || request.uri.queryParameters["key"] != nil ? .upgrade([:]) : .dontUpgrade
            } onUpgrade: { [self] inbound, outbound, context in
                let key = context.request.headers[HTTPField.Name("x-goog-api-key")!] ?? context.request.uri.queryParameters["key"].map(String.init)
                try await self.serve(inbound: inbound, outbound: outbound, keyValid: key == self.apiKey)
            }
        }
        let logger = FakeServiceSocket.logger("miadi.fake.gemini")
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: ws, configuration: .init(maxFrameSize: 16 << 20)),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-gemini"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }

    private func now() -> Int { FakeServiceSocket.ms(since: epoch) }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, keyValid: Bool) async throws {
        let socket = FakeServiceSocket(inbound)
        var session: FakeGeminiSession?
        var cueAt: Int?
        defer {
            socket.stop()
            if let session {
                records.withLock { $0.append(session.record) }
                if let handle = session.handle { parked.withLock { $0[handle] = session } }
            }
        }
        func send(_ outputs: [FakeGeminiSession.Output]) async throws -> Bool {
            for output in outputs {
                switch output {
                case .message(let message):
                    let text = message.jsonText
                    try await outbound.write(binaryFrames ? .binary(ByteBuffer(string: text)) : .text(text))
                case .close(let code, let reason):
                    try await outbound.close(.init(codeNumber: code), reason: reason)
                    return false
                }
            }
            return true
        }
        loop: for await input in socket.inputs {
            let t = now()
            switch input {
            case .text(let text):
                if session == nil {
                    // A setup that names a handle resumes a parked session.
                    let handle = JSONValue.parse(text)?["setup"]?["sessionResumption"]?["handle"]?.string
                    if let handle, var resumed = parked.withLock({ $0.removeValue(forKey: handle) }) {
                        resumed.reconnected()
                        session = resumed
                    } else {
                        session = FakeGeminiSession(brain: brain, keyValid: keyValid)
                    }
                }
                if cueAt == nil, text.contains("\"clientContent\"") || text.contains("\"client_content\"") { cueAt = t }
                guard try await send(session!.received(text, nowMs: t)) else { break loop }
            case .tick:
                guard session != nil else { continue }
                if let cue = cueAt, let failure, t - cue >= failure.afterMs, !failed.withLock({ $0 }) {
                    failed.withLock { $0 = true }
                    switch failure {
                    case .dropAfterMs: throw CancellationError()
                    case .goAwayAfterMs:
                        // Parked before the client hears of the move: its new socket may come
                        // before this one's end is handled.
                        if let moved = session, let handle = moved.handle {
                            records.withLock { $0.append(moved.record) }
                            parked.withLock { $0[handle] = moved }
                            session = nil
                        }
                        _ = try await send([.message(["goAway": ["timeLeft": "1s"]])])
                        try await outbound.close(.normalClosure, reason: "session moved")
                        break loop
                    case .closeAfterMs(_, let code, let reason):
                        _ = try await send([.close(code: code, reason: reason)])
                        break loop
                    }
                }
                guard try await send(session!.tick(nowMs: t)) else { break loop }
            case .closed:
                break loop
            }
        }
    }
}

extension FakeGeminiServer.Failure {
    var afterMs: Int {
        switch self {
        case .dropAfterMs(let ms), .goAwayAfterMs(let ms), .closeAfterMs(let ms, _, _): return ms
        }
    }
}
