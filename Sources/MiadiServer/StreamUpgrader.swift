import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// The WebSocket handshake on the stream path (RFC 6455 4.2), leaving a pipeline of one
/// handler: the stream's, reading raw bytes (`WebSocketWire`).
///
/// NIO's `NIOTypedWebSocketServerUpgrader` answers the same handshake and then installs its frame
/// codec, which the stream's handler no longer uses; this one answers it the same way (one
/// `Sec-WebSocket-Key`, version 13, the accept value from SHA-1 and the protocol's GUID) and
/// installs only the handler. The connection's HTTP-only handlers (the half-close reaper, the
/// parse-error closer) leave the pipeline too: a stream's frames would otherwise pass through
/// them fifty times a second.
struct StreamUpgrader<Result: Sendable>: NIOTypedHTTPServerProtocolUpgrader, Sendable {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    /// Extra response headers (the chosen subprotocol) for a request to accept, nil to refuse it.
    let shouldUpgrade: @Sendable (any Channel, HTTPRequestHead) -> HTTPHeaders?
    /// Puts the stream's handler in place (on the channel's loop) and says what the connection became.
    let upgradePipelineHandler: @Sendable (any Channel, HTTPRequestHead) throws -> Result

    enum HandshakeError: Error {
        /// No single `Sec-WebSocket-Key`, or no `Sec-WebSocket-Version: 13`.
        case invalidUpgradeHeader
        /// The path or the subprotocol is not one this server streams on.
        case refused
    }

    /// The value RFC 6455 4.2.2 asks for in `Sec-WebSocket-Accept`.
    static func acceptValue(key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }

    func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        let keys = upgradeRequest.headers[canonicalForm: "Sec-WebSocket-Key"]
        let versions = upgradeRequest.headers[canonicalForm: "Sec-WebSocket-Version"]
        guard keys.count == 1, versions.count == 1, versions[0] == "13" else {
            return channel.eventLoop.makeFailedFuture(HandshakeError.invalidUpgradeHeader)
        }
        guard var headers = shouldUpgrade(channel, upgradeRequest) else {
            return channel.eventLoop.makeFailedFuture(HandshakeError.refused)
        }
        headers.replaceOrAdd(name: "Upgrade", value: "websocket")
        headers.add(name: "Sec-WebSocket-Accept", value: Self.acceptValue(key: String(keys[0])))
        headers.replaceOrAdd(name: "Connection", value: "upgrade")
        return channel.eventLoop.makeSucceededFuture(headers)
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Result> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            if let closer = try? pipeline.context(handlerType: ParseErrorCloser.self) { pipeline.removeHandler(context: closer, promise: nil) }
            if let reaper = try? pipeline.context(handlerType: HalfCloseReaper.self) { pipeline.removeHandler(context: reaper, promise: nil) }
            return try upgradePipelineHandler(channel, upgradeRequest)
        }
    }
}
