import Foundation
import MiadiAudio
import MiadiLanguage
import Synchronization

/// How the mock model turns its words into audio.
public protocol SpeechRenderer: Sendable {
    /// Mono PCM at `sampleRate`.
    func render(_ text: String, language: LanguageCode, sampleRate: Int) throws -> PCMBuffer
}

/// espeak-ng speech, cached by (voice, text): reruns of a suite cost nothing, and the output is
/// deterministic, so a recording of a lab call is the same bytes every run.
public final class EspeakSpeech: SpeechRenderer {
    private let synthesizer: EspeakSynthesizer
    private let voices: [LanguageCode: String]
    private let cache = Mutex<[String: PCMBuffer]>([:])

    /// `voices`: the agent's voice per language (default: espeak-ng's female voice for it, so
    /// the agent does not sound like the scripted callers).
    public init(synthesizer: EspeakSynthesizer = EspeakSynthesizer(), voices: [LanguageCode: String] = [:]) {
        self.synthesizer = synthesizer
        self.voices = voices
    }

    public func voice(for language: LanguageCode) -> String {
        voices[language] ?? (EspeakSynthesizer.defaultVoice(language: language.rawValue) + "+f2")
    }

    public func render(_ text: String, language: LanguageCode, sampleRate: Int) throws -> PCMBuffer {
        let voice = voice(for: language)
        let key = "\(voice)|\(sampleRate)|\(text)"
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let audio = try synthesizer.render(text: text, voice: voice, sampleRate: sampleRate).trimmingSilence()
        cache.withLock { $0[key] = audio }
        return audio
    }
}
