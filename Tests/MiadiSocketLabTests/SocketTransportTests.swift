import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports
import MiadiSimulator
import MiadiTestSupport
import Testing

/// The lab's platform emulator against a real `miadi serve` over real sockets on 127.0.0.1, on
/// the real clock: the webhook's XML, the stream handshake, 20 ms frames, marks, status
/// callbacks. The socket run is `miadi run --transport websocket` in a process of its own, as a
/// user runs it: real-time calls must not share a cooperative thread pool with the CPU-bound
/// suites `swift test` runs beside them (in one process those starved the server's call loop
/// for 20 s). A handoff here (about 12 s of real time); a cancellation, the race and the whole
/// suite in `SocketTransportSlowTests`.
@Suite("websocket transport", .tags(.sockets, .executable))
struct SocketTransportTests {
    static let root = Repository.root

    static var miadi: String { MiadiExecutable.path }

    static func scratch(_ name: String) -> String { Scratch.folder(name) }

    /// Runs `miadi ARGS` from the repository root and returns its exit status.
    static func miadi(_ arguments: [String]) async throws -> Int32 {
        try await MiadiExecutable.run(arguments).status
    }

    /// A call's failures but its latency bounds: over real sockets on the real clock, on a
    /// shared 2-core machine with several calls at once, a turn's latency says how busy the
    /// machine was (the bounds are judged in process, on virtual time). Everything else —
    /// outcome, calendar, confirmation, words — must hold.
    static func untimed(_ failures: [String]) -> [String] {
        failures.filter { !$0.hasPrefix("turn latency ") }
    }

    static func withoutTakenAt(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.contains("\"taken_at\"") }.joined(separator: "\n")
    }

    /// Plays `paths` in process and over sockets and checks they agree on everything but timing.
    func agree(_ paths: [String]) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.miadi), "build the miadi executable first (swift build): \(Self.miadi)")
        let inproc = Self.scratch("inproc")
        let wire = Self.scratch("wire")
        var options = SuiteRunner.Options()
        options.paths = paths.map { Self.root + "/" + $0 }
        options.scenariosRoot = Self.root + "/Scenarios"
        options.corpus = Self.root + "/Corpora"
        options.output = inproc
        let local = try await SuiteRunner(options: options).run()
        let status = try await Self.miadi(["run"] + paths + ["--transport", "websocket", "--parallel", "16", "--out", wire, "--quiet"])
        #expect(status == 0 || status == 1, "miadi run --transport websocket exited \(status)")
        let results = try RunResults.load(wire)
        #expect(results.run.transport == "websocket")
        #expect(results.calls.count == local.verdicts.count)
        for (a, b) in zip(local.verdicts, results.calls) {
            let call = b.call
            #expect(a.run == call)
            #expect(Self.untimed(b.failures).isEmpty, "\(call) over websocket: \(b.failures)")
            #expect(a.outcome == b.outcome, "\(call): in process \(a.outcome), over websocket \(b.outcome)")
            // The same appointments; only the moment the snapshot was taken may differ.
            let after = "/calls/\(a.run).calendar-after.json"
            #expect(try Self.withoutTakenAt(inproc + after) == Self.withoutTakenAt(wire + after), "\(call): the calendars after differ")
            let trace = try CallTrace.load(path: wire + "/calls/\(a.run).trace.jsonl")
            #expect(trace.header.line["transport"]?.string == "websocket")
            // The server's side came over the wire: the webhook it answered, the callbacks it got.
            #expect(trace.events(ofType: .webhook).first?["stream_url"]?.string?.hasPrefix("ws://127.0.0.1:") == true)
            #expect(trace.events(ofType: .streamStatus).contains { $0["event"]?.string == "stream-started" })
            // serve names a file by its call SID, or, when the SID has characters other than
            // letters, digits, - and _ (a lab SID has a dot), by its cleaned letters, a dot and
            // a hash of the SID.
            let cleaned = "CA-\(a.run)".replacingOccurrences(of: ".", with: "_")
            let servedFiles = (try? FileManager.default.contentsOfDirectory(atPath: wire + "/serve")) ?? []
            #expect(servedFiles.contains { $0 == cleaned + ".trace.jsonl" || ($0.hasPrefix(cleaned + ".") && $0.hasSuffix(".trace.jsonl")) }, "the server wrote its own trace")
        }
        // What serve wrote scores like a lab trace: its recording is found, its "now" is the
        // clinic's, and every commit was confirmed.
        let served = try FileManager.default.contentsOfDirectory(atPath: wire + "/serve").filter { $0.hasSuffix(".trace.jsonl") }.sorted().map { wire + "/serve/" + $0 }
        #expect(try await Self.miadi(["score"] + served) == 0)
    }

    @Test("a handoff over real sockets agrees with the in-process run", .timeLimit(.minutes(3)))
    func handoff() async throws {
        try await agree(["Scenarios/en/handoff-ask-for-person.yaml"])
    }
}

/// The long runs over real sockets (minutes of real time), in a suite of their own so that
/// `swift test --skip SlowTests` leaves them out and `.ci/run` runs them after the rest, alone
/// (a real-clock run beside CPU-bound suites measures the machine, not the bridge).
@Suite("websocket transport: whole runs", .serialized, .tags(.slow, .sockets, .executable))
struct SocketTransportSlowTests {
    @Test("a cancellation and a two-caller race over real sockets agree with the in-process run", .tags(.slow), .timeLimit(.minutes(5)))
    func cancellationAndRace() async throws {
        try await SocketTransportTests().agree(["Scenarios/en/cancel-filling.yaml", "Scenarios/race/last-nine-oclock-slot.yaml"])
    }

    @Test("the whole bundled suite over real sockets agrees with the in-process run", .tags(.slow), .timeLimit(.minutes(10)))
    func wholeSuite() async throws {
        try await SocketTransportTests().agree(["Scenarios"])
    }
}
