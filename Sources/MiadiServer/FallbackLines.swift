import Foundation
import MiadiAudio
import MiadiBridge
import MiadiLanguage

/// The recordings the bridge says by itself when a live model is lost mid-call, per language:
/// `<folder>/<language>.wav` with its words in `<language>.txt` (`Scripts/make-fallback-audio`
/// renders them). A caller hears an apology before the handoff, never a silent line.
public struct FallbackLines: Sendable {
    public let lines: [LanguageCode: SpokenLine]

    public init(lines: [LanguageCode: SpokenLine] = [:]) {
        self.lines = lines
    }

    /// The line for `language`, else the first language's that exists.
    public func line(for language: LanguageCode) -> SpokenLine? {
        lines[language] ?? LanguageCode.allCases.lazy.compactMap { lines[$0] }.first
    }

    /// Reads every language found in `folder`; a language with a recording but no words (or
    /// the reverse) is an error that names the file.
    public static func load(folder: String) throws(FallbackError) -> FallbackLines {
        var lines: [LanguageCode: SpokenLine] = [:]
        for language in LanguageCode.allCases {
            let wav = folder + "/\(language.rawValue).wav"
            let txt = folder + "/\(language.rawValue).txt"
            let hasWav = FileManager.default.fileExists(atPath: wav)
            let hasText = FileManager.default.fileExists(atPath: txt)
            guard hasWav || hasText else { continue }
            guard hasWav && hasText else { throw .incomplete(hasWav ? txt : wav) }
            let audio: PCMBuffer
            do { audio = try AudioFile.read(wav) } catch { throw .unreadable(wav, "\(error)") }
            guard let text = try? String(contentsOfFile: txt, encoding: .utf8), !text.isEmpty else { throw .unreadable(txt, "no words") }
            lines[language] = SpokenLine(text: text.trimmingCharacters(in: .whitespacesAndNewlines), audio: audio.channels == 1 ? audio : audio.channel(0))
        }
        return FallbackLines(lines: lines)
    }

    public enum FallbackError: Error, Equatable, CustomStringConvertible {
        case incomplete(String)
        case unreadable(String, String)

        public var description: String {
            switch self {
            case .incomplete(let missing): return "fallback line: \(missing) is missing (each language needs a .wav and a .txt)"
            case .unreadable(let file, let reason): return "fallback line: \(file): \(reason)"
            }
        }
    }
}
