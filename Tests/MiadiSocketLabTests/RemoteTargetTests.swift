import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports
import MiadiSimulator
import Testing

/// `miadi run --target URL` against a `miadi serve --lab` the lab did not start: both are the
/// real `miadi` executable in processes of their own, talking over 127.0.0.1 as they would
/// across machines. The server seeds each call's calendar from what the lab sends; the lab
/// reads the calendar back from the server and must agree with the in-process run.
@Suite("remote target", .serialized)
struct RemoteTargetTests {
    static let token = "remote-target-test"

    /// A free port on 127.0.0.1 (bound, read and let go).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "no free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `miadi serve --lab` on `port` with a configuration written into `folder`.
    static func startServer(port: Int, folder: String) throws -> Process {
        let root = SocketTransportTests.root
        let config = """
        listen: {host: 127.0.0.1, port: \(port)}
        public_url: http://127.0.0.1:\(port)
        clinic: \(root)/Scenarios/clinics/whitedent-nairobi.yaml
        database: \(folder)/calendar.sqlite
        provider: mock
        corpus: \(root)/Corpora
        stream: {track: both_tracks, rate: 16000, output_rate: 16000}
        traces: \(folder)/traces
        drain_seconds: 1
        """
        try config.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: SocketTransportTests.miadi)
        server.arguments = ["serve", "--config", folder + "/serve.yaml", "--lab", "--log-level", "warning"]
        server.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment
        environment["MIADI_STREAM_TOKEN"] = token
        server.environment = environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        return server
    }

    /// Runs `miadi ARGS` with `token` (or none) as MIADI_STREAM_TOKEN; its status and stderr.
    static func run(_ arguments: [String], token: String?) async throws -> (status: Int32, stderr: String) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: SocketTransportTests.miadi)
        child.arguments = arguments
        child.currentDirectoryURL = URL(fileURLWithPath: SocketTransportTests.root)
        var environment = ProcessInfo.processInfo.environment
        environment["MIADI_STREAM_TOKEN"] = token
        child.environment = environment
        let errors = Pipe()
        child.standardOutput = FileHandle.nullDevice
        child.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try child.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (status, text)
    }

    /// `run`, again while the server is not listening yet (it is starting in its own process).
    static func runOnceListening(_ arguments: [String], token: String?) async throws -> (status: Int32, stderr: String) {
        var result = try await run(arguments, token: token)
        var tries = 0
        while result.stderr.contains("cannot reach") && tries < 100 {
            try await Task.sleep(for: .milliseconds(100))   // waiting for another process to bind its port
            tries += 1
            result = try await run(arguments, token: token)
        }
        return result
    }

    @Test("a run against a server it did not start: a wrong token is one clear error; the right one plays the call and agrees with the in-process run")
    func remoteRun() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SocketTransportTests.miadi), "build the miadi executable first (swift build)")
        let folder = SocketTransportTests.scratch("remote")
        let port = try Self.freePort()
        let server = try Self.startServer(port: port, folder: folder)
        defer { server.terminate() }
        let target = "http://127.0.0.1:\(port)"
        let scenario = "Scenarios/sw/cancel-miadi.yaml"

        // The server needs a moment to listen: the lab's own check says when it does.
        let refused = try await Self.runOnceListening(["run", scenario, "--transport", "websocket", "--target", target, "--out", folder + "/refused", "--quiet"], token: "wrong")
        #expect(refused.status == 2, "a refused token is bad input: \(refused.stderr)")
        #expect(refused.stderr.contains("MIADI_STREAM_TOKEN"), "the error says what to set: \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/refused/results.json"), "nothing was played")

        let wire = folder + "/wire"
        let played = try await Self.run(["run", scenario, "--transport", "websocket", "--target", target, "--out", wire, "--quiet"], token: Self.token)
        #expect(played.status == 0, "miadi run --target exited \(played.status): \(played.stderr)")
        let results = try RunResults.load(wire)
        #expect(results.calls.map(\.call) == ["sw-cancel-miadi"])
        #expect(results.calls.allSatisfy { $0.passed }, "\(results.calls.map(\.failures))")

        var options = SuiteRunner.Options()
        options.paths = [SocketTransportTests.root + "/" + scenario]
        options.scenariosRoot = SocketTransportTests.root + "/Scenarios"
        options.corpus = SocketTransportTests.root + "/Corpora"
        options.output = folder + "/inproc"
        let local = try await SuiteRunner(options: options).run()
        #expect(local.verdicts.map(\.outcome) == results.calls.map(\.outcome))
        // The calendar came back from the server, and it is the one the in-process run left.
        let after = "/calls/sw-cancel-miadi.calendar-after.json"
        #expect(try SocketTransportTests.withoutTakenAt(folder + "/inproc" + after) == SocketTransportTests.withoutTakenAt(wire + after))
        // The server wrote its own trace, as for any call, and its real database was not touched.
        let served = folder + "/traces/CA-sw-cancel-miadi.trace.jsonl"
        #expect(FileManager.default.fileExists(atPath: served))
        // Its header names the language the call was held in (Swahili, on a clinic whose first
        // language is English), so its read-back is judged in Swahili and the commit confirmed.
        #expect(try CallTrace.load(path: served).header.language == "sw")
        #expect(try await Self.run(["score", served], token: nil).status == 0)
        let clinic = try ClinicFile.load(path: SocketTransportTests.root + "/Scenarios/clinics/whitedent-nairobi.yaml")
        let production = try BookingEngine.open(path: folder + "/calendar.sqlite", clinic: clinic, clock: SystemClock())
        let stored = try await production.snapshot()
        #expect(stored.appointments.isEmpty, "lab calls never book into the server's own calendar")
    }

    @Test("the whole bundled suite against a remote target, eight calls at once, agrees with the in-process run", .enabled(if: SocketTransportTests.slow))
    func wholeSuiteRemote() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SocketTransportTests.miadi), "build the miadi executable first (swift build)")
        let folder = SocketTransportTests.scratch("remote-all")
        let port = try Self.freePort()
        let server = try Self.startServer(port: port, folder: folder)
        defer { server.terminate() }
        let wire = folder + "/wire"
        let played = try await Self.runOnceListening(["run", "--transport", "websocket", "--target", "http://127.0.0.1:\(port)", "--parallel", "8", "--out", wire, "--quiet"], token: Self.token)
        #expect(played.status == 0, "\(played.stderr)")
        var options = SuiteRunner.Options()
        options.paths = [SocketTransportTests.root + "/Scenarios"]
        options.scenariosRoot = SocketTransportTests.root + "/Scenarios"
        options.corpus = SocketTransportTests.root + "/Corpora"
        options.output = folder + "/inproc"
        let local = try await SuiteRunner(options: options).run()
        let results = try RunResults.load(wire)
        #expect(results.calls.map(\.call) == local.verdicts.map(\.run))
        for (a, b) in zip(local.verdicts, results.calls) {
            #expect(b.passed, "\(b.call): \(b.failures)")
            #expect(a.outcome == b.outcome, "\(b.call)")
            let after = "/calls/\(a.run).calendar-after.json"
            #expect(try SocketTransportTests.withoutTakenAt(folder + "/inproc" + after) == SocketTransportTests.withoutTakenAt(wire + after), "\(b.call): the calendars after differ")
        }
    }
}
