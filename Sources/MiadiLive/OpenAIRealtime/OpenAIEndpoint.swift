import Foundation

/// Where an OpenAI Realtime session is opened, from a base URL as the official SDKs take it
/// (`OPENAI_BASE_URL`, default `https://api.openai.com/v1`): the socket is that URL with a
/// `ws`/`wss` scheme, plus `/realtime?model=…`; the key goes in `Authorization: Bearer`.
public struct OpenAIEndpoint: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.openai.com/v1"
    public let baseURL: String

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notHTTP(String)

        public var description: String {
            switch self {
            case .notHTTP(let url): return "the base URL \"\(url)\" is not an http:// or https:// URL"
            }
        }
    }

    public init(baseURL: String = OpenAIEndpoint.defaultBaseURL) throws(Failure) {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https", "ws", "wss"].contains(scheme), url.host != nil else {
            throw .notHTTP(baseURL)
        }
        self.baseURL = trimmed
    }

    /// The realtime socket for `model`: an `http://` base means `ws://`.
    public func realtimeURL(model: String) -> String {
        var url = baseURL
        if url.lowercased().hasPrefix("https://") { url = "wss://" + url.dropFirst(8) }
        else if url.lowercased().hasPrefix("http://") { url = "ws://" + url.dropFirst(7) }
        let escaped = model.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? model
        return url + "/realtime?model=" + escaped
    }

    /// The handshake's headers. No `OpenAI-Beta`: that header selects the old beta events.
    public func headers(apiKey: String) -> [String: String] {
        ["Authorization": "Bearer \(apiKey)"]
    }
}
