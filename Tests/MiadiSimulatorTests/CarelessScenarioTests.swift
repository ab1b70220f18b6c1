import Foundation
import MiadiSimulator
import Testing

/// Careless input to `miadi run` is refused before anything plays, naming the file, line and
/// field: a string where a list goes, a date that does not exist, an offset that is not one or
/// not the clinic's, an empty script, two appointments with one id or on one chair at once, an
/// appointment on a closed day, a clinic outside the scenarios folder, or nothing selected.
@Suite("Careless scenarios")
struct CarelessScenarioTests {
    static let mistakes: [(String, String, String)] = [
        ("tags: [book, en, window]", "tags: \"book\"", "tags: must be a list"),
        ("now: \"2026-03-02T09:15:00+03:00\"", "now: \"2026-02-30T09:15:00+03:00\"", "has no such date"),
        ("now: \"2026-03-02T09:15:00+03:00\"", "now: \"2026-03-02T09:15:00+25:00\"", "is not an offset"),
        ("now: \"2026-03-02T09:15:00+03:00\"", "now: \"2026-03-02T09:15:00+01:00\"", "the offset is not whitedent-nairobi's"),
        ("now: \"2026-03-02T09:15:00+03:00\"", "now: \"2026-03-02T25:15:00+03:00\"", "is not a time of day"),
        ("script:\n  - say: \"Hi, I'd like to book a cleaning next Thursday afternoon.\"\n  - answers:\n      name: \"It's Amina.\"\n      time: \"Three o'clock would be great.\"\n      confirm: \"Yes, that's right.\"\n  - hang_up: after_goodbye\n",
         "script: []\n", "script: at least one step"),
        ("calendar:\n", "calendar:\n  - {id: other-patient, customer: \"+254711000009\", service: check-up, staff: dr-kamau, start: \"2026-03-06T10:00\"}\n", "is the id of an earlier appointment too"),
        ("calendar:\n", "calendar:\n  - {id: early, customer: \"+254711000009\", service: cleaning, staff: dr-wanjiru, start: \"2026-03-05T13:30\"}\n", "overlaps"),
        ("start: \"2026-03-05T14:00\"", "start: \"2026-03-08T14:00\"", "the clinic is closed on 2026-03-08"),
        ("start: \"2026-03-05T14:00\"", "start: \"2026-03-20T14:00\"", "the clinic is closed on 2026-03-20 (staff training)"),
        ("clinic: clinics/whitedent-nairobi.yaml", "clinic: ../Scenarios/../Package.swift", "the clinic file must be under"),
        ("unchanged: [other-patient]", "unchanged: other-patient", "unchanged: must be a list"),
    ]

    @Test("each mistake stops the load with file:line:field", arguments: mistakes)
    func refused(from: String, to: String, says: String) throws {
        let original = try String(contentsOfFile: Fixtures.scenarios + "/en/book-next-thursday-afternoon.yaml", encoding: .utf8)
        #expect(original.contains(from), "\(from)")
        let folder = Fixtures.scratch("careless")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = Fixtures.write(original.replacingOccurrences(of: from, with: to), to: folder, as: "careless.yaml")
        do {
            _ = try ScenarioFile.load(path: path, scenariosRoot: Fixtures.scenarios)
            Issue.record("accepted: \(to)")
        } catch {
            #expect(error.description.contains("careless.yaml:"), "\(error.description)")
            #expect(error.description.contains(says), "\(error.description)")
        }
    }

    @Test("a selection with no scenarios (a folder named x.yaml, a tag nobody has) is an error, and nothing is written")
    func nothingSelected() throws {
        let folder = Fixtures.scratch("empty-selection")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/x.yaml", withIntermediateDirectories: true)
        for (paths, tags) in [([folder + "/x.yaml"], [String]()), ([Fixtures.scenarios + "/sw"], ["no-such-tag"])] {
            var options = SuiteRunner.Options()
            options.paths = paths
            options.tags = tags
            options.scenariosRoot = Fixtures.scenarios
            options.output = folder + "/out"
            #expect(throws: SuiteRunner.RunError.self) { try SuiteRunner(options: options).loadScenarios() }
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test("a line the corpus has no audio for is named by file and line before anything is written")
    func lineNotInCorpus() async throws {
        let original = try String(contentsOfFile: Fixtures.scenarios + "/en/book-next-thursday-afternoon.yaml", encoding: .utf8)
        let said = "Hi, I'd like to book a cleaning next Thursday afternoon."
        #expect(original.contains(said))
        let folder = Fixtures.scratch("careless-corpus")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = Fixtures.write(original.replacingOccurrences(of: said, with: "A line nobody has recorded."), to: folder, as: "unrecorded.yaml")
        let line = (original.components(separatedBy: "\n").firstIndex { $0.contains(said) } ?? -1) + 1
        var options = SuiteRunner.Options()
        options.paths = [path]
        options.scenariosRoot = Fixtures.scenarios
        options.corpus = Fixtures.corpus
        options.output = folder + "/out"
        do {
            _ = try await SuiteRunner(options: options).run()
            Issue.record("a line with no audio was played")
        } catch let error as SuiteRunner.RunError {
            #expect("\(error)".contains("unrecorded.yaml:\(line): script: the corpus has no audio for \"A line nobody has recorded.\""), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"), "nothing is written")
    }
}
