/// The one check of a bearer token, for every route that asks for one (`/stream`, `/lab`):
/// the scheme case-insensitively (`Bearer`, `bearer`), the token in time that depends only on
/// the lengths, so that a wrong guess teaches an attacker nothing.
public enum BearerToken {
    public enum Verdict: Sendable, Equatable {
        case accepted
        case missing
        case wrong
    }

    /// Checks an `Authorization` header value against `token`.
    public static func check(_ authorization: String?, against token: String) -> Verdict {
        guard let presented = presented(authorization) else { return .missing }
        return constantTimeEqual(presented, token) ? .accepted : .wrong
    }

    /// The token of a `Bearer` header value, if it is one.
    public static func presented(_ authorization: String?) -> String? {
        guard let header = authorization, header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Equal strings, in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}
