import Foundation
import MiadiAgent
import MiadiAudio
import MiadiProviders

/// The Gemini Live protocol (BidiGenerateContent) for one call, with no I/O.
///
/// The first message is `setup`; nothing else may be sent before `setupComplete`, so inputs
/// that come earlier wait (`takeOutgoing`). Caller audio goes as `realtimeInput.audio` at
/// 16 kHz; the model's audio comes as `serverContent.modelTurn` parts at 24 kHz, with its
/// transcripts beside it (possibly in the same message: every field of every message is
/// read). Tool calls carry ids, their arguments are a JSON object (made JSON text here, as
/// OpenAI's are), and their answers go back as `toolResponse` with the same ids. Usage may
/// come several times in a turn: the turn's last report is its usage. A `goAway` with a
/// resumption handle makes the next socket resume the same session.
public struct GeminiLiveProtocol: Sendable {
    public let configuration: GeminiLiveConfiguration
    public private(set) var isSetUp = false
    private var outgoing: [JSONValue] = []
    private var waiting: [JSONValue] = []
    private var said = ""
    private var heard = ""
    private var turnUsage: ProviderUsage?
    private var greeted = false
    /// The latest session resumption handle the service gave.
    public private(set) var resumptionHandle: String?
    private var goingAway = false

    /// At most this many messages wait for the setup (about 4 s of 20 ms audio frames).
    static let waitingLimit = 200

    public init(configuration: GeminiLiveConfiguration) {
        self.configuration = configuration
    }

    // MARK: Client messages

    /// The `setup` message (resuming the session when there is a handle).
    public mutating func setupMessage(tools: [AgentTool] = AgentTool.allCases) -> JSONValue {
        var speech: [String: JSONValue] = ["voiceConfig": ["prebuiltVoiceConfig": ["voiceName": .string(configuration.voice)]]]
        if let language = configuration.languageCode { speech["languageCode"] = .string(language) }
        var resumption: [String: JSONValue] = [:]
        if let handle = resumptionHandle { resumption["handle"] = .string(handle) }
        let setup: [String: JSONValue] = [
            "model": .string("models/" + configuration.model),
            "generationConfig": ["responseModalities": ["AUDIO"], "speechConfig": .object(speech)],
            "systemInstruction": ["parts": [["text": .string(configuration.instructions)]]],
            "tools": [["functionDeclarations": .array(tools.map(Self.declaration))]],
            "realtimeInputConfig": ["automaticActivityDetection": ["disabled": false], "activityHandling": .string(configuration.interruptsOnActivity ? "START_OF_ACTIVITY_INTERRUPTS" : "NO_INTERRUPTION")],
            "inputAudioTranscription": [:],
            "outputAudioTranscription": [:],
            "sessionResumption": .object(resumption),
        ]
        return ["setup": .object(setup)]
    }

    public mutating func send(_ input: ProviderInput) -> [JSONValue] {
        let messages: [JSONValue]
        switch input {
        case .audio(let buffer):
            precondition(buffer.sampleRate == GeminiLiveConfiguration.inputSampleRate, "Gemini Live takes 16 kHz PCM")
            messages = [["realtimeInput": ["audio": ["data": .string(buffer.base64), "mimeType": "audio/pcm;rate=16000"]]]]
        case .toolResult(let result):
            let response = JSONValue.parse(result.outputJSON) ?? ["output": .string(result.outputJSON)]
            messages = [["toolResponse": ["functionResponses": [["id": .string(result.callID), "name": .string(result.name), "response": response]]]]]
        case .heardUpTo:
            // With START_OF_ACTIVITY_INTERRUPTS the service stops its turn itself on the
            // caller's speech (`interrupted`); with NO_INTERRUPTION (`pause_resume`) it goes on
            // generating and the bridge drops the rest of the turn. Either way it has no
            // truncation or cancel to tell.
            messages = []
        case .endOfCall:
            messages = []
        }
        guard isSetUp else {
            // Held for `setupComplete`; the oldest audio goes first if the wait is long.
            waiting += messages
            if waiting.count > Self.waitingLimit { waiting.removeFirst(waiting.count - Self.waitingLimit) }
            return []
        }
        return messages
    }

