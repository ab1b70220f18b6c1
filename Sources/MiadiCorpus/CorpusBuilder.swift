import Foundation
import MiadiAudio

/// Renders the caller lines a suite needs and the corpus lacks (`miadi corpus build`).
///
/// Synthesised lines are espeak-ng speech at 16 kHz mono, trimmed to the speech plus 30 ms on
/// each side (so a line's duration is its speaking time), stored as FLAC under
/// `Corpora/<language>/<id>.flac`. A line whose voice is `recording:FILE` is a user's own
/// recording: it is never synthesised; the builder checks that `Corpora/FILE` exists and records
/// its transcript, duration and checksum. The manifest is saved after every new entry, so an
/// interrupted build keeps what it finished.
public struct CorpusBuilder: Sendable {
    /// What one build did.
    public struct Summary: Sendable, Equatable {
        public var rendered: [CorpusEntry] = []
        public var registered: [CorpusEntry] = []
        public var alreadyPresent = 0
    }

    public let synthesizer: EspeakSynthesizer

    public init(synthesizer: EspeakSynthesizer = EspeakSynthesizer()) {
        self.synthesizer = synthesizer
    }

    /// Builds what is missing. `force` re-renders synthesised entries that exist already.
    /// `progress` is called after each line with (done, total).
    public func build(_ requests: [CorpusRequest], into corpus: inout Corpus, force: Bool = false, progress: (Int, Int, CorpusRequest) -> Void = { _, _, _ in }) throws(CorpusError) -> Summary {
        var summary = Summary()
        let todo = requests.filter { request in
            guard let existing = corpus.entry(for: request) else { return true }
            if force && existing.source == .espeakNG { return true }
            // An entry whose file vanished is rebuilt rather than left dangling.
            return !FileManager.default.fileExists(atPath: corpus.audioPath(of: existing))
        }
        summary.alreadyPresent = requests.count - todo.count
        for (done, request) in todo.enumerated() {
            let entry = try make(request, in: corpus)
            corpus.upsert(entry)
            try corpus.save()
            if entry.source == .recording { summary.registered.append(entry) } else { summary.rendered.append(entry) }
            progress(done + 1, todo.count, request)
        }
        return summary
    }

    private func make(_ request: CorpusRequest, in corpus: Corpus) throws(CorpusError) -> CorpusEntry {
        if request.voice.hasPrefix("recording:") {
            let file = String(request.voice.dropFirst("recording:".count))
            let path = (corpus.directory as NSString).appendingPathComponent(file)
            let audio: PCMBuffer
            do { audio = try AudioFile.read(path) } catch {
                throw .synthesis(origin: request.origin, reason: "recorded line: \(error.description)")
            }
            return CorpusEntry(id: request.id, text: request.text, language: request.language, voice: request.voice, file: file, source: .recording, sampleRate: audio.sampleRate, durationMs: audio.durationMs, samplesSHA256: Corpus.sha256(of: audio))
        }
        let audio: PCMBuffer
        do { audio = try synthesizer.render(text: request.text, voice: request.voice, sampleRate: Corpus.sampleRate).trimmingSilence() } catch {
            throw .synthesis(origin: request.origin, reason: error.description)
        }
        let file = "\(request.language)/\(request.id).flac"
        do { try AudioFile.write(audio, to: (corpus.directory as NSString).appendingPathComponent(file)) } catch {
            throw .audio(error.description)
        }
        return CorpusEntry(id: request.id, text: request.text, language: request.language, voice: request.voice, file: file, source: .espeakNG, sampleRate: Corpus.sampleRate, durationMs: audio.durationMs, samplesSHA256: Corpus.sha256(of: audio))
    }
}
