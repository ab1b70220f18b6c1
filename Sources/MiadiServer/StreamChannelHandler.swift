import Logging
import NIOCore

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

/// One stream's WebSocket, on its event loop, the only handler in its pipeline: the socket's
/// bytes become frames (`WebSocketWire`), frames become the call's events (text and binary
/// messages reassembled from fragments, pings answered, the platform's close answered), the
/// 20 ms beat is the loop's (`LoopBeat`, one timer for all its streams), and the call's frames
/// go out through `StreamOutput`, all of one event in one buffer and one write. It also pings an
/// idle platform every 30 s and closes a stream whose platform stops answering.
final class StreamChannelHandler: ChannelInboundHandler, StreamOutput, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The call, made once the handler is in the pipeline (it needs the handler as output).
    private let makeConnection: (StreamChannelHandler, any EventLoop) -> StreamConnection?
    private var connection: StreamConnection?
    private var context: ChannelHandlerContext?
    private var beat: LoopBeat?
    /// A message being reassembled from fragments.
    private var fragments: [UInt8]?
    private var fragmentsAreText = false
    private let maxMessageSize: Int
    private var closeSent = false
    private var closed = false
    /// Pings: when the last went out, and whether its pong came back.
    private var lastPing = ContinuousClock.now
    private var pongAwaited = false
    static let pingInterval = Duration.seconds(30)
    /// How long a close waits for the platform's answer before the socket is closed anyway.
    static let closeTimeout = TimeAmount.seconds(2)

    /// The socket's bytes, read into frames.
    private var reader: WebSocketWire.Reader
    /// Frames written since the last flush, sent together.
    private var outgoing: ByteBuffer?
    /// The platform's bytes stopped being frames: nothing more is read.
    private var failed = false
    /// The socket closes once the next flush is written (a stream of bytes that are not frames
    /// cannot carry the platform's answer to our close).
    private var closeOnceWritten = false

    /// `maxFrameSize`: the longest frame read (a longer one is answered 1009); `maxMessageSize`:
    /// the longest message its fragments may make.
    init(maxFrameSize: Int = 1 << 20, maxMessageSize: Int, makeConnection: @escaping (StreamChannelHandler, any EventLoop) -> StreamConnection?) {
        self.reader = WebSocketWire.Reader(maxFrameSize: maxFrameSize)
        self.maxMessageSize = maxMessageSize
        self.makeConnection = makeConnection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection = makeConnection(self, context.eventLoop)
        guard let connection else { return }
        connection.start()
        lastPing = .now
        beat = LoopBeat.on(context.eventLoop)
        beat?.join(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveBeat()
        connection?.detach()
        self.context = nil
    }

    private func leaveBeat() {
        beat?.leave(self)
        beat = nil
    }

    /// The loop's 20 ms beat (`LoopBeat`), with when it fell due and the clock as the beat read
    /// it (once for all the loop's calls). A call with no timer due is not disturbed.
    func beat(due: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        guard !closed else { return leaveBeat() }
        keepAlive(now: now)
        guard let connection, let beatDue = connection.beatDue, now >= beatDue else { return }
        connection.handle(.beat(due: due, now: now))
    }

    private func keepAlive(now: ContinuousClock.Instant) {
        guard let context, !closeSent, now - lastPing >= Self.pingInterval else { return }
        if pongAwaited {
            context.eventLoop.assertInEventLoop()
            close(code: 1001, reason: "ping timeout")
            connection?.socketClosed(code: 1001, reason: "the platform stopped answering pings")
            return
        }
        lastPing = now
        pongAwaited = true
        write(opcode: WebSocketWire.Opcode.ping, payload: [])
        flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var bytes = unwrapInboundIn(data)
        do {
            try reader.read(&bytes) { received($0, context: context) }
        } catch {
            // Past a frame that cannot be read nothing can be: the close goes out and the socket
            // with it, as NIO's codec did, rather than wait two seconds for an answer.
            failed = true
            closeOnceWritten = true
            protocolError(error.message, code: error.closeCode)
            if closeOnceWritten { context.close(promise: nil) } // the close was out already
        }
    }

    /// The platform's frames are done for this read: what the call sent for them leaves together.
    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
        context.fireChannelReadComplete()
    }

    private func received(_ frame: WebSocketWire.Frame, context: ChannelHandlerContext) {
        // RFC 6455 5.1: a server closes the connection on an unmasked frame from a client.
        guard frame.masked else { return protocolError("an unmasked frame from the client") }
        // RFC 6455 5.2: reserved bits with no extension that gives them a meaning.
        guard frame.reserved == 0 else { return protocolError("a frame with reserved bits set") }
        switch frame.opcode {
        case WebSocketWire.Opcode.binary where frame.fin && fragments == nil:
            // The usual frame: 20 ms of audio, whole.
            connection?.handle(.binary(frame.payload))
        case WebSocketWire.Opcode.text, WebSocketWire.Opcode.binary:
            // RFC 6455 5.4: a new message before the last one's final fragment is out of order.
            guard fragments == nil else { return protocolError("a new message inside a fragmented one") }
            if frame.fin {
                deliver(frame.payload, text: frame.opcode == WebSocketWire.Opcode.text)
            } else {
                guard frame.payload.count <= maxMessageSize else { return protocolError("a message over \(maxMessageSize) bytes", code: 1009) }
                fragments = frame.payload
                fragmentsAreText = frame.opcode == WebSocketWire.Opcode.text
            }
        case WebSocketWire.Opcode.continuation:
            guard var message = fragments else { return protocolError("a continuation frame with no message to continue") }
            guard message.count + frame.payload.count <= maxMessageSize else { return protocolError("a message over \(maxMessageSize) bytes", code: 1009) }
            fragments = nil
            message.append(contentsOf: frame.payload)
            if frame.fin {
                deliver(message, text: fragmentsAreText)
            } else {
                fragments = message
            }
        case WebSocketWire.Opcode.ping:
            guard !closeSent else { return }
            write(opcode: WebSocketWire.Opcode.pong, payload: frame.payload)
            flush()
        case WebSocketWire.Opcode.pong:
            pongAwaited = false
        case WebSocketWire.Opcode.close:
            let body = frame.payload
            // RFC 6455 5.5.1 and 7.4: a body is a code of two bytes and UTF-8; a code the
            // protocol reserves (1005, 1006, 1015) or has not assigned is not one to answer with.
            guard body.count != 1 else { return protocolError("a close frame with a one-byte body") }
            let sent = body.count >= 2 ? UInt16(body[0]) << 8 | UInt16(body[1]) : nil
            if let sent, !Self.isSendableCloseCode(sent) { return protocolError("a close frame with code \(sent)") }
            let code = sent ?? 1005
            guard String(validating: body.dropFirst(2), as: UTF8.self) != nil else { return protocolError("a close reason that is not UTF-8", code: 1007) }
            if closeSent {
                // The platform answered our close.
                context.close(promise: nil)
                return
            }
            // The platform ends the stream: the call ends, and the close is answered.
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

    private func deliver(_ payload: [UInt8], text: Bool) {
        if text {
            // Text that is not UTF-8 is refused (1007), not repaired into a call's metadata.
            guard let string = String(validating: payload, as: UTF8.self) else {
                return protocolError("a text frame that is not UTF-8", code: 1007)
            }
            connection?.handle(.text(string))
        } else {
            connection?.handle(.binary(payload))
        }
    }

    /// The platform broke the protocol: the close goes out, and frames after it are still read
    /// (its answer to the close ends the socket at once).
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
        guard !closeSent else { return }
        switch frame {
        case .text(let text):
            var text = text
            text.withUTF8 { write(opcode: WebSocketWire.Opcode.text, payload: UnsafeRawBufferPointer($0)) }
        case .binary(let bytes):
            write(opcode: WebSocketWire.Opcode.binary, payload: bytes)
        }
    }

    /// A frame into the buffer the next flush sends.
    private func write(opcode: UInt8, payload: [UInt8]) {
        payload.withUnsafeBytes { write(opcode: opcode, payload: $0) }
    }

    private func write(opcode: UInt8, payload: UnsafeRawBufferPointer) {
        guard let context else { return }
        if outgoing == nil { outgoing = context.channel.allocator.buffer(capacity: max(1024, payload.count + 10)) }
        WebSocketWire.append(opcode: opcode, payload: payload, to: &outgoing!)
    }

    func flush() {
        guard let buffer = outgoing, let context else { return }
        outgoing = nil
        if closeOnceWritten {
            closeOnceWritten = false
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    func close(code: UInt16, reason: String) {
        guard let context, !closeSent, !closed else { return }
        closeSent = true
        var body = [UInt8(code >> 8), UInt8(code & 0xFF)]
        // A control frame carries at most 125 bytes: the reason is cut, whole characters, to 123.
        for character in reason {
            guard body.count + character.utf8.count <= 125 else { break }
            body.append(contentsOf: character.utf8)
        }
        write(opcode: WebSocketWire.Opcode.close, payload: body)
        flush()
        // The platform answers a close with its own; a socket whose platform does not is closed anyway.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }
}
