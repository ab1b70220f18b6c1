import Foundation
import MiadiAgent
import MiadiAudio
import MiadiLive
import MiadiProviders

/// One session of the OpenAI Realtime protocol (GA), the service's side, with no I/O: it
/// checks what a client sends the way the service does and answers message for message, with
/// an in-process model (the mock) as its brain. Tests run `miadi`'s client against it over a
/// real socket (`FakeRealtimeServer`).
///
/// Checked as the service checks: `session.type` is required; audio is base64 PCM16 at 24 kHz;
/// a function output names a call the model made; a truncation names an assistant audio item
/// and stays within the audio generated for it; one response at a time
/// (`conversation_already_has_active_response`); a cancel with nothing active
/// (`response_cancel_not_active`). The model speaks first only when asked (`response.create`),
/// and after a function call only once the client asks again.
public struct FakeRealtimeSession: Sendable {
    /// What the service received and did, for tests to check.
    public struct Record: Sendable, Equatable {
        /// Every client event, as received.
        public var received: [JSONValue] = []
        /// The `audio_end_ms` of each truncation accepted.
        public var truncations: [Int] = []
        /// Error codes sent back.
        public var errors: [String] = []
    }

    public private(set) var record = Record()
    /// Makes the brain from the session's instructions (the mock needs the clinic and the day
    /// the prompt names).
    /// `interruptsItself`: what the session asked of turn detection (`interrupt_response`,
    /// Gemini's `activityHandling`), which the brain obeys as the service would.
    public typealias Brain = @Sendable (_ instructions: String, _ interruptsItself: Bool) -> any ProviderMachine
    private let makeBrain: Brain
    private var brain: any ProviderMachine
    private var configured = false
    private var startedAtMs: Int?
    private var awaitingResponseCreate = true
    private var held: [ProviderEvent] = []
    private var response: (id: String, usage: ProviderUsage, closing: Bool)?
    private var message: (id: String, transcript: String, generatedMs: Int)?
    private var audioItems: [String: Int] = [:]
    private var calls: [String: String] = [:]
    private var serial = 0
    private var appendedSamples = 0
    private var vad = VoiceActivityDetector(sampleRate: OpenAIRealtimeConfiguration.sampleRate)
    private var toBrain: Resampler

    public init(brain: @escaping Brain) {
        makeBrain = brain
        self.brain = brain("", true)
        toBrain = Resampler(from: OpenAIRealtimeConfiguration.sampleRate, to: self.brain.inputSampleRate, quality: .telephone)
    }

    /// What the service sends as the socket opens.
    public mutating func opened() -> [JSONValue] {
        [event("session.created", ["session": defaultSession])]
    }

    /// One client message (text) at session time `nowMs`.
    public mutating func received(_ text: String, nowMs: Int) -> [JSONValue] {
        guard let message = JSONValue.parse(text), case .object = message else {
            return [error("invalid_json", "The server could not parse the message as JSON.", eventID: nil)]
        }
        record.received.append(message)
        let eventID = message["event_id"]?.string
        guard let type = message["type"]?.string else { return [error("missing_required_parameter", "Missing required parameter: 'type'.", eventID: eventID)] }
        switch type {
        case "session.update":
            return sessionUpdate(message, eventID: eventID)
        case "input_audio_buffer.append":
            guard configured else { return [error("session_not_configured", "session.update must come first in this test service.", eventID: eventID)] }
            guard let text = message["audio"]?.string, let audio = PCMBuffer(base64: text, sampleRate: OpenAIRealtimeConfiguration.sampleRate) else {
                return [error("invalid_value", "Invalid 'audio': expected base64-encoded PCM16.", eventID: eventID)]
            }
            return hear(audio, nowMs: nowMs)
        case "conversation.item.create":
            return itemCreate(message, nowMs: nowMs, eventID: eventID)
        case "response.create":
            if response != nil {
                return [error("conversation_already_has_active_response", "Conversation already has an active response in progress: \(response!.id). Wait until the response is finished before creating a new one.", eventID: eventID)]
            }
            awaitingResponseCreate = false
            if startedAtMs == nil { startedAtMs = nowMs }
            let released = held
            held = []
            return say(released, nowMs: nowMs)
        case "response.cancel":
            guard response != nil else { return [error("response_cancel_not_active", "Cancellation failed: no active response found.", eventID: eventID)] }
            return cancel(reason: "client_cancelled")
        case "conversation.item.truncate":
            guard let item = message["item_id"]?.string, let generated = audioItems[item] else {
                return [error("invalid_value", "Invalid 'item_id': no assistant audio item with that id.", eventID: eventID)]
            }
            guard message["content_index"]?.int == 0, let end = message["audio_end_ms"]?.int, end >= 0 else {
                return [error("invalid_value", "Invalid 'content_index' or 'audio_end_ms'.", eventID: eventID)]
            }
            guard end <= generated else {
                return [error("invalid_value", "Audio content of \(generated)ms is already shorter than \(end)ms", eventID: eventID)]
            }
            record.truncations.append(end)
            _ = brain.receive(.heardUpTo(ms: end), nowMs: brainTime(nowMs))
            return [event("conversation.item.truncated", ["item_id": .string(item), "content_index": 0, "audio_end_ms": .int(end)])]
        case "input_audio_buffer.commit", "input_audio_buffer.clear", "conversation.item.delete", "conversation.item.retrieve":
            return []
        default:
            return [error("invalid_value", "Invalid value: '\(type)'. Supported values are: 'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', 'response.create', and 'response.cancel'.", eventID: eventID)]
        }
    }

