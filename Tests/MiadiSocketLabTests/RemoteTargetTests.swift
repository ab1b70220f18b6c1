import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports
import MiadiSimulator
import MiadiTestSupport
import Testing

/// `miadi run --target URL` against a `miadi serve --lab` the lab did not start: both are the
/// real `miadi` executable in processes of their own, talking over 127.0.0.1 as they would
/// across machines. The server seeds each call's calendar from what the lab sends; the lab
/// reads the calendar back from the server and must agree with the in-process run.
@Suite("remote target", .serialized, .tags(.sockets, .executable))
struct RemoteTargetTests {
    static let token = "remote-target-test"
    /// The server's webhook answers only on `/voice/<this>`; the lab is told it as an operator is.
    static let webhookSecret = "remote-target-webhook-7d1e"

    /// Starts `miadi serve --lab` on a port the kernel chooses, with a configuration written
    /// into `folder`; returns once it listens.
    static func startServer(folder: String) async throws -> ServingProcess {
        let root = Repository.root
        let config = """
        listen: {host: 127.0.0.1, port: 0}
        public_url: http://127.0.0.1:0
        clinic: \(root)/Scenarios/clinics/whitedent-nairobi.yaml
        database: \(folder)/calendar.sqlite
        provider: mock
        corpus: \(root)/Corpora
        stream: {track: both_tracks, rate: 16000, output_rate: 16000}
        traces: \(folder)/traces
        drain_seconds: 1
        shed_lag_ms: 60000
        """
        try config.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        return try await ServingProcess(arguments: ["--config", folder + "/serve.yaml", "--lab", "--log-level", "notice"], environment: ["MIADI_LAB_TOKEN": token, "MIADI_STREAM_TOKEN": "stream-" + token, "MIADI_WEBHOOK_SECRET": webhookSecret])
    }

    /// Runs `miadi ARGS` with `token` (or none) as MIADI_LAB_TOKEN and the server's webhook
    /// secret; its status and stderr.
    static func run(_ arguments: [String], token: String?) async throws -> (status: Int32, stderr: String) {
        let finished = try await MiadiExecutable.run(arguments, environment: ["MIADI_LAB_TOKEN": token, "MIADI_WEBHOOK_SECRET": webhookSecret])
        return (finished.status, finished.standardError)
    }

    @Test("a run against a server it did not start: a wrong token is one clear error; the right one plays the call and agrees with the in-process run", .timeLimit(.minutes(3)))
    func remoteRun() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SocketTransportTests.miadi), "build the miadi executable first (swift build)")
        let folder = SocketTransportTests.scratch("remote")
        let server = try await Self.startServer(folder: folder)
        defer { server.stop() }
        let target = server.baseURL
        let scenario = "Scenarios/sw/cancel-miadi.yaml"

        let refused = try await Self.run(["run", scenario, "--transport", "websocket", "--target", target, "--out", folder + "/refused", "--quiet"], token: "wrong")
        #expect(refused.status == 2, "a refused token is bad input: \(refused.stderr)")
        #expect(refused.stderr.contains("MIADI_LAB_TOKEN"), "the error says what to set: \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/refused/results.json"), "nothing was played")

        let wire = folder + "/wire"
        let played = try await Self.run(["run", scenario, "--transport", "websocket", "--target", target, "--out", wire, "--quiet"], token: Self.token)
        #expect(played.status == 0 || played.status == 1, "miadi run --target exited \(played.status): \(played.stderr)")
        let results = try RunResults.load(wire)
        #expect(results.calls.map(\.call) == ["sw-cancel-miadi"])
        #expect(results.calls.allSatisfy { SocketTransportTests.untimed($0.failures).isEmpty }, "\(results.calls.map(\.failures))")

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
}

/// The whole suite against a remote target (minutes of real time): see `SocketTransportSlowTests`.
@Suite("remote target: the whole suite", .serialized, .tags(.slow, .sockets, .executable))
struct RemoteTargetSlowTests {
    @Test("the whole bundled suite against a remote target, eight calls at once, agrees with the in-process run", .tags(.slow), .timeLimit(.minutes(10)))
    func wholeSuiteRemote() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SocketTransportTests.miadi), "build the miadi executable first (swift build)")
        let folder = SocketTransportTests.scratch("remote-all")
        let server = try await RemoteTargetTests.startServer(folder: folder)
        defer { server.stop() }
        let wire = folder + "/wire"
        let played = try await RemoteTargetTests.run(["run", "--transport", "websocket", "--target", server.baseURL, "--parallel", "8", "--out", wire, "--quiet"], token: RemoteTargetTests.token)
        #expect(played.status == 0 || played.status == 1, "\(played.stderr)")
        var options = SuiteRunner.Options()
        options.paths = [SocketTransportTests.root + "/Scenarios"]
        options.scenariosRoot = SocketTransportTests.root + "/Scenarios"
        options.corpus = SocketTransportTests.root + "/Corpora"
        options.output = folder + "/inproc"
        let local = try await SuiteRunner(options: options).run()
        let results = try RunResults.load(wire)
        #expect(results.calls.map(\.call) == local.verdicts.map(\.run))
        for (a, b) in zip(local.verdicts, results.calls) {
            #expect(SocketTransportTests.untimed(b.failures).isEmpty, "\(b.call): \(b.failures)")
            #expect(a.outcome == b.outcome, "\(b.call)")
            let after = "/calls/\(a.run).calendar-after.json"
            #expect(try SocketTransportTests.withoutTakenAt(folder + "/inproc" + after) == SocketTransportTests.withoutTakenAt(wire + after), "\(b.call): the calendars after differ")
        }
    }
}
