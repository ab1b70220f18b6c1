import Foundation
import MiadiProviders
import MiadiReports
import MiadiSimulator
import MiadiTestSupport
import Testing
import Yams

/// A field the scenario format accepts is honoured or refused, never accepted and ignored:
/// for every property in `scenario.schema.json` a change to it changes the call (its trace) or
/// its verdict (`results.json`). The table must name every property the schema has, so a new
/// field cannot join the format without showing what it does.
@Suite("Every scenario field changes the play or the verdict", .tags(.slow))
struct ScenarioFieldEffectSlowTests {
    struct Change: Sendable, CustomTestStringConvertible {
        /// Where the property is in the schema: "expect.max_agent_words", "calls[].start_ms".
        let property: String
        /// A bundled scenario, under Scenarios/.
        let base: String
        let from: String
        let to: String
        var fault: MockFault?
        var testDescription: String { property }
    }

    static let book = "en/book-next-thursday-afternoon.yaml"
    static let race = "race/last-nine-oclock-slot.yaml"
    static let threeOClock = Fixtures.corpus + "/en/67ea0c1dfc4e4ceb.flac"

    static let changes: [Change] = [
        Change(property: "id", base: book, from: "id: en-book-next-thursday-afternoon", to: "id: en-book-renamed"),
        Change(property: "title", base: book, from: "title: Book a cleaning next Thursday afternoon", to: "title: Another title"),
        Change(property: "tags", base: book, from: "tags: [book, en, window]", to: "tags: [book]"),
        Change(property: "clinic", base: book, from: "clinic: clinics/whitedent-nairobi.yaml", to: "clinic: clinics/renamed.yaml"),
        Change(property: "now", base: book, from: "now: \"2026-03-02T09:15:00+03:00\"", to: "now: \"2026-03-03T09:15:00+03:00\""),
        Change(property: "calendar", base: book, from: "calendar:\n", to: "calendar:\n  - {id: extra, customer: \"+254700000009\", service: check-up, staff: dr-kamau, start: \"2026-03-05T15:00\"}\n"),
        Change(property: "calendar[].id", base: book, from: "other-patient", to: "other-one"),
        Change(property: "calendar[].customer", base: book, from: "customer: \"+254711000001\"", to: "customer: \"+254711000009\""),
        Change(property: "calendar[].name", base: book, from: "    customer: \"+254711000001\"\n", to: "    customer: \"+254711000001\"\n    name: Wairimu\n"),
        Change(property: "calendar[].service", base: book, from: "    service: cleaning\n    staff: dr-wanjiru", to: "    service: check-up\n    staff: dr-wanjiru"),
        Change(property: "calendar[].staff", base: book, from: "    staff: dr-wanjiru\n    start", to: "    staff: dr-kamau\n    start"),
        Change(property: "calendar[].start", base: book, from: "start: \"2026-03-05T14:00\"", to: "start: \"2026-03-05T15:00\""),
        Change(property: "caller", base: book, from: "number: \"+254711000002\"", to: "number: \"+254711000003\""),
        Change(property: "caller.number", base: book, from: "number: \"+254711000002\"", to: "number: \"+254711000003\""),
        Change(property: "caller.name", base: book, from: "  name: Amina\n", to: "  name: Fatuma\n"),
        Change(property: "caller.language", base: book, from: "language: en", to: "language: sw"),
        Change(property: "caller.voice", base: book, from: "voice: en-us+f3", to: "voice: en+f2"),
        Change(property: "line", base: book, from: "rate: 16000", to: "rate: 8000"),
        Change(property: "line.rate", base: book, from: "rate: 16000", to: "rate: 8000"),
        Change(property: "line.track", base: book, from: "track: both_tracks", to: "track: inbound_track"),
        Change(property: "line.network", base: book, from: "latency_ms: 40", to: "latency_ms: 200"),
        Change(property: "line.network.latency_ms", base: book, from: "latency_ms: 40", to: "latency_ms: 200"),
        Change(property: "line.network.jitter_ms", base: book, from: "jitter_ms: 10", to: "jitter_ms: 60"),
        Change(property: "line.network.loss", base: book, from: "loss: 0.0", to: "loss: 0.2"),
        Change(property: "line.network.dropouts", base: book, from: "loss: 0.0}", to: "loss: 0.0, dropouts: [{at_ms: 5000, ms: 1500}]}"),
        Change(property: "line.network.dropouts[].at_ms", base: "en/repeat-after-dropout.yaml", from: "at_ms: 6600", to: "at_ms: 20000"),
        Change(property: "line.network.dropouts[].ms", base: "en/repeat-after-dropout.yaml", from: "ms: 400}", to: "ms: 20}"),
        Change(property: "line.noise_snr_db", base: book, from: "noise_snr_db: 25", to: "noise_snr_db: 5"),
        Change(property: "script", base: book, from: "  - say: \"Hi, I'd like to book a cleaning next Thursday afternoon.\"", to: "  - say: \"Three o'clock would be great.\""),
        Change(property: "script[].say", base: book, from: "  - say: \"Hi, I'd like to book a cleaning next Thursday afternoon.\"", to: "  - say: \"Three o'clock would be great.\""),
        Change(property: "script[].audio", base: book, from: "  - say: \"Hi, I'd like to book a cleaning next Thursday afternoon.\"\n",
               to: "  - say: \"Hi, I'd like to book a cleaning next Thursday afternoon.\"\n    audio: \(threeOClock)\n"),
        Change(property: "script[].answers", base: book, from: "time: \"Three o'clock would be great.\"", to: "time: \"It's Amina.\""),
        Change(property: "script[].barge_in", base: "en/barge-in-pick-first-slot.yaml", from: "  - barge_in: {after_ms: 1800, say: \"The first one is fine.\"}\n", to: ""),
        Change(property: "script[].backchannel", base: "en/backchannel-during-readback.yaml", from: "  - backchannel: {after_ms: 900, say: \"Mm-hmm.\"}\n", to: ""),
        Change(property: "script[].barge_in.after_ms", base: "en/backchannel-during-readback.yaml", from: "after_ms: 900", to: "after_ms: 2500"),
        Change(property: "script[].barge_in.say", base: "en/backchannel-during-readback.yaml", from: "say: \"Mm-hmm.\"", to: "say: \"Yes, perfect.\""),
        Change(property: "script[].barge_in.audio", base: "en/cough-during-readback.yaml", from: "audio: ../sounds/cough.wav", to: "audio: ../sounds/noise-burst.wav"),
        Change(property: "barge_in", base: "en/backchannel-stop-after.yaml", from: "barge_in: {mode: stop_after, min_speech_ms: 400}\n", to: ""),
        Change(property: "barge_in.mode", base: "en/backchannel-during-readback.yaml", from: "limits: {call_seconds: 180}\n", to: "limits: {call_seconds: 180}\nbarge_in: {mode: stop_after}\n"),
        Change(property: "barge_in.min_speech_ms", base: "en/backchannel-stop-after.yaml", from: "min_speech_ms: 400", to: "min_speech_ms: 1500"),
        Change(property: "barge_in.false_interruption_ms", base: "en/backchannel-long-mhm-during-readback.yaml", from: "false_interruption_ms: 1000", to: "false_interruption_ms: 400"),
        Change(property: "barge_in.transcript_wait_ms", base: "en/cough-during-readback.yaml", from: "limits: {call_seconds: 180}\n",
               to: "limits: {call_seconds: 180}\nbarge_in: {mode: pause_resume, transcript_wait_ms: 900}\n"),
        Change(property: "barge_in.resume_gap_ms", base: "en/cough-during-readback.yaml", from: "limits: {call_seconds: 180}\n", to: "limits: {call_seconds: 180}\nbarge_in: {resume_gap_ms: 1000}\n"),
        Change(property: "barge_in.rewind_ms", base: "en/cough-during-readback.yaml", from: "limits: {call_seconds: 180}\n", to: "limits: {call_seconds: 180}\nbarge_in: {mode: pause_resume, rewind_ms: 0}\n"),
        Change(property: "script[].silence", base: book, from: "script:\n", to: "script:\n  - silence: 3000\n"),
        Change(property: "script[].hang_up", base: "en/handoff-ask-for-person.yaml", from: "  - hang_up: when_transferred\n", to: ""),
        Change(property: "limits", base: book, from: "limits: {call_seconds: 180}", to: "limits: {call_seconds: 10}"),
        Change(property: "limits.call_seconds", base: book, from: "limits: {call_seconds: 180}", to: "limits: {call_seconds: 10}"),
        Change(property: "limits.booking_latency_ms", base: book, from: "limits: {call_seconds: 180}", to: "limits: {call_seconds: 180, booking_latency_ms: 2000}"),
        Change(property: "expect", base: book, from: "outcome: booked", to: "outcome: nothing"),
        Change(property: "expect.outcome", base: book, from: "outcome: booked", to: "outcome: nothing"),
        Change(property: "expect.appointments", base: book, from: "start_within: [\"2026-03-05T12:00\", \"2026-03-05T18:00\"]", to: "start_within: [\"2026-03-05T12:00\", \"2026-03-05T13:00\"]"),
        Change(property: "expect.appointments[].service", base: book, from: "    - service: cleaning", to: "    - service: check-up"),
        Change(property: "expect.appointments[].staff", base: book, from: "    - service: cleaning\n", to: "    - service: cleaning\n      staff: dr-kamau\n"),
        Change(property: "expect.appointments[].start", base: book, from: "start_within: [\"2026-03-05T12:00\", \"2026-03-05T18:00\"]", to: "start: \"2026-03-05T17:00\""),
        Change(property: "expect.appointments[].start_within", base: book, from: "start_within: [\"2026-03-05T12:00\", \"2026-03-05T18:00\"]", to: "start_within: [\"2026-03-05T12:00\", \"2026-03-05T13:00\"]"),
        Change(property: "expect.unchanged", base: "en/reschedule-cleaning-to-friday.yaml", from: "unchanged: [someone-else]", to: "unchanged: [someone-else, my-cleaning]"),
        Change(property: "expect.confirm_before_commit", base: book, from: "confirm_before_commit: true", to: "confirm_before_commit: false", fault: .commitWithoutConfirmation),
        Change(property: "expect.max_turn_latency_ms", base: book, from: "max_turn_latency_ms: 1500", to: "max_turn_latency_ms: 100"),
        Change(property: "expect.max_agent_words", base: book, from: "max_agent_words: 100", to: "max_agent_words: 10"),
        Change(property: "expect.max_cost_kes", base: book, from: "max_cost_kes: 15", to: "max_cost_kes: 0.5"),
        Change(property: "expect.agent_reprompted", base: book, from: "  confirm_before_commit: true\n", to: "  confirm_before_commit: true\n  agent_reprompted: true\n"),
        Change(property: "calls", base: race, from: "start_ms: 1000", to: "start_ms: 3000"),
        Change(property: "calls[].caller", base: race, from: "name: Kip,", to: "name: Kipchoge,"),
        Change(property: "calls[].line", base: race, from: "    start_ms: 1000", to: "    line: {rate: 8000}\n    start_ms: 1000"),
        Change(property: "calls[].script", base: race, from: "time: [\"Nine o'clock, please.\", \"Nine forty-five then.\"]", to: "time: [\"Nine forty-five then.\"]"),
        Change(property: "calls[].expect", base: race, from: "{service: check-up, start: \"2026-03-03T09:00\"}", to: "{service: check-up, start: \"2026-03-03T10:00\"}"),
        Change(property: "calls[].start_ms", base: race, from: "start_ms: 1000", to: "start_ms: 3000"),
    ]