    /// Time passes: what the model says by `nowMs`.
    public mutating func tick(nowMs: Int) -> [JSONValue] {
        guard let start = startedAtMs else { return [] }
        return say(brain.tick(nowMs: nowMs - start), nowMs: nowMs)
    }

    // MARK: Client events

    private mutating func sessionUpdate(_ message: JSONValue, eventID: String?) -> [JSONValue] {
        guard let session = message["session"], case .object = session else {
            return [error("missing_required_parameter", "Missing required parameter: 'session'.", eventID: eventID, param: "session")]
        }
        guard session["type"]?.string == "realtime" else {
            return [error("missing_required_parameter", "Missing required parameter: 'session.type'.", eventID: eventID, param: "session.type")]
        }
        for side in ["input", "output"] {
            if let format = session["audio"]?[side]?["format"], !(format["type"]?.string == "audio/pcm" && format["rate"]?.int == 24_000) {
                return [error("invalid_value", "Invalid 'session.audio.\(side).format': this test service takes audio/pcm at 24000 Hz.", eventID: eventID, param: "session.audio.\(side).format")]
            }
        }
        for (index, tool) in (session["tools"]?.array ?? []).enumerated() {
            guard tool["type"]?.string == "function", tool["name"]?.string != nil, case .object = tool["parameters"] ?? .null else {
                return [error("invalid_value", "Invalid 'session.tools[\(index)]': a function needs a type, a name and parameters.", eventID: eventID, param: "session.tools[\(index)]")]
            }
        }
        if let modalities = session["output_modalities"]?.array, modalities != ["audio"] && modalities != ["text"] {
            return [error("invalid_value", "Invalid 'session.output_modalities': audio or text, not both.", eventID: eventID, param: "session.output_modalities")]
        }
        if !configured, let instructions = session["instructions"]?.string {
            let interrupts = session["audio"]?["input"]?["turn_detection"]?["interrupt_response"]?.bool ?? true
            brain = makeBrain(instructions, interrupts)
            toBrain = Resampler(from: OpenAIRealtimeConfiguration.sampleRate, to: brain.inputSampleRate, quality: .telephone)
        }
        configured = true
        var merged = defaultSession.object ?? [:]
        for (key, value) in session.object ?? [:] { merged[key] = value }
        return [event("session.updated", ["session": .object(merged)])]
    }

    private mutating func itemCreate(_ message: JSONValue, nowMs: Int, eventID: String?) -> [JSONValue] {
        guard let item = message["item"], item["type"]?.string == "function_call_output" else {
            return [error("invalid_value", "This test service takes function_call_output items only.", eventID: eventID, param: "item.type")]
        }
        guard let callID = item["call_id"]?.string, let name = calls.removeValue(forKey: callID) else {
            return [error("invalid_value", "Invalid 'item.call_id': no function call with that id is waiting for output.", eventID: eventID, param: "item.call_id")]
        }
        guard let output = item["output"]?.string else {
            return [error("invalid_type", "Invalid type for 'item.output': expected a string.", eventID: eventID, param: "item.output")]
        }
        let id = nextID("item")
        let said = brain.receive(.toolResult(ToolResult(callID: callID, name: name, readingJSON: output)), nowMs: brainTime(nowMs))
        var out = [event("conversation.item.added", ["item": ["id": .string(id), "type": "function_call_output", "call_id": .string(callID), "output": .string(output)]]),
                   event("conversation.item.done", ["item": ["id": .string(id), "type": "function_call_output", "call_id": .string(callID), "output": .string(output)]])]
        out += say(said, nowMs: nowMs)
        return out
    }

