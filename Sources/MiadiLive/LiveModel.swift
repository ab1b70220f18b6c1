import Foundation
import Logging
import MiadiAgent
import MiadiBooking
import MiadiLanguage
import MiadiProviders

/// What one call needs to know to open its model's session: the clinic and day its prompt is
/// rendered for, the language to start in, and the call it is for (in logs only).
public struct LiveCallBrief: Sendable {
    public let clinic: Clinic
    public let today: CivilDate
    public let language: LanguageCode
    public let callSID: String

    public init(clinic: Clinic, today: CivilDate, language: LanguageCode, callSID: String) {
        self.clinic = clinic
        self.today = today
        self.language = language
        self.callSID = callSID
    }
}

/// A live model as `miadi serve` and the lab use it: who it is, the rates it speaks at, and
/// how to open a session for one call. Keys stay inside `open`; nothing here prints them.
public struct LiveModel: Sendable {
    public let providerID: String
    public let model: String
    public let inputSampleRate: Int
    public let outputSampleRate: Int
    public let open: @Sendable (LiveCallBrief) -> LiveSocket

    public init(providerID: String, model: String, inputSampleRate: Int, outputSampleRate: Int, open: @escaping @Sendable (LiveCallBrief) -> LiveSocket) {
        self.providerID = providerID
        self.model = model
        self.inputSampleRate = inputSampleRate
        self.outputSampleRate = outputSampleRate
        self.open = open
    }

    /// OpenAI Realtime (GA) at `endpoint`; each call's instructions are `template` rendered for
    /// its clinic and day. The template is checked now, for `clinic`, so a typo in a
    /// placeholder stops the start rather than a call.
    public static func openAIRealtime(endpoint: OpenAIEndpoint, apiKey: String, model: String, voice: String, template: String, templateFile: String,
                                      clinic: Clinic, logger: Logger) throws(SystemPrompt.TemplateError) -> LiveModel {
        _ = try SystemPrompt.render(template: template, file: templateFile, clinic: clinic, today: CivilDate(year: 2026, month: 1, day: 5), language: clinic.languages.first ?? .en)
        return LiveModel(providerID: "openai-realtime", model: model, inputSampleRate: OpenAIRealtimeConfiguration.sampleRate, outputSampleRate: OpenAIRealtimeConfiguration.sampleRate) { brief in
            let instructions = (try? SystemPrompt.render(template: template, file: templateFile, clinic: brief.clinic, today: brief.today, language: brief.language)) ?? ""
            let configuration = OpenAIRealtimeConfiguration(model: model, voice: voice, instructions: instructions, language: brief.language.rawValue)
            var callLogger = logger
            callLogger[metadataKey: "call_sid"] = "\(brief.callSID)"
            return LiveSocket(url: endpoint.realtimeURL(model: model), headers: endpoint.headers(apiKey: apiKey), wire: OpenAIRealtimeProtocol(configuration: configuration), logger: callLogger)
        }
    }
}
