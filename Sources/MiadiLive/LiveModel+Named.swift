import Foundation
import Logging
import MiadiAgent
import MiadiBooking

extension LiveModel {
    /// The live providers this build speaks, with the environment each one reads. The
    /// cascade (self-hosted, OpenAI-compatible) needs its base URL; its key is optional.
    public static let providers: [(id: String, key: String, baseURL: String)] = [
        ("openai-realtime", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
        ("gemini-live", "GEMINI_API_KEY", "GEMINI_BASE_URL"),
        ("cascade", "CASCADE_API_KEY", "CASCADE_BASE_URL"),
    ]

    /// The environment variable `provider` cannot do without (nil: not a live provider).
    public static func keyVariable(for provider: String) -> String? {
        provider == "cascade" ? "CASCADE_BASE_URL" : providers.first { $0.id == provider }?.key
    }

    /// A live model by provider name, its key and base URL from `environment` as the official
    /// SDKs read them; `model` and `voice` nil for the provider's defaults.
    public static func named(_ provider: String, environment: [String: String], model: String?, voice: String?, template: String, templateFile: String,
                             clinic: Clinic, logger: Logger) throws(LiveSetupError) -> LiveModel {
        guard let entry = providers.first(where: { $0.id == provider }) else { throw .unknownProvider(provider) }
        let base = environment[entry.baseURL].flatMap { $0.isEmpty ? nil : $0 }
        let key = environment[entry.key].flatMap { $0.isEmpty ? nil : $0 }
        if provider == "cascade" {
            guard let base else { throw .missingKey(provider: provider, variable: entry.baseURL) }
            do { _ = try OpenAIEndpoint(baseURL: base) } catch { throw .badBaseURL(variable: entry.baseURL, reason: error.description) }
            do {
                return try cascade(baseURL: base, apiKey: key, chatModel: model ?? "gpt-4o-mini", voice: voice ?? "alloy",
                                   sttModel: environment["CASCADE_STT_MODEL"] ?? "whisper-1", ttsModel: environment["CASCADE_TTS_MODEL"] ?? "tts-1",
                                   template: template, templateFile: templateFile, clinic: clinic, logger: logger)
            } catch { throw .template(error.description) }
        }
        guard let key else { throw .missingKey(provider: provider, variable: entry.key) }
        do {
            switch provider {
            case "openai-realtime":
                let endpoint = try OpenAIEndpoint(baseURL: base ?? OpenAIEndpoint.defaultBaseURL)
                return try openAIRealtime(endpoint: endpoint, apiKey: key, model: model ?? "gpt-realtime", voice: voice ?? "marin",
                                          template: template, templateFile: templateFile, clinic: clinic, logger: logger)
            default:
                let endpoint = try GeminiEndpoint(baseURL: base ?? GeminiEndpoint.defaultBaseURL)
                return try geminiLive(endpoint: endpoint, apiKey: key, model: model ?? "gemini-3.8-live", voice: voice ?? "Puck",
                                      template: template, templateFile: templateFile, clinic: clinic, logger: logger)
            }
        } catch let error as OpenAIEndpoint.Failure {
            throw .badBaseURL(variable: entry.baseURL, reason: error.description)
        } catch let error as SystemPrompt.TemplateError {
            throw .template(error.description)
        } catch {
            throw .template("\(error)")
        }
    }
}