    /// Every property path of the schema: "caller.name", "script[].barge_in.after_ms", ….
    static func schemaProperties() throws -> [String] {
        let schema = try ScenarioSchemaTests.schema()
        let defs = schema["$defs"] as? [String: Any] ?? [:]
        var out: [String] = []
        func walk(_ node: [String: Any], _ path: String) {
            if let ref = node["$ref"] as? String, let target = defs[String(ref.dropFirst("#/$defs/".count))] as? [String: Any] {
                walk(target, path)
                return
            }
            if let items = node["items"] as? [String: Any], node["type"] as? String == "array" || node["items"] != nil && node["properties"] == nil {
                if (items["properties"] != nil || items["$ref"] != nil), items["type"] as? String != "string" { walk(items, path + "[]") }
            }
            for (key, value) in node["properties"] as? [String: Any] ?? [:] {
                let here = path.isEmpty ? key : path + "." + key
                out.append(here)
                if let sub = value as? [String: Any] { walk(sub, here) }
            }
        }
        walk(schema, "")
        // barge_in and backchannel share one definition: its fields are named once, under barge_in.
        return Array(Set(out.filter { !$0.hasPrefix("script[].backchannel.") && !$0.hasPrefix("calls[].script") || $0 == "calls[].script" }
            .map { $0.hasPrefix("calls[].caller.") || $0.hasPrefix("calls[].line.") || $0.hasPrefix("calls[].expect.") ? "" : $0 }
            .filter { !$0.isEmpty })).sorted()
    }

