import Foundation

/// A tool call's JSON arguments, read with errors a model can act on.
struct ToolArguments: Sendable, Equatable {
    let values: [String: String]

    init(values: [String: String]) { self.values = values }

    init(json: String) throws(ToolFailure) {
        let text = json.trimmingCharacters(in: .whitespaces).isEmpty ? "{}" : json
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ToolFailure.say("The arguments must be a JSON object.")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            if let s = value as? String { values[key] = s } else if let n = value as? NSNumber { values[key] = n.stringValue }
        }
        self.values = values
    }

    func string(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
    func required(_ key: String) throws(ToolFailure) -> String {
        guard let value = string(key) else { throw ToolFailure.say("The argument \(key) is missing.") }
        return value
    }
}

/// A refusal the model can say, with the engine's code for the trace when the engine refused.
enum ToolFailure: Error, Equatable {
    case say(String, code: String? = nil)

    var sentence: String { if case .say(let s, _) = self { return s }; return "" }
    var code: String? { if case .say(_, let code) = self { return code }; return nil }
}

/// The answer to one tool call, as the model gets it and as the trace records it.
enum ToolReply {
    /// The model's `ToolResult` and the `tool.result` trace event for a success or a refusal.
    static func make(_ call: ToolCall, _ result: Result<ToolOutput, ToolFailure>) -> (ToolResult, AgentEvent) {
        let output: ToolOutput
        var errorCode: String?
        switch result {
        case .success(let made):
            output = made
        case .failure(let failure):
            // Another caller's appointment is, to the model, one that does not exist: the
            // sentence says nothing more, and neither may the code (the trace keeps the truth).
            output = .refused(sentence: failure.sentence, code: failure.code.map { $0 == "not_your_appointment" ? "no_such_appointment" : $0 })
            errorCode = failure.code
        }
        let toolResult = ToolResult(callID: call.id, name: call.name, output: output)
        return (toolResult, .toolResult(id: call.id, name: call.name, output: toolResult.outputJSON, isError: toolResult.isError, errorCode: errorCode))
    }
}
