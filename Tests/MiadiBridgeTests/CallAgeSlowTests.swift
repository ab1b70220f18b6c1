import Foundation
import MiadiAudio
import MiadiBridge
import MiadiProviders
import MiadiTestSupport
import Testing

/// A live call's cost must not grow with its age: held for minutes of call time, with the shell
/// taking the recording as it goes (as `miadi serve` does), the session keeps about the same
/// audio at minute five as at minute one. Virtual time, no sockets.
@Suite("A long call's memory", .tags(.slow))
struct CallAgeSlowTests {
    @Test("five minutes of talk with an echo: what the session holds is flat, and the recording taken adds up to the whole line")
    func flatOverFiveMinutes() throws {
        var d = SessionDriver(provider: EchoProvider())
        let line = try BridgeFixtures.bargeLine()
        let pause = PCMBuffer.silence(durationMs: 2400, sampleRate: 16_000)
        var taken = 0, sent = 0
        var held: [Int: Int] = [:]
        for minute in 1...5 {
            while d.nowMs < minute * 60_000 {
                d.caller(line)
                d.caller(pause)
                sent += line.frameCount + pause.frameCount
                taken += d.session.takeRecording(nowMs: d.nowMs).frameCount
            }
            held[minute] = d.session.heldSamples
        }
        let first = try #require(held[1]), last = try #require(held[5])
        // About a second of the line (both sides at 16 kHz) and a reply in flight, never more.
        #expect(last <= 4 * 16_000 * 2, "held \(last) samples at minute five")
        #expect(last <= first + 16_000, "held \(first) samples at minute one, \(last) at minute five")
        // Nothing is lost by taking it as it goes: what was taken plus the rest is the line.
        taken += d.session.takeRecording(nowMs: d.nowMs, final: true).frameCount
        // The caller's side is every frame sent; the agent's may run past it by what was sent ahead.
        #expect(taken >= sent && taken <= sent + 16 * 300, "\(taken) frames taken for \(sent) sent")
        #expect(d.traces("transcript.in").count >= 60, "the echo answered all along")
    }
}
