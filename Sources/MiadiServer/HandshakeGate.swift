import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import MiadiBridge
import NIOCore

/// Refuses a bad stream handshake with the right status before the WebSocket upgrader sees it.
///
/// hummingbird-websocket answers every refused upgrade with 400; the platform (and the spec)
/// need 401 for a wrong token. So the first request head of each connection passes through this
/// handler: a `GET` with `Upgrade: websocket` on the stream path is checked against the
/// `HandshakePolicy`, and answered here with 400 or 401 if refused. Everything else, and every
/// accepted handshake, goes on untouched, and the handler removes itself. A connection that
/// has not sent a whole head within the head timeout is closed.
final class HandshakeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let path: String
    private let policy: HandshakePolicy
    private let logger: Logger
    private var buffered: ByteBuffer?
    /// A connection that has not sent its whole first request head by then is closed.
    private let headTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(path: String, policy: HandshakePolicy, logger: Logger, headTimeout: TimeAmount = .seconds(10)) {
        self.path = path
        self.policy = policy
        self.logger = logger
        self.headTimeout = headTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = self.logger
        deadline = context.eventLoop.scheduleTask(in: headTimeout) {
            let (write, heldBack) = LogThrottle.server.admit("head timeout", nowNs: LoopLag.nowNs())
            if write { logger.notice("connection closed: no whole request head in time", metadata: heldBack > 0 ? ["more_like_it": "\(heldBack)"] : [:]) }
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        let bytes = Array(buffered!.readableBytesView)
        guard let headEnd = Self.endOfHead(bytes) else {
            if bytes.count > Self.maximumHeadBytes { refuse(context: context, status: "431 Request Header Fields Too Large", reason: "the request head is over \(Self.maximumHeadBytes) bytes") }
            return
        }
        guard headEnd <= Self.maximumHeadBytes else {
            return refuse(context: context, status: "431 Request Header Fields Too Large", reason: "the request head is over \(Self.maximumHeadBytes) bytes")
        }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        switch decide(head) {
        case .pass:
            pass(context: context)
        case .refuse(let status, let reason):
            refuse(context: context, status: status, reason: reason)
        }
    }

    /// The longest request head taken: a webhook's or a handshake's is well under 2 KB.
    static let maximumHeadBytes = 16_384

    /// Answers `status` with `reason` and closes the connection.
    private func refuse(context: ChannelHandlerContext, status: String, reason: String) {
        let (write, heldBack) = LogThrottle.server.admit("refused", nowNs: LoopLag.nowNs())
        if write {
            var metadata: Logger.Metadata = ["status": "\(status)", "reason": "\(reason)"]
            if heldBack > 0 { metadata["more_like_it"] = "\(heldBack)" }
            logger.notice("request refused", metadata: metadata)
        }
        let body = reason + "\n"
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        buffered = nil
        deadline?.cancel()
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in context.close(promise: nil) }
    }

    private enum Verdict { case pass, refuse(String, String) }

    private func decide(_ head: String) -> Verdict {
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2, requestLine[0] == "GET" else { return .pass }
        let target = String(requestLine[1]).split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        var offered: [String] = []
        var authorization: String?
        var upgrade = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "sec-websocket-protocol": offered.append(value)
            case "authorization": authorization = value
            case "upgrade": upgrade = value.lowercased() == "websocket"
            default: break
            }
        }
        guard upgrade, target == path else { return .pass }
        switch policy.decide(offered: offered, authorization: authorization, now: Date()) { // wall clock: tickets lapse in real time
        case .accept: return .pass
        case .badRequest(let reason): return .refuse("400 Bad Request", reason)
        case .unauthorized(let reason): return .refuse("401 Unauthorized", reason)
        }
    }

    private func pass(context: ChannelHandlerContext) {
        guard let data = buffered else { return }
        buffered = nil
        context.fireChannelRead(wrapInboundOut(data))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

