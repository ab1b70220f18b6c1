import MiadiAudio
@testable import MiadiBridge
import MiadiProviders
import Testing

/// A call whose beats have nothing to do parks its pacing timer (`CallMachine.parksPacing`).
/// Parking must change nothing a call does: the same frames, marks, traces and recording as a
/// call beating every 20 ms, through replies, marks and a barge-in.
@Suite("Pacing parked while a call is quiet")
struct PacingParkTests {
    /// Plays the same line through a machine with the echo: real speech from the caller, the
    /// echo's reply, the platform's marks as playout reaches them, and the caller speaking over
    /// the second reply. Returns every action but the pacing timer's own, and the recording.
    static func play(parking: Bool, bargeIn: BargeInPolicy.Mode) throws -> (actions: [String], recording: [Int16], pacingFires: Int) {
        let speech = try AudioFile.read(MachineHarness.root + "/Audio/fallback/en.wav").resampled(to: 16_000, quality: .studio)
        let first = speech.slice(frames: 0..<(16_000 * 2))
        let second = speech.slice(frames: (16_000 * 2)..<(16_000 * 4))
        var harness = MachineHarness(model: .inProcess(EchoProvider()))
        harness.setup.stream = BridgeFixtures.config(bargeIn: bargeIn)
        harness.machine.parksPacing = parking
        harness.metadata()
        var pacingFires = 0
        var marksDue: [(atMs: Int, name: String)] = []
        var logged = 0
        /// The platform's side after each 20 ms: marks reported as playout reaches them.
        func platform(_ h: inout MachineHarness) {
            for (t, action) in h.log[logged...] {
                if case .send(let command) = action, case .mark(let name) = command { marksDue.append((t + 200, name)) }
            }
            logged = h.log.count
            while let index = marksDue.firstIndex(where: { $0.atMs <= h.nowMs }) {
                let mark = marksDue.remove(at: index)
                h.record(h.machine.textReceived(#"{"type":"mark","data":{"name":"\#(mark.name)","event":"playout"}}"#, nowMs: h.nowMs))
            }
        }
        func frames(_ audio: PCMBuffer?, count: Int, _ h: inout MachineHarness) {
            let packets = audio?.packets20ms() ?? []
            for index in 0..<count {
                h.nowMs += 20
                let packet = index < packets.count ? packets[index] : PCMBuffer.silence(durationMs: 20, sampleRate: 16_000)
                let silence = PCMBuffer(samples: [Int16](repeating: 0, count: packet.frameCount), sampleRate: 16_000)
                h.record(h.machine.binaryReceived(PCMBuffer.interleave(left: packet, right: silence).littleEndianBytes, nowMs: h.nowMs))
                platform(&h)
                while let due = h.timers.firstIndex(where: { $0.atMs <= h.nowMs }) {
                    let timer = h.timers.remove(at: due)
                    if timer.timer == .pacing { pacingFires += 1 }
                    h.record(h.machine.timerFired(timer.timer, nowMs: h.nowMs))
                }
            }
        }
        frames(nil, count: 50, &harness)         // a second of line noise floor
        frames(first, count: 100, &harness)      // the caller speaks
        frames(nil, count: 200, &harness)        // the echo says it back; marks come back
        frames(second, count: 100, &harness)     // the caller again
        frames(nil, count: 60, &harness)         // the echo starts its reply...
        frames(first, count: 60, &harness)       // ...and the caller speaks over it
        frames(nil, count: 300, &harness)        // the rest, and a long quiet
        harness.record(harness.machine.closed(code: 1000, reason: "done", nowMs: harness.nowMs))
        let recording = harness.machine.takeRecording(nowMs: harness.nowMs, final: true)?.samples ?? []
        let actions = harness.log.compactMap { entry -> String? in
            if case .schedule(.pacing, _) = entry.action { return nil }
            return "\(entry.t) \(entry.action)"
        }
        return (actions, recording, pacingFires)
    }

    @Test("a parked call does what a call beating every 20 ms does", arguments: BargeInPolicy.Mode.allCases)
    func parkedIsTheSame(bargeIn: BargeInPolicy.Mode) throws {
        let beating = try Self.play(parking: false, bargeIn: bargeIn)
        let parked = try Self.play(parking: true, bargeIn: bargeIn)
        // The line did what the test means it to: the echo answered, twice, with end marks.
        #expect(beating.actions.filter { $0.contains("sendBinary") }.count > 150)
        #expect(beating.actions.filter { $0.contains("mark(\"agent-") }.count >= 2)
        #expect(parked.actions.count == beating.actions.count)
        for (index, pair) in zip(parked.actions, beating.actions).enumerated() where pair.0 != pair.1 {
            Issue.record("action \(index) differs: parked \(pair.0.prefix(160)) / beating \(pair.1.prefix(160))")
            break
        }
        #expect(parked.recording == beating.recording)
        // And it did park: fewer than half the beats ran.
        #expect(parked.pacingFires * 2 < beating.pacingFires, "parked \(parked.pacingFires), beating \(beating.pacingFires)")
    }
}
