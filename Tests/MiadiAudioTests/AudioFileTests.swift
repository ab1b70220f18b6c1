import Foundation
import MiadiAudio
import Testing

@Suite("AudioFile")
struct AudioFileTests {
    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-audio-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    static func chirp(rate: Int, channels: Int) -> PCMBuffer {
        var generator = SeededGenerator(seed: UInt64(rate * channels))
        let frames = rate / 4
        let samples = (0..<(frames * channels)).map { i -> Int16 in
            Int16(clamping: Int(9000 * sin(Double(i / channels) * Double(i % 7 + 1) * 0.01)) + Int(generator.gaussian() * 300))
        }
        return PCMBuffer(samples: samples, sampleRate: rate, channels: channels)
    }

    static let cases: [(AudioFile.Format, Int, Int)] = AudioFile.Format.allCases.flatMap { format in
        [8000, 16000, 24000].flatMap { rate in [1, 2].map { (format, rate, $0) } }
    }

    @Test("writes and reads back every sample exactly", arguments: cases)
    func roundTrip(format: AudioFile.Format, rate: Int, channels: Int) throws {
        let original = Self.chirp(rate: rate, channels: channels)
        let path = Self.temporaryPath("round-trip-\(rate)-\(channels).\(format.rawValue)")
        try AudioFile.write(original, to: path)
        let read = try AudioFile.read(path, expectedRate: rate)
        #expect(read == original)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }

    @Test("a missing file is named in the error")
    func missing() {
        #expect(throws: AudioFileError.missing(path: "/nonexistent/caller.flac")) {
            try AudioFile.read("/nonexistent/caller.flac")
        }
    }

    @Test("a corrupt file is refused with the file's name")
    func corrupt() throws {
        let path = Self.temporaryPath("corrupt.wav")
        try Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEthis is not audio".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try AudioFile.read(path)
            Issue.record("a corrupt file was read")
        } catch {
            guard case .unreadable(let named, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(named == path)
            #expect(error.description.hasPrefix(path))
        }
    }

    /// A valid 16-bit mono WAV header and samples, written by hand, at any rate.
    static func handWrittenWav(rate: Int, samples: [Int16]) -> Data {
        var data = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 2)
        data.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(samples.count * 2)
        data.append(contentsOf: PCMBuffer(samples: samples, sampleRate: rate).littleEndianBytes)
        return data
    }

    @Test("an unsupported rate is refused, on read and on write")
    func unsupportedRate() throws {
        let path = Self.temporaryPath("rate-11025.wav")
        try Self.handWrittenWav(rate: 11025, samples: [1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(throws: AudioFileError.unsupportedRate(path: path, rate: 11025)) { try AudioFile.read(path) }
        let out = Self.temporaryPath("out-11025.flac")
        #expect(throws: AudioFileError.unsupportedRate(path: out, rate: 11025)) {
            try AudioFile.write(PCMBuffer(samples: [1], sampleRate: 11025), to: out)
        }
    }

    @Test("a file at the wrong rate for its use is refused")
    func wrongRate() throws {
        let path = Self.temporaryPath("rate-8000.wav")
        try Self.handWrittenWav(rate: 8000, samples: [1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(try AudioFile.read(path).samples == [1, 2, 3])
        #expect(throws: AudioFileError.wrongRate(path: path, expected: 16000, actual: 8000)) { try AudioFile.read(path, expectedRate: 16000) }
    }

    @Test("an unknown extension is refused before anything is written")
    func unknownExtension() {
        let path = Self.temporaryPath("call.mp3")
        #expect(throws: AudioFileError.self) { try AudioFile.write(PCMBuffer(samples: [1], sampleRate: 16000), to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
