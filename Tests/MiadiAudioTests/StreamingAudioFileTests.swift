import Foundation
import MiadiAudio
import Testing

@Suite("StreamingAudioFile")
struct StreamingAudioFileTests {
    @Test("a WAV written as it goes is readable before it is closed (a crash leaves the call so far), and whole after")
    func readableWhileOpen() throws {
        let path = AudioFileTests.temporaryPath("streaming.wav")
        let whole = AudioFileTests.chirp(rate: 16_000, channels: 2)
        let half = whole.samples.count / 2
        let file = try StreamingAudioFile(path: path, sampleRate: 16_000, channels: 2)
        try file.append(Array(whole.samples[..<half]))
        let soFar = try AudioFile.read(path)
        #expect(soFar.channels == 2 && soFar.sampleRate == 16_000)
        #expect(soFar.samples == Array(whole.samples[..<half]), "the header was brought up to date with the first append")
        try file.append(Array(whole.samples[half...]))
        file.close()
        #expect(try AudioFile.read(path).samples == whole.samples)
        #expect(file.frames == whole.frameCount)
        #expect(throws: AudioFileError.self) { try file.append([0, 0]) }
    }
}