    public mutating func takeOutgoing() -> [JSONValue] {
        defer { outgoing = [] }
        return outgoing
    }

    // MARK: Server messages

    public mutating func receive(_ message: JSONValue) -> [ProviderEvent] {
        var events: [ProviderEvent] = []
        if message["setupComplete"] != nil {
            isSetUp = true
            goingAway = false
            if configuration.greetFirst && !greeted {
                greeted = true
                outgoing.append(["clientContent": ["turns": [["role": "user", "parts": [["text": .string(configuration.greetingCue)]]]], "turnComplete": true]])
            }
            outgoing += waiting
            waiting = []
        }
        if let content = message["serverContent"] {
            if let input = content["inputTranscription"]?["text"]?.string {
                heard += input
                if content["inputTranscription"]?["finished"]?.bool == true { events += flushHeard() }
            }
            for part in content["modelTurn"]?["parts"]?.array ?? [] {
                guard let data = part["inlineData"]?["data"]?.string else { continue }
                events += flushHeard()
                let rate = Self.rate(of: part["inlineData"]?["mimeType"]?.string) ?? GeminiLiveConfiguration.outputSampleRate
                guard let audio = PCMBuffer(base64: data, sampleRate: rate) else {
                    events.append(.failed(message: "gemini-live: model audio that is not base64 PCM", fatal: false))
                    continue
                }
                events.append(.audio(rate == GeminiLiveConfiguration.outputSampleRate ? audio : audio.resampled(to: GeminiLiveConfiguration.outputSampleRate, quality: .telephone)))
            }
            if let text = content["outputTranscription"]?["text"]?.string, !text.isEmpty {
                events += flushHeard()
                said += text
                events.append(.outputTranscript(text, final: false))
            }
            if content["interrupted"]?.bool == true {
                events += flushSaid()
                events.append(.interrupted)
            }
            if content["generationComplete"]?.bool == true { events += flushSaid() }
            if content["turnComplete"]?.bool == true {
                events += flushHeard()
                events += flushSaid()
                if let usage = Self.usage(message["usageMetadata"]) ?? turnUsage { events.append(.usage(usage)) }
                turnUsage = nil
                events.append(.turnDone)
            }
        }
        if message["serverContent"]?["turnComplete"]?.bool != true, let usage = Self.usage(message["usageMetadata"]) {
            // Several reports in a turn: the last one stands for the turn.
            turnUsage = usage
        }
        if let calls = message["toolCall"]?["functionCalls"]?.array {
            events += flushHeard()
            for call in calls {
                guard let id = call["id"]?.string, let name = call["name"]?.string else {
                    events.append(.failed(message: "gemini-live: a function call with no id or name", fatal: false))
                    continue
                }
                events.append(.toolCall(ToolCall(id: id, name: name, argumentsJSON: (call["args"] ?? [:]).jsonText)))
            }
        }
        if let ids = message["toolCallCancellation"]?["ids"]?.array {
            events.append(.toolCallsCancelled(ids.compactMap(\.string)))
        }
        if let update = message["sessionResumptionUpdate"], update["resumable"]?.bool != false, let handle = update["newHandle"]?.string {
            resumptionHandle = handle
        }
        if message["goAway"] != nil { goingAway = true }
        return events
    }

    /// After the service closed: resume when it said it would go away and gave a handle.
    public mutating func shouldResume(afterClose code: Int?) -> Bool {
        guard goingAway, resumptionHandle != nil else { return false }
        isSetUp = false
        return true
    }

