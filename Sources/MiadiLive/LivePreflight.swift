import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging

/// Why a live model cannot be used, found before any call starts: one clear sentence each.
public enum LiveSetupError: Error, Equatable, CustomStringConvertible {
    /// The key's environment variable is not set.
    case missingKey(provider: String, variable: String)
    /// The service did not answer (refused connection, no route, time-out).
    case unreachable(provider: String, url: String, reason: String)
    /// The service answered but refused the session (a wrong key, model or path).
    case refused(provider: String, url: String)
    /// The service took the socket but failed the setup (its own words).
    case failed(provider: String, message: String)
    case unknownProvider(String)
    case badBaseURL(variable: String, reason: String)
    /// The prompt template names a placeholder that does not exist (file:line).
    case template(String)

    public var description: String {
        switch self {
        case .missingKey(let provider, let variable):
            return "--provider \(provider) needs \(variable) in the environment"
        case .unreachable(let provider, let url, let reason):
            return "\(provider): cannot reach \(url) (\(reason)); check the base URL and the network"
        case .refused(let provider, let url):
            return "\(provider): \(url) refused the session; check the key and the model name"
        case .failed(_, let message):
            return message
        case .unknownProvider(let name):
            return "no live provider \(name); known: \(LiveModel.providers.map(\.id).joined(separator: ", "))"
        case .badBaseURL(let variable, let reason):
            return "\(variable): \(reason)"
        case .template(let message):
            return message
        }
    }
}

/// Opens one session, waits for the service to confirm its setup, and closes it: a wrong key,
/// model or endpoint is one error before a run starts instead of a failure in every call.
public enum LivePreflight {
    public static func check(_ model: LiveModel, timeout: Duration = .seconds(15)) async throws(LiveSetupError) {
        let socket = model.probe()
        defer { socket.send(.endOfCall) }
        let shown = LiveSocket.redacted(model.url)
        let failure: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await events in socket.events {
                    for case .failed(let message, true) in events { return message }
                }
                return socket.isSetUp ? nil : "the session ended before it was set up"
            }
            group.addTask {
                let clock = ContinuousClock()
                let deadline = clock.now.advanced(by: timeout)
                while clock.now < deadline {
                    if socket.isSetUp { return nil }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return "no answer within \(timeout)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let failure else { return }
        if failure.contains("upgrade was refused") { throw .refused(provider: model.providerID, url: shown) }
        if failure.contains("could not reach") || failure.contains("no answer within") { throw .unreachable(provider: model.providerID, url: shown, reason: failure) }
        throw .failed(provider: model.providerID, message: failure)
    }
}
