/// An OpenAI-compatible cascade for self-hosted stacks (a whisper server, vLLM or any chat
/// server with tools, a local TTS): speech to text, a streamed chat completion with tools,
/// text to speech, with turns taken by Miadi's own VAD.
public struct CascadeConfiguration: Sendable, Equatable {
    /// `…/v1/audio/transcriptions`, `…/v1/chat/completions`, `…/v1/audio/speech`.
    public var transcriptionsURL: String
    public var chatURL: String
    public var speechURL: String
    /// Sent as `Authorization: Bearer` when set (many self-hosted servers want none).
    public var apiKey: String?
    public var sttModel: String
    public var chatModel: String
    public var ttsModel: String
    public var voice: String
    public var instructions: String
    /// ISO 639-1, a hint for transcription.
    public var language: String?
    /// Silence that ends the caller's turn, ms.
    public var turnEndSilenceMs: Int
    public var greetFirst: Bool
    public var greetingCue: String

    /// The VAD listens at 16 kHz; speech comes back at 24 kHz (OpenAI's `pcm` format).
    public static let inputSampleRate = 16_000
    public static let outputSampleRate = 24_000

    /// All three endpoints under one OpenAI-style base (`http://host:8000/v1`).
    public init(baseURL: String, apiKey: String? = nil, sttModel: String = "whisper-1", chatModel: String = "gpt-4o-mini", ttsModel: String = "tts-1",
                voice: String = "alloy", instructions: String, language: String? = nil, turnEndSilenceMs: Int = 600, greetFirst: Bool = true,
                greetingCue: String = "(The caller has just been connected. Greet them as the receptionist, in one short sentence.)") {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        transcriptionsURL = base + "/audio/transcriptions"
        chatURL = base + "/chat/completions"
        speechURL = base + "/audio/speech"
        self.apiKey = apiKey
        self.sttModel = sttModel
        self.chatModel = chatModel
        self.ttsModel = ttsModel
        self.voice = voice
        self.instructions = instructions
        self.language = language
        self.turnEndSilenceMs = turnEndSilenceMs
        self.greetFirst = greetFirst
        self.greetingCue = greetingCue
    }
}
