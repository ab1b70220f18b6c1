import MiadiAgent
import MiadiAudio

/// Usage in the provider's own units, per response.
public struct ProviderUsage: Sendable, Equatable, Codable {
    public var inputAudioTokens = 0
    public var inputTextTokens = 0
    public var cachedInputTokens = 0
    public var outputAudioTokens = 0
    public var outputTextTokens = 0
    /// For providers billed by time (the mock counts seconds).
    public var inputAudioSeconds = 0.0
    public var outputAudioSeconds = 0.0

    public init() {}

    /// Two reports added, modality by modality.
    public static func + (a: ProviderUsage, b: ProviderUsage) -> ProviderUsage {
        var sum = a
        sum.inputAudioTokens += b.inputAudioTokens
        sum.inputTextTokens += b.inputTextTokens
        sum.cachedInputTokens += b.cachedInputTokens
        sum.outputAudioTokens += b.outputAudioTokens
        sum.outputTextTokens += b.outputTextTokens
        sum.inputAudioSeconds += b.inputAudioSeconds
        sum.outputAudioSeconds += b.outputAudioSeconds
        return sum
    }
}

/// Something a model session says. A value, so that the bridge's session machine and the lab's
/// event loop take it as an input like any other.
public enum ProviderEvent: Sendable, Equatable {
    /// Model speech, mono PCM at the provider's output rate.
    case audio(PCMBuffer)
    /// Text of what the model is saying; `final` closes the utterance's transcript.
    case outputTranscript(String, final: Bool)
    /// What the model heard the caller say.
    case inputTranscript(String)
    case toolCall(ToolCall)
    case toolCallsCancelled([String])
    /// The model stopped speaking because the caller spoke. A `turnDone` for the abandoned
    /// response follows; audio before it belongs to the abandoned response and is dropped.
    case interrupted
    /// The model finished its response.
    case turnDone
    case usage(ProviderUsage)
    /// A provider error; a fatal one ends the model session.
    case failed(message: String, fatal: Bool)
}

/// What the bridge and agent send a model session.
public enum ProviderInput: Sendable, Equatable {
    /// Caller audio, mono PCM at the provider's input rate.
    case audio(PCMBuffer)
    case toolResult(ToolResult)
    /// After a barge-in: the caller heard the current response up to this many ms of its audio,
    /// so the model can truncate what it believes it said.
    case heardUpTo(ms: Int)
    case endOfCall
}

/// A model provider that runs in process and in call time, with no I/O of its own (the mock,
/// the echo). The bridge's shell, or the lab's event loop, feeds it inputs and ticks and
/// forwards what it returns. Network providers implement `ProviderSession` instead.
public protocol ProviderMachine: Sendable {
    /// `mock`, `echo`, …: written into traces.
    var providerID: String { get }
    var model: String { get }
    /// The rate it wants caller audio at, Hz.
    var inputSampleRate: Int { get }
    /// The rate of the audio it produces, Hz.
    var outputSampleRate: Int { get }

    /// Takes an input at call time `nowMs`; returns what the model says at once.
    mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent]
    /// Lets time pass (call at least every 20 ms); returns what the model says by then.
    mutating func tick(nowMs: Int) -> [ProviderEvent]
    /// nil if `tick` may say something at the next beat; otherwise the call time before which
    /// it says nothing and changes nothing unless `receive` is called first (`Int.max`: never).
    /// A call whose model and line are both quiet stops beating until then.
    var quietUntil: Int? { get }
}

extension ProviderMachine {
    /// Ticked every 20 ms: a model that says nothing of its time passing.
    public var quietUntil: Int? { nil }
}
