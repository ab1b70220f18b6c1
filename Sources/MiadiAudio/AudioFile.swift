import CSndFile
import Foundation

/// Reads and writes WAV and FLAC files through libsndfile.
///
/// The only part of `MiadiAudio` that touches the file system. Files are always 16-bit PCM:
/// corpora are FLAC (compact, lossless), call recordings are stereo WAV (caller left, agent
/// right), which every browser's `<audio>` plays.
public enum AudioFile {
    /// Container formats Miadi writes.
    public enum Format: String, Sendable, CaseIterable {
        case wav, flac

        /// The format a path's extension names, if any.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "wav", "wave": self = .wav
            case "flac": self = .flac
            default: return nil
            }
        }

        var sndfileMajor: Int32 {
            switch self {
            case .wav: return Int32(SF_FORMAT_WAV)
            case .flac: return Int32(SF_FORMAT_FLAC)
            }
        }
    }

    /// Rates Miadi accepts in files: the wire rates plus common recording rates.
    public static let supportedRates: Set<Int> = [8000, 16000, 22050, 24000, 32000, 44100, 48000]

    /// Reads a whole file as 16-bit PCM.
    /// - Parameter expectedRate: when given, a file at another rate is an error (`wrongRate`)
    ///   rather than silently reinterpreted.
    public static func read(_ path: String, expectedRate: Int? = nil) throws(AudioFileError) -> PCMBuffer {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw .unreadable(path: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(handle) }
        let rate = Int(info.samplerate)
        let channels = Int(info.channels)
        guard channels == 1 || channels == 2 else {
            throw .unsupportedFormat(path: path, detail: "\(channels) channels")
        }
        guard supportedRates.contains(rate) else { throw .unsupportedRate(path: path, rate: rate) }
        if let expectedRate, expectedRate != rate {
            throw .wrongRate(path: path, expected: expectedRate, actual: rate)
        }
        let frames = Int(info.frames)
        var samples = [Int16](repeating: 0, count: frames * channels)
        let read = samples.withUnsafeMutableBufferPointer { buf in
            sf_readf_short(handle, buf.baseAddress, sf_count_t(frames))
        }
        if read != frames {
            throw .unreadable(path: path, reason: "read \(read) of \(frames) frames: \(String(cString: sf_strerror(handle)))")
        }
        return PCMBuffer(samples: samples, sampleRate: rate, channels: channels)
    }

    /// Writes 16-bit PCM; the format comes from the extension unless given. The file is written
    /// to a temporary name and moved into place, so a crash never leaves a truncated file behind.
    public static func write(_ buffer: PCMBuffer, to path: String, format: Format? = nil) throws(AudioFileError) {
        guard let format = format ?? Format(path: path) else {
            throw .unsupportedFormat(path: path, detail: "extension .\((path as NSString).pathExtension); use .wav or .flac")
        }
        guard supportedRates.contains(buffer.sampleRate) else { throw .unsupportedRate(path: path, rate: buffer.sampleRate) }
        guard buffer.channels == 1 || buffer.channels == 2 else {
            throw .unsupportedFormat(path: path, detail: "\(buffer.channels) channels")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .writeFailed(path: path, reason: "cannot create folder \(directory): \(error.localizedDescription)")
            }
        }
        let temporary = path + ".partial"
        var info = SF_INFO()
        info.samplerate = Int32(buffer.sampleRate)
        info.channels = Int32(buffer.channels)
        info.format = format.sndfileMajor | Int32(SF_FORMAT_PCM_16)
        guard sf_format_check(&info) != 0 else {
            throw .unsupportedFormat(path: path, detail: "\(format.rawValue) at \(buffer.sampleRate) Hz × \(buffer.channels)")
        }
        guard let handle = sf_open(temporary, Int32(SFM_WRITE), &info) else {
            throw .writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        let written = buffer.samples.withUnsafeBufferPointer { buf in
            sf_writef_short(handle, buf.baseAddress, sf_count_t(buffer.frameCount))
        }
        let failure = written == buffer.frameCount ? nil : String(cString: sf_strerror(handle))
        sf_close(handle)
        if let failure {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .writeFailed(path: path, reason: failure)
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}
