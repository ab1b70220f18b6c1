import Foundation
import MiadiBridge
import MiadiReports
@testable import MiadiSimulator
import MiadiTestSupport
import Testing

/// The two barge-in modes on the same bundled calls, through the mock and the real bridge:
/// what `miadi compare` of `stop_after` against `pause_resume` shows.
@Suite("Barge-in modes on bundled calls")
struct BargeInModeTests {
    func options(_ paths: [String], out: String, mode: BargeInPolicy.Mode) -> SuiteRunner.Options {
        var o = SuiteRunner.Options()
        o.paths = paths.map { Fixtures.scenarios + "/" + $0 }
        o.scenariosRoot = Fixtures.scenarios
        o.corpus = Fixtures.corpus
        o.output = out
        o.bargeIn.mode = mode
        return o
    }

    @Test("a 780 ms mm-hmm: pause_resume keeps the read-back whole and stops fast for a real turn; stop_after cuts the read-back and talks over the turn")
    func modes() async throws {
        let paths = ["en/backchannel-during-readback.yaml", "en/barge-in-during-readback.yaml"]
        let a = Fixtures.scratch("pause-resume"), b = Fixtures.scratch("stop-after")
        defer { for o in [a, b] { try? FileManager.default.removeItem(atPath: o) } }
        let pauseResume = try await SuiteRunner(options: options(paths, out: a, mode: .pauseResume)).run()
        _ = try await SuiteRunner(options: options(paths, out: b, mode: .stopAfter)).run()
        let passed = pauseResume.verdicts.map(\.passed)
        #expect(passed == [true, true], "\(pauseResume.verdicts.map(\.failures))")
        let resumed = InterruptionSummary(try RunResults.load(a).calls)
        let stopped = InterruptionSummary(try RunResults.load(b).calls)
        #expect(resumed.backchannelUtterances == 1 && resumed.backchannelUtterancesCompleted == 1 && resumed.wordsLost == 0)
        #expect(stopped.backchannelUtterances == 1 && stopped.backchannelUtterancesCompleted == 0 && stopped.wordsLost > 0)
        #expect(resumed.trueInterruptions == 1 && resumed.trueInterruptionsResumed == 0)
        let fast = try #require(resumed.stopP95), slow = try #require(stopped.stopP95)
        #expect(fast <= 150, "pause at the first syllable: \(fast) ms")
        #expect(slow >= 400, "stop after 400 ms of speech: \(slow) ms")
        #expect(try RunResults.load(a).run.bargeIn == "pause_resume")
        let comparison = RunComparison(base: try RunResults.load(b), candidate: try RunResults.load(a))
        #expect(comparison.rows.contains { $0.metric == "words lost to backchannels" && ($0.candidate ?? 1) == 0 })
    }

    @Test("a scenario's barge_in: that tunes a mode must name it; an unknown mode is refused")
    func scenarioSettingsNameTheirMode() throws {
        let folder = Fixtures.scratch("barge-in-fields")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/en", withIntermediateDirectories: true)
        let base = try String(contentsOfFile: Fixtures.scenarios + "/en/backchannel-during-readback.yaml", encoding: .utf8)
        for (setting, message) in [("{false_interruption_ms: 600}", "false_interruption_ms tunes pause_resume; say mode: pause_resume beside it"),
                                   ("{mode: stop_after, rewind_ms: 0}", "rewind_ms tunes pause_resume"),
                                   ("{mode: pause-resume}", "barge_in mode \"pause-resume\" is not one of pause_resume, stop_after")] {
            let path = folder + "/en/x.yaml"
            try (base + "barge_in: \(setting)\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                _ = try ScenarioFile.load(path: path, scenariosRoot: Fixtures.scenarios)
            } throws: { error in
                "\(error)".contains(message) && "\(error)".contains("x.yaml:")
            }
        }
    }
}
