import Foundation
import Logging
import MiadiBooking
import MiadiServer
#if canImport(Glibc)
import Glibc
#endif

/// A real `miadi serve` started by the lab on 127.0.0.1 for `miadi run --transport websocket`:
/// the same application, routes and stream code as production, with a `LabCallDirectory` so
/// each call the lab places gets its scenario's calendar, clock and line.
public enum SocketLabServer {
    public enum StartError: Error, CustomStringConvertible {
        case noPort(String)
        case notStarted

        public var description: String {
            switch self {
            case .noPort(let reason): return "cannot find a free port on 127.0.0.1 for the lab's server: \(reason)"
            case .notStarted: return "the lab's server did not start"
            }
        }
    }

    /// The bearer token the lab's server asks of the stream handshake (a loopback-only server).
    static let token = "miadi-lab"

    /// Runs `body` with a transport to a server started for it; the server stops after.
    /// `tracesDirectory` receives the traces the server writes itself (as for real calls).
    public static func withServer<T: Sendable>(clinic: Clinic, tracesDirectory: String, _ body: @Sendable (SocketTransport) async throws -> T) async throws -> T {
        // The webhook's <Stream url> is built from the public URL, so the port is chosen first.
        let port = try freeLoopbackPort()
        var configuration = ServeConfiguration(publicURL: "http://127.0.0.1:\(port)", clinicFile: "(lab)", databasePath: ":memory:")
        configuration.port = port
        configuration.streamToken = token
        configuration.tracesDirectory = tracesDirectory
        var logger = Logger(label: "miadi.lab.serve")
        // Quiet unless asked: MIADI_LAB_LOG=debug shows what the lab's server does.
        logger.logLevel = ProcessInfo.processInfo.environment["MIADI_LAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let directory = LabCallDirectory()
        let app = MiadiServerApp(configuration: configuration, clinic: clinic, models: .echo, logger: logger, labCalls: directory)
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
            let result = try await body(SocketTransport(port: bound, directory: directory))
            group.cancelAll()
            return result
        }
    }

    /// Binds port 0 on 127.0.0.1, reads the port the kernel chose and lets it go.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError.noPort(String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw StartError.noPort(String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
