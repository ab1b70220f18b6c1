import Foundation
import MiadiProviders
import MiadiSimulator
import Testing

@Suite("miadi run: the suite runner", .serialized)
struct SuiteRunnerTests {
    func options(_ paths: [String], out: String) -> SuiteRunner.Options {
        var o = SuiteRunner.Options()
        o.paths = paths
        o.scenariosRoot = Fixtures.scenarios
        o.corpus = Fixtures.corpus
        o.output = out
        return o
    }

    @Test("bundled scenarios pass with the honest mock, and their reports are byte-identical run to run")
    func honest() async throws {
        let out1 = Fixtures.scratch("run1"), out2 = Fixtures.scratch("run2")
        defer { for o in [out1, out2] { try? FileManager.default.removeItem(atPath: o) } }
        let paths = [Fixtures.scenarios + "/sw/book-kesho-asubuhi.yaml", Fixtures.scenarios + "/en/cancel-someone-elses-appointment.yaml", Fixtures.scenarios + "/en/handoff-ask-for-person.yaml"]
        let first = try await SuiteRunner(options: options(paths, out: out1)).run()
        #expect(first.verdicts.map(\.passed) == [true, true, true], "\(first.verdicts)")
        _ = try await SuiteRunner(options: options(paths, out: out2)).run()
        for name in ["results.json", "calls/sw-book-kesho-asubuhi.trace.jsonl", "calls/sw-book-kesho-asubuhi.wav", "calls/sw-book-kesho-asubuhi.calendar-after.json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: out1 + "/" + name)), b = try Data(contentsOf: URL(fileURLWithPath: out2 + "/" + name))
            #expect(a == b, "\(name) differs")
        }
    }

    @Test("every mock fault fails the bundled scenario meant to catch it, on the metric meant for it", arguments: [
        (MockFault.commitWithoutConfirmation, "en/book-next-thursday-afternoon.yaml", "the agent tried to commit without a confirmed read-back"),
        (.wrongDayReadBack, "sw/book-kesho-asubuhi.yaml", "the agent tried to commit without a confirmed read-back"),
        (.otherCallersAppointment, "en/cancel-someone-elses-appointment.yaml", "the agent tried to change an appointment that is not the caller's"),
        (.ignoreBargeIn, "en/barge-in-pick-first-slot.yaml", ", expected booked"),
        (.slowAnswers, "en/book-next-thursday-afternoon.yaml", "turn latency"),
        (.filler, "en/book-next-thursday-afternoon.yaml", "words > 100"),
        (.wrongWeekdayReadBack, "en/closed-day-staff-training.yaml", "the agent tried to commit without a confirmed read-back"),
        (.commitAfterNo, "en/correction-at-read-back.yaml", "the agent tried to commit without a confirmed read-back"),
        (.silentReadBack, "sw/kusahihisha-siku.yaml", "the read-back is marked played but"),
    ])
    func faulty(fault: MockFault, scenario: String, failure: String) async throws {
        let out = Fixtures.scratch("faulty")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var o = options([Fixtures.scenarios + "/" + scenario], out: out)
        o.faults = [fault]
        let outcome = try await SuiteRunner(options: o).run()
        #expect(outcome.passed == 0)
        #expect(outcome.verdicts.first?.failures.contains { $0.contains(failure) } == true, "\(outcome.verdicts.first?.failures ?? [])")
    }

    @Test("a broken scenario stops the run before anything plays, naming file, line and field")
    func broken() throws {
        let folder = Fixtures.scratch("broken")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var text = try String(contentsOfFile: Fixtures.scenarios + "/en/cancel-filling.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "service: filling", with: "service: whitening")
        let path = Fixtures.write(text, to: folder, as: "bad.yaml")
        do {
            _ = try SuiteRunner(options: options([path], out: folder + "/out")).loadScenarios()
            Issue.record("a broken scenario was accepted")
        } catch let error as SuiteRunner.RunError {
            #expect(error.description.contains("bad.yaml:"))
            #expect(error.description.contains("service: the clinic has no service \"whitening\""))
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test("--parallel N writes the same bytes as --parallel 1; --repeat names each call")
    func parallelAndRepeat() async throws {
        let one = Fixtures.scratch("par1"), two = Fixtures.scratch("par2")
        defer { for o in [one, two] { try? FileManager.default.removeItem(atPath: o) } }
        let paths = [Fixtures.scenarios + "/en/handoff-ask-for-person.yaml", Fixtures.scenarios + "/sw/cancel-miadi.yaml", Fixtures.scenarios + "/fr/book-jeudi-apres-midi.yaml"]
        var serial = options(paths, out: one)
        serial.repeats = 2
        var parallel = options(paths, out: two)
        parallel.repeats = 2
        parallel.parallel = 3
        let a = try await SuiteRunner(options: serial).run()
        let b = try await SuiteRunner(options: parallel).run()
        #expect(a.verdicts.map(\.run) == b.verdicts.map(\.run))
        #expect(a.verdicts.map(\.run).first == "en-handoff-ask-for-person.r1")
        let files = try FileManager.default.contentsOfDirectory(atPath: one + "/calls").sorted()
        #expect(files.count == 6 * 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: two + "/calls").sorted() == files)
        for name in files + ["../results.json"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: one + "/calls/" + name)) == Data(contentsOf: URL(fileURLWithPath: two + "/calls/" + name)), "\(name)")
        }
    }
}
