import Foundation
import MiadiAudio
@testable import MiadiBridge
import MiadiProviders
import Testing

/// What the real clock does to a call that virtual time never does: identification takes a
/// second while the platform's frames wait, and an in-process model takes half a second to make
/// its words inside one beat. Both once put the agent's audio a second or half a second off
/// against the caller's (the read-back early on the recording, a pause taking back less than
/// the caller missed), seen only over real sockets with 16 calls at once.
@Suite("call machine on the real clock")
struct CallMachineRealClockTests {
    /// The call opens at 0 and its metadata arrives at `metadataMs`.
    static func machine(metadataMs: Int) -> CallMachine {
        var machine = CallMachine()
        _ = machine.opened(nowMs: 0)
        let actions = machine.textReceived(BridgeFixtures.metadata, nowMs: metadataMs)
        #expect(actions.contains { if case .identify = $0 { return true }; return false })
        return machine
    }

    static func frame(_ samples: PCMBuffer) -> [UInt8] {
        PCMBuffer.interleave(left: samples, right: PCMBuffer(samples: [Int16](repeating: 0, count: samples.frameCount), sampleRate: 16_000)).littleEndianBytes
    }

    @Test("the frames that waited out a slow identification start the line where the metadata arrived")
    func waitedFramesKeepTheirTime() throws {
        var machine = Self.machine(metadataMs: 40)
        let setup = CallMachine.Setup(model: MachineHarness.scripted([]).0, agent: nil, stream: BridgeFixtures.config())
        // Identified a second later; the second of caller audio that waited is taken now.
        _ = machine.attach(setup, nowMs: 1040, lineStartMs: 40)
        let speech = try BridgeFixtures.longLine().slice(frames: 0..<16_000)
        for packet in speech.packets20ms() { _ = machine.binaryReceived(Self.frame(packet), nowMs: 1040) }
        // All of it is the line up to now: the caller's first sample was at 40 ms.
        let taken = machine.takeRecording(nowMs: 1040)
        let settled = try #require(taken)
        #expect(settled.frameCount == 16_000)
    }

    @Test("an in-process model's words are sent on the clock read after its turn, not the beat's")
    func slowModelTurnSendsOnFreshTime() throws {
        var machine = Self.machine(metadataMs: 0)
        let tone = BridgeFixtures.agentSpeech(ms: 1000)
        let (model, _) = MachineHarness.scripted([(100, [.outputTranscript("Hello there.", final: true), .audio(tone), .turnDone])])
        let setup = CallMachine.Setup(model: model, agent: nil, stream: BridgeFixtures.config(track: .inbound))
        _ = machine.attach(setup, nowMs: 0)
        let silence = PCMBuffer.silence(durationMs: 20, sampleRate: 16_000)
        var t = 20
        while t <= 2000 {
            _ = machine.binaryReceived(silence.littleEndianBytes, nowMs: t)
            // The beat at 100 ms: the model takes 500 ms to say its words.
            let clock: () -> Int = { t == 100 ? 600 : t }
            _ = machine.timerFired(.pacing, nowMs: t, clock: clock)
            t += t == 100 ? 520 : 20
        }
        let taken = machine.takeRecording(nowMs: 2000, final: true)
        let recording = try #require(taken)
        let agent = stride(from: 1, to: recording.samples.count, by: 2).map { recording.samples[$0] }
        let first = try #require(agent.firstIndex { abs(Int($0)) > 1000 })
        // The agent's side of an inbound-track recording is where the bridge counts its frames
        // as played: from 600 ms, when they left, not from the beat's 100 ms.
        #expect((600...620).contains(first * 1000 / 16_000), "the agent's words start at \(first * 1000 / 16_000) ms")
    }
}
