import MiadiCorpus
import MiadiAudio
import MiadiSimulator
import MiadiTestSupport
import Testing

/// The lab's ears, measured on the whole bundled corpus. The figures these produce are the
/// ones in the README (`miadi corpus evaluate` prints them).
/// Minutes of CPU on the whole corpus: run with the slow suites (`Scripts/run-slow-tests`), so
/// that in the default run it does not hold the test threads that real-clock tests need.
@Suite("Corpus evaluation", .serialized, .tags(.slow))
struct CorpusEvaluationSlowTests {
    static func clips() throws -> [(id: String, audio: PCMBuffer)] {
        let corpus = try Corpus.load(directory: Fixtures.corpus)
        return try corpus.entries.map { entry throws(CorpusError) in (entry.id, try corpus.audio(of: entry)) }
    }

    @Test("the fingerprint identifies every utterance through the line, refuses cut and unseen clips")
    func fingerprint() throws {
        let corpus = try Corpus.load(directory: Fixtures.corpus)
        let clips = try Self.clips()
        #expect(clips.count >= 40)
        let synth = EspeakSynthesizer()
        let unseen = try CorpusEvaluation.unseenSentences.map { s in
            (label: s.text, audio: try synth.render(text: s.text, voice: s.voice, sampleRate: Corpus.sampleRate))
        }
        let report = CorpusEvaluation.fingerprint(clips: clips, unseen: unseen, index: try corpus.fingerprintIndex())
        for (condition, tally) in report.byCondition {
            if condition.mustRefuse {
                // "~70 %": at 70 % a few clips that share their opening with another line may pass.
                let bound = condition == .truncated70 ? 0.1 : 0.05
                #expect(tally.acceptRate <= bound, "\(condition.rawValue): \(tally)")
            } else {
                #expect(tally.wrong == 0, "\(condition.rawValue): \(tally)")
                #expect(tally.accuracy >= 0.98, "\(condition.rawValue): \(tally); refused: \(report.wrongRefusals.filter { $0.condition == condition.rawValue }.map(\.clip))")
            }
        }
        #expect(report.unseen.wrong == 0, "unseen sentences accepted: \(report.falseMatches)")
    }

    @Test("VAD onsets within 40 ms: precision and recall at least 0.9 in noise, at 8 and 16 kHz",
          arguments: [(30.0, 16000), (20.0, 16000), (30.0, 8000), (20.0, 8000)])
    func vadOnsets(snr: Double, rate: Int) throws {
        let score = CorpusEvaluation.vadOnsets(clips: try Self.clips().map(\.audio), snrDb: snr, rate: rate)
        #expect(score.truth >= 40)
        #expect(score.precision >= 0.9, "\(score)")
        #expect(score.recall >= 0.9, "\(score)")
    }
}
