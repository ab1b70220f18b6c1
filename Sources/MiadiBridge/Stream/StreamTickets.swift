import Crypto
import Foundation

/// Per-call stream tokens. The webhook's `<Stream>` carries one in `headerMetadata` instead of
/// the server's secret, so whoever can POST the webhook learns nothing that opens any other
/// stream: a ticket names one call SID (the stream's first frame must be that call), lapses
/// after `lifetimeSeconds`, and the server takes it once (`StreamTicketLedger`). It is an HMAC
/// over its fields with the server's secret, checked in constant time; the server keeps no
/// state for tickets it issued.
///
/// Wire form: `mt1.<call SID, base64url>.<expiry, Unix seconds>.<nonce, base64url>.<HMAC-SHA256, base64url>`.
public struct StreamTickets: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// `id` names this ticket for the single-use ledger.
        case valid(callSID: String, expires: Int64, id: String)
        case malformed
        case forged
        case expired
    }

    private let key: SymmetricKey
    public let lifetimeSeconds: Int64

    public init(secret: String, lifetimeSeconds: Int64 = 120) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("miadi stream ticket\n" + secret).utf8)))
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// A ticket for `callSID`; `nonce` makes two tickets for one call differ (random bytes
    /// from the shell: no randomness in here).
    public func issue(callSID: String, now: Date, nonce: [UInt8]) -> String {
        let expires = Int64(now.timeIntervalSince1970.rounded(.down)) + lifetimeSeconds
        let body = "mt1.\(Self.base64url(Data(callSID.utf8))).\(expires).\(Self.base64url(Data(nonce)))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return body + "." + Self.base64url(Data(mac))
    }

    public func verify(_ ticket: String, now: Date) -> Verdict {
        let parts = ticket.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "mt1", let sid = Self.data(base64url: parts[1]).flatMap({ String(data: $0, encoding: .utf8) }),
              !sid.isEmpty, let expires = Int64(parts[2]), Self.data(base64url: parts[3]) != nil, let mac = Self.data(base64url: parts[4])
        else { return .malformed }
        let body = parts[0..<4].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body.utf8), using: key) else { return .forged }
        guard Int64(now.timeIntervalSince1970) < expires else { return .expired }
        return .valid(callSID: sid, expires: expires, id: String(parts[4]))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
