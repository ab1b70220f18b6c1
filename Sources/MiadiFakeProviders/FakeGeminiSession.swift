import Foundation
import MiadiAgent
import MiadiAudio
import MiadiLive
import MiadiProviders

/// One Gemini Live session (BidiGenerateContent), the service's side, with no I/O: it checks
/// what a client sends as the service does and answers message for message, with an
/// in-process model (the mock) as its brain; `FakeGeminiServer` runs it over a socket.
///
/// Checked as the service checks: the first message is `setup` (else close 1007), a model
/// named `models/…` (else 1008), audio responses only, functions with a name and parameters;
/// nothing but `setup` before `setupComplete`; one field per `realtimeInput`; audio as
/// `audio/pcm` with its rate, base64 in either alphabet; camelCase or snake_case keys; a
/// `toolResponse` that names a pending call by id (else 1008). Fatal errors are closes with a
/// code and a reason, as the real service reports them.
public struct FakeGeminiSession: Sendable {
    public enum Output: Sendable, Equatable {
        case message(JSONValue)
        case close(code: Int, reason: String)
    }

    /// What the service received and did, for tests.
    public struct Record: Sendable, Equatable {
        public var received: [JSONValue] = []
        /// Close reasons sent.
        public var closes: [String] = []
        /// Setups that resumed this session.
        public var resumptions = 0
    }

    public private(set) var record = Record()
    private let makeBrain: FakeRealtimeSession.Brain
    private let keyValid: Bool
    private var brain: (any ProviderMachine)?
    private var toBrain: Resampler?
    private var setUp = false
    private var startedAtMs: Int?
    private var pendingCalls: [String: String] = [:]
    private var turn: (usage: ProviderUsage, closing: Bool, interrupted: Bool)?
    /// The handle a client resumes this session with.
    public private(set) var handle: String?

    public init(brain: @escaping FakeRealtimeSession.Brain, keyValid: Bool) {
        makeBrain = brain
        self.keyValid = keyValid
    }

    /// A new socket resumes the session: it must send `setup` again.
    public mutating func reconnected() {
        setUp = false
    }

    public mutating func received(_ text: String, nowMs: Int) -> [Output] {
        guard let message = JSONValue.parse(text), let object = message.object else { return [fatal(1007, "Invalid JSON payload received.")] }
        record.received.append(message)
        guard object.count == 1, let key = object.keys.first else { return [fatal(1007, "Request contains an invalid argument.")] }
        let body = object[key]!
        switch Self.camel(key) {
        case "setup":
            return setup(body)
        case _ where !setUp:
            return [fatal(1007, "Request contains an invalid argument.")]
        case "realtimeInput":
            return realtimeInput(body, nowMs: nowMs)
        case "clientContent":
            if Self.field(body, "turnComplete")?.bool == true, startedAtMs == nil { startedAtMs = nowMs }
            return []
        case "toolResponse":
            var out: [Output] = []
            for response in Self.field(body, "functionResponses")?.array ?? [] {
                guard let id = response["id"]?.string, let name = pendingCalls.removeValue(forKey: id) else { return [fatal(1008, "Requested entity was not found.")] }
                let answer = response["response"] ?? [:]
                let t = brainTime(nowMs)
                let said = brain?.receive(.toolResult(ToolResult(callID: id, name: name, readingJSON: (answer["output"] ?? answer).jsonText)), nowMs: t) ?? []
                out += say(said)
            }
            return out
        default:
            return [fatal(1007, "Invalid JSON payload received. Unknown name \"\(key)\": Cannot find field.")]
        }
    }

    public mutating func tick(nowMs: Int) -> [Output] {
        guard setUp, let start = startedAtMs, brain != nil else { return [] }
        return say(brain!.tick(nowMs: nowMs - start))
    }

    // MARK: Client messages

    private mutating func setup(_ body: JSONValue) -> [Output] {
        guard keyValid else { return [fatal(1007, "API key not valid. Please pass a valid API key.")] }
        guard let model = body["model"]?.string, model.hasPrefix("models/"), model.count > 7 else { return [fatal(1008, "Requested entity was not found.")] }
        let config = Self.field(body, "generationConfig")
        if let modalities = Self.field(config ?? [:], "responseModalities")?.array, modalities != ["AUDIO"] {
            return [fatal(1007, "Request contains an invalid argument.")]
        }
        for tool in Self.field(body, "tools")?.array ?? [] {
            for declaration in Self.field(tool, "functionDeclarations")?.array ?? [] {
                guard declaration["name"]?.string != nil, Self.field(declaration, "parametersJsonSchema") ?? declaration["parameters"] != nil else {
                    return [fatal(1007, "Request contains an invalid argument.")]
                }
            }
        }
        var out: [Output] = []
        if brain == nil {
            let instructions = Self.field(body, "systemInstruction")?["parts"]?.array?.first?["text"]?.string ?? ""
            let handling = Self.field(body, "realtimeInputConfig")?["activityHandling"]?.string
            let made = makeBrain(instructions, handling != "NO_INTERRUPTION")
            brain = made
            toBrain = Resampler(from: GeminiLiveConfiguration.inputSampleRate, to: made.inputSampleRate, quality: .telephone)
        } else {
            record.resumptions += 1
        }
        setUp = true
        out.append(.message(["setupComplete": [:]]))
        if Self.field(body, "sessionResumption") != nil {
            handle = handle ?? "session-\(UUID().uuidString.prefix(8))"
            out.append(.message(["sessionResumptionUpdate": ["newHandle": .string(handle!), "resumable": true]]))
        }
        return out
    }

