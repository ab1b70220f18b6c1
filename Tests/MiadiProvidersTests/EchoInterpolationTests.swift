import MiadiAudio
@testable import MiadiProviders
import Testing

/// The echo makes its reply at its output rate by linear interpolation (cheap: it stands in
/// for a model whose work runs elsewhere). Pinned here: the length, and the values between
/// the samples it heard.
@Suite("echo reply interpolation")
struct EchoInterpolationTests {
    @Test("16 → 24 kHz: three samples for every two, each on the line between its neighbours")
    func upsampling() {
        let heard = PCMBuffer(samples: [0, 300, 600, 900, -900, -300], sampleRate: 16_000)
        let reply = EchoProvider.interpolated(heard, to: 24_000)
        #expect(reply.sampleRate == 24_000)
        #expect(reply.frameCount == 9)
        // Output n sits at input position 2n/3.
        #expect(reply.samples == [0, 200, 400, 600, 800, 300, -900, -500, -300])
    }

    @Test("24 → 16 kHz and same rate: lengths rounded, values kept")
    func otherRates() {
        let heard = PCMBuffer(samples: [Int16](repeating: 1000, count: 480), sampleRate: 24_000)
        let down = EchoProvider.interpolated(heard, to: 16_000)
        #expect(down.frameCount == 320)
        #expect(down.samples.allSatisfy { $0 == 1000 })
        #expect(EchoProvider.interpolated(heard, to: 24_000).samples == heard.samples)
        #expect(EchoProvider.interpolated(PCMBuffer(samples: [], sampleRate: 16_000), to: 24_000).frameCount == 0)
    }

    @Test("worked out a period at a time, it gives the bits the per-sample stepping gave", arguments: [
        (16_000, 24_000), (8_000, 24_000), (24_000, 16_000), (44_100, 24_000), (16_000, 44_100), (48_000, 8_000),
    ])
    func periodsMatchStepping(from: Int, to: Int) {
        var generator = SeededGenerator(seed: UInt64(from + to))
        for length in [1, 2, 3, 5, 159, 160, 161, 4_801] {
            let samples = (0..<length).map { _ in Int16(truncatingIfNeeded: generator.next()) }
            let heard = PCMBuffer(samples: samples, sampleRate: from)
            #expect(EchoProvider.interpolated(heard, to: to).samples == Self.stepped(heard, to: to), "\(length) samples, \(from) → \(to) Hz")
        }
    }

    /// The per-sample stepping the echo used first, kept as the reference.
    static func stepped(_ buffer: PCMBuffer, to rate: Int) -> [Int16] {
        let from = buffer.sampleRate
        let count = (buffer.frameCount * rate + from / 2) / from
        let last = buffer.frameCount - 1
        let x = buffer.samples
        let perStep = 1 / Float(rate)
        var out: [Int16] = []
        var i = 0, f = 0
        for _ in 0..<count {
            let a = Float(x[i]), b = Float(x[min(i + 1, last)])
            let v = a + (b - a) * (Float(f) * perStep)
            out.append(Int16(v + (v < 0 ? -0.5 : 0.5)))
            f += from
            while f >= rate { f -= rate; i = min(i + 1, last) }
        }
        return out
    }
}
