import NIOCore
import NIOHTTP1

/// Closes a connection fully a little while after the server half-closed it. Hummingbird
/// answers a request that must end the connection (a 413 for a body over the limit, a
/// `Connection: close`) by closing its own side and waiting for the client to close the other;
/// a client that never does left the socket in FIN-WAIT-2 for good, one file descriptor each.
final class HalfCloseReaper: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny

    /// Time for the client to read the answer and close: then the socket goes.
    static let linger = TimeAmount.seconds(2)

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        context.close(mode: mode, promise: promise)
        guard mode == .output else { return }
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
    }
}

/// Closes an HTTP connection whose request body has not all arrived within the deadline
/// after its head: a chunked body that stops, a `Content-Length` never reached, a body
/// trickled a byte at a time. Webhooks and status callbacks come whole in milliseconds. (The
/// head itself has `HandshakeGate`'s deadline; a response that takes its time, such as a lab
/// long-poll, is not limited: the deadline ends with the request's last byte.)
final class BodyDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    let deadline: TimeAmount
    private var scheduled: Scheduled<Void>?

    init(deadline: TimeAmount) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            scheduled?.cancel()
            let channel = context.channel
            scheduled = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
        case .end:
            scheduled?.cancel()
            scheduled = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
    }
}

/// Answers a connection whose request NIO's HTTP parser could not read with 400 and closes
/// it. (NIO's own `HTTPServerProtocolErrorHandler` writes that 400 but, before the upgrade is
/// settled, nothing closed the socket: 30 % of the fuzz test's broken handshakes hung there,
/// answered and open; it also stood in the way of streams under load, so it stays off.)
///
/// The 400 goes straight to the socket, from the pipeline's first handler, and only when no
/// request of the connection has been handed on yet: then no response can be on its way. A
/// later request that breaks (a kept-alive connection) is closed without one.
final class ParseErrorCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var requestHandedOn = false
    private var done = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        requestHandedOn = true
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        guard !done else { return }
        done = true
        guard !requestHandedOn, let first = try? context.pipeline.syncOperations.context(handlerType: HalfCloseReaper.self) else {
            context.close(promise: nil)
            return
        }
        let body = "the request could not be read as HTTP/1.1\n"
        let response = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        first.writeAndFlush(NIOAny(ByteBuffer(string: response))).whenComplete { _ in context.close(promise: nil) }
    }
}
