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

    public var description: String {
        switch self {
        case .missingKey(let provider, let variable):
            return "--provider \(provider) needs \(variable) in the environment"
        case .unreachable(let provider, let url, let reason):
            return "\(provider): cannot reach \(url) (\(reason)); check the base URL and the network"
        case .refused(let provider, let url):
            return "\(provider): \(url) refused the session; check the key and the model name"
        }
    }
}

/// Opens one session and closes it at once, so a wrong key or an unreachable endpoint is one
/// error before a run starts instead of a failure in every call.
public enum LivePreflight {
    public static func check(provider: String, url: String, headers: [String: String], timeout: Duration = .seconds(10)) async throws(LiveSetupError) {
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let logger = { var l = Logger(label: "miadi.live.preflight"); l.logLevel = .critical; return l }()
        let shown = LiveSocket.redacted(url)
        let configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20, additionalHeaders: fields)
        let outcome: Result<Void, any Error>? = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { _, outbound, _ in
                        try await outbound.close(.normalClosure, reason: "preflight")
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success?: return
        case nil: throw .unreachable(provider: provider, url: shown, reason: "no answer within \(timeout)")
        case .failure(let error)?:
            if let error = error as? WebSocketClientError, error == .webSocketUpgradeFailed { throw .refused(provider: provider, url: shown) }
            throw .unreachable(provider: provider, url: shown, reason: "\(error)")
        }
    }
}
