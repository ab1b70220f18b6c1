import MiadiAgent
import MiadiAudio
import MiadiProviders

/// A cascade call without I/O: the caller's audio, turned into turns by the VAD; each turn's
/// words, the chat model's answer (words, tool calls) and its speech, as requests for the
/// shell (`CascadeSession`) to make and replies it brings back. The conversation (the chat
/// messages so far) lives here; what the bridge sends (tool results) joins it.
public struct CascadeConversation: Sendable {
    /// An HTTP request to make; `id` matches its reply.
    public enum Request: Sendable, Equatable {
        case transcribe(id: Int, audio: PCMBuffer)
        case chat(id: Int, body: JSONValue)
        case speak(id: Int, text: String)
    }

    /// What a request brought back.
    public enum Reply: Sendable, Equatable {
        case transcribed(id: Int, text: String)
        case chatted(id: Int, content: String, toolCalls: [ToolCall], usage: ProviderUsage?)
        case spoken(id: Int, audio: PCMBuffer)
        case failed(id: Int, message: String)
    }

    public let configuration: CascadeConfiguration
    private var messages: [JSONValue]
    private var vad = VoiceActivityDetector(sampleRate: CascadeConfiguration.inputSampleRate)
    /// The caller's audio since a little before the current turn began (bounded when silent).
    private var capture: [Int16] = []
    private var captureStartMs = 0
    private var receivedMs = 0
    private var onsetMs: Int?
    private var pendingEnd: (onset: Int, end: Int)?
    private var nextID = 1
    private var currentChat: Int?
    private var speaking: [Int: String] = [:]
    private var transcribing: [Int: Double] = [:]
    private var unanswered: [String] = []
    public private(set) var isSetUp = false

    public init(configuration: CascadeConfiguration) {
        self.configuration = configuration
        messages = [["role": "system", "content": .string(configuration.instructions)]]
    }

    /// The first requests: the greeting, when the agent speaks first.
    public mutating func start() -> [Request] {
        guard configuration.greetFirst else { return [] }
        messages.append(["role": "user", "content": .string(configuration.greetingCue)])
        return [chat()]
    }

    public mutating func receive(_ input: ProviderInput) -> (events: [ProviderEvent], requests: [Request]) {
        switch input {
        case .audio(let buffer):
            return ([], hear(buffer))
        case .toolResult(let result):
            messages.append(["role": "tool", "tool_call_id": .string(result.callID), "content": .string(result.outputJSON)])
            unanswered.removeAll { $0 == result.callID }
            return ([], unanswered.isEmpty ? [chat()] : [])
        case .heardUpTo, .endOfCall:
            // Speech is made whole and played by the bridge, which drops what was cut.
            return ([], [])
        }
    }

