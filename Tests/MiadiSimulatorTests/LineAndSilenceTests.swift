import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiReports
@testable import MiadiSimulator
import Testing

/// The line between the caller's lines, scripted outages, a caller who says nothing, and what
/// the calendar metrics say when nothing was booked.
@Suite("Line noise, dropouts, silent callers and not-applicable metrics")
struct LineAndSilenceTests {
    static func emulator(noise: Double?, dropouts: [Range<Int>] = []) -> PlatformEmulator {
        var line = LabCall.LineModel()
        line.rate = 8000
        line.noiseSNR = noise
        line.dropouts = dropouts
        let speech = PCMBuffer(floatSamples: (0..<16_000).map { Float(sin(Double($0) * 0.05) * 0.1) }, sampleRate: 16_000)
        return PlatformEmulator(.init(script: [.say("hello")], audio: ["hello": speech], line: line, callerPauseMs: 700))
    }

    /// What reaches the bridge over the first `ms` while nobody speaks.
    static func quietLine(_ emulator: inout PlatformEmulator, ms: Int) -> [Int16] {
        var out: [Int16] = []
        for now in stride(from: 20, through: ms, by: 20) {
            if let bytes = emulator.callerTick(nowMs: now) { out += PCMBuffer(littleEndianBytes: bytes, sampleRate: 8000).samples }
        }
        return out
    }

    @Test("a noisy line hisses between the caller's lines too; a clean one is silent")
    func noiseCoversTheLine() {
        var noisy = Self.emulator(noise: 20), clean = Self.emulator(noise: nil)
        let hiss = Self.quietLine(&noisy, ms: 1000), silence = Self.quietLine(&clean, ms: 1000)
        #expect(!hiss.isEmpty && hiss.count == silence.count)
        #expect(silence.allSatisfy { $0 == 0 })
        // The noise sits 20 dB under the caller's voiced level (0.1 / √2 RMS here): about -43 dBFS.
        let rms = (hiss.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(hiss.count)).squareRoot() / 32768
        #expect(abs(20 * log10(rms) - 20 * log10(0.1 / 2.0.squareRoot() / 10)) < 1.5, "\(20 * log10(rms)) dBFS")
        // No 20 ms frame of a noisy line is digital zero, lost packets included.
        #expect(stride(from: 0, to: hiss.count - 160, by: 160).allSatisfy { start in hiss[start..<(start + 160)].contains { $0 != 0 } })
    }

    @Test("a scripted dropout loses every packet in its span, and only those")
    func dropout() {
        var network = LineNetwork(latencyMs: 0, jitterMs: 0, loss: 0, seed: 1, dropouts: [200..<400])
        for now in stride(from: 0, to: 600, by: 20) { network.send([1, 1], nowMs: now) }
        #expect(network.lost == 10)
        let arrived = network.arrivals(nowMs: 600)
        #expect(arrived.count == 60)
        #expect(arrived[20..<40].allSatisfy { $0 == 0 } && arrived[0..<20].allSatisfy { $0 == 1 } && arrived[40...].allSatisfy { $0 == 1 })
    }

    static func utterance(_ t: Int, _ end: Int, _ text: String = "…") -> TraceEvent {
        TraceEvent(tMs: end, type: "agent.utterance", fields: ["text": .string(text), "start_ms": .int(t), "end_ms": .int(end), "status": .string("completed")])
    }

    @Test("re-prompts are agent turns after a silence of 3 s or more with no caller line between")
    func reprompts() {
        let silent = [Self.utterance(300, 4000), Self.utterance(10_000, 12_000), Self.utterance(18_000, 20_000, "Goodbye.")]
        #expect(SilenceChecks.reprompts(silent) == [10_000, 18_000])
        #expect(SilenceChecks.callerGaveUp(silent, endReason: "agent ended the call"))
        let answered = [Self.utterance(300, 4000), TraceEvent(tMs: 4700, type: "caller.utterance", fields: ["text": "Hi.", "start_ms": .int(4700)]), Self.utterance(9000, 11_000)]
        #expect(SilenceChecks.reprompts(answered).isEmpty)
        #expect(!SilenceChecks.callerGaveUp(answered, endReason: "caller hung up after goodbye"))
        // Two sentences back to back are one turn, not a re-prompt.
        #expect(SilenceChecks.reprompts([Self.utterance(300, 2000), Self.utterance(2100, 4000)]).isEmpty)
        #expect(SilenceChecks.callerGaveUp([Self.utterance(300, 2000)], endReason: "caller gave up: nothing to say"))
    }

    @Test("a silent caller passes when the agent re-prompts and closes, and fails when the agent waits in silence")
    func silentCaller() async throws {
        var options = SuiteRunner.Options()
        options.paths = [Fixtures.scenarios + "/en/silent-caller.yaml"]
        options.scenariosRoot = Fixtures.scenarios
        options.corpus = Fixtures.corpus
        options.output = Fixtures.scratch("silent")
        defer { try? FileManager.default.removeItem(atPath: options.output) }
        let honest = try await SuiteRunner(options: options).run().verdicts[0]
        #expect(honest.passed, "\(honest.failures)")
        #expect(honest.outcome == "caller_gave_up")
        // The same call, judged as if the agent had said nothing after its greeting.
        let scenario = try ScenarioFile.load(path: options.paths[0], scenariosRoot: Fixtures.scenarios)
        let greetingOnly = [Self.utterance(300, 4000), TraceEvent(tMs: 52_000, type: "call.ended", fields: ["reason": "caller gave up: the agent said nothing", "duration_ms": .int(52_000)])]
        let empty = try CalendarSnapshot.load(path: options.output + "/calls/en-silent-caller.calendar-before.json")
        let mute = ScenarioVerdict.judge(scenario, events: greetingOnly, before: empty, after: empty, metrics: honest.metrics, run: "mute")
        #expect(mute.outcome == "caller_gave_up")
        #expect(mute.failures == ["the agent never spoke again into the caller's silence (expected a re-prompt)"])
        // Nothing was booked or moved: slot correctness does not apply, and results say null.
        #expect(honest.calendar.slotCorrect == nil)
        let results = try String(contentsOfFile: options.output + "/results.json", encoding: .utf8)
        #expect(results.contains("\"slot_correct\" : null"))
    }

    @Test("the calendar after a booking carries the name the agent booked under")
    func customerName() async throws {
        var options = SuiteRunner.Options()
        options.paths = [Fixtures.scenarios + "/en/surname-is-a-dentist.yaml"]
        options.scenariosRoot = Fixtures.scenarios
        options.corpus = Fixtures.corpus
        options.output = Fixtures.scratch("names")
        defer { try? FileManager.default.removeItem(atPath: options.output) }
        let verdict = try await SuiteRunner(options: options).run().verdicts[0]
        #expect(verdict.passed, "\(verdict.failures)")
        #expect(verdict.calendar.slotCorrect == true)
        let after = try CalendarSnapshot.load(path: options.output + "/calls/en-surname-is-a-dentist.calendar-after.json")
        #expect(after.appointments.map(\.customerName) == ["Amina Kamau"])
        #expect(after.appointments.map(\.staff) == ["dr-wanjiru"])
    }
}