    /// Gemini reports fatal errors as close codes with a reason.
    public func closedByService(code: Int?, reason: String) -> ProviderEvent? {
        .failed(message: GeminiLiveCloseError(code: code, reason: reason).description, fatal: true)
    }

    // MARK: Inside

    private mutating func flushHeard() -> [ProviderEvent] {
        let text = heard.trimmingCharacters(in: .whitespaces)
        heard = ""
        return text.isEmpty ? [] : [.inputTranscript(text)]
    }

    private mutating func flushSaid() -> [ProviderEvent] {
        let text = said.trimmingCharacters(in: .whitespaces)
        said = ""
        return text.isEmpty ? [] : [.outputTranscript(text, final: true)]
    }

    static func rate(of mimeType: String?) -> Int? {
        guard let mimeType, let range = mimeType.range(of: "rate=") else { return nil }
        return Int(mimeType[range.upperBound...].prefix { $0.isNumber })
    }

    static func declaration(_ tool: AgentTool) -> JSONValue {
        // Calls block the model until answered (the default of older models, not of 3.8).
        ["name": .string(tool.rawValue), "description": .string(tool.description),
         "parametersJsonSchema": JSONValue.parse(tool.parametersSchema) ?? ["type": "object"], "behavior": "BLOCKING"]
    }

    /// `usageMetadata` in the provider's units. The details need not sum to the totals (a
    /// 3.8 observation), so each modality is read from its own entry.
    static func usage(_ value: JSONValue?) -> ProviderUsage? {
        guard let value, case .object = value else { return nil }
        var usage = ProviderUsage()
        for detail in value["promptTokensDetails"]?.array ?? [] {
            let count = detail["tokenCount"]?.int ?? 0
            switch detail["modality"]?.string {
            case "AUDIO": usage.inputAudioTokens += count
            default: usage.inputTextTokens += count
            }
        }
        for detail in value["responseTokensDetails"]?.array ?? [] {
            let count = detail["tokenCount"]?.int ?? 0
            switch detail["modality"]?.string {
            case "AUDIO": usage.outputAudioTokens += count
            default: usage.outputTextTokens += count
            }
        }
        if value["promptTokensDetails"] == nil { usage.inputTextTokens = value["promptTokenCount"]?.int ?? 0 }
        if value["responseTokensDetails"] == nil { usage.outputTextTokens = value["responseTokenCount"]?.int ?? 0 }
        usage.cachedInputTokens = value["cachedContentTokenCount"]?.int ?? 0
        return usage
    }
}

extension GeminiLiveProtocol: LiveWireProtocol {
    public var providerID: String { "gemini-live" }
    public mutating func opening() -> [JSONValue] { [setupMessage()] }
}

/// A Gemini Live close, typed: the service reports fatal errors as WebSocket close codes.
public enum GeminiLiveCloseError: Equatable, CustomStringConvertible {
    /// 1007: an invalid argument, a bad or expired key, an unsupported location.
    case invalidArgument(String)
    /// 1008: an unknown model or entity.
    case notFound(String)
    /// 1011: an internal error, the service unavailable, or a quota used up.
    case unavailable(String)
    /// Any other close the call did not ask for.
    case closed(Int?, String)

    public init(code: Int?, reason: String) {
        switch code {
        case 1007: self = .invalidArgument(reason)
        case 1008: self = .notFound(reason)
        case 1011: self = .unavailable(reason)
        default: self = .closed(code, reason)
        }
    }

    public var description: String {
        switch self {
        case .invalidArgument(let reason): return "gemini-live: the service refused the session (1007 invalid argument: \(reason))"
        case .notFound(let reason): return "gemini-live: not found (1008: \(reason)); check the model name"
        case .unavailable(let reason): return "gemini-live: the service failed or is out of quota (1011: \(reason))"
        case .closed(let code, let reason): return "gemini-live: the service closed the session (\(code.map(String.init) ?? "no code")\(reason.isEmpty ? "" : ": \(reason)"))"
        }
    }
}
