import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import MiadiProviders
import NIOCore
import NIOWebSocket
import Synchronization

/// One live model session over a WebSocket: the I/O shell around a `LiveWireProtocol`.
///
/// The bridge's inputs go in with `send` (never blocking the call's loop); the model's events
/// come out of `events`, in order, as the protocol turns server messages into them. Anything
/// that ends the session unasked (the handshake refused, the socket dropped, the service
/// closing it) comes out as one fatal `.failed`, so the call machine can hand the caller to a
/// person rather than leave them in silence.
public final class LiveSocket: Sendable {
    /// What the model says, in order; finishes when the session ends.
    public let events: AsyncStream<[ProviderEvent]>
    private let inputs: AsyncStream<ProviderInput>.Continuation
    private let task: Task<Void, Never>
    private let setUp: Locked<Bool>

    /// Opens the session in the background: `url` is `ws://` or `wss://`, `headers` carry the
    /// credentials (never logged, never traced).
    public init<P: LiveWireProtocol>(url: String, headers: [String: String], wire: P, logger: Logger, log: ProviderLogWriter? = nil) {
        let (events, eventSink) = AsyncStream<[ProviderEvent]>.makeStream()
        let (inputs, inputSink) = AsyncStream<ProviderInput>.makeStream()
        self.events = events
        self.inputs = inputSink
        let setUp = Locked(false)
        self.setUp = setUp
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20, additionalHeaders: fields)
        task = Task {
            let state = Locked(wire)
            let ending = Locked(false)
            let current = Locked<WebSocketOutboundWriter?>(nil)
            // One writer for the session's life: a resumed session keeps the same inputs.
            let writer = Task {
                for await input in inputs {
                    let messages = state.withLock { $0.send(input) }
                    let outbound = current.withLock { $0 }
                    for message in messages {
                        log?.message(message, outgoing: true)
                        try? await outbound?.write(.text(message.jsonText))
                    }
                    if input == .endOfCall {
                        ending.withLock { $0 = true }
                        try? await outbound?.close(.normalClosure, reason: "call ended")
                        return
                    }
                }
            }
            var resumes = 0
            while true {
                // The socket was open: an error from here on is the session lost, not a service
                // that could not be reached.
                let opened = Locked(false)
                do {
                    let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                        defer { current.withLock { $0 = nil } }
                        opened.withLock { $0 = true }
                        for message in state.withLock({ $0.opening() }) {
                            log?.message(message, outgoing: true)
                            try await outbound.write(.text(message.jsonText))
                        }
                        // The writer gets the socket only once the opening is out: handed it
                        // before, a caller's audio could reach the service ahead of the
                        // session's setup (the test service refuses that, as a strict one may).
                        current.withLock { $0 = outbound }
                        if ending.withLock({ $0 }) { try? await outbound.close(.normalClosure, reason: "call ended") }
                        for try await message in inbound.messages(maxSize: 16 << 20) {
                            let value: JSONValue?
                            switch message {
                            case .text(let text): value = JSONValue.parse(text)
                            // Some services send their JSON in binary frames.
                            case .binary(var buffer): value = JSONValue.parse(bytes: buffer.readBytes(length: buffer.readableBytes) ?? [])
                            }
                            guard let value else {
                                eventSink.yield([.failed(message: "\(wire.providerID): a message that is not JSON", fatal: false)])
                                continue
                            }
                            log?.message(value, outgoing: false)
                            let (said, outgoing, ready) = state.withLock { ($0.receive(value), $0.takeOutgoing(), $0.isSetUp) }
                            if ready { setUp.withLock { $0 = true } }
                            for message in outgoing {
                                log?.message(message, outgoing: true)
                                try await outbound.write(.text(message.jsonText))
                            }
                            if !said.isEmpty { eventSink.yield(said) }
                        }
                    }
                    if ending.withLock({ $0 }) { break }
                    let code = close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }
                    // The service asked to move (Gemini's goAway): the same session goes on over a new socket.
                    if resumes < 5, state.withLock({ $0.shouldResume(afterClose: code) }) {
                        resumes += 1
                        continue
                    }
                    if let event = wire.closedByService(code: code, reason: close?.reason ?? "") { eventSink.yield([event]) }
                } catch {
                    if ending.withLock({ $0 }) {
                    } else if opened.withLock({ $0 }), let event = wire.closedByService(code: nil, reason: "the connection was lost: \(error)") {
                        // Reset or cut mid-session (a service that closes with audio still
                        // unread resets the socket rather than closing it): the session is over,
                        // as when the service closes it.
                        eventSink.yield([event])
                    } else {
                        eventSink.yield([.failed(message: "\(wire.providerID): \(LiveSocket.describe(error)) (\(LiveSocket.redacted(url)))", fatal: true)])
                    }
                }
                break
            }
            writer.cancel()
            log?.close()
            eventSink.finish()
        }
    }

    /// An input for the model; after `.endOfCall` the session closes.
    public func send(_ input: ProviderInput) {
        inputs.yield(input)
        if input == .endOfCall { inputs.finish() }
    }

    /// Whether the service has confirmed the session's setup (at least once).
    public var isSetUp: Bool { setUp.withLock { $0 } }

    /// Waits until the session has ended.
    public func finished() async { await task.value }

    deinit {
        inputs.finish()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? WebSocketClientError {
            if error == .webSocketUpgradeFailed { return "the WebSocket upgrade was refused (a wrong key, model or URL?)" }
            if error == .invalidURL { return "the URL is not a WebSocket URL" }
            return "\(error)"
        }
        return "could not reach the service: \(error)"
    }

    /// The URL with any `key=` query value hidden, for messages.
    static func redacted(_ url: String) -> String {
        guard let range = url.range(of: "key=") else { return url }
        let end = url[range.upperBound...].firstIndex(of: "&") ?? url.endIndex
        return url.replacingCharacters(in: range.upperBound..<end, with: "…")
    }
}

/// A value shared by a session's reader and writer tasks.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
