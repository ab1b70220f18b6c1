import Foundation

/// Decides a stream handshake before the upgrade, from its headers alone: the subprotocol the
/// platform offers (echoed back, or the connection is dropped by the platform) and the bearer
/// token the webhook put in `headerMetadata`, compared in constant time.
public struct HandshakePolicy: Sendable {
    /// Subprotocols Miadi speaks, preferred first.
    public static let subprotocols = ["audio.drachtio.org", "audio.jambonz.org"]

    public enum Decision: Sendable, Equatable {
        case accept(subprotocol: String)
        /// 400: no subprotocol we speak was offered.
        case badRequest(reason: String)
        /// 401: missing or wrong bearer token.
        case unauthorized(reason: String)
    }

    /// The expected token; nil accepts any (for local trials only; `miadi serve` warns).
    public let token: String?

    public init(token: String?) { self.token = token }

    /// `offered`: the `Sec-WebSocket-Protocol` header values; `authorization`: the
    /// `Authorization` header value.
    public func decide(offered: [String], authorization: String?) -> Decision {
        let names = offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let chosen = Self.subprotocols.first(where: names.contains) else {
            return .badRequest(reason: "the handshake must offer the subprotocol audio.drachtio.org")
        }
        if let token {
            switch BearerToken.check(authorization, against: token) {
            case .accepted: break
            case .missing: return .unauthorized(reason: "missing bearer token")
            case .wrong: return .unauthorized(reason: "wrong bearer token")
            }
        }
        return .accept(subprotocol: chosen)
    }
}
