import Logging
import NIOCore
import NIOWebSocket

/// What a call sends: frames for the platform, written now and flushed once per event.
protocol StreamOutput: AnyObject {
    func send(_ frame: StreamOutbound)
    func flush()
    /// Sends a close frame with `code` (and closes the socket once the platform answers, or
    /// soon after if it does not).
    func close(code: UInt16, reason: String)
}

enum StreamOutbound {
    case text(String)
    case binary([UInt8])
}

/// One stream's WebSocket, on its event loop: frames in become the call's events (text and
/// binary messages reassembled from fragments, pings answered, the platform's close answered),
/// the 20 ms beat is the loop's (`LoopBeat`, one timer for all its streams), and the call's frames go out
/// through `StreamOutput`. It also pings an idle platform every 30 s and closes a stream whose
/// platform stops answering.
final class StreamChannelHandler: ChannelDuplexHandler, StreamOutput, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The call, made once the handler is in the pipeline (it needs the handler as output).
    private let makeConnection: (StreamChannelHandler, any EventLoop) -> StreamConnection?
    private var connection: StreamConnection?
    private var context: ChannelHandlerContext?
    private var beat: LoopBeat?
    /// A message being reassembled from fragments.
    private var fragments: ByteBuffer?
    private var fragmentsAreText = false
    private let maxMessageSize: Int
    private var closeSent = false
    private var closed = false
    private var pending = false
    /// Pings: when the last went out, and whether its pong came back.
    private var lastPing = NIODeadline.now()
    private var pongAwaited = false
    static let pingInterval = TimeAmount.seconds(30)
    /// How long a close waits for the platform's answer before the socket is closed anyway.
    static let closeTimeout = TimeAmount.seconds(2)

    init(maxMessageSize: Int, makeConnection: @escaping (StreamChannelHandler, any EventLoop) -> StreamConnection?) {
        self.maxMessageSize = maxMessageSize
        self.makeConnection = makeConnection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection = makeConnection(self, context.eventLoop)
        guard let connection else { return }
        connection.start()
        lastPing = .now()
        beat = LoopBeat.on(context.eventLoop)
        beat?.join(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveBeat()
        self.context = nil
    }

    private func leaveBeat() {
        beat?.leave(self)
        beat = nil
    }

    /// The loop's 20 ms beat (`LoopBeat`), with when it fell due.
    func beat(due: ContinuousClock.Instant) {
        guard !closed else { return leaveBeat() }
        keepAlive()
        connection?.handle(.beat(due))
    }

    private func keepAlive() {
        guard let context, !closeSent, NIODeadline.now() - lastPing >= Self.pingInterval else { return }
        if pongAwaited {
            context.eventLoop.assertInEventLoop()
            close(code: 1001, reason: "ping timeout")
            connection?.socketClosed(code: 1001, reason: "the platform stopped answering pings")
            return
        }
        lastPing = .now()
        pongAwaited = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 5.1: a server closes the connection on an unmasked frame from a client.
        guard frame.maskKey != nil else { return protocolError("an unmasked frame from the client") }
        // RFC 6455 5.2: reserved bits with no extension that gives them a meaning.
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else { return protocolError("a frame with reserved bits set") }
        switch frame.opcode {
        case .binary where frame.fin && fragments == nil:
            // The usual frame: 20 ms of audio, whole.
            connection?.handle(.binary(frame.unmaskedBytes))
        case .text, .binary:
            var payload = frame.unmaskedData
            if frame.fin && fragments == nil {
                deliver(&payload, text: frame.opcode == .text)
            } else {
                fragments = payload
                fragmentsAreText = frame.opcode == .text
            }
        case .continuation:
            guard var buffer = fragments else { return protocolError("a continuation frame with no message to continue") }
            var payload = frame.unmaskedData
            buffer.writeBuffer(&payload)
            guard buffer.readableBytes <= maxMessageSize else { return protocolError("a message over \(maxMessageSize) bytes", code: 1009) }
            if frame.fin {
                fragments = nil
                deliver(&buffer, text: fragmentsAreText)
            } else {
                fragments = buffer
            }
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            pongAwaited = false
        case .connectionClose:
            var data = frame.unmaskedData
            // RFC 6455 5.5.1 and 7.4: a body is a code of two bytes and UTF-8; a code the
            // protocol reserves (1005, 1006, 1015) or has not assigned is not one to answer with.
            guard data.readableBytes != 1 else { return protocolError("a close frame with a one-byte body") }
            let sent = data.readInteger(as: UInt16.self)
            if let sent, !Self.isSendableCloseCode(sent) { return protocolError("a close frame with code \(sent)") }
            let code = sent ?? 1005
            guard String(validating: data.readableBytesView, as: UTF8.self) != nil else { return protocolError("a close reason that is not UTF-8", code: 1007) }
            let reason = data.readString(length: data.readableBytes) ?? ""
            if closeSent {
                // The platform answered our close.
                context.close(promise: nil)
                return
            }
            // The platform ends the stream: the call ends, and the close is answered.
            _ = reason
            connection?.handle(.closed(code == 1005 ? 1000 : code, "platform closed the stream"))
            if !closeSent { close(code: code == 1005 ? 1000 : code, reason: "") }
        default:
            protocolError("an unknown frame type")
        }
    }

    /// Close codes an endpoint may send (RFC 6455 7.4.1, and the registry's 1012–1014 and the
    /// application ranges).
    static func isSendableCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    /// The platform shut its side of the socket (its process died, or it hung up without a
    /// close frame): the call ends, and the socket is closed. Kept open, a half-closed socket
    /// was never closed at all.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            connection?.socketClosed(code: 1006, reason: "the platform closed its side of the socket")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func deliver(_ payload: inout ByteBuffer, text: Bool) {
        if text {
            // Text that is not UTF-8 is refused (1007), not repaired into a call's metadata.
            guard let string = String(validating: payload.readableBytesView, as: UTF8.self) else {
                return protocolError("a text frame that is not UTF-8", code: 1007)
            }
            connection?.handle(.text(string))
        } else {
            connection?.handle(.binary(payload.readBytes(length: payload.readableBytes) ?? []))
        }
    }

    private func protocolError(_ what: String, code: UInt16 = 1002) {
        // The close goes first: the call, ending, would otherwise close with its own 1000.
        close(code: code, reason: what)
        connection?.socketClosed(code: code, reason: "protocol error: \(what)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        leaveBeat()
        connection?.socketClosed(code: 1006, reason: "socket closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection?.socketClosed(code: 1006, reason: "socket error: \(error)")
        context.close(promise: nil)
    }

    // MARK: StreamOutput

    func send(_ frame: StreamOutbound) {
        guard let context, !closeSent else { return }
        switch frame {
        case .text(let text):
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))), promise: nil)
        case .binary(let bytes):
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        }
        pending = true
    }

    func flush() {
        guard pending, let context else { return }
        pending = false
        context.flush()
    }

    func close(code: UInt16, reason: String) {
        guard let context, !closeSent, !closed else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code)
        data.writeString(String(reason.prefix(120)))
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        // The platform answers a close with its own; a socket whose platform does not is closed anyway.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }
}