    @Test("the table names every property of the schema")
    func tableCoversSchema() throws {
        #expect(Self.changes.map(\.property).sorted() == (try Self.schemaProperties()))
    }

    /// Base runs already made, by scenario and fault: each base is played once.
    actor Bases {
        var known: [String: String] = [:]
        func get(_ key: String) -> String? { known[key] }
        func put(_ key: String, _ value: String) { known[key] = value }
    }
    static let bases = Bases()

    /// The run's outputs that say what happened and what was judged: results and traces; or,
    /// when the run refuses the scenario, the refusal.
    static func fingerprint(_ path: String, root: String, fault: MockFault?) async throws -> String {
        var options = SuiteRunner.Options()
        options.paths = [path]
        options.scenariosRoot = root
        options.corpus = Fixtures.corpus
        options.output = Fixtures.scratch("field-effect")
        options.prices = try PriceTable.load(path: Fixtures.root + "/Pricing/prices.yaml")
        if let fault { options.faults = [fault] }
        defer { try? FileManager.default.removeItem(atPath: options.output) }
        do { _ = try await SuiteRunner(options: options).run() } catch { return "refused: \(error)".replacingOccurrences(of: root, with: "ROOT") }
        var text = try String(contentsOfFile: options.output + "/results.json", encoding: .utf8)
        text += try String(contentsOfFile: options.output + "/report.md", encoding: .utf8)
        for file in try FileManager.default.contentsOfDirectory(atPath: options.output + "/calls").sorted() where file.hasSuffix(".trace.jsonl") || file.hasSuffix(".json") {
            text += file + "\n" + (try String(contentsOfFile: options.output + "/calls/" + file, encoding: .utf8))
        }
        // Where this run happened to be is no part of what it did.
        return text.replacingOccurrences(of: options.output, with: "OUT").replacingOccurrences(of: root, with: "ROOT")
    }

