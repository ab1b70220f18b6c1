/// Why a Sautikit REST call failed, with what a person needs to fix it.
public enum SautikitError: Error, Equatable, CustomStringConvertible {
    /// No API key (`SAUTIKIT_API_KEY`).
    case missingAPIKey
    /// The API refused the request (4xx); `field` names the offending field when it says.
    case refused(status: Int, field: String?, message: String)
    /// 429 or 5xx after every retry.
    case unavailable(status: Int, attempts: Int)
    /// No answer at all (DNS, connection, TLS, timeout) after every retry.
    case unreachable(String)
    /// An answer that is not what the API documents.
    case badResponse(String)

    public var description: String {
        switch self {
        case .missingAPIKey: return "no Sautikit API key: set SAUTIKIT_API_KEY"
        case .refused(let status, let field, let message):
            return "Sautikit refused the request (HTTP \(status))" + (field.map { ": field \($0)" } ?? "") + ": \(message)"
        case .unavailable(let status, let attempts): return "Sautikit is unavailable (HTTP \(status)) after \(attempts) attempts; try again later"
        case .unreachable(let reason): return "cannot reach Sautikit: \(reason)"
        case .badResponse(let reason): return "unexpected answer from Sautikit: \(reason)"
        }
    }
}
