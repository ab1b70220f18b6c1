import Foundation

/// A `miadi serve` in a process of its own, listening on a port the kernel chose (port 0 in
/// its configuration): it reports the port it bound in its "listening" log line, read here,
/// so no test races another for a port it thought was free.
public final class ServingProcess: @unchecked Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case exited(Int32, String)
        case noListeningLine(String)

        public var description: String {
            switch self {
            case .exited(let status, let output): return "miadi serve exited \(status) before listening: \(output)"
            case .noListeningLine(let output): return "miadi serve said nothing of a port within the time allowed: \(output)"
            }
        }
    }

    public let port: Int
    let process: Process

    /// Starts `miadi serve ARGS` (its configuration must listen on port 0 with `--log-level
    /// notice` or lower) and waits until it listens, up to `timeout`.
    public init(arguments: [String], environment: [String: String?] = [:], timeout: Duration = .seconds(60)) async throws {
        let child = MiadiExecutable.process(["serve"] + arguments, environment: environment)
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let reader = output.fileHandleForReading
        let (lines, sink) = AsyncStream<String>.makeStream()
        // One thread reads the child's output for its whole life, so the pipe never fills.
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    sink.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
            }
            sink.finish()
        }
        let found = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var seen: [String] = []
                for await line in lines {
                    seen.append(line)
                    if let port = Self.port(inListeningLine: line) { return port }
                }
                throw StartError.exited(child.isRunning ? -1 : child.terminationStatus, seen.suffix(20).joined(separator: "\n"))
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let found else {
            child.terminate()
            throw StartError.noListeningLine("(timed out)")
        }
        port = found
        process = child
    }

    /// The port in `miadi serve listening address=[IPv4]127.0.0.1/127.0.0.1:PORT …`.
    static func port(inListeningLine line: String) -> Int? {
        guard line.contains("miadi serve listening"), let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return nil }
        return Int(line[range].split(separator: ":").last ?? "")
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}
