/// What an OpenAI Realtime session is set up with (`session.update`, GA interface).
public struct OpenAIRealtimeConfiguration: Sendable, Equatable {
    /// `gpt-realtime`, `gpt-realtime-mini`, …: sent in the socket's URL and the session.
    public var model: String
    /// `marin`, `cedar`, `alloy`, …
    public var voice: String
    /// The system prompt, rendered for the clinic and the day.
    public var instructions: String
    public var turnDetection: TurnDetection
    /// The model that transcribes the caller (what the trace's `transcript.in` and the
    /// confirmation guard read); nil turns transcription off.
    public var transcriptionModel: String?
    /// The caller's language as ISO 639-1 (`en`, `sw`, `fr`), a hint for transcription.
    public var language: String?
    /// Ask for a response as soon as the session is set up, so the agent greets the caller.
    public var greetFirst: Bool
    /// `turn_detection.interrupt_response`: whether the service cancels its own response when
    /// it hears the caller. Off when the bridge pauses and decides (`pause_resume`): the model
    /// is told to cancel (`response.cancel`, `conversation.item.truncate`) only once the
    /// decision is a barge-in.
    public var interruptResponse = true

    /// How the service decides the caller finished a turn.
    public enum TurnDetection: Sendable, Equatable {
        /// Silence-based: a turn ends after `silenceDurationMs` of quiet.
        case serverVAD(threshold: Double, prefixPaddingMs: Int, silenceDurationMs: Int)
        /// The model judges whether the caller is done; `eagerness`: low, medium, high or auto.
        case semanticVAD(eagerness: String)
    }

    /// Audio both ways is PCM16 at 24 kHz: the only rate the GA interface takes for `audio/pcm`.
    public static let sampleRate = 24_000

    public init(model: String = "gpt-realtime", voice: String = "marin", instructions: String,
                turnDetection: TurnDetection = .serverVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500),
                transcriptionModel: String? = "gpt-4o-mini-transcribe", language: String? = nil, greetFirst: Bool = true) {
        self.model = model
        self.voice = voice
        self.instructions = instructions
        self.turnDetection = turnDetection
        self.transcriptionModel = transcriptionModel
        self.language = language
        self.greetFirst = greetFirst
    }
}
