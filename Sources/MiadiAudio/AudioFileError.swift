/// What went wrong reading or writing an audio file; every case names the file.
public enum AudioFileError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case unsupportedFormat(path: String, detail: String)
    case wrongRate(path: String, expected: Int, actual: Int)
    case unsupportedRate(path: String, rate: Int)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such audio file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read audio (\(reason)); is it a WAV or FLAC file?"
        case .unsupportedFormat(let path, let detail):
            return "\(path): unsupported audio format (\(detail)); use WAV or FLAC, 16-bit PCM, mono or stereo"
        case .wrongRate(let path, let expected, let actual):
            return "\(path): sample rate is \(actual) Hz, expected \(expected) Hz"
        case .unsupportedRate(let path, let rate):
            return "\(path): sample rate \(rate) Hz is not supported; use 8000, 16000, 22050, 24000, 44100 or 48000"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write audio (\(reason))"
        }
    }
}
