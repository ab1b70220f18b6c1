import CSndFile
import Foundation

/// A WAV file written as a call goes: samples are appended as they settle and the header is
/// brought up to date after every append (libsndfile's `SFC_SET_UPDATE_HEADER_AUTO`), so a
/// crash leaves a file every reader opens, holding the call up to the last append. A live call
/// keeps none of its recording in memory: what cost the bridge per call-second does not grow
/// with the call's age.
///
/// Written in place under its final name (not renamed at the end as `AudioFile.write` does):
/// the point is that the file is there, readable, while the call is still going.
public final class StreamingAudioFile {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    private var handle: OpaquePointer?
    /// Frames written so far.
    public private(set) var frames = 0

    public init(path: String, sampleRate: Int, channels: Int) throws(AudioFileError) {
        guard AudioFile.supportedRates.contains(sampleRate) else { throw .unsupportedRate(path: path, rate: sampleRate) }
        guard channels == 1 || channels == 2 else { throw .unsupportedFormat(path: path, detail: "\(channels) channels") }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .writeFailed(path: path, reason: "cannot create folder \(directory): \(error.localizedDescription)")
            }
        }
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw .writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        sf_command(handle, Int32(SFC_SET_UPDATE_HEADER_AUTO), nil, Int32(SF_TRUE))
        self.handle = handle
        self.path = path
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Appends interleaved samples (a whole number of frames).
    public func append(_ interleaved: [Int16]) throws(AudioFileError) {
        guard let handle else { throw .writeFailed(path: path, reason: "the file is closed") }
        precondition(interleaved.count % channels == 0, "StreamingAudioFile.append takes whole frames")
        guard !interleaved.isEmpty else { return }
        let count = interleaved.count / channels
        let written = interleaved.withUnsafeBufferPointer { sf_writef_short(handle, $0.baseAddress, sf_count_t(count)) }
        guard written == count else { throw .writeFailed(path: path, reason: String(cString: sf_strerror(handle))) }
        frames += count
    }

    /// Finishes the file (idempotent).
    public func close() {
        if let handle { sf_close(handle) }
        handle = nil
    }

    deinit { close() }
}
