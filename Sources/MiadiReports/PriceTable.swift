import Foundation
import MiadiBooking
import MiadiScoring

/// `Pricing/prices.yaml`: the exchange rate, the telephony rate and each provider's prices,
/// every one with where and when it was read. Strictly read: an unknown key or a missing price
/// is an error naming the file and line.
public struct PriceTable: Sendable, Equatable {
    public struct Provider: Sendable, Equatable {
        public let id: String
        public let model: String
        /// USD per million tokens.
        public let textIn: Double, textOut: Double, audioIn: Double, audioOut: Double
        public let audioTokensPerSecondIn: Double, audioTokensPerSecondOut: Double
        public let source: String
        public let read: String

        /// The model cost of `usage` in USD (a lower bound: no context re-billing).
        public func usd(_ usage: ModelUsage) -> Double {
            (usage.inputAudioSeconds * audioTokensPerSecondIn * audioIn + usage.outputAudioSeconds * audioTokensPerSecondOut * audioOut
                + Double(usage.inputTextTokens) * textIn + Double(usage.outputTextTokens) * textOut) / 1_000_000
        }
    }

    public let usdToKES: Double
    public let usdToKESIsExample: Bool
    public let kesPerMinute: Double
    public let telephonyIsExample: Bool
    public let providers: [Provider]
    public let file: String

    /// Telephony cost of a call billed `seconds` (per-second billing), KES.
    public func telephonyKES(billedSeconds seconds: Int) -> Double { Double(seconds) * kesPerMinute / 60 }

    /// What one call cost, KES: telephony for its billed seconds plus the model, priced as the
    /// run's provider (the table's row for it) or, for a model the table does not price (the
    /// mock), as the table's first provider. `pricedAs` names the row used.
    public func callCost(usage: ModelUsage, billedSeconds: Int, provider: String, model: String) -> (kes: Double, pricedAs: String)? {
        guard let row = providers.first(where: { $0.id == provider && $0.model == model }) ?? providers.first(where: { $0.id == provider }) ?? providers.first else { return nil }
        return (row.usd(usage) * usdToKES + telephonyKES(billedSeconds: billedSeconds), "\(row.id) \(row.model)")
    }

    public static func load(path: String) throws(YAMLFileError) -> PriceTable {
        let root = try YAMLField.root(file: path)
        let top = try root.mapping(allowed: ["currency", "telephony", "providers"])
        let currencyField = try top.required("currency", in: root, "usd_to_kes, example, read")
        let currency = try currencyField.mapping(allowed: ["usd_to_kes", "example", "read"])
        let telephonyField = try top.required("telephony", in: root, "kes_per_minute, example, billing, read")
        let telephony = try telephonyField.mapping(allowed: ["kes_per_minute", "example", "billing", "read"])
        if let billing = telephony["billing"], try billing.nonEmptyString() != "per_second" {
            throw billing.error("only per_second billing is modelled (Sautikit bills whole seconds, rounded up)")
        }
        var providers: [Provider] = []
        for item in try top.required("providers", in: root, "a list of providers with their prices").list() {
            let map = try item.mapping(allowed: ["id", "model", "usd_per_million_tokens", "audio_tokens_per_second", "source", "read"])
            let pricesField = try map.required("usd_per_million_tokens", in: item, "text_in, text_out, audio_in, audio_out")
            let prices = try pricesField.mapping(allowed: ["text_in", "text_out", "audio_in", "audio_out"])
            func price(_ key: String) throws(YAMLFileError) -> Double { try prices.required(key, in: pricesField, "USD per million tokens").double(in: 0...10_000) }
            let rateField = try map.required("audio_tokens_per_second", in: item, "in, out")
            let rates = try rateField.mapping(allowed: ["in", "out"])
            let id = try map.required("id", in: item, "a name for reports").nonEmptyString()
            if providers.contains(where: { $0.id == id }) { throw item.error("provider \"\(id)\" is listed twice") }
            providers.append(Provider(
                id: id, model: try map.required("model", in: item, "the model these prices are for").nonEmptyString(),
                textIn: try price("text_in"), textOut: try price("text_out"), audioIn: try price("audio_in"), audioOut: try price("audio_out"),
                audioTokensPerSecondIn: try rates.required("in", in: rateField, "tokens per second of caller audio").double(in: 0...10_000),
                audioTokensPerSecondOut: try rates.required("out", in: rateField, "tokens per second of agent audio").double(in: 0...10_000),
                source: try map.required("source", in: item, "where the prices were read").nonEmptyString(),
                read: try map.required("read", in: item, "when they were read").nonEmptyString()))
        }
        return PriceTable(
            usdToKES: try currency.required("usd_to_kes", in: currencyField, "KES per USD").double(in: 0.0001...1_000_000),
            usdToKESIsExample: try currency["example"]?.bool() ?? false,
            kesPerMinute: try telephony.required("kes_per_minute", in: telephonyField, "your inbound rate").double(in: 0...100_000),
            telephonyIsExample: try telephony["example"]?.bool() ?? false, providers: providers, file: path)
    }
}