    /// Caller audio: the service's VAD marks speech; the brain hears it at its own rate.
    private mutating func hear(_ audio: PCMBuffer, nowMs: Int) -> [JSONValue] {
        var out: [JSONValue] = []
        for vadEvent in vad.process(audio) {
            switch vadEvent {
            case .speechStarted(let atMs):
                out.append(event("input_audio_buffer.speech_started", ["audio_start_ms": .int(atMs), "item_id": .string(nextID("item"))]))
            case .speechEnded(let atMs):
                out.append(event("input_audio_buffer.speech_stopped", ["audio_end_ms": .int(atMs)]))
            }
        }
        appendedSamples += audio.frameCount
        let forBrain = PCMBuffer(samples: PCMBuffer.quantize(toBrain.process(audio.floatSamples())), sampleRate: brain.inputSampleRate)
        out += say(brain.receive(.audio(forBrain), nowMs: brainTime(nowMs)), nowMs: nowMs)
        return out
    }

    // MARK: The model's side

    /// The brain's events as server events. Speech waits while the client owes a
    /// `response.create` (at the start, and after a function call).
    private mutating func say(_ events: [ProviderEvent], nowMs: Int) -> [JSONValue] {
        var out: [JSONValue] = []
        for said in events {
            if awaitingResponseCreate && response == nil {
                switch said {
                case .audio, .outputTranscript, .toolCall, .turnDone, .usage:
                    held.append(said)
                    continue
                default: break
                }
            }
            switch said {
            case .outputTranscript(let text, _):
                out += openMessage()
                message?.transcript = text
                out.append(event("response.output_audio_transcript.delta", ids(["delta": .string(text)])))
            case .audio(let audio):
                out += openMessage()
                guard let current = message else { continue }
                let ms = current.generatedMs + audio.durationMs
                message?.generatedMs = ms
                audioItems[current.id] = ms
                out.append(event("response.output_audio.delta", ids(["delta": .string(Data(audio.littleEndianBytes).base64EncodedString())])))
            case .turnDone:
                response?.closing = true
            case .usage(let usage):
                if response != nil { response!.usage = response!.usage + usage }
            case .toolCall(let call):
                out += closeMessage()
                out += openResponse()
                let id = nextID("item")
                calls[call.id] = call.name
                out.append(event("response.output_item.added", ["response_id": .string(response!.id), "output_index": 0,
                                                                 "item": ["id": .string(id), "type": "function_call", "call_id": .string(call.id), "name": .string(call.name), "arguments": "", "status": "in_progress"]]))
                out.append(event("response.function_call_arguments.delta", ["response_id": .string(response!.id), "item_id": .string(id), "output_index": 0, "call_id": .string(call.id), "delta": .string(call.argumentsJSON)]))
                out.append(event("response.function_call_arguments.done", ["response_id": .string(response!.id), "item_id": .string(id), "output_index": 0, "call_id": .string(call.id), "name": .string(call.name), "arguments": .string(call.argumentsJSON)]))
                out.append(event("response.output_item.done", ["response_id": .string(response!.id), "output_index": 0,
                                                                "item": ["id": .string(id), "type": "function_call", "call_id": .string(call.id), "name": .string(call.name), "arguments": .string(call.argumentsJSON), "status": "completed"]]))
                response?.closing = true
                awaitingResponseCreate = true
            case .interrupted:
                if response != nil { out += cancel(reason: "turn_detected") }
            case .inputTranscript(let text):
                out.append(event("conversation.item.input_audio_transcription.completed", ["item_id": .string(nextID("item")), "content_index": 0, "transcript": .string(text)]))
            case .toolCallsCancelled:
                break
            case .failed(let text, _):
                out.append(error("server_error", text, eventID: nil))
            }
        }
        if response?.closing == true { out += finishResponse(status: "completed", reason: nil) }
        return out
    }

