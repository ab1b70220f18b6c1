import Foundation
import MiadiCorpus
import MiadiAudio
import MiadiSimulator
import Testing

@Suite("CorpusBuilder", .serialized)
struct CorpusBuilderTests {
    static let requests = [
        CorpusRequest(text: "Yes, that's right.", language: "en", voice: "en-us+f3"),
        CorpusRequest(text: "Ndiyo, sawa.", language: "sw", voice: "sw"),
        CorpusRequest(text: "Oui, d'accord.", language: "fr", voice: "fr-fr+m3"),
    ]

    @Test("building twice gives identical samples, files and manifest")
    func deterministic() throws {
        var first = Corpus(directory: Fixtures.scratch("corpus-a"))
        var second = Corpus(directory: Fixtures.scratch("corpus-b"))
        let a = try CorpusBuilder().build(Self.requests, into: &first)
        let b = try CorpusBuilder().build(Self.requests, into: &second)
        #expect(a.rendered.count == 3 && b.rendered.count == 3)
        #expect(first.entries == second.entries)
        for entry in first.entries {
            let bytesA = try Data(contentsOf: URL(fileURLWithPath: first.audioPath(of: entry)))
            let bytesB = try Data(contentsOf: URL(fileURLWithPath: second.audioPath(of: entry)))
            #expect(bytesA == bytesB)
            #expect(Corpus.sha256(of: try AudioFile.read(first.audioPath(of: entry))) == entry.samplesSHA256)
            #expect(entry.file.hasSuffix(".flac") && entry.sampleRate == 16000 && entry.durationMs > 300)
        }
        let manifestA = try String(contentsOfFile: first.manifestPath, encoding: .utf8)
        let manifestB = try String(contentsOfFile: second.manifestPath, encoding: .utf8)
        #expect(manifestA == manifestB)
        // A second build of the same corpus renders nothing.
        var reloaded = try Corpus.load(directory: first.directory)
        let again = try CorpusBuilder().build(Self.requests, into: &reloaded)
        #expect(again.rendered.isEmpty && again.alreadyPresent == 3)
    }

    @Test("a user's recording is registered with its transcript, never synthesised")
    func recording() throws {
        let dir = Fixtures.scratch("corpus-rec")
        let audio = PCMBuffer(samples: (0..<4410).map { Int16(5000 * sin(Double($0) * 0.1)) }, sampleRate: 44100)
        try AudioFile.write(audio, to: dir + "/recordings/amina.wav")
        var corpus = Corpus(directory: dir)
        let request = CorpusRequest(text: "Ni mimi Amina.", language: "sw", voice: "recording:recordings/amina.wav")
        let summary = try CorpusBuilder().build([request], into: &corpus)
        #expect(summary.registered.count == 1 && summary.rendered.isEmpty)
        let entry = try #require(corpus.entry(for: request))
        #expect(entry.source == .recording && entry.sampleRate == 44100 && entry.durationMs == 100)
        #expect(try corpus.audio(of: entry).sampleRate == Corpus.sampleRate)
    }

    @Test("an unknown voice fails with the scenario line that asked for it and keeps what was built")
    func unknownVoice() throws {
        let dir = Fixtures.scratch("corpus-bad-voice")
        var corpus = Corpus(directory: dir)
        let good = CorpusRequest(text: "Hello.", language: "en", voice: "en-us")
        let bad = CorpusRequest(text: "Hello.", language: "xx", voice: "xx-nonexistent", origin: "Scenarios/x.yaml:12")
        do {
            _ = try CorpusBuilder().build([good, bad], into: &corpus)
            Issue.record("an unknown voice was accepted")
        } catch {
            #expect(error.description.hasPrefix("Scenarios/x.yaml:12: "))
        }
        let saved = try Corpus.load(directory: dir)
        #expect(saved.entry(for: good) != nil)
    }

    @Test("a broken manifest is an error naming it; changed audio is caught by its checksum")
    func manifestErrors() throws {
        let dir = Fixtures.scratch("corpus-broken")
        Fixtures.write("{\"schema\": \"miadi.corpus/1\", \"entries\": [{\"id\": 1}]}", to: dir, as: "manifest.json")
        do {
            _ = try Corpus.load(directory: dir)
            Issue.record("a broken manifest was loaded")
        } catch {
            guard case .manifestInvalid(let path, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == dir + "/manifest.json")
        }
        let good = Fixtures.scratch("corpus-changed")
        var corpus = Corpus(directory: good)
        _ = try CorpusBuilder().build([Self.requests[0]], into: &corpus)
        let entry = try #require(corpus.entries.first)
        try AudioFile.write(PCMBuffer(samples: [1, 2, 3], sampleRate: 16000), to: corpus.audioPath(of: entry))
        #expect(throws: CorpusError.entryAudioChanged(manifest: corpus.manifestPath, id: entry.id, file: entry.file)) {
            try corpus.audio(of: entry, verify: true)
        }
        try FileManager.default.removeItem(atPath: corpus.audioPath(of: entry))
        #expect(throws: CorpusError.entryAudioMissing(manifest: corpus.manifestPath, id: entry.id, file: entry.file)) {
            try corpus.audio(of: entry)
        }
    }
}
