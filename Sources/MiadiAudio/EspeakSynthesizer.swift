import Foundation

/// Speech from espeak-ng (Debian package `espeak-ng`), run as a subprocess.
///
/// The lab's caller lines and the mock model's answers are spoken with it, so recordings of lab
/// calls are real, listenable speech. espeak-ng is deterministic (no random prosody): the same
/// text and voice give the same samples, which the corpus relies on (its manifest stores a
/// SHA-256 of the samples). It speaks at 22,050 Hz; `render` converts to the rate asked for.
/// This is one of the two I/O edges of `MiadiAudio` (the other is `AudioFile`).
public struct EspeakSynthesizer: Sendable {
    public enum SynthesisError: Error, Equatable, CustomStringConvertible {
        case notInstalled(executable: String)
        case failed(voice: String, text: String, status: Int32, stderr: String)
        case emptyText

        public var description: String {
            switch self {
            case .notInstalled(let executable):
                return "\(executable) not found: install it with `apt-get install espeak-ng`"
            case .failed(let voice, let text, let status, let stderr):
                return "espeak-ng failed (exit \(status)) for voice '\(voice)' and text \"\(text)\": \(stderr)"
            case .emptyText:
                return "cannot synthesise an empty line"
            }
        }
    }

    public let executable: String
    /// Words per minute (espeak-ng's `-s`); 160 is a calm phone voice.
    public let wordsPerMinute: Int

    public init(executable: String = EspeakSynthesizer.locate(), wordsPerMinute: Int = 160) {
        self.executable = executable
        self.wordsPerMinute = wordsPerMinute
    }

    /// The espeak-ng binary on the usual paths (`ESPEAK_NG` overrides).
    public static func locate() -> String {
        if let override = ProcessInfo.processInfo.environment["ESPEAK_NG"], !override.isEmpty { return override }
        for candidate in ["/usr/bin/espeak-ng", "/usr/local/bin/espeak-ng"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "espeak-ng"
    }

    /// The espeak-ng voice for a language when a scenario names none.
    public static func defaultVoice(language: String) -> String {
        switch language {
        case "en": return "en-us"
        case "fr": return "fr-fr"
        default: return language
        }
    }

    /// Speaks `text` with `voice` (an espeak-ng voice such as `en-us+f3`, `sw`, `fr-fr+m2`),
    /// returned as mono PCM at `sampleRate`.
    public func render(text: String, voice: String, sampleRate: Int) throws(SynthesisError) -> PCMBuffer {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .emptyText }
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("miadi-espeak-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let process = Process()
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else { throw .notInstalled(executable: executable) }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-v", voice, "-s", String(wordsPerMinute), "-w", temporary, "--", trimmed]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable, "-v", voice, "-s", String(wordsPerMinute), "-w", temporary, "--", trimmed]
        }
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw .notInstalled(executable: executable) }
        let errorData = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw .failed(voice: voice, text: trimmed, status: process.terminationStatus, stderr: stderr)
        }
        // espeak-ng exits 0 for an unknown voice but says so on stderr and writes nothing useful.
        if stderr.lowercased().contains("voice") && stderr.lowercased().contains("not") {
            throw .failed(voice: voice, text: trimmed, status: 0, stderr: stderr)
        }
        let audio: PCMBuffer
        do { audio = try AudioFile.read(temporary) } catch {
            throw .failed(voice: voice, text: trimmed, status: 0, stderr: error.description)
        }
        return audio.channels == 1 ? audio.resampled(to: sampleRate, quality: .studio) : audio.channel(0).resampled(to: sampleRate, quality: .studio)
    }
}
