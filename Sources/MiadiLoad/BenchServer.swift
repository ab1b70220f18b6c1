import CMiadiLoad
import Foundation

/// A server `miadi bench bridge` starts, measures and stops: `miadi serve` itself (with
/// `provider: echo`, writing its traces and recordings as in production), or one of the peers in
/// `Benchmarks/peers/` (a Node `ws` and a Python `websockets` echo bridge).
public final class BenchServer: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case miadi, node, python
    }

    public enum LaunchError: Error, CustomStringConvertible {
        case cannotStart(String, String)
        case notHealthy(String, log: String)

        public var description: String {
            switch self {
            case .cannotStart(let what, let why): return "cannot start \(what): \(why)"
            case .notHealthy(let what, let log):
                let hint = what == "miadi" ? "" : " (the peers need Scripts/install-bench-peers: Debian's node-ws, PyPI's websockets)"
                return "\(what) did not answer /healthz within 30 s\(hint); its log: \(log)"
            }
        }
    }

    public let kind: Kind
    public let port: Int
    public let token: String
    let process: Process
    let folder: String

    public var pid: Int32 { process.processIdentifier }

    /// Where the streams go: Miadi through its webhook (the ticket it hands out), the peers
    /// straight to their stream with the shared token.
    public var target: BridgeLoad.Target {
        BridgeLoad.Target(port: port, webhookPath: kind == .miadi ? "/voice" : nil, token: kind == .miadi ? nil : token, pid: pid)
    }

    /// Starts `kind` on a free port and waits until it answers `/healthz`.
    /// `root`: the repository (the clinic file and the peers are read from it); `executable`:
    /// the `miadi` to serve with (nil: this process's own). For Miadi, `streamToken: false`
    /// lets any client open a stream (the fuzz test's frames need no ticket), `settings` are
    /// more `serve.yaml` lines, and `fileLimit` the server's limit of open files (`ulimit -n`).
    public init(kind: Kind, root: String, executable: String? = nil, streamToken: Bool = true, settings: [String] = [], fileLimit: Int? = nil) throws {
        self.kind = kind
        port = Self.freePort()
        token = "bench-\(port)"
        folder = NSTemporaryDirectory() + "miadi-bench-\(kind.rawValue)-\(port)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process = Process()
        var environment = ProcessInfo.processInfo.environment
        switch kind {
        case .miadi:
            let config = """
            listen: {host: 127.0.0.1, port: \(port)}
            public_url: http://127.0.0.1:\(port)
            \(streamToken ? "stream_token: \(token)" : "")
            clinic: \((root as NSString).appendingPathComponent("Scenarios/clinics/whitedent-nairobi.yaml"))
            database: \(folder)/calendar.sqlite
            provider: echo
            fallback_audio: \((root as NSString).appendingPathComponent("Audio/fallback"))
            stream: {track: both_tracks, rate: 16000, output_rate: 16000}
            traces: \(folder)/traces
            drain_seconds: 5
            shed_lag_ms: 60000
            webhook_rate_limit: {per_second: 100000, burst: 1000000}
            \(settings.joined(separator: "\n"))

            """
            try config.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
            let miadi = URL(fileURLWithPath: executable ?? "/proc/self/exe").resolvingSymlinksInPath().path
            if let fileLimit {
                // The shell sets the limit and becomes the server (same pid).
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", miadi, "serve", "--config", folder + "/serve.yaml"]
            } else {
                process.executableURL = URL(fileURLWithPath: miadi)
                process.arguments = ["serve", "--config", folder + "/serve.yaml"]
            }
        case .node:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["node", (root as NSString).appendingPathComponent("Benchmarks/peers/node-ws-echo.js"), "\(port)", token]
            environment["NODE_PATH"] = [environment["NODE_PATH"], "/usr/share/nodejs"].compactMap { $0 }.joined(separator: ":")
        case .python:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-W", "ignore::DeprecationWarning", (root as NSString).appendingPathComponent("Benchmarks/peers/python-websockets-echo.py"), "\(port)", token]
        }
        process.environment = environment
        FileManager.default.createFile(atPath: folder + "/server.log", contents: nil)
        let log = FileHandle(forWritingAtPath: folder + "/server.log")
        process.standardOutput = log
        process.standardError = log
        do { try process.run() } catch { throw LaunchError.cannotStart(kind.rawValue, "\(error)") }
        for _ in 0..<300 {
            if mload_http_status("127.0.0.1", Int32(port), "/healthz", 1000) == 200 { return }
            if !process.isRunning { break }
            usleep(100_000)
        }
        let text = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
        stop()
        throw LaunchError.notHealthy(kind.rawValue, log: String(text.suffix(600)))
    }

    /// The status of `GET /healthz` now (-1 when nothing answers within a second).
    public func health() -> Int {
        Int(mload_http_status("127.0.0.1", Int32(port), "/healthz", 1000))
    }

    /// Stops the server and removes what it wrote (traces and recordings of the load).
    public func stop() {
        if process.isRunning {
            process.terminate()
            // A child may inherit a signal mask that holds SIGTERM back: then it is killed.
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A port nothing listens on now (bound and released: another process could take it
    /// in between, which on a bench machine does not happen).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
