import MiadiAgent
import MiadiAudio
import MiadiProviders

/// The OpenAI Realtime protocol (GA) for one call, with no I/O: the bridge's `ProviderInput`s
/// become client events, server events become `ProviderEvent`s. The socket is the shell's
/// (`OpenAIRealtimeClient`); this type is driven from tests message by message.
///
/// What it keeps is what the protocol needs: the response in progress (to cancel it on a
/// barge-in), the assistant item whose audio the caller was hearing and how much of it was
/// generated (a truncation names that item and may not pass its end), the tool calls still
/// unanswered (one `response.create` once all of a response's calls are answered).
public struct OpenAIRealtimeProtocol: Sendable {
    public let configuration: OpenAIRealtimeConfiguration
    /// Set once `session.updated` confirmed the setup.
    public private(set) var isSetUp = false
    private var activeResponseID: String?
    private var audioItem: (id: String, generatedMs: Int)?
    private var audioSamples = 0
    private var unanswered: [String] = []
    private var answered = 0
    private var nextEventNumber = 1

    /// Error codes that are races of the protocol, not failures: a `response.create` while the
    /// service already started one (it does after a function output), a `response.cancel`
    /// after the response ended.
    public static let benignErrorCodes: Set<String> = ["conversation_already_has_active_response", "response_cancel_not_active"]

    /// Error codes after which the session cannot serve the call: limits and quotas, a key or
    /// session that lapsed. The call is handed to a person rather than left waiting.
    public static let fatalErrorCodes: Set<String> = ["rate_limit_exceeded", "insufficient_quota", "session_expired", "invalid_api_key", "model_not_found"]

    public init(configuration: OpenAIRealtimeConfiguration) {
        self.configuration = configuration
    }

    // MARK: Client events

    /// The first messages: the session's setup, then (to greet) a response.
    public mutating func opening(tools: [AgentTool] = AgentTool.allCases) -> [JSONValue] {
        var input: [String: JSONValue] = [
            "format": ["type": "audio/pcm", "rate": .int(OpenAIRealtimeConfiguration.sampleRate)],
            "turn_detection": turnDetection,
        ]
        if let model = configuration.transcriptionModel {
            var transcription: [String: JSONValue] = ["model": .string(model)]
            if let language = configuration.language { transcription["language"] = .string(language) }
            input["transcription"] = .object(transcription)
        }
        let session: [String: JSONValue] = [
            "type": "realtime",
            "model": .string(configuration.model),
            "output_modalities": ["audio"],
            "instructions": .string(configuration.instructions),
            "audio": .object([
                "input": .object(input),
                "output": ["format": ["type": "audio/pcm", "rate": .int(OpenAIRealtimeConfiguration.sampleRate)], "voice": .string(configuration.voice)],
            ]),
            "tools": .array(tools.map(Self.definition)),
            "tool_choice": "auto",
        ]
        var out = [event("session.update", ["session": .object(session)])]
        if configuration.greetFirst { out.append(event("response.create", [:])) }
        return out
    }

    /// What to send for one input from the bridge.
    public mutating func send(_ input: ProviderInput) -> [JSONValue] {
        switch input {
        case .audio(let buffer):
            precondition(buffer.sampleRate == OpenAIRealtimeConfiguration.sampleRate, "OpenAI Realtime takes 24 kHz PCM")
            return [event("input_audio_buffer.append", ["audio": .string(buffer.base64)])]
        case .toolResult(let result):
            var out = [event("conversation.item.create", ["item": ["type": "function_call_output", "call_id": .string(result.callID), "output": .string(result.outputJSON)]])]
            unanswered.removeAll { $0 == result.callID }
            // The model goes on once every call of its response has its answer.
            if unanswered.isEmpty { out.append(event("response.create", [:])) }
            return out
        case .heardUpTo(let ms):
            var out: [JSONValue] = []
            if activeResponseID != nil { out.append(event("response.cancel", [:])) }
            if let item = audioItem {
                // What the caller heard of the item, never past what was generated of it.
                out.append(event("conversation.item.truncate", ["item_id": .string(item.id), "content_index": 0, "audio_end_ms": .int(min(max(0, ms), item.generatedMs))]))
                audioItem = nil
            }
            return out
        case .endOfCall:
            return []
        }
    }

    // MARK: Server events

