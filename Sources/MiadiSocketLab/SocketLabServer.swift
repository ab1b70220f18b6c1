import Foundation
import Logging
import MiadiBooking
import MiadiLive
import MiadiServer

/// A real `miadi serve` started by the lab on 127.0.0.1 for `miadi run --transport websocket`:
/// the same application, routes and stream code as production, with a `LabCallDirectory` so
/// each call the lab places gets its scenario's calendar, clock and line.
public enum SocketLabServer {
    public enum StartError: Error, CustomStringConvertible {
        case notStarted

        public var description: String {
            switch self {
            case .notStarted: return "the lab's server did not start"
            }
        }
    }

    /// The bearer token the lab's server asks of the stream handshake (a loopback-only server).
    static let token = "miadi-lab"

    /// Runs `body` with a transport to a server started for it; the server stops after.
    /// `tracesDirectory` receives the traces the server writes itself (as for real calls).
    public static func withServer<T: Sendable>(clinic: Clinic, tracesDirectory: String, live: LiveModel? = nil, recordProviderMessages: Bool = false, _ body: @Sendable (SocketTransport) async throws -> T) async throws -> T {
        // Port 0: the kernel chooses, and the webhook's <Stream url> gets the port bound.
        var configuration = ServeConfiguration(publicURL: "http://127.0.0.1:0", clinicFile: "(lab)", databasePath: ":memory:")
        configuration.port = 0
        configuration.streamToken = token
        // The lab's calls are the measurement: its own server never sheds them (a debug build
        // playing 16 calls at once runs behind real time by design).
        configuration.shedLagMs = nil
        configuration.webhookRateLimit = nil
        // The lab's mock computes on its call's loop (its recognition, slow in a debug build):
        // more loops than `miadi serve` takes by default, so that one call's recognition holds
        // up fewer of the others.
        configuration.eventLoops = 4 * MiadiServerApp.coreCount + 1
        configuration.tracesDirectory = tracesDirectory
        configuration.recordProviderMessages = recordProviderMessages
        var logger = Logger(label: "miadi.lab.serve")
        // Quiet unless asked: MIADI_LAB_LOG=debug shows what the lab's server does.
        logger.logLevel = ProcessInfo.processInfo.environment["MIADI_LAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let directory = LabCallDirectory()
        // What a lost live model's calls hear before the handoff, as in production.
        let fallback = (try? FallbackLines.load(folder: configuration.fallbackAudioDirectory)) ?? FallbackLines()
        let app = MiadiServerApp(configuration: configuration, clinic: clinic, models: .echo, logger: logger, labCalls: directory, fallback: fallback)
        let (ready, readySink) = AsyncStream<Int>.makeStream()
        let application = app.application { channel in
            readySink.yield(channel.localAddress?.port ?? 0)
            readySink.finish()
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await application.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ready.makeAsyncIterator()
            guard let bound = await iterator.next(), bound > 0 else { throw StartError.notStarted }
            let result = try await body(SocketTransport(port: bound, directory: directory, live: live))
            group.cancelAll()
            return result
        }
    }
}
