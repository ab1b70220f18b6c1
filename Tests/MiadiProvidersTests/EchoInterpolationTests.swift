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
}
