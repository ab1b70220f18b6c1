import Crypto
import Foundation

/// One caller line a scenario needs as audio: what is said, in which language, by which voice.
///
/// The corpus is keyed by exactly these three facts (never by scenario), so two scenarios that
/// share a line share its audio, and editing a line's text makes a new entry.
public struct CorpusRequest: Sendable, Hashable, Comparable, Codable {
    public let text: String
    public let language: String
    /// An espeak-ng voice (`en-us+f3`), or `recording` for a user's own audio.
    public let voice: String
    /// Where the line was asked for (`Scenarios/en/book.yaml:14`), for messages.
    public let origin: String?

    public init(text: String, language: String, voice: String, origin: String? = nil) {
        self.text = CorpusRequest.normalise(text)
        self.language = language
        self.voice = voice
        self.origin = origin
    }

    /// Whitespace-normalised text, so that YAML folding does not create new entries.
    public static func normalise(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The stable id: the first 16 hex digits of SHA-256 over language, voice and text.
    public var id: String { CorpusRequest.id(text: text, language: language, voice: voice) }

    public static func id(text: String, language: String, voice: String) -> String {
        let digest = SHA256.hash(data: Data("\(language)\n\(voice)\n\(normalise(text))".utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public static func == (a: CorpusRequest, b: CorpusRequest) -> Bool {
        a.text == b.text && a.language == b.language && a.voice == b.voice
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text); hasher.combine(language); hasher.combine(voice)
    }

    public static func < (a: CorpusRequest, b: CorpusRequest) -> Bool {
        (a.language, a.voice, a.text) < (b.language, b.voice, b.text)
    }
}
