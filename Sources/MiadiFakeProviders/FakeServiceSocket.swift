import Foundation
import HummingbirdWebSocket
import Logging

/// What a stand-in service's socket hands its session: the client's messages (text frames, or
/// JSON in binary ones) and a 20 ms beat on the real clock, as one ordered stream.
enum FakeServiceInput: Sendable {
    case text(String)
    case tick
    case closed
}

/// Reads a socket and beats every 20 ms into one stream, until `stop` is called.
struct FakeServiceSocket {
    let inputs: AsyncStream<FakeServiceInput>
    private let reader: Task<Void, Never>
    private let ticker: Task<Void, Never>

    init(_ inbound: WebSocketInboundStream) {
        let (inputs, sink) = AsyncStream<FakeServiceInput>.makeStream()
        self.inputs = inputs
        reader = Task {
            do {
                for try await message in inbound.messages(maxSize: 16 << 20) {
                    switch message {
                    case .text(let text): sink.yield(.text(text))
                    case .binary(var buffer): sink.yield(.text(buffer.readString(length: buffer.readableBytes) ?? ""))
                    }
                }
            } catch {}
            sink.yield(.closed)
        }
        ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                sink.yield(.tick)
            }
        }
    }

    func stop() {
        reader.cancel()
        ticker.cancel()
    }

    /// Milliseconds since `start`.
    static func ms(since start: ContinuousClock.Instant) -> Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A quiet logger for a stand-in's server.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}