    private mutating func realtimeInput(_ body: JSONValue, nowMs: Int) -> [Output] {
        guard let fields = body.object, fields.count == 1, let key = fields.keys.first else { return [fatal(1007, "Request contains an invalid argument.")] }
        let blob: JSONValue?
        switch Self.camel(key) {
        case "audio": blob = fields[key]
        case "mediaChunks": blob = fields[key]?.array?.first
        case "audioStreamEnd", "text", "activityStart", "activityEnd": return []
        default: return [fatal(1007, "Request contains an invalid argument.")]
        }
        guard let blob, let mime = Self.field(blob, "mimeType")?.string, mime.hasPrefix("audio/pcm"),
              let data = blob["data"]?.string else { return [fatal(1007, "Request contains an invalid argument.")] }
        let rate = mime.range(of: "rate=").flatMap { Int(mime[$0.upperBound...].prefix { $0.isNumber }) } ?? 16_000
        guard let audio = PCMBuffer(base64: data, sampleRate: rate) else { return [fatal(1007, "Invalid value at 'realtime_input.audio.data' (TYPE_BYTES), Base64 decoding failed.")] }
        guard let brain, var resampler = toBrain else { return [] }
        let input = rate == GeminiLiveConfiguration.inputSampleRate ? audio : audio.resampled(to: GeminiLiveConfiguration.inputSampleRate, quality: .telephone)
        let forBrain = PCMBuffer(samples: PCMBuffer.quantize(resampler.process(input.floatSamples())), sampleRate: brain.inputSampleRate)
        toBrain = resampler
        let t = brainTime(nowMs)
        return say(self.brain!.receive(.audio(forBrain), nowMs: t))
    }

    // MARK: The model's side

    private mutating func say(_ events: [ProviderEvent]) -> [Output] {
        var out: [Output] = []
        var pendingTranscript: String?
        for event in events {
            switch event {
            case .outputTranscript(let text, _):
                if turn == nil { turn = (ProviderUsage(), false, false) }
                // Sent with the turn's first audio, as 3.x models do (one message, several parts).
                pendingTranscript = text
            case .audio(let audio):
                if turn == nil { turn = (ProviderUsage(), false, false) }
                var content: [String: JSONValue] = ["modelTurn": ["role": "model", "parts": [["inlineData": ["mimeType": "audio/pcm;rate=24000", "data": .string(Data(audio.littleEndianBytes).base64EncodedString())]]]]]
                if let text = pendingTranscript {
                    let half = text.index(text.startIndex, offsetBy: text.count / 2)
                    content["outputTranscription"] = ["text": .string(String(text[..<half]))]
                    out.append(.message(["serverContent": .object(content)]))
                    out.append(.message(["serverContent": ["outputTranscription": ["text": .string(String(text[half...]))]]]))
                    pendingTranscript = nil
                } else {
                    out.append(.message(["serverContent": .object(content)]))
                }
            case .turnDone:
                turn?.closing = true
            case .usage(let usage):
                if turn != nil { turn!.usage = turn!.usage + usage }
            case .interrupted:
                guard turn != nil else { continue }
                turn!.interrupted = true
                turn!.closing = true
                out.append(.message(["serverContent": ["interrupted": true]]))
            case .toolCall(let call):
                pendingCalls[call.id] = call.name
                out.append(.message(["toolCall": ["functionCalls": [["id": .string(call.id), "name": .string(call.name), "args": JSONValue.parse(call.argumentsJSON) ?? [:]]]]]))
            case .inputTranscript(let text):
                out.append(.message(["serverContent": ["inputTranscription": ["text": .string(text), "finished": true]]]))
            case .toolCallsCancelled(let ids):
                out.append(.message(["toolCallCancellation": ["ids": .array(ids.map(JSONValue.string))]]))
            case .failed(let text, _):
                out.append(fatal(1011, "Internal error occurred. \(text)"))
            }
        }
        if let text = pendingTranscript { out.append(.message(["serverContent": ["outputTranscription": ["text": .string(text)]]])) }
        if let current = turn, current.closing {
            if !current.interrupted { out.append(.message(["serverContent": ["generationComplete": true]])) }
            let u = current.usage
            let prompt = u.inputAudioTokens + u.inputTextTokens
            let response = u.outputAudioTokens + u.outputTextTokens
            out.append(.message(["serverContent": ["turnComplete": true], "usageMetadata": [
                "promptTokenCount": .int(prompt + 37), "responseTokenCount": .int(response), "totalTokenCount": .int(prompt + 37 + response),
                "promptTokensDetails": [["modality": "TEXT", "tokenCount": .int(u.inputTextTokens)], ["modality": "AUDIO", "tokenCount": .int(u.inputAudioTokens)]],
                "responseTokensDetails": [["modality": "AUDIO", "tokenCount": .int(u.outputAudioTokens)], ["modality": "TEXT", "tokenCount": .int(u.outputTextTokens)]],
            ]]))
            turn = nil
        }
        return out
    }

    // MARK: Inside

    private func brainTime(_ nowMs: Int) -> Int { nowMs - (startedAtMs ?? nowMs) }

    private mutating func fatal(_ code: Int, _ reason: String) -> Output {
        record.closes.append("\(code) \(reason)")
        return .close(code: code, reason: reason)
    }

    /// Proto JSON takes camelCase and snake_case names alike.
    static func camel(_ key: String) -> String {
        var out = ""
        var upper = false
        for c in key {
            if c == "_" { upper = true; continue }
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        }
        return out
    }

    static func field(_ value: JSONValue, _ camelName: String) -> JSONValue? {
        guard let object = value.object else { return nil }
        return object[camelName] ?? object.first { camel($0.key) == camelName }?.value
    }
}
