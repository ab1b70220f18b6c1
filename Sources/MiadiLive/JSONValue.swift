import Foundation
import MiadiAgent
import MiadiAudio
import MiadiJSON

/// Wire messages are plain JSON objects: built and read as `TraceValue` (the same JSON value
/// the trace uses), encoded with sorted keys so that what a client sends is reproducible.
public typealias JSONValue = TraceValue

extension TraceValue {
    /// One compact JSON text, keys sorted.
    public var jsonText: String {
        let data = (try? JSONCoding.encoder(.compact).encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses one JSON text; nil when it is not JSON.
    public static func parse(_ text: some StringProtocol) -> TraceValue? {
        try? JSONCoding.decoder().decode(TraceValue.self, from: Data(text.utf8))
    }

    /// Parses JSON bytes (a binary frame); nil when they are not JSON.
    public static func parse(bytes: [UInt8]) -> TraceValue? {
        try? JSONCoding.decoder().decode(TraceValue.self, from: Data(bytes))
    }
}

extension PCMBuffer {
    /// 16-bit little-endian PCM, base64 (standard alphabet, padded): how both live providers
    /// carry audio inside JSON.
    public var base64: String { Data(littleEndianBytes).base64EncodedString() }

    /// Audio from base64 PCM16 LE mono, standard or URL-safe alphabet, padded or not; nil when
    /// it is not base64 or not whole 16-bit samples.
    public init?(base64 text: String, sampleRate: Int) {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        guard let data = Data(base64Encoded: standard), data.count % 2 == 0 else { return nil }
        self.init(littleEndianBytes: [UInt8](data), sampleRate: sampleRate)
    }
}
