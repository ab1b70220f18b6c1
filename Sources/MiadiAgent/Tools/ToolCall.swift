/// A tool call from the model. Arguments are a JSON object as text: Gemini's object and
/// OpenAI's string both normalise to this.
public struct ToolCall: Sendable, Equatable, Codable {
    public let id: String
    public let name: String
    public let argumentsJSON: String
    /// The arguments already typed, when the model made them so (an in-process model); a
    /// network model's call has only its JSON, read once by the agent.
    public let invocation: ToolInvocation?

    public init(id: String, name: String, argumentsJSON: String) {
        self.init(id: id, name: name, argumentsJSON: argumentsJSON, invocation: nil)
    }

    init(id: String, name: String, argumentsJSON: String, invocation: ToolInvocation?) {
        self.id = id
        self.name = name
        self.argumentsJSON = argumentsJSON
        self.invocation = invocation
    }

    enum CodingKeys: String, CodingKey { case id, name, argumentsJSON }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name), argumentsJSON: try c.decode(String.self, forKey: .argumentsJSON))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(argumentsJSON, forKey: .argumentsJSON)
    }
}

/// The answer to a tool call, as JSON text; errors are plain sentences the model can say.
public struct ToolResult: Sendable, Equatable {
    public let callID: String
    public let name: String
    public let outputJSON: String
    public let isError: Bool
    /// The result typed, when the agent made it (an in-process model reads this, not the JSON).
    public let output: ToolOutput?

    public init(callID: String, name: String, outputJSON: String, isError: Bool = false) {
        self.init(callID: callID, name: name, outputJSON: outputJSON, isError: isError, output: nil)
    }

    init(callID: String, name: String, outputJSON: String, isError: Bool, output: ToolOutput?) {
        self.callID = callID
        self.name = name
        self.outputJSON = outputJSON
        self.isError = isError
        self.output = output
    }
}