    public mutating func reply(_ reply: Reply) -> (events: [ProviderEvent], requests: [Request]) {
        switch reply {
        case .transcribed(let id, let text):
            var usage = ProviderUsage()
            usage.inputAudioSeconds = transcribing.removeValue(forKey: id) ?? 0
            let words = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !words.isEmpty else { return ([.usage(usage)], []) }
            messages.append(["role": "user", "content": .string(words)])
            return ([.inputTranscript(words), .usage(usage)], [chat()])
        case .chatted(let id, let content, let toolCalls, let usage):
            guard id == currentChat else { return ([], []) }
            isSetUp = true
            var assistant: [String: JSONValue] = ["role": "assistant", "content": content.isEmpty ? .null : .string(content)]
            if !toolCalls.isEmpty {
                assistant["tool_calls"] = .array(toolCalls.map { ["id": .string($0.id), "type": "function", "function": ["name": .string($0.name), "arguments": .string($0.argumentsJSON)]] })
            }
            messages.append(.object(assistant))
            var events: [ProviderEvent] = usage.map { [.usage($0)] } ?? []
            var requests: [Request] = []
            if !content.isEmpty {
                let speakID = nextID
                nextID += 1
                speaking[speakID] = content
                requests.append(.speak(id: speakID, text: content))
            }
            unanswered = toolCalls.map(\.id)
            events += toolCalls.map(ProviderEvent.toolCall)
            if content.isEmpty && toolCalls.isEmpty { events.append(.turnDone) }
            return (events, requests)
        case .spoken(let id, let audio):
            guard let text = speaking.removeValue(forKey: id) else { return ([], []) }
            var usage = ProviderUsage()
            usage.outputAudioSeconds = audio.durationSeconds
            let out = audio.sampleRate == CascadeConfiguration.outputSampleRate ? audio : audio.resampled(to: CascadeConfiguration.outputSampleRate, quality: .telephone)
            return ([.outputTranscript(text, final: true)] + out.packets20ms().map(ProviderEvent.audio) + [.turnDone, .usage(usage)], [])
        case .failed(let id, let message):
            if transcribing.removeValue(forKey: id) != nil {
                // The words were lost, not the model: the caller can say it again.
                return ([.failed(message: "cascade: transcription failed: \(message)", fatal: false)], [])
            }
            return ([.failed(message: "cascade: \(message)", fatal: true)], [])
        }
    }

    // MARK: Inside

    private mutating func chat() -> Request {
        let id = nextID
        nextID += 1
        currentChat = id
        let tools: [JSONValue] = AgentTool.allCases.map { tool in
            ["type": "function", "function": ["name": .string(tool.rawValue), "description": .string(tool.description),
                                              "parameters": JSONValue.parse(tool.parametersSchema) ?? ["type": "object"]]]
        }
        return .chat(id: id, body: ["model": .string(configuration.chatModel), "messages": .array(messages), "tools": .array(tools), "tool_choice": "auto",
                                    "stream": true, "stream_options": ["include_usage": true]])
    }

    /// The VAD's turns: speech, then `turnEndSilenceMs` of quiet, is a turn to transcribe.
    private mutating func hear(_ buffer: PCMBuffer) -> [Request] {
        precondition(buffer.sampleRate == CascadeConfiguration.inputSampleRate, "the cascade listens at 16 kHz")
        capture += buffer.samples
        receivedMs += buffer.durationMs
        for event in vad.process(buffer) {
            switch event {
            case .speechStarted(let at):
                if let pending = pendingEnd, at - pending.end < configuration.turnEndSilenceMs { onsetMs = pending.onset } else { onsetMs = at }
                pendingEnd = nil
            case .speechEnded(let at):
                if let onset = onsetMs { pendingEnd = (onset, at) }
                onsetMs = nil
            }
        }
        var requests: [Request] = []
        if let pending = pendingEnd, receivedMs - pending.end >= configuration.turnEndSilenceMs {
            pendingEnd = nil
            let rate = CascadeConfiguration.inputSampleRate
            // The VAD's own bounds (its onset already looks back): what a turn detector hands on.
            let from = max(0, (pending.onset - captureStartMs) * rate / 1000)
            let to = min(capture.count, (pending.end - captureStartMs) * rate / 1000)
            if to > from {
                let clip = PCMBuffer(samples: Array(capture[from..<to]), sampleRate: rate)
                let id = nextID
                nextID += 1
                transcribing[id] = clip.durationSeconds
                requests.append(.transcribe(id: id, audio: clip))
            }
        }
        // Keep only what a turn may still need: from a little before its onset, or the last half second.
        let keepFromMs = min(onsetMs ?? Int.max, pendingEnd?.onset ?? Int.max, receivedMs) - 500
        let drop = max(0, keepFromMs - captureStartMs) * CascadeConfiguration.inputSampleRate / 1000
        if drop > 0 && drop <= capture.count {
            capture.removeFirst(drop)
            captureStartMs += drop * 1000 / CascadeConfiguration.inputSampleRate
        }
        return requests
    }
}
