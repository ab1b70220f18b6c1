import MiadiAgent
import MiadiProviders

/// A recorded live session played back in call time, with no network: each message the
/// service sent goes through the same wire protocol as it did live, at the call time it came,
/// so a live run becomes a deterministic regression test of the protocol, the bridge, the
/// guard and the scorer. What the bridge sends is given to the protocol (its state follows
/// the call) and goes nowhere: the recording does not answer new input.
public struct ReplayProvider: ProviderMachine {
    public let providerID = "replay"
    public let model: String
    public let inputSampleRate: Int
    public let outputSampleRate: Int
    private var wire: any LiveWireProtocol
    private let incoming: [(atMs: Int, message: JSONValue)]
    private var next = 0

    public enum ReplayError: Error, Equatable, CustomStringConvertible {
        case unknownProvider(String)

        public var description: String {
            switch self {
            case .unknownProvider(let name): return "a provider log of \(name): only openai-realtime and gemini-live logs can be replayed"
            }
        }
    }

    public init(log: ProviderLog) throws(ReplayError) {
        model = "\(log.provider)/\(log.model)"
        switch log.provider {
        case "openai-realtime":
            wire = OpenAIRealtimeProtocol(configuration: .init(instructions: "", greetFirst: false))
            inputSampleRate = OpenAIRealtimeConfiguration.sampleRate
            outputSampleRate = OpenAIRealtimeConfiguration.sampleRate
        case "gemini-live":
            wire = GeminiLiveProtocol(configuration: .init(instructions: "", greetFirst: false))
            inputSampleRate = GeminiLiveConfiguration.inputSampleRate
            outputSampleRate = GeminiLiveConfiguration.outputSampleRate
        default:
            throw .unknownProvider(log.provider)
        }
        incoming = log.entries.filter { !$0.outgoing }.map { (log.openedAtMs + $0.tMs, $0.message) }
    }

    public mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent] {
        _ = wire.send(input)
        return []
    }

    public mutating func tick(nowMs: Int) -> [ProviderEvent] {
        var events: [ProviderEvent] = []
        while next < incoming.count, incoming[next].atMs <= nowMs {
            events += wire.receive(incoming[next].message)
            _ = wire.takeOutgoing()
            next += 1
        }
        return events
    }
}