    private mutating func openResponse() -> [JSONValue] {
        guard response == nil else { return [] }
        let id = nextID("resp")
        response = (id, ProviderUsage(), false)
        return [event("response.created", ["response": ["id": .string(id), "object": "realtime.response", "status": "in_progress", "output": []]]),
                event("rate_limits.updated", ["rate_limits": [["name": "tokens", "limit": 40_000, "remaining": 39_000, "reset_seconds": 1.5]]])]
    }

    private mutating func openMessage() -> [JSONValue] {
        guard message == nil else { return [] }
        var out = openResponse()
        let id = nextID("item")
        message = (id, "", 0)
        out.append(event("response.output_item.added", ["response_id": .string(response!.id), "output_index": 0,
                                                        "item": ["id": .string(id), "type": "message", "role": "assistant", "status": "in_progress", "content": []]]))
        out.append(event("response.content_part.added", ids(["part": ["type": "audio", "transcript": ""]])))
        return out
    }

    private mutating func closeMessage() -> [JSONValue] {
        guard let current = message else { return [] }
        let out = [event("response.output_audio.done", ids([:])),
                   event("response.output_audio_transcript.done", ids(["transcript": .string(current.transcript)])),
                   event("response.content_part.done", ids(["part": ["type": "audio", "transcript": .string(current.transcript)]])),
                   event("response.output_item.done", ["response_id": .string(response?.id ?? ""), "output_index": 0,
                                                       "item": ["id": .string(current.id), "type": "message", "role": "assistant", "status": "completed"]])]
        message = nil
        return out
    }

    private mutating func finishResponse(status: String, reason: String?) -> [JSONValue] {
        var out = closeMessage()
        guard let current = response else { return out }
        let u = current.usage
        let input = u.inputAudioTokens + u.inputTextTokens
        let output = u.outputAudioTokens + u.outputTextTokens
        var body: [String: JSONValue] = [
            "id": .string(current.id), "object": "realtime.response", "status": .string(status), "output": [],
            "usage": ["total_tokens": .int(input + output), "input_tokens": .int(input), "output_tokens": .int(output),
                      "input_token_details": ["text_tokens": .int(u.inputTextTokens), "audio_tokens": .int(u.inputAudioTokens), "image_tokens": 0, "cached_tokens": .int(u.cachedInputTokens),
                                              "cached_tokens_details": ["text_tokens": .int(u.cachedInputTokens), "audio_tokens": 0, "image_tokens": 0]],
                      "output_token_details": ["text_tokens": .int(u.outputTextTokens), "audio_tokens": .int(u.outputAudioTokens)]],
        ]
        if let reason { body["status_details"] = ["type": .string(status), "reason": .string(reason)] }
        out.append(event("response.done", ["response": .object(body)]))
        response = nil
        return out
    }

    private mutating func cancel(reason: String) -> [JSONValue] {
        finishResponse(status: "cancelled", reason: reason)
    }

    // MARK: Inside

    private func brainTime(_ nowMs: Int) -> Int { nowMs - (startedAtMs ?? nowMs) }

    private func ids(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        var out = fields
        out["response_id"] = .string(response?.id ?? "")
        out["item_id"] = .string(message?.id ?? "")
        out["output_index"] = 0
        out["content_index"] = 0
        return out
    }

    private mutating func nextID(_ prefix: String) -> String {
        serial += 1
        return "\(prefix)_\(serial)"
    }

    private mutating func event(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        var object = fields
        object["type"] = .string(type)
        object["event_id"] = .string(nextID("event"))
        return .object(object)
    }

    private mutating func error(_ code: String, _ text: String, eventID: String?, param: String? = nil) -> JSONValue {
        record.errors.append(code)
        return event("error", ["error": ["type": "invalid_request_error", "code": .string(code), "message": .string(text), "param": .optional(param), "event_id": .optional(eventID)]])
    }

    private var defaultSession: JSONValue {
        ["type": "realtime", "object": "realtime.session", "id": "sess_fake", "model": "gpt-realtime", "output_modalities": ["audio"], "instructions": "",
         "audio": ["input": ["format": ["type": "audio/pcm", "rate": 24_000], "transcription": .null, "noise_reduction": .null,
                             "turn_detection": ["type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500, "create_response": true, "interrupt_response": true]],
                   "output": ["format": ["type": "audio/pcm", "rate": 24_000], "voice": "marin", "speed": 1.0]],
         "tools": [], "tool_choice": "auto", "max_output_tokens": "inf"]
    }
}
