/// A live provider's model as `serve.yaml` names it (`model: {name, voice, prompt}`).
public struct LiveModelSettings: Sendable, Equatable {
    /// The provider's model id; nil: the provider's default (`gpt-realtime` for OpenAI).
    public var name: String?
    /// The voice; nil: the provider's default (`marin` for OpenAI).
    public var voice: String?
    /// The system prompt's template (`Prompts/system.md`).
    public var promptFile = "Prompts/system.md"
    /// A model silent this long after the caller's turn is taken as lost, ms.
    public var answerLimitMs = 10_000

    public init() {}
}
