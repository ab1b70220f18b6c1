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
    /// Whether the model should stop itself when it hears the caller over its words
    /// (`BargeInPolicy.modelInterruptsItself`): no when the bridge pauses and decides.
    public var interruptsItself = true

    public init(clinic: Clinic, today: CivilDate, language: LanguageCode, callSID: String) {
        self.clinic = clinic
        self.today = today
        self.language = language
        self.callSID = callSID
    }
}

/// A live model as `miadi serve` and the lab use it: who it is, the rates it speaks at, and
/// how to open a session for one call. Keys stay inside; nothing here prints them.
public struct LiveModel: Sendable {
    public let providerID: String
    public let model: String
    public let inputSampleRate: Int
    public let outputSampleRate: Int
    /// Where sessions are opened, for messages (a key in the URL is hidden).
    public let url: String
    let template: String
    let templateFile: String
    /// Opens a session with these instructions; `greet`: the agent speaks first.
    let connect: @Sendable (_ instructions: String, _ language: LanguageCode, _ greet: Bool, _ interruptsItself: Bool, _ logger: Logger, _ log: ProviderLogWriter?) -> any LiveSession
    let logger: Logger

    /// A session for one call, its prompt rendered for the call's clinic and day; `log` keeps
    /// its messages (`--record`).
    public func open(_ brief: LiveCallBrief, log: ProviderLogWriter? = nil) -> any LiveSession {
        let instructions = (try? SystemPrompt.render(template: template, file: templateFile, clinic: brief.clinic, today: brief.today, language: brief.language)) ?? ""
        var callLogger = logger
        callLogger[metadataKey: "call_sid"] = "\(brief.callSID)"
        return connect(instructions, brief.language, true, brief.interruptsItself, callLogger, log)
    }

    /// A session that only sets up and says nothing: what `LivePreflight` opens.
    public func probe() -> any LiveSession {
        connect("You are a connectivity check. Say nothing.", .en, false, true, logger, nil)
    }

    /// The template is checked now, for `clinic`, so a typo in a placeholder stops the start
    /// rather than a call.
    static func checked(template: String, file: String, clinic: Clinic) throws(SystemPrompt.TemplateError) {
        _ = try SystemPrompt.render(template: template, file: file, clinic: clinic, today: CivilDate(year: 2026, month: 1, day: 5), language: clinic.languages.first ?? .en)
    }

    /// OpenAI Realtime (GA) at `endpoint`.
    public static func openAIRealtime(endpoint: OpenAIEndpoint, apiKey: String, model: String, voice: String, template: String, templateFile: String,
                                      clinic: Clinic, logger: Logger) throws(SystemPrompt.TemplateError) -> LiveModel {
        try checked(template: template, file: templateFile, clinic: clinic)
        let url = endpoint.realtimeURL(model: model)
        return LiveModel(providerID: "openai-realtime", model: model, inputSampleRate: OpenAIRealtimeConfiguration.sampleRate, outputSampleRate: OpenAIRealtimeConfiguration.sampleRate,
                         url: url, template: template, templateFile: templateFile, connect: { instructions, language, greet, interruptsItself, logger, log in
            var configuration = OpenAIRealtimeConfiguration(model: model, voice: voice, instructions: instructions, language: language.rawValue, greetFirst: greet)
            configuration.interruptResponse = interruptsItself
            return LiveSocket(url: url, headers: endpoint.headers(apiKey: apiKey), wire: OpenAIRealtimeProtocol(configuration: configuration), logger: logger, log: log)
        }, logger: logger)
    }

    /// Gemini Live (BidiGenerateContent) at `endpoint`.
    public static func geminiLive(endpoint: GeminiEndpoint, apiKey: String, model: String, voice: String, template: String, templateFile: String,
                                  clinic: Clinic, logger: Logger) throws(SystemPrompt.TemplateError) -> LiveModel {
        try checked(template: template, file: templateFile, clinic: clinic)
        let url = endpoint.socketURL
        return LiveModel(providerID: "gemini-live", model: model, inputSampleRate: GeminiLiveConfiguration.inputSampleRate, outputSampleRate: GeminiLiveConfiguration.outputSampleRate,
                         url: url, template: template, templateFile: templateFile, connect: { instructions, _, greet, interruptsItself, logger, log in
            var configuration = GeminiLiveConfiguration(model: model, voice: voice, instructions: instructions, greetFirst: greet)
            configuration.interruptsOnActivity = interruptsItself
            return LiveSocket(url: url, headers: endpoint.headers(apiKey: apiKey), wire: GeminiLiveProtocol(configuration: configuration), logger: logger, log: log)
        }, logger: logger)
    }

    /// An OpenAI-compatible cascade (speech to text, chat with tools, text to speech) under
    /// `baseURL` (`http://host:8000/v1`): turns by Miadi's VAD. No provider log yet: only the
    /// realtime providers record (`--record`).
    public static func cascade(baseURL: String, apiKey: String?, chatModel: String, voice: String, sttModel: String, ttsModel: String,
                               template: String, templateFile: String, clinic: Clinic, logger: Logger) throws(SystemPrompt.TemplateError) -> LiveModel {
        try checked(template: template, file: templateFile, clinic: clinic)
        return LiveModel(providerID: "cascade", model: chatModel, inputSampleRate: CascadeConfiguration.inputSampleRate, outputSampleRate: CascadeConfiguration.outputSampleRate,
                         url: baseURL, template: template, templateFile: templateFile, connect: { instructions, language, _, _, logger, _ in
            let configuration = CascadeConfiguration(baseURL: baseURL, apiKey: apiKey, sttModel: sttModel, chatModel: chatModel, ttsModel: ttsModel, voice: voice,
                                                     instructions: instructions, language: language.rawValue)
            return CascadeSession(configuration: configuration, logger: logger)
        }, logger: logger)
    }
}
