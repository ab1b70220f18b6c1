import Foundation
import MiadiAudio
import Testing

/// Sine-sweep measurements of the resampler: pass-band ripple and stop-band (aliasing)
/// attenuation, as figures, for every rate pair the wire uses.
@Suite("Resampler")
struct ResamplerTests {
    static let pairs: [(Int, Int)] = [(8000, 16000), (16000, 8000), (16000, 24000), (24000, 16000), (8000, 24000), (24000, 8000), (24000, 48000), (48000, 16000)]

    /// RMS of the steady middle of a resampled tone, relative to the input tone's RMS, in dB.
    static func gainDb(frequency: Double, from input: Int, to output: Int, quality: Resampler.Quality) -> Double {
        let seconds = 0.5
        let tone = (0..<Int(Double(input) * seconds)).map { Float(0.5 * sin(2 * Double.pi * frequency * Double($0) / Double(input))) }
        var resampler = Resampler(from: input, to: output, quality: quality)
        let out = resampler.process(tone) + resampler.flush()
        let middle = out[(out.count / 4)..<(out.count * 3 / 4)]
        let rms = (middle.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(middle.count)).squareRoot()
        return 20 * log10(max(rms, 1e-12) / (0.5 / 2.0.squareRoot()))
    }

    /// Each quality's promise: flat to this fraction of the lower Nyquist, and this far down above it.
    static func promise(_ quality: Resampler.Quality) -> (passFraction: Double, stopDb: Double) {
        quality == .telephone ? (0.80, 58) : (0.85, 78)
    }

    @Test("pass band is flat within 0.02 dB up to 0.80 (telephone) or 0.85 (studio) × the lower Nyquist", arguments: pairs, [Resampler.Quality.telephone, .studio])
    func passBand(pair: (Int, Int), quality: Resampler.Quality) {
        let nyquist = Double(min(pair.0, pair.1)) / 2
        let edge = Self.promise(quality).passFraction * nyquist
        var worst = 0.0
        for f in stride(from: 100.0, through: edge, by: edge / 12) {
            worst = max(worst, abs(Self.gainDb(frequency: f, from: pair.0, to: pair.1, quality: quality)))
        }
        print(String(format: "resampler %d → %d Hz (%@): pass-band ripple %.4f dB", pair.0, pair.1, "\(quality)", worst))
        #expect(worst < 0.02, "ripple \(worst) dB for \(pair.0) → \(pair.1) (\(quality))")
    }

    @Test("tones above the output Nyquist are attenuated by at least 58 dB (telephone) or 78 dB (studio)", arguments: pairs.filter { $0.1 < $0.0 }, [Resampler.Quality.telephone, .studio])
    func stopBand(pair: (Int, Int), quality: Resampler.Quality) {
        let outputNyquist = Double(pair.1) / 2
        var weakest = Double.infinity
        for f in stride(from: outputNyquist * 1.02, to: Double(pair.0) / 2 * 0.98, by: (Double(pair.0) / 2 - outputNyquist) / 10) {
            weakest = min(weakest, -Self.gainDb(frequency: f, from: pair.0, to: pair.1, quality: quality))
        }
        print(String(format: "resampler %d → %d Hz (%@): stop-band attenuation ≥ %.1f dB", pair.0, pair.1, "\(quality)", weakest))
        #expect(weakest > Self.promise(quality).stopDb, "stop-band attenuation only \(weakest) dB for \(pair.0) → \(pair.1) (\(quality))")
    }

    @Test("streaming in 20 ms pieces gives exactly the one-shot result", arguments: [Resampler.Quality.telephone, .studio])
    func streamingEqualsOneShot(quality: Resampler.Quality) {
        var generator = SeededGenerator(seed: 3)
        let input = (0..<16000).map { _ in Float(generator.gaussian() * 0.1) }
        var oneShot = Resampler(from: 16000, to: 24000, quality: quality)
        let whole = oneShot.process(input) + oneShot.flush()
        var streaming = Resampler(from: 16000, to: 24000, quality: quality)
        var pieces: [Float] = []
        for start in stride(from: 0, to: input.count, by: 320) {
            pieces += streaming.process(Array(input[start..<min(input.count, start + 320)]))
        }
        pieces += streaming.flush()
        #expect(pieces == whole)
        #expect(whole.count == 24000)
    }

    @Test("an onset keeps its time through conversion (group delay is compensated)", arguments: [Resampler.Quality.telephone, .studio])
    func timeAlignment(quality: Resampler.Quality) {
        var samples = [Int16](repeating: 0, count: 8000)
        for i in 4000..<4400 { samples[i] = Int16(12000 * sin(Double(i) * 0.2)) }
        let buffer = PCMBuffer(samples: samples, sampleRate: 16000)
        for rate in [8000, 24000, 48000] {
            let out = buffer.resampled(to: rate, quality: quality)
            let firstLoud = out.samples.firstIndex { abs($0) > 1000 } ?? -1
            let ms = Double(firstLoud) * 1000 / Double(rate)
            #expect(abs(ms - 250) < 1.5, "onset at \(ms) ms at \(rate) Hz")
            #expect(out.frameCount == 8000 * rate / 16000)
        }
    }
}
