import MiadiAudio
import Testing

@Suite("SeededGenerator and impairments")
struct SeededGeneratorTests {
    @Test("the same seed gives the same numbers; streams are independent")
    func determinism() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var c = SeededGenerator(seed: 42, stream: "noise"), d = SeededGenerator(seed: 42, stream: "loss")
        #expect(c.next() != d.next())
    }

    @Test("gaussian draws have mean 0 and deviation 1")
    func gaussian() {
        var g = SeededGenerator(seed: 9)
        let draws = (0..<20000).map { _ in g.gaussian() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let sd = (draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)).squareRoot()
        #expect(abs(mean) < 0.03)
        #expect(abs(sd - 1) < 0.03)
    }

    @Test("noise is added at the asked signal-to-noise ratio")
    func noiseLevel() {
        let tone = PCMBuffer(samples: (0..<16000).map { Int16(10000 * sin(Double($0) * 0.05)) }, sampleRate: 16000)
        var g = SeededGenerator(seed: 1)
        let noisy = Impairment.addNoise(to: tone, snrDb: 20, generator: &g)
        let noise = zip(noisy.samples, tone.samples).map { Int16(clamping: Int($0) - Int($1)) }
        let snr = 20 * log10(tone.rms / PCMBuffer(samples: noise, sampleRate: 16000).rms)
        #expect(abs(snr - 20) < 0.3)
    }

    @Test("random packet loss drops close to the asked share")
    func lossRate() {
        let audio = PCMBuffer.silence(durationMs: 200_000, sampleRate: 8000)
        var g = SeededGenerator(seed: 5)
        let kept = Impairment.dropPackets(from: audio, rate: 0.05, concealment: .remove, generator: &g)
        let lost = 1 - Double(kept.frameCount) / Double(audio.frameCount)
        #expect(abs(lost - 0.05) < 0.006)
        var h = SeededGenerator(seed: 5)
        #expect(Impairment.dropPackets(from: audio, rate: 0.05, concealment: .silence, generator: &h).frameCount == audio.frameCount)
    }
}
import Foundation
