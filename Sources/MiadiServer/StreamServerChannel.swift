import Hummingbird
import HummingbirdCore
import Logging
import MiadiBridge
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The server's child channel: HTTP/1 for the webhook and the other routes (Hummingbird's
/// responder), and on the stream path a WebSocket (`StreamUpgrader`) whose bytes go straight to
/// the call's `StreamChannelHandler` on the connection's event loop, the only handler left.
///
/// Why not hummingbird-websocket's handler: it runs each socket as an actor reading frames
/// through async sequences, so every 20 ms frame in and every frame out crossed threads
/// (event loop → handler actor → the call's task and back), and `perf` put most of the
/// bridge's time in the kernel switching those threads. Here a frame is handled where it is
/// read, and the frames a call sends in one event leave in one flush.
struct StreamServerChannel: HTTPChannelHandler {
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The stream's handler owns the channel until it closes.
        case stream(any Channel)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let path: String
    let policy: HandshakePolicy
    /// See `ServeConfiguration.headTimeoutMs`.
    let headTimeout: TimeAmount
    /// Connections held at once, below the limit of open files.
    let connections: ConnectionCap
    /// Decides an upgrade the gate let through (the subprotocol to answer), or nil to refuse it.
    let subprotocol: @Sendable (HTTPRequestHead) -> String?
    /// The handler for an accepted stream (called on the channel's event loop).
    let makeHandler: @Sendable (HTTPRequestHead, any Channel) -> any ChannelHandler

    enum SetupError: Error { case overCapacity }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connections.admit() else {
            // Over the cap: closed at once, so the server never runs out of descriptors.
            let (write, heldBack) = LogThrottle.server.admit("over capacity", nowNs: LoopLag.nowNs())
            if write { logger.warning("connection refused: the server holds its maximum of connections", metadata: ["maximum": "\(connections.maximum)", "more_like_it": "\(heldBack)"]) }
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(SetupError.overCapacity)
        }
        let cap = connections
        channel.closeFuture.whenComplete { _ in cap.closed() }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HalfCloseReaper())
            try channel.pipeline.syncOperations.addHandler(HandshakeGate(path: path, policy: policy, logger: logger, headTimeout: headTimeout))
            let upgrader = StreamUpgrader<Negotiated>(
                shouldUpgrade: { _, head in
                    let target = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                    guard target == path, let chosen = subprotocol(head) else { return nil }
                    return ["Sec-WebSocket-Protocol": chosen]
                },
                upgradePipelineHandler: { channel, head in
                    try channel.pipeline.syncOperations.addHandler(makeHandler(head, channel))
                    return Negotiated.stream(channel)
                })
            let configuration = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // A request whose body stops or trickles is closed at the head timeout
                        // after its head; a kept-alive connection left idle, after as long.
                        try channel.pipeline.syncOperations.addHandler(BodyDeadline(deadline: headTimeout))
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: .nanoseconds(headTimeout.nanoseconds), logger: logger))
                        return Negotiated.http(try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)))
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: configuration)
            pipeline.enablePipelining = false
            // NIO's error handler (a 400 for a request its parser cannot read) stays off: it
            // stayed in the way of the drain test's streams. `ParseErrorCloser` closes such a
            // connection instead; without either it hung, unanswered and open.
            pipeline.enableErrorHandling = false
            pipeline.enableResponseHeaderValidation = false
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            try channel.pipeline.syncOperations.addHandler(ParseErrorCloser())
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .stream(let channel):
                // The handler runs the call on the event loop; this task only waits for the end.
                try? await channel.closeFuture.get()
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("connection closed before its first request")
            value.channel.close(promise: nil)
        } catch {
            // Whatever went wrong before a request could be handled, the connection goes:
            // left open, it held a file descriptor for good.
            logger.debug("connection ended before a request", metadata: ["error": "\(error)"])
            value.channel.close(promise: nil)
        }
    }
}
