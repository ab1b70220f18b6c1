import Foundation
import MiadiAgent
import MiadiAudio
import MiadiLanguage

/// The lines the mock can recognise, by corpus id: its ears are the audio fingerprint of the
/// corpus the lab plays, not speech recognition.
public struct MockHearing: Sendable {
    public let index: FingerprintIndex
    public let lines: [String: (text: String, language: LanguageCode)]

    public init(index: FingerprintIndex, lines: [String: (text: String, language: LanguageCode)]) {
        self.index = index
        self.lines = lines
    }

    /// What an utterance said, or nil when it matches no known line well enough.
    /// The language of a corpus line, by its words (nil: not a corpus line).
    public func language(of text: String) -> LanguageCode? {
        lines.values.first { $0.text == text }?.language
    }

    public func recognise(_ clip: PCMBuffer) -> (text: String, language: LanguageCode)? {
        guard let match = index.identify(clip) else { return nil }
        return lines[match.id]
    }
}

/// How the mock behaves in time.
public struct MockConfiguration: Sendable, Equatable {
    /// Silence that ends the caller's turn, ms: a shorter pause (between two sentences) joins
    /// the speech on either side into one utterance, as live models' turn detection does.
    public var turnEndSilenceMs = 600
    /// From the end of the caller's turn to the start of the mock's answer, ms.
    public var thinkingMs = 500
    /// From a tool result to the next words, ms.
    public var toolFollowUpMs = 200
    /// Caller speech over the mock must last this long (ms) to interrupt it; shorter is a
    /// backchannel. Only when it `interruptsItself`.
    public var interruptAfterMs = 400
    /// Whether it stops itself when the caller speaks over it, as a realtime model's own turn
    /// detection does (the bridge's `stop_after`). When not (`pause_resume`), the bridge pauses
    /// the audio and decides: the mock stops when told (`heardUpTo`), writes down what it heard
    /// over its words as soon as that sound ends (streaming transcription), and takes no turn
    /// from a backchannel or a sound with no words.
    public var interruptsItself = true
    /// From the stream's start to the greeting, ms.
    public var greetingDelayMs = 300
    /// Audio tokens per second billed by the provider the usage is modelled on (OpenAI Realtime:
    /// about 10 in and 20 out; see shared/spec/providers.md).
    public var inputTokensPerSecond = 10.0
    public var outputTokensPerSecond = 20.0
    /// Deliberate misbehaviour (none for the honest mock).
    public var faults: Set<MockFault> = []
    /// Silence after the mock's last words before it asks whether the caller is still there
    /// (twice, then it closes the call), ms.
    public var noInputMs = 6000
    /// Extra thinking time with `.slowAnswers`, ms.
    public var slowAnswerMs = 2500

    public init() {}
}

/// The deterministic, offline model: hears with the VAD and the corpus fingerprints, thinks
/// with `MockPolicy`, speaks with espeak-ng at 24 kHz, and calls the same tools through the
/// same guard as a live model. Runs in call time, driven by `receive` and `tick`.
public struct MockProvider: ProviderMachine {
    public let providerID = "mock"
    public let model = "miadi-mock-1"
    public let inputSampleRate = 16_000
    public let outputSampleRate = 24_000
    public let configuration: MockConfiguration

    private var policy: MockPolicy
    private let hearing: MockHearing
    private let speech: any SpeechRenderer
    private var vad = VoiceActivityDetector(sampleRate: 16_000)
    private var heard: [Int16] = []
    /// Stream ms of `heard[0]`.
    private var heardOriginMs = 0
    private var receivedFrames = 0
    private var onsetMs: Int?
    /// A speech segment that ended, waiting to see whether the caller goes on.
    private var pendingEnd: (onset: Int, end: Int)?
    private var greeted = false
    private var scheduled: [(atMs: Int, steps: [MockPolicy.Step])] = []
    /// Call time until which the mock's last words are still being played.
    private var speakingUntilMs = 0
    private var nextCallID = 1
    private var pendingUsageInput = 0.0
    /// The start of the VAD segment in progress (`onsetMs` may be an earlier one of the turn).
    private var segmentOnsetMs: Int?
    /// The transcript already given for a sound over its words (not given twice).
    private var transcribedOverSpeech: String?
    /// The last time the caller was heard, ms of stream time.
    private var lastCallerSoundMs = 0