    @Test("changing the property changes the call or its verdict", arguments: changes)
    func changeShows(_ change: Change) async throws {
        let root = Fixtures.scratch("field-root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: Fixtures.scenarios + "/clinics", toPath: root + "/clinics")
        try FileManager.default.copyItem(atPath: Fixtures.scenarios + "/sounds", toPath: root + "/sounds")
        // The clinic change: the same rules under another name, which the agent greets with.
        let clinic = try String(contentsOfFile: root + "/clinics/whitedent-nairobi.yaml", encoding: .utf8)
        Fixtures.write(clinic.replacingOccurrences(of: "name: Whitedent Clinic", with: "name: Renamed Clinic"), to: root + "/clinics", as: "renamed.yaml")
        let original = try String(contentsOfFile: Fixtures.scenarios + "/" + change.base, encoding: .utf8)
        #expect(original.contains(change.from), "\(change.base) no longer has \(change.from)")
        // Both versions at the same path, one after the other: only the change differs.
        let key = change.base + (change.fault?.rawValue ?? "")
        var a = await Self.bases.get(key) ?? ""
        if a.isEmpty {
            a = try await Self.fingerprint(Fixtures.write(original, to: root + "/s", as: "scenario.yaml"), root: root, fault: change.fault)
            await Self.bases.put(key, a)
        }
        let after = Fixtures.write(original.replacingOccurrences(of: change.from, with: change.to), to: root + "/s", as: "scenario.yaml")
        let b = try await Self.fingerprint(after, root: root, fault: change.fault)
        #expect(a != b, "changing \(change.property) changed nothing")
    }
}
