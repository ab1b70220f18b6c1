import Foundation
import MiadiAudio
import Testing

/// Sine-sweep measurements of the resampler: pass-band ripple and stop-band (aliasing)
/// attenuation, as figures, for every rate pair the wire uses.
@Suite("Resampler")
struct ResamplerTests {
    static let pairs: [(Int, Int)] = [(8000, 16000), (16000, 8000), (16000, 24000), (24000, 16000), (8000, 24000), (24000, 8000), (24000, 48000), (48000, 16000)]

    /// RMS of the steady middle of a resampled tone, relative to the input tone's RMS, in dB.
    static func gainDb(frequency: Double, from input: Int, to output: Int) -> Double {
        let seconds = 0.5
        let tone = (0..<Int(Double(input) * seconds)).map { Float(0.5 * sin(2 * Double.pi * frequency * Double($0) / Double(input))) }
        var resampler = Resampler(from: input, to: output)
        let out = resampler.process(tone) + resampler.flush()
        let middle = out[(out.count / 4)..<(out.count * 3 / 4)]
        let rms = (middle.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(middle.count)).squareRoot()
        return 20 * log10(max(rms, 1e-12) / (0.5 / 2.0.squareRoot()))
    }

    @Test("pass band is flat within 0.02 dB up to 0.85 × the lower Nyquist", arguments: pairs)
    func passBand(pair: (Int, Int)) {
        let nyquist = Double(min(pair.0, pair.1)) / 2
        var worst = 0.0
        for f in stride(from: 100.0, through: 0.85 * nyquist, by: 0.85 * nyquist / 12) {
            worst = max(worst, abs(Self.gainDb(frequency: f, from: pair.0, to: pair.1)))
        }
        print(String(format: "resampler %d → %d Hz: pass-band ripple %.4f dB", pair.0, pair.1, worst))
        #expect(worst < 0.02, "ripple \(worst) dB for \(pair.0) → \(pair.1)")
    }

    @Test("tones above the output Nyquist are attenuated by at least 78 dB", arguments: pairs.filter { $0.1 < $0.0 })
    func stopBand(pair: (Int, Int)) {
        let outputNyquist = Double(pair.1) / 2
        var weakest = Double.infinity
        for f in stride(from: outputNyquist * 1.02, to: Double(pair.0) / 2 * 0.98, by: (Double(pair.0) / 2 - outputNyquist) / 10) {
            weakest = min(weakest, -Self.gainDb(frequency: f, from: pair.0, to: pair.1))
        }
        print(String(format: "resampler %d → %d Hz: stop-band attenuation ≥ %.1f dB", pair.0, pair.1, weakest))
        #expect(weakest > 78, "stop-band attenuation only \(weakest) dB for \(pair.0) → \(pair.1)")
    }

    @Test("streaming in 20 ms pieces gives exactly the one-shot result")
    func streamingEqualsOneShot() {
        var generator = SeededGenerator(seed: 3)
        let input = (0..<16000).map { _ in Float(generator.gaussian() * 0.1) }
        var oneShot = Resampler(from: 16000, to: 24000)
        let whole = oneShot.process(input) + oneShot.flush()
        var streaming = Resampler(from: 16000, to: 24000)
        var pieces: [Float] = []
        for start in stride(from: 0, to: input.count, by: 320) {
            pieces += streaming.process(Array(input[start..<min(input.count, start + 320)]))
        }
        pieces += streaming.flush()
        #expect(pieces == whole)
        #expect(whole.count == 24000)
    }

    @Test("an onset keeps its time through conversion (group delay is compensated)")
    func timeAlignment() {
        var samples = [Int16](repeating: 0, count: 8000)
        for i in 4000..<4400 { samples[i] = Int16(12000 * sin(Double(i) * 0.2)) }
        let buffer = PCMBuffer(samples: samples, sampleRate: 16000)
        for rate in [8000, 24000, 48000] {
            let out = buffer.resampled(to: rate)
            let firstLoud = out.samples.firstIndex { abs($0) > 1000 } ?? -1
            let ms = Double(firstLoud) * 1000 / Double(rate)
            #expect(abs(ms - 250) < 1.5, "onset at \(ms) ms at \(rate) Hz")
            #expect(out.frameCount == 8000 * rate / 16000)
        }
    }
}