    public init(brief: MockBrief, hearing: MockHearing, speech: any SpeechRenderer, configuration: MockConfiguration = .init()) {
        self.policy = MockPolicy(brief: brief, faults: configuration.faults)
        self.hearing = hearing
        self.speech = speech
        self.configuration = configuration
    }

    /// The language the mock is speaking now.
    public var language: LanguageCode { policy.language }

    public mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent] {
        switch input {
        case .audio(let buffer):
            return hear(buffer, nowMs: nowMs)
        case .toolResult(let result):
            let steps = policy.toolResult(tool: AgentTool(rawValue: result.name), output: result.output)
            schedule(steps, at: nowMs + configuration.toolFollowUpMs + slowness)
            return []
        case .heardUpTo:
            // The bridge cut its words for good: what it was going to say after them is dropped
            // (its words are recorded as cut by the bridge; the policy needs nothing more).
            if nowMs < speakingUntilMs { stopSpeaking(nowMs: nowMs) }
            return []
        case .endOfCall:
            scheduled.removeAll()
            return []
        }
    }

    public mutating func tick(nowMs: Int) -> [ProviderEvent] {
        var events: [ProviderEvent] = []
        if !greeted && nowMs >= configuration.greetingDelayMs {
            greeted = true
            schedule(policy.greet(), at: nowMs)
        }
        // A caller who says nothing: the mock asks after them, then closes politely.
        if greeted, scheduled.isEmpty, onsetMs == nil, pendingEnd == nil, !policy.isBusy,
           nowMs >= max(speakingUntilMs, lastCallerSoundMs) + configuration.noInputMs {
            lastCallerSoundMs = nowMs // counts from this prompt's end, as the next words are scheduled now
            schedule(policy.callerSilent(), at: nowMs)
        }
        while let index = scheduled.firstIndex(where: { $0.atMs <= nowMs }) {
            let due = scheduled.remove(at: index)
            for step in due.steps { events += perform(step, nowMs: nowMs) }
        }
        return events
    }

    // MARK: Inside

    private var slowness: Int { configuration.faults.contains(.slowAnswers) ? configuration.slowAnswerMs : 0 }

    private mutating func stopSpeaking(nowMs: Int) {
        speakingUntilMs = nowMs
        scheduled.removeAll { steps in steps.steps.allSatisfy { if case .say = $0 { return true }; return false } }
    }

    private mutating func schedule(_ steps: [MockPolicy.Step], at ms: Int) {
        guard !steps.isEmpty else { return }
        scheduled.append((ms, steps))
    }

    private mutating func perform(_ step: MockPolicy.Step, nowMs: Int) -> [ProviderEvent] {
        switch step {
        case .tool(let invocation):
            defer { nextCallID += 1 }
            return [.toolCall(ToolCall(id: "mock-call-\(nextCallID)", invocation: invocation))]
        case .say(let said):
            let text = configuration.faults.contains(.filler) ? MockLines.filler(policy.language) + said + " " + MockLines.fillerTail(policy.language) : said
            let audio: PCMBuffer
            do { audio = try speech.render(text, language: policy.language, sampleRate: outputSampleRate) } catch {
                return [.failed(message: "speech synthesis failed: \(error)", fatal: false)]
            }
            var events: [ProviderEvent] = [.outputTranscript(text, final: true)]
            events += audio.packets20ms().map(ProviderEvent.audio)
            events.append(.turnDone)
            var usage = ProviderUsage()
            usage.inputAudioSeconds = pendingUsageInput
            usage.outputAudioSeconds = audio.durationSeconds
            usage.inputAudioTokens = Int((pendingUsageInput * configuration.inputTokensPerSecond).rounded())
            usage.outputAudioTokens = Int((audio.durationSeconds * configuration.outputTokensPerSecond).rounded())
            usage.outputTextTokens = Tokens(text).words.count
            pendingUsageInput = 0
            events.append(.usage(usage))
            speakingUntilMs = max(speakingUntilMs, nowMs) + audio.durationMs
            return events
        }
    }

    private mutating func hear(_ buffer: PCMBuffer, nowMs: Int) -> [ProviderEvent] {
        var events: [ProviderEvent] = []
        heard += buffer.samples
        let step = inputSampleRate / 100
        var offset = 0
        while offset < buffer.frameCount {
            let piece = buffer.slice(frames: offset..<min(buffer.frameCount, offset + step))
            offset += piece.frameCount
            receivedFrames += piece.frameCount
            for event in vad.process(piece) {
                switch event {
                case .speechStarted(let atMs):
                    segmentOnsetMs = atMs
                    if let pending = pendingEnd, atMs - pending.end < configuration.turnEndSilenceMs {
                        onsetMs = pending.onset // a pause inside the caller's turn
                    } else {
                        onsetMs = atMs
                    }
                    pendingEnd = nil
                case .speechEnded(let atMs):
                    lastCallerSoundMs = max(lastCallerSoundMs, atMs)
                    if !configuration.interruptsItself, !configuration.faults.contains(.ignoreBargeIn), let start = segmentOnsetMs, start < speakingUntilMs {
                        events += transcribeOverSpeech(from: start, to: atMs)
                    }
                    segmentOnsetMs = nil
                    if let onset = onsetMs { pendingEnd = (onset, atMs) }
                    onsetMs = nil
                }
            }
            let lineMs = receivedFrames * 1000 / inputSampleRate
            if let pending = pendingEnd, lineMs - pending.end >= configuration.turnEndSilenceMs {
                pendingEnd = nil
                events += utteranceEnded(onset: pending.onset, endMs: pending.end, nowMs: nowMs)
            }
            // Speech over its own words that lasts: a realtime model stops and says so.
            if configuration.interruptsItself, let onset = onsetMs, vad.isVoicedNow, nowMs < speakingUntilMs, lineMs - onset >= configuration.interruptAfterMs,
               !configuration.faults.contains(.ignoreBargeIn) {
                stopSpeaking(nowMs: nowMs)
                events.append(.interrupted)
            }
        }
        // Keep only what an open utterance may still need.
        let keepFrom = min(onsetMs ?? Int.max, pendingEnd?.onset ?? Int.max, receivedFrames * 1000 / inputSampleRate) - 200
        let drop = max(0, keepFrom - heardOriginMs) * inputSampleRate / 1000
        if drop > 0 && drop <= heard.count {
            heard.removeFirst(drop)
            heardOriginMs += drop * 1000 / inputSampleRate
        }
        return events
    }

    /// A sound over its words shorter than this with no words it knows is a cough or a noise, ms.
    static let longestWordlessSoundMs = 1000

    /// A sound that began over its words ended: its transcript, at once, so the bridge can tell
    /// a backchannel from a turn while the agent is paused.
    private mutating func transcribeOverSpeech(from start: Int, to end: Int) -> [ProviderEvent] {
        let from = max(0, (start - heardOriginMs) * inputSampleRate / 1000)
        let to = min(heard.count, (end - heardOriginMs) * inputSampleRate / 1000)
        guard to > from, let recognised = hearing.recognise(PCMBuffer(samples: Array(heard[from..<to]), sampleRate: inputSampleRate)) else { return [] }
        transcribedOverSpeech = recognised.text
        return [.inputTranscript(recognised.text)]
    }

    private mutating func utteranceEnded(onset: Int, endMs: Int, nowMs: Int) -> [ProviderEvent] {
        let from = max(0, (onset - heardOriginMs) * inputSampleRate / 1000)
        let to = min(heard.count, (endMs - heardOriginMs) * inputSampleRate / 1000)
        guard to > from else { return [] }
        // Begun while it was speaking and shorter than the interruption threshold: a
        // backchannel, ignored (even if its end is only detected after the mock stopped).
        if configuration.interruptsItself && onset < speakingUntilMs && endMs - onset < configuration.interruptAfterMs { return [] }
        // The faulty mock does not take in what was said over it.
        if configuration.faults.contains(.ignoreBargeIn) && onset < speakingUntilMs { return [] }
        let clip = PCMBuffer(samples: Array(heard[from..<to]), sampleRate: inputSampleRate)
        pendingUsageInput += clip.durationSeconds
        let recognised = hearing.recognise(clip)
        if !configuration.interruptsItself && onset < speakingUntilMs {
            // Over its own words, told apart as a person would: a nod or a sound with no words
            // is not a turn.
            if let recognised, BackchannelLexicon.isBackchannel(recognised.text) { return [] }
            if recognised == nil && endMs - onset < Self.longestWordlessSoundMs { return [] }
        }
        var events: [ProviderEvent] = []
        if let recognised, recognised.text != transcribedOverSpeech { events.append(.inputTranscript(recognised.text)) }
        transcribedOverSpeech = nil
        schedule(policy.heard(recognised?.text, language: recognised?.language), at: nowMs + configuration.thinkingMs + slowness)
        return events
    }
}
