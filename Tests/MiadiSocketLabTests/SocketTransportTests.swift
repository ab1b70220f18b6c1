import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports
import MiadiSimulator
import Testing

/// The lab's platform emulator against a real `miadi serve` over real sockets on 127.0.0.1, on
/// the real clock: the webhook's XML, the stream handshake, 20 ms frames, marks, status
/// callbacks. The socket run is `miadi run --transport websocket` in a process of its own, as a
/// user runs it: real-time calls must not share a cooperative thread pool with the CPU-bound
/// suites `swift test` runs beside them (in one process those starved the server's call loop
/// for 20 s). A handoff by default (about 12 s of real time); a cancellation, the race and the
/// whole suite with MIADI_SLOW_TESTS=1.
@Suite("websocket transport")
struct SocketTransportTests {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let slow = ProcessInfo.processInfo.environment["MIADI_SLOW_TESTS"] == "1"

    /// The `miadi` executable SwiftPM built beside this test binary.
    static var miadi: String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !folder.path.hasSuffix("/debug") && !folder.path.hasSuffix("/release") && folder.path != "/" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("miadi").path
    }

    static func scratch(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-socket-\(ProcessInfo.processInfo.processIdentifier)-\(name)-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `miadi ARGS` from the repository root and returns its exit status.
    static func miadi(_ arguments: [String]) async throws -> Int32 {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: miadi)
        child.arguments = arguments
        child.currentDirectoryURL = URL(fileURLWithPath: root)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try child.run() } catch { continuation.resume(throwing: error) }
        }
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
            #expect(b.passed, "\(call) over websocket: \(b.failures)")
            #expect(a.outcome == b.outcome, "\(call): in process \(a.outcome), over websocket \(b.outcome)")
            // The same appointments; only the moment the snapshot was taken may differ.
            let after = "/calls/\(a.run).calendar-after.json"
            #expect(try Self.withoutTakenAt(inproc + after) == Self.withoutTakenAt(wire + after), "\(call): the calendars after differ")
            let trace = try CallTrace.load(path: wire + "/calls/\(a.run).trace.jsonl")
            #expect(trace.header.line["transport"]?.string == "websocket")
            // The server's side came over the wire: the webhook it answered, the callbacks it got.
            #expect(trace.events(ofType: "webhook").first?["stream_url"]?.string?.hasPrefix("ws://127.0.0.1:") == true)
            #expect(trace.events(ofType: "stream.status").contains { $0["event"]?.string == "stream-started" })
            // serve names files by call SID with anything but letters, digits, - and _ as _.
            let served = "CA-\(a.run)".replacingOccurrences(of: ".", with: "_")
            #expect(FileManager.default.fileExists(atPath: wire + "/serve/\(served).trace.jsonl"), "the server wrote its own trace")
        }
        // What serve wrote scores like a lab trace: its recording is found, its "now" is the
        // clinic's, and every commit was confirmed.
        let served = try FileManager.default.contentsOfDirectory(atPath: wire + "/serve").filter { $0.hasSuffix(".trace.jsonl") }.sorted().map { wire + "/serve/" + $0 }
        #expect(try await Self.miadi(["score"] + served) == 0)
    }

    @Test("a handoff over real sockets agrees with the in-process run")
    func handoff() async throws {
        try await agree(["Scenarios/en/handoff-ask-for-person.yaml"])
    }

    @Test("a cancellation and a two-caller race over real sockets agree with the in-process run", .enabled(if: slow))
    func cancellationAndRace() async throws {
        try await agree(["Scenarios/en/cancel-filling.yaml", "Scenarios/race/last-nine-oclock-slot.yaml"])
    }

    @Test("the whole bundled suite over real sockets agrees with the in-process run", .enabled(if: slow))
    func wholeSuite() async throws {
        try await agree(["Scenarios"])
    }
}
