import MiadiProviders

/// The model of one call: in process, driven by the machine in call time, or across a network,
/// whose events the shell feeds back.
public enum CallModel: Sendable {
    case inProcess(any ProviderMachine)
    case network(NetworkModel)

    /// A network model's identity and audio rates.
    public struct NetworkModel: Sendable, Equatable {
        public var providerID: String
        public var model: String
        public var inputSampleRate: Int
        public var outputSampleRate: Int

        public init(providerID: String, model: String, inputSampleRate: Int, outputSampleRate: Int) {
            self.providerID = providerID
            self.model = model
            self.inputSampleRate = inputSampleRate
            self.outputSampleRate = outputSampleRate
        }
    }

    /// Who the model is and the rates it speaks at, whichever kind it is.
    var facts: NetworkModel {
        switch self {
        case .inProcess(let machine):
            return NetworkModel(providerID: machine.providerID, model: machine.model, inputSampleRate: machine.inputSampleRate, outputSampleRate: machine.outputSampleRate)
        case .network(let network):
            return network
        }
    }

    public var providerID: String { facts.providerID }
    public var model: String { facts.model }
    public var inputSampleRate: Int { facts.inputSampleRate }
    public var outputSampleRate: Int { facts.outputSampleRate }
}
