import MiadiAgent
import MiadiAudio
@testable import MiadiSimulator
import Testing

/// A bridge that runs late leaves gaps inside an utterance (the platform's buffer runs dry and
/// fills again). The scripted caller must not take such a gap for the end of the agent's turn:
/// it answers after the utterance's end mark has played, as the bridge marks every utterance.
@Suite("The scripted caller waits out a late bridge's gaps until the end mark")
struct PlatformEmulatorUnderrunTests {
    static let rate = 8000

    /// When the caller starts its line, given agent audio over `speech` (call-time ranges, ms)
    /// and the end mark sent with the last frame before `markAfterMs` (nil: never marked).
    static func callerStart(speech: [Range<Int>], markAfterMs: Int?) -> Int? {
        var line = LabCall.LineModel()
        line.rate = rate
        line.noiseSNR = nil
        let answer = PCMBuffer(floatSamples: [Float](repeating: 0.1, count: 8000), sampleRate: 16_000)
        var emulator = PlatformEmulator(.init(script: [.say("Yes please.")], audio: ["Yes please.": answer], line: line, callerPauseMs: 700))
        emulator.agentSaid("Shall I book Tuesday at nine?")
        let frame = [UInt8](PCMBuffer(samples: [Int16](repeating: 3000, count: rate / 50), sampleRate: rate).littleEndianBytes)
        var marked = false
        for now in stride(from: 20, through: 12_000, by: 20) {
            if speech.contains(where: { $0.contains(now) }) { emulator.bridgeSent(binary: frame) }
            if let markAfterMs, !marked, now >= markAfterMs {
                marked = true
                _ = emulator.bridgeSent(text: #"{"type":"mark","data":{"name":"agent-1-end"}}"#)
            }
            _ = emulator.playoutTick(nowMs: now)
            _ = emulator.callerTick(nowMs: now)
            if let said = emulator.takeEvents().first(where: { $0.type == TraceType.callerUtterance.rawValue }) { return said.tMs }
            if emulator.callerLeft != nil { return nil }
        }
        return nil
    }

    @Test("a gap inside an utterance is waited out; the answer follows the end mark")
    func gapInsideUtterance() throws {
        // 1 s of speech, 1.5 s of underrun, 0.5 s more, then the mark.
        let start = try #require(Self.callerStart(speech: [200..<1000, 2500..<3000], markAfterMs: 3000))
        #expect(start >= 3000 + 700, "the caller answered at \(start) ms, inside the gap")
        #expect(start <= 3000 + 700 + 40)
    }

    @Test("a marked end before the gap is a finished turn: the caller answers in the gap")
    func markedEndThenSilence() throws {
        let start = try #require(Self.callerStart(speech: [200..<1000, 2500..<3000], markAfterMs: 1000))
        #expect(start >= 1000 + 700 && start <= 1000 + 700 + 40, "answered at \(start) ms")
    }

    @Test("a bridge that never marks is still answered, after a longer wait")
    func unmarkedBridge() throws {
        let start = try #require(Self.callerStart(speech: [200..<1000], markAfterMs: nil))
        let wait = 700 + PlatformEmulator.unmarkedPatienceMs
        #expect(start >= 1000 + wait && start <= 1000 + wait + 40, "answered at \(start) ms")
    }
}
