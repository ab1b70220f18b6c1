import MiadiAudio

/// A recorded line the bridge can say by itself, without a model: the apology played when a
/// live model is lost, before the caller is handed to a person (`Audio/fallback/`).
public struct SpokenLine: Sendable, Equatable {
    public let text: String
    public let audio: PCMBuffer

    public init(text: String, audio: PCMBuffer) {
        self.text = text
        self.audio = audio
    }
}
