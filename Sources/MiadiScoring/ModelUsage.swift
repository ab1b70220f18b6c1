import MiadiAgent

/// What a call used of its model, summed from the trace's `usage` events: audio seconds each
/// way and text tokens. Prices turn it into money (`PriceTable`); seconds rather than tokens,
/// so the same call can be priced on any provider.
public struct ModelUsage: Sendable, Equatable, Codable {
    public var inputAudioSeconds: Double = 0
    public var outputAudioSeconds: Double = 0
    public var inputTextTokens = 0
    public var outputTextTokens = 0

    public init() {}

    public init(events: [TraceEvent]) {
        for e in events where e.is(.usage) {
            inputAudioSeconds += e["input_audio_seconds"]?.double ?? 0
            outputAudioSeconds += e["output_audio_seconds"]?.double ?? 0
            inputTextTokens += e["input_text_tokens"]?.int ?? 0
            outputTextTokens += e["output_text_tokens"]?.int ?? 0
        }
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
        sum.roundSeconds()
        return sum
    }
}
