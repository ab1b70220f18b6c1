import Foundation

/// Decides a stream handshake before the upgrade, from its headers alone: the subprotocol the
/// platform offers (echoed back, or the connection is dropped by the platform) and the bearer
/// token the webhook put in `headerMetadata`, compared in constant time.
public struct HandshakePolicy: Sendable {
    /// Subprotocols Miadi speaks, preferred first.
    public static let subprotocols = ["audio.drachtio.org", "audio.jambonz.org"]

    public enum Decision: Sendable, Equatable {
        /// `ticket`: the call the stream was issued for (nil when no secret is configured).
        case accept(subprotocol: String, ticket: Ticket?)
        /// 400: no subprotocol we speak was offered.
        case badRequest(reason: String)
        /// 401: missing, forged or expired stream token.
        case unauthorized(reason: String)
    }

    /// A valid stream ticket: the call it names, and its id for the single-use ledger.
    public struct Ticket: Sendable, Equatable {
        public let callSID: String
        public let expires: Int64
        public let id: String
    }

    /// How stream tokens are checked; nil accepts any (for local trials only; `miadi serve` warns).
    public let tickets: StreamTickets?

    public init(tickets: StreamTickets?) { self.tickets = tickets }

    /// Tickets signed with the server's `secret` (its `stream_token`), or none.
    public init(secret: String?) { self.init(tickets: secret.map { StreamTickets(secret: $0) }) }

    /// `offered`: the `Sec-WebSocket-Protocol` header values; `authorization`: the
    /// `Authorization` header value (`Bearer <ticket>`); `now`: the server's clock.
    public func decide(offered: [String], authorization: String?, now: Date) -> Decision {
        // Exactly the token, as RFC 6455 writes it: split on commas, HTTP's own spaces and tabs
        // around each, nothing else taken away (Foundation's whitespace set also trims
        // U+200B, which let `audio.drachtio.org` plus a zero-width space through), and no case
        // folding: the platform is echoed the very name it offered.
        let names = offered.flatMap { $0.split(separator: ",") }.map { Self.trimmingHTTPSpace($0) }
        guard let chosen = Self.subprotocols.first(where: { name in names.contains { $0.utf8.elementsEqual(name.utf8) } }) else {
            return .badRequest(reason: "the handshake must offer the subprotocol audio.drachtio.org")
        }
        guard let tickets else { return .accept(subprotocol: chosen, ticket: nil) }
        guard let presented = BearerToken.presented(authorization) else { return .unauthorized(reason: "missing bearer token") }
        switch tickets.verify(presented, now: now) {
        case .valid(let callSID, let expires, let id): return .accept(subprotocol: chosen, ticket: Ticket(callSID: callSID, expires: expires, id: id))
        case .malformed, .forged: return .unauthorized(reason: "wrong bearer token (a stream opens only with the ticket its call's webhook gave)")
        case .expired: return .unauthorized(reason: "the stream ticket has expired")
        }
    }

    /// `value` without the spaces and tabs HTTP allows around a list element.
    static func trimmingHTTPSpace(_ value: Substring) -> String {
        var scalars = value.unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
