import MiadiAgent

/// What a call used of its model, summed from the trace's `usage` events: audio seconds each
/// way and text tokens, which price the same call on any provider (`PriceTable` projections),
/// and the audio tokens the provider itself reported, which price it as billed. Live
/// providers report tokens, not seconds: their seconds come from the recording (the caller's
/// and the agent's speech), so a projection still has something to price.
public struct ModelUsage: Sendable, Equatable, Codable {
    public var inputAudioSeconds: Double = 0
    public var outputAudioSeconds: Double = 0
    public var inputTextTokens = 0
    public var outputTextTokens = 0
    /// As the provider reported them (0 when it did not).
    public var inputAudioTokens = 0
    public var outputAudioTokens = 0
    public var cachedInputTokens = 0

    public init() {}

    public init(events: [TraceEvent]) {
        for e in events where e.is(.usage) {
            inputAudioSeconds += e["input_audio_seconds"]?.double ?? 0
            outputAudioSeconds += e["output_audio_seconds"]?.double ?? 0
            inputTextTokens += e["input_text_tokens"]?.int ?? 0
            outputTextTokens += e["output_text_tokens"]?.int ?? 0
            inputAudioTokens += e["input_audio_tokens"]?.int ?? 0
            outputAudioTokens += e["output_audio_tokens"]?.int ?? 0
            cachedInputTokens += e["cached_input_tokens"]?.int ?? 0
        }
        roundSeconds()
    }

    enum CodingKeys: String, CodingKey {
        case inputAudioSeconds, outputAudioSeconds, inputTextTokens, outputTextTokens, inputAudioTokens, outputAudioTokens, cachedInputTokens
    }

    /// Results written before the reported tokens were kept read as 0 tokens.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputAudioSeconds = try c.decode(Double.self, forKey: .inputAudioSeconds)
        outputAudioSeconds = try c.decode(Double.self, forKey: .outputAudioSeconds)
        inputTextTokens = try c.decode(Int.self, forKey: .inputTextTokens)
        outputTextTokens = try c.decode(Int.self, forKey: .outputTextTokens)
        inputAudioTokens = try c.decodeIfPresent(Int.self, forKey: .inputAudioTokens) ?? 0
        outputAudioTokens = try c.decodeIfPresent(Int.self, forKey: .outputAudioTokens) ?? 0
        cachedInputTokens = try c.decodeIfPresent(Int.self, forKey: .cachedInputTokens) ?? 0
    }

    /// Seconds from the recording when the provider reported none (a live provider reports tokens).
    mutating func fillSeconds(from timeline: SpeechTimeline) {
        guard inputAudioSeconds == 0 && outputAudioSeconds == 0 else { return }
        inputAudioSeconds = Double(timeline.caller.reduce(0) { $0 + $1.count }) / 1000
        outputAudioSeconds = Double(timeline.agent.reduce(0) { $0 + $1.count }) / 1000
        roundSeconds()
    }

    /// Seconds to the millisecond, so sums print the same everywhere.
    mutating func roundSeconds() {
        inputAudioSeconds = (inputAudioSeconds * 1000).rounded() / 1000
        outputAudioSeconds = (outputAudioSeconds * 1000).rounded() / 1000
    }

    public static func + (a: ModelUsage, b: ModelUsage) -> ModelUsage {
        var sum = a
        sum.inputAudioSeconds += b.inputAudioSeconds
        sum.outputAudioSeconds += b.outputAudioSeconds
        sum.inputTextTokens += b.inputTextTokens
        sum.outputTextTokens += b.outputTextTokens
        sum.inputAudioTokens += b.inputAudioTokens
        sum.outputAudioTokens += b.outputAudioTokens
        sum.cachedInputTokens += b.cachedInputTokens
        sum.roundSeconds()
        return sum
    }
}
