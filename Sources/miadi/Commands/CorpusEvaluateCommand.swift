import ArgumentParser
import Foundation
import MiadiCorpus
import MiadiAudio
import MiadiSimulator

/// `miadi corpus evaluate`: the figures behind the lab's ears (fingerprint, VAD).
struct CorpusEvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure fingerprint identification and VAD onsets on the corpus, under line impairments."
    )

    @OptionGroup var location: CorpusLocation

    @Option(help: "Seed for noise, loss and pauses.")
    var seed: UInt64 = 1

    func run() async throws {
        let corpus: Corpus
        let clips: [(id: String, audio: PCMBuffer)]
        let index: FingerprintIndex
        do {
            corpus = try Corpus.load(directory: location.corpus)
            clips = try corpus.entries.map { entry throws(CorpusError) in (entry.id, try corpus.audio(of: entry)) }
            index = try corpus.fingerprintIndex()
        } catch {
            throw failOnBadInput(error.description)
        }
        guard !clips.isEmpty else { throw failOnBadInput("\(corpus.manifestPath): the corpus is empty; run `miadi corpus build` first") }
        let synth = EspeakSynthesizer()
        var unseen: [(label: String, audio: PCMBuffer)] = []
        for sentence in CorpusEvaluation.unseenSentences {
            do { unseen.append(("\(sentence.language): \(sentence.text)", try synth.render(text: sentence.text, voice: sentence.voice, sampleRate: Corpus.sampleRate))) } catch {
                throw failOnBadInput(error.description)
            }
        }
        let report = CorpusEvaluation.fingerprint(clips: clips, unseen: unseen, index: index, seed: seed)
        print("Fingerprint identification over \(clips.count - report.backchannelsLeftOut) corpus utterances"
              + (report.backchannelsLeftOut > 0 ? " (\(report.backchannelsLeftOut) backchannel(s) under \(CorpusEvaluation.shortestLineMs) ms left out)" : ""))
        print("| condition | identified | wrong | refused |")
        print("|---|---:|---:|---:|")
        for (condition, tally) in report.byCondition {
            print("| \(condition.rawValue)\(condition.mustRefuse ? " (must refuse)" : "") | \(tally.correct) | \(tally.wrong) | \(tally.refused) |")
        }
        print("| \(unseen.count) unseen sentences (must refuse) | — | \(report.unseen.wrong) | \(report.unseen.refused) |")
        print(String(format: "Warped distance (mean): worst right answer %.2f, best wrong candidate %.2f, threshold %.2f", report.worstCorrectDistance, report.bestWrongDistance, index.configuration.acceptDistance))
        print(String(format: "Warped distance (worst 200 ms): worst right answer %.2f, best wrong candidate %.2f, threshold %.2f", report.worstCorrectWindow, report.bestWrongWindow, index.configuration.worstWindowDistance))
        for miss in report.wrongRefusals { print("  refused: \(miss.clip) [\(miss.condition)] right entry: \(miss.distance.map { String(format: "distance %.2f, worst 200 ms %.2f, time ratio %.2f", $0, miss.worstWindow ?? 0, miss.timeRatio ?? 0) } ?? "not a candidate (length off)")") }
        for miss in report.falseMatches { print("  false match: \(miss.clip) [\(miss.condition)] → \(miss.matched) (distance \(String(format: "%.2f", miss.distance)))") }
        print("")
        print("VAD speech onsets within 40 ms")
        print("| line | precision | recall | mean error |")
        print("|---|---:|---:|---:|")
        let audio = clips.map(\.audio)
        for (snr, rate) in [(nil, 16000), (30.0, 16000), (20.0, 16000), (30.0, 8000), (20.0, 8000)] as [(Double?, Int)] {
            let s = CorpusEvaluation.vadOnsets(clips: audio, snrDb: snr, rate: rate, seed: seed)
            let label = "\(rate / 1000) kHz, " + (snr.map { "\(Int($0)) dB SNR" } ?? "clean")
            print(String(format: "| %@ | %.3f | %.3f | %.1f ms |", label, s.precision, s.recall, s.meanErrorMs) + " (\(s.matched)/\(s.truth) true, \(s.detected) detected)")
        }
    }
}
