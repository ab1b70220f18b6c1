import Foundation

/// Where a Gemini Live session is opened, from a base URL as the official SDK takes it
/// (`GEMINI_BASE_URL`, default `https://generativelanguage.googleapis.com`): the socket is
/// that host with a `ws`/`wss` scheme and the BidiGenerateContent path; the key goes in
/// `x-goog-api-key`.
public struct GeminiEndpoint: Sendable, Equatable {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com"
    public static let path = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    public let baseURL: String

    public init(baseURL: String = GeminiEndpoint.defaultBaseURL) throws(OpenAIEndpoint.Failure) {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https", "ws", "wss"].contains(scheme), url.host != nil else {
            throw .notHTTP(baseURL)
        }
        self.baseURL = trimmed
    }

    public var socketURL: String {
        var url = baseURL
        if url.lowercased().hasPrefix("https://") { url = "wss://" + url.dropFirst(8) }
        else if url.lowercased().hasPrefix("http://") { url = "ws://" + url.dropFirst(7) }
        return url + Self.path
    }

    public func headers(apiKey: String) -> [String: String] {
        ["x-goog-api-key": apiKey]
    }
}
