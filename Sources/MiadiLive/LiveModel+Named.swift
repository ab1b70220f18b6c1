import Foundation
import Logging
import MiadiAgent
import MiadiBooking

extension LiveModel {
    /// The live providers this build speaks, with the environment each one reads.
    public static let providers: [(id: String, key: String, baseURL: String)] = [
        ("openai-realtime", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
        ("gemini-live", "GEMINI_API_KEY", "GEMINI_BASE_URL"),
    ]

    /// The environment variable that holds `provider`'s key (nil: not a live provider).
    public static func keyVariable(for provider: String) -> String? { providers.first { $0.id == provider }?.key }

    /// A live model by provider name, its key and base URL from `environment` as the official
    /// SDKs read them; `model` and `voice` nil for the provider's defaults.
    public static func named(_ provider: String, environment: [String: String], model: String?, voice: String?, template: String, templateFile: String,
                             clinic: Clinic, logger: Logger) throws(LiveSetupError) -> LiveModel {
        guard let entry = providers.first(where: { $0.id == provider }) else { throw .unknownProvider(provider) }
        guard let key = environment[entry.key], !key.isEmpty else { throw .missingKey(provider: provider, variable: entry.key) }
        let base = environment[entry.baseURL].flatMap { $0.isEmpty ? nil : $0 }
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
