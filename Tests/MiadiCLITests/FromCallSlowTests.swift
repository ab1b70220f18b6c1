import Foundation
import MiadiReports
import MiadiTestSupport
import Testing

/// Production to lab: a call served by a real `miadi serve` (over real sockets) becomes a
/// scenario with the caller's own audio and the calendar as it was, and that scenario plays
/// back in process to the same outcome and appointment.
@Suite(.tags(.sockets, .executable, .slow), .serialized)
struct FromCallSlowTests {
    @Test(.timeLimit(.minutes(3)))
    func aServedCallRoundTripsThroughAScenario() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let wire = Scratch.folder("from-call-wire")
        let served = try await MiadiExecutable.run(["run", "Scenarios/sw/reschedule-jumamosi.yaml", "--transport", "websocket", "--out", wire, "--quiet"])
        #expect(served.status == 0 || served.status == 1, "\(served.standardError)")
        let trace = wire + "/serve/CA-sw-reschedule-jumamosi.trace.jsonl"
        #expect(FileManager.default.fileExists(atPath: wire + "/serve/CA-sw-reschedule-jumamosi.calendar-before.json"), "serve keeps the calendar as the call found it")
        let folder = Scratch.folder("from-call-scenario")
        let made = try await MiadiExecutable.run(["scenario", "from-call", trace, "--out", folder])
        #expect(made.status == 0, "\(made.standardError)")
        let yaml = try String(contentsOfFile: folder + "/from-ca-sw-reschedule-jumamosi.yaml", encoding: .utf8)
        #expect(yaml.contains("audio: from-ca-sw-reschedule-jumamosi/line-1.wav"))
        #expect(yaml.contains("outcome: rescheduled"))
        #expect(yaml.contains("my-checkup"), "the calendar as it was: \(yaml)")
        let out = Scratch.folder("from-call-run")
        let replayed = try await MiadiExecutable.run(["run", folder + "/from-ca-sw-reschedule-jumamosi.yaml", "--out", out, "--quiet"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let original = try #require(try RunResults.load(wire).calls.first)
        let again = try #require(try RunResults.load(out).calls.first)
        #expect(again.outcome == original.outcome)
        let before = try String(contentsOfFile: wire + "/calls/sw-reschedule-jumamosi.calendar-after.json", encoding: .utf8)
        let after = try String(contentsOfFile: out + "/calls/from-ca-sw-reschedule-jumamosi.calendar-after.json", encoding: .utf8)
        func starts(_ json: String) -> [String] { json.split(separator: "\n").filter { $0.contains("\"start\"") }.map { String($0).trimmingCharacters(in: .whitespaces) } }
        #expect(starts(before) == starts(after), "the same appointments after the replay")
        // A trace that is not a served call's is refused with its name.
        let lab = try await MiadiExecutable.run(["scenario", "from-call", wire + "/calls/sw-reschedule-jumamosi.trace.jsonl", "--out", folder])
        #expect(lab.status == 2)
        #expect(lab.standardError.contains("not a served call's trace"))
    }
}
