import MiadiAgent
import MiadiLanguage

/// The mock's mind without ears or voice — text in, words and tool calls out: a chat model's
/// shape. The local OpenAI-compatible chat service (the cascade's stand-in) answers with it.
public struct MockTextModel: Sendable {
    /// What the model does next: say words, or call a tool.
    public enum Turn: Sendable, Equatable {
        case say(String)
        case tool(name: String, argumentsJSON: String)
    }

    private var policy: MockPolicy

    public init(brief: MockBrief) {
        policy = MockPolicy(brief: brief)
    }

    /// The language it is speaking now.
    public var language: LanguageCode { policy.language }

    public mutating func greet() -> [Turn] { Self.turns(policy.greet()) }

    /// What the caller said (nil: not understood), in `language` when known.
    public mutating func heard(_ text: String?, language: LanguageCode?) -> [Turn] {
        Self.turns(policy.heard(text, language: language))
    }

    /// A tool's answer, as the JSON a model is given.
    public mutating func toolResult(name: String, outputJSON: String) -> [Turn] {
        Self.turns(policy.toolResult(tool: AgentTool(rawValue: name), output: ToolOutput(json: outputJSON)))
    }

    static func turns(_ steps: [MockPolicy.Step]) -> [Turn] {
        steps.map { step in
            switch step {
            case .say(let text): return .say(text)
            case .tool(let invocation): return .tool(name: invocation.tool.rawValue, argumentsJSON: invocation.argumentsJSON)
            }
        }
    }
}