    /// What one server event means for the call. Unknown types are ignored, as the service
    /// adds events over time.
    public mutating func receive(_ message: JSONValue) -> [ProviderEvent] {
        guard let type = message["type"]?.string else {
            return [.failed(message: "openai-realtime: a server message with no type", fatal: false)]
        }
        switch type {
        case "session.updated":
            isSetUp = true
            return []
        case "response.created":
            activeResponseID = message["response"]?["id"]?.string ?? "?"
            return []
        case "response.output_audio.delta":
            guard let delta = message["delta"]?.string, let audio = PCMBuffer(base64: delta, sampleRate: OpenAIRealtimeConfiguration.sampleRate) else {
                return [.failed(message: "openai-realtime: an audio delta that is not base64 PCM", fatal: false)]
            }
            let item = message["item_id"]?.string ?? "?"
            if audioItem?.id != item { audioSamples = 0 }
            audioSamples += audio.frameCount
            audioItem = (item, audioSamples * 1000 / OpenAIRealtimeConfiguration.sampleRate)
            return [.audio(audio)]
        case "response.output_audio_transcript.delta":
            return [.outputTranscript(message["delta"]?.string ?? "", final: false)]
        case "response.output_audio_transcript.done":
            return [.outputTranscript(message["transcript"]?.string ?? "", final: true)]
        case "response.function_call_arguments.done":
            guard let callID = message["call_id"]?.string, let name = message["name"]?.string else {
                return [.failed(message: "openai-realtime: a function call with no call_id or name", fatal: false)]
            }
            unanswered.append(callID)
            return [.toolCall(ToolCall(id: callID, name: name, argumentsJSON: message["arguments"]?.string ?? "{}"))]
        case "conversation.item.input_audio_transcription.completed":
            let text = message["transcript"]?.string ?? ""
            return text.isEmpty ? [] : [.inputTranscript(text)]
        case "input_audio_buffer.speech_started":
            // The service's VAD heard the caller: the bridge stops the agent if it is audible.
            return [.interrupted]
        case "response.done":
            activeResponseID = nil
            var out: [ProviderEvent] = []
            if let usage = message["response"]?["usage"] { out.append(.usage(Self.usage(usage))) }
            if message["response"]?["status"]?.string == "failed" {
                let error = message["response"]?["status_details"]?["error"]
                out.append(.failed(message: "openai-realtime: the response failed: \(error?["code"]?.string ?? error?["type"]?.string ?? "no reason given")", fatal: false))
            }
            out.append(.turnDone)
            return out
        case "error":
            let error = message["error"]
            let code = error?["code"]?.string ?? error?["type"]?.string ?? "error"
            if Self.benignErrorCodes.contains(code) { return [] }
            // An error before the session is set up leaves a session that cannot serve the call.
            return [.failed(message: "openai-realtime: \(code): \(error?["message"]?.string ?? "")", fatal: !isSetUp || Self.fatalErrorCodes.contains(code))]
        default:
            return []
        }
    }

    // MARK: Inside

    private var turnDetection: JSONValue {
        switch configuration.turnDetection {
        case .serverVAD(let threshold, let prefix, let silence):
            return ["type": "server_vad", "threshold": .double(threshold), "prefix_padding_ms": .int(prefix), "silence_duration_ms": .int(silence),
                    "create_response": true, "interrupt_response": .bool(configuration.interruptResponse)]
        case .semanticVAD(let eagerness):
            return ["type": "semantic_vad", "eagerness": .string(eagerness), "create_response": true, "interrupt_response": .bool(configuration.interruptResponse)]
        }
    }

    /// Client events carry an `event_id` (the service echoes it in errors): numbered per call.
    private mutating func event(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        var object = fields
        object["type"] = .string(type)
        object["event_id"] = .string("miadi_\(nextEventNumber)")
        nextEventNumber += 1
        return .object(object)
    }

    static func definition(_ tool: AgentTool) -> JSONValue {
        ["type": "function", "name": .string(tool.rawValue), "description": .string(tool.description),
         "parameters": JSONValue.parse(tool.parametersSchema) ?? ["type": "object"]]
    }

    /// `response.done`'s usage in the provider's units.
    static func usage(_ value: JSONValue) -> ProviderUsage {
        var usage = ProviderUsage()
        let input = value["input_token_details"]
        let output = value["output_token_details"]
        usage.inputAudioTokens = input?["audio_tokens"]?.int ?? 0
        usage.inputTextTokens = input?["text_tokens"]?.int ?? 0
        usage.cachedInputTokens = input?["cached_tokens"]?.int ?? 0
        usage.outputAudioTokens = output?["audio_tokens"]?.int ?? 0
        usage.outputTextTokens = output?["text_tokens"]?.int ?? 0
        return usage
    }
}
