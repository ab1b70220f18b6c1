/// What a Gemini Live session is set up with (the `setup` message of BidiGenerateContent).
public struct GeminiLiveConfiguration: Sendable, Equatable {
    /// `gemini-3.8-live`, `gemini-2.5-flash-native-audio-preview-12-2025`, …: sent as `models/<model>`.
    public var model: String
    /// A prebuilt voice: `Puck`, `Kore`, `Charon`, `Aoede`, …
    public var voice: String
    /// The system prompt, rendered for the clinic and the day.
    public var instructions: String
    /// BCP-47 speech language (`en-US`, `sw-KE`, `fr-FR`); nil: the model chooses.
    public var languageCode: String?
    /// Ask the model to greet as soon as the session is set up.
    public var greetFirst: Bool
    /// What the model is told to make it greet (Gemini speaks only when there is a turn to answer).
    public var greetingCue: String
    /// `realtimeInputConfig.activityHandling`: `START_OF_ACTIVITY_INTERRUPTS` when the model
    /// stops itself on the caller's speech; `NO_INTERRUPTION` when the bridge pauses and decides
    /// (`pause_resume`). Gemini has no call to cancel a response: on a barge-in the bridge
    /// drops the rest of the turn's audio itself.
    public var interruptsOnActivity = true

    /// Caller audio goes in at 16 kHz; the model speaks at 24 kHz.
    public static let inputSampleRate = 16_000
    public static let outputSampleRate = 24_000

    public init(model: String = "gemini-3.8-live", voice: String = "Puck", instructions: String, languageCode: String? = nil, greetFirst: Bool = true,
                greetingCue: String = "(The caller has just been connected. Greet them as the receptionist, in one short sentence.)") {
        self.model = model
        self.voice = voice
        self.instructions = instructions
        self.languageCode = languageCode
        self.greetFirst = greetFirst
        self.greetingCue = greetingCue
    }
}
