import Foundation
import MiadiAudio
import Testing

@Suite("VoiceActivityDetector")
struct VoiceActivityDetectorTests {
    /// 1 s of noise, 0.6 s of a voiced-like tone burst, 1 s of noise.
    static func burst(rate: Int, snrDb: Double) -> PCMBuffer {
        var g = SeededGenerator(seed: 11)
        var line = PCMBuffer.silence(durationMs: 1000, sampleRate: rate)
        let tone: [Int16] = (0..<(rate * 6 / 10)).map { i in
            let t = Double(i) / Double(rate)
            let envelope = 1 + 0.3 * sin(Double(i) / 400)
            return Int16(8000 * sin(2 * Double.pi * 220 * t) * envelope)
        }
        line.append(PCMBuffer(samples: tone, sampleRate: rate))
        line.append(.silence(durationMs: 1000, sampleRate: rate))
        return Impairment.addNoise(to: line, snrDb: snrDb, generator: &g)
    }

    @Test("finds the onset and end of speech in noise at 8 and 16 kHz", arguments: [8000, 16000])
    func onsetAndEnd(rate: Int) {
        let segments = VoiceActivityDetector.segments(of: Self.burst(rate: rate, snrDb: 20))
        #expect(segments.count == 1)
        if let s = segments.first {
            #expect(abs(s.lowerBound - 1000) <= 20, "onset \(s.lowerBound)")
            #expect(abs(s.upperBound - 1600) <= 30, "end \(s.upperBound)")
        }
    }

    @Test("steady comfort noise alone is never speech")
    func noiseOnly() {
        var g = SeededGenerator(seed: 2)
        let noise = Impairment.comfortNoise(durationMs: 5000, sampleRate: 8000, levelDbfs: -35, generator: &g)
        #expect(VoiceActivityDetector.segments(of: noise).isEmpty)
    }

    @Test("a DC offset on the line is not speech, and speech on top of one is still found")
    func dcOffset() {
        let clean = Self.burst(rate: 8000, snrDb: 20)
        let offset = PCMBuffer(samples: clean.samples.map { Int16(clamping: Int($0) + 6000) }, sampleRate: 8000)
        #expect(VoiceActivityDetector.segments(of: offset) == VoiceActivityDetector.segments(of: clean))
        var g = SeededGenerator(seed: 9)
        let hiss = Impairment.comfortNoise(durationMs: 3000, sampleRate: 8000, levelDbfs: -50, generator: &g)
        let steady = PCMBuffer(samples: hiss.samples.map { Int16(clamping: Int($0) + 6000) }, sampleRate: 8000)
        #expect(VoiceActivityDetector.segments(of: steady).isEmpty)
    }

    @Test("a 10 ms click is not an onset")
    func click() {
        var line = PCMBuffer.silence(durationMs: 500, sampleRate: 16000)
        var g = SeededGenerator(seed: 4)
        line.append(PCMBuffer(samples: (0..<160).map { _ in Int16(clamping: Int(g.gaussian() * 12000)) }, sampleRate: 16000))
        line.append(.silence(durationMs: 500, sampleRate: 16000))
        #expect(VoiceActivityDetector.segments(of: line).isEmpty)
    }

    @Test("decisions do not depend on how the audio is chunked")
    func chunking() {
        let audio = Self.burst(rate: 16000, snrDb: 25)
        var whole = VoiceActivityDetector(sampleRate: 16000)
        let a = whole.process(audio) + whole.finish()
        var pieces = VoiceActivityDetector(sampleRate: 16000)
        var b: [VoiceActivityDetector.Event] = []
        var start = 0
        while start < audio.frameCount {
            b += pieces.process(audio.slice(frames: start..<(start + 113)))
            start += 113
        }
        b += pieces.finish()
        #expect(a == b)
        #expect(!a.isEmpty)
    }
}
