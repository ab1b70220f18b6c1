import Foundation
import MiadiCorpus
import MiadiSimulator
import Testing

@Suite("ScenarioLineCollector")
struct ScenarioLineCollectorTests {
    static let scenario = """
    id: t
    caller:
      number: "+254700000000"
      language: sw
      voice: sw+f3
    script:
      - say: "Habari,   nataka miadi."
      - answers:
          name: "Naitwa Amina."
          confirm: {say: "Ndiyo."}
      - barge_in: {after_ms: 1200, say: "Hiyo ya kwanza."}
      - backchannel: "Mhm."
      - backchannel: {after_ms: 500, say: "Sawa."}
      - silence: 2000
      - say: "Rekodi yangu."
        audio: recordings/amina.wav
      - hang_up: after_goodbye
    """

    @Test("collects say, answers, barge-in and backchannel lines in the caller's language and voice")
    func collects() throws {
        let dir = Fixtures.scratch("collect")
        let path = Fixtures.write(Self.scenario, to: dir, as: "sw/t.yaml")
        let lines = try ScenarioLineCollector.requests(inFile: path)
        #expect(lines.map(\.text) == ["Habari, nataka miadi.", "Naitwa Amina.", "Ndiyo.", "Hiyo ya kwanza.", "Mhm.", "Sawa.", "Rekodi yangu."])
        #expect(lines.dropLast().allSatisfy { $0.language == "sw" && $0.voice == "sw+f3" })
        #expect(lines.last?.voice == "recording:recordings/amina.wav")
        #expect(lines.first?.origin == "\(path):7")
    }

    @Test("a multi-call scenario gives each caller's lines in that caller's voice")
    func multiCall() throws {
        let dir = Fixtures.scratch("calls")
        let path = Fixtures.write("""
        id: race
        calls:
          - caller: {number: "+1", language: en, voice: en-us}
            script: [{say: "I want the last slot."}]
          - caller: {number: "+2", language: fr}
            script: [{say: "Je veux le dernier créneau."}]
        """, to: dir, as: "race.yaml")
        let lines = try ScenarioLineCollector.requests(inFile: path)
        #expect(lines.map(\.voice) == ["en-us", "fr-fr"])
    }

    @Test("broken YAML names the file and line")
    func yamlError() {
        let dir = Fixtures.scratch("broken")
        let path = Fixtures.write("id: x\ncaller:\n  language: en\nscript:\n  - say: \"unterminated\n", to: dir, as: "broken.yaml")
        do {
            _ = try ScenarioLineCollector.requests(inFile: path)
            Issue.record("broken YAML was accepted")
        } catch {
            guard case .scenarioInvalid(let file, let line, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == path)
            #expect(line >= 5)
            #expect(error.description.hasPrefix("\(path):\(line):"))
        }
    }

    @Test("a caller without a language is refused, naming the field")
    func missingLanguage() {
        let dir = Fixtures.scratch("nolang")
        let path = Fixtures.write("id: x\ncaller:\n  number: \"+1\"\nscript:\n  - say: hi\n", to: dir, as: "nolang.yaml")
        #expect(throws: CorpusError.scenarioInvalid(path: path, line: 3, field: "caller.language", reason: "missing: a language code such as en, sw or fr")) {
            try ScenarioLineCollector.requests(inFile: path)
        }
    }

    @Test("every line of the bundled scenarios has audio in the bundled corpus, and the audio is intact")
    func bundledCorpusIsComplete() throws {
        let corpus = try Corpus.load(directory: Fixtures.corpus)
        let needed = try ScenarioLineCollector.requests(under: [Fixtures.scenarios])
        #expect(!needed.isEmpty)
        #expect(corpus.missing(needed).isEmpty, "run `swift run miadi corpus build`")
        for entry in corpus.entries { _ = try corpus.audio(of: entry, verify: true) }
    }
}
