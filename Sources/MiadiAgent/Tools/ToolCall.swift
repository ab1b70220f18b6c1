/// A tool call from the model. Arguments are a JSON object as text: Gemini's object and
/// OpenAI's string both normalise to this.
public struct ToolCall: Sendable, Equatable, Codable {
    public let id: String
    public let name: String
    public let argumentsJSON: String

    public init(id: String, name: String, argumentsJSON: String) {
        self.id = id
        self.name = name
        self.argumentsJSON = argumentsJSON
    }
}

/// The answer to a tool call, as JSON text; errors are plain sentences the model can say.
public struct ToolResult: Sendable, Equatable, Codable {
    public let callID: String
    public let name: String
    public let outputJSON: String
    public let isError: Bool

    public init(callID: String, name: String, outputJSON: String, isError: Bool = false) {
        self.callID = callID
        self.name = name
        self.outputJSON = outputJSON
        self.isError = isError
    }
}
