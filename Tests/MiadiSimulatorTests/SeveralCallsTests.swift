import Foundation
import MiadiBooking
@testable import MiadiSimulator
import Testing

/// Files with `calls:`: several callers at once on one calendar.
@Suite("Several calls on one calendar")
struct SeveralCallsTests {
    static let race = Fixtures.scenarios + "/race/last-nine-oclock-slot.yaml"

    func load(_ text: String) throws(YAMLFileError) -> Scenario {
        let folder = Fixtures.scratch("calls")
        return try ScenarioFile.load(path: Fixtures.write(text, to: folder, as: "race.yaml"), scenariosRoot: Fixtures.scenarios)
    }

    @Test("the bundled race loads as two calls sharing the file's line and calendar")
    func loads() throws {
        let scenario = try ScenarioFile.load(path: Self.race, scenariosRoot: Fixtures.scenarios)
        #expect(scenario.calls.count == 2)
        #expect(scenario.calls.map(\.startMs) == [0, 1000])
        #expect(scenario.calls.map(\.callerNumber) == ["+254722000602", "+254722000601"])
        #expect(scenario.companions[0].calendar.count == 2)
        #expect(scenario.companions[0].latencyMs == 40, "the file's line is every call's line")
        #expect(scenario.companions[0].script.contains(.answers(["name": ["It's Wambui."], "time": ["Nine o'clock, please.", "Nine forty-five then."], "confirm": ["Yes, that's right."]])))
    }

    @Test("broken calls: name file, line and field", arguments: [
        (from: "calls:", to: "caller: {number: \"+1\", language: en}\ncalls:", message: "caller: with calls:, give caller in each call instead"),
        (from: "+254722000601", to: "+254722000602", message: "every call needs its own caller number"),
        (from: "start_ms: 1000", to: "start_ms: 1010", message: "start_ms: a multiple of 20 ms"),
    ])
    func broken(from: String, to: String, message: String) throws {
        let text = try String(contentsOfFile: Self.race, encoding: .utf8).replacingOccurrences(of: from, with: to)
        do {
            _ = try load(text)
            Issue.record("accepted a broken file")
        } catch {
            #expect(error.description.contains("race.yaml:"), "\(error.description)")
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("the race has one winner at nine, the same every run, and the loser books another time")
    func race() async throws {
        let out = [Fixtures.scratch("race-a"), Fixtures.scratch("race-b")]
        var verdicts: [[ScenarioVerdict]] = []
        for folder in out {
            var options = SuiteRunner.Options()
            options.paths = [Self.race]
            options.scenariosRoot = Fixtures.scenarios
            options.corpus = Fixtures.corpus
            options.output = folder
            verdicts.append(try await SuiteRunner(options: options).run().verdicts)
        }
        #expect(verdicts[0].map(\.run) == ["race-last-nine-oclock-slot.call1", "race-last-nine-oclock-slot.call2"])
        let failures = verdicts[0].flatMap(\.failures)
        #expect(failures.isEmpty, "\(failures)")
        let after = try String(contentsOfFile: out[0] + "/calls/race-last-nine-oclock-slot.call2.calendar-after.json", encoding: .utf8)
        #expect(after.components(separatedBy: "T09:00:00+03:00").count - 1 == 3, "three dentists at nine, no more")
        let trace = try String(contentsOfFile: out[0] + "/calls/race-last-nine-oclock-slot.call2.trace.jsonl", encoding: .utf8)
        #expect(trace.contains("That slot was just taken."))
        for name in ["call1", "call2"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: out[0] + "/calls/race-last-nine-oclock-slot.\(name).trace.jsonl"))
            let b = try Data(contentsOf: URL(fileURLWithPath: out[1] + "/calls/race-last-nine-oclock-slot.\(name).trace.jsonl"))
            #expect(a == b)
        }
    }
}
