/// One utterance in `Corpora/manifest.json`: its transcript, who speaks it and where its audio is.
public struct CorpusEntry: Sendable, Codable, Equatable {
    /// How the audio came to be.
    public enum Source: String, Sendable, Codable {
        /// Rendered by `miadi corpus build` with espeak-ng.
        case espeakNG = "espeak-ng"
        /// A real recording a user dropped in, with its transcript.
        case recording
    }

    /// `CorpusRequest.id` of (text, language, voice).
    public var id: String
    public var text: String
    public var language: String
    public var voice: String
    /// Path relative to the corpus folder (`en/3f2a….flac`).
    public var file: String
    public var source: Source
    /// Sample rate of the stored file, in Hz.
    public var sampleRate: Int
    public var durationMs: Int
    /// SHA-256 (hex) of the samples as 16-bit little-endian PCM: proves determinism and catches
    /// a file changed behind the manifest's back.
    public var samplesSHA256: String

    enum CodingKeys: String, CodingKey {
        case id, text, language, voice, file, source
        case sampleRate = "sample_rate"
        case durationMs = "duration_ms"
        case samplesSHA256 = "samples_sha256"
    }

    public init(id: String, text: String, language: String, voice: String, file: String, source: Source, sampleRate: Int, durationMs: Int, samplesSHA256: String) {
        self.id = id
        self.text = text
        self.language = language
        self.voice = voice
        self.file = file
        self.source = source
        self.sampleRate = sampleRate
        self.durationMs = durationMs
        self.samplesSHA256 = samplesSHA256
    }
}
