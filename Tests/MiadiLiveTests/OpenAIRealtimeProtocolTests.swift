import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiCorpus
import MiadiFakeProviders
import MiadiLanguage
import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Testing

/// The OpenAI Realtime client's protocol against the service's side of it (the fake, with the
/// mock as its brain), message for message, with no socket and no clock.
@Suite struct OpenAIRealtimeProtocolTests {
    static let clinic = try! ClinicFile.load(path: Repository.path("Scenarios/clinics/whitedent-nairobi.yaml"))
    static let corpus = try! Corpus.load(directory: Repository.path("Corpora"))
    static let brain = MockBrain.reading(clinics: [clinic], hearing: try! corpus.mockHearing(), speech: EspeakSpeech())

    static func instructions() throws -> String {
        let template = try String(contentsOfFile: Repository.path("Prompts/system.md"), encoding: .utf8)
        return try SystemPrompt.render(template: template, clinic: clinic, today: CivilDate(year: 2026, month: 3, day: 2), language: .en)
    }

    /// The client and the service, wired back to back.
    struct Pair {
        var client: OpenAIRealtimeProtocol
        var service = FakeRealtimeSession(brain: OpenAIRealtimeProtocolTests.brain)
        var said: [ProviderEvent] = []

        init(configuration: OpenAIRealtimeConfiguration) {
            client = OpenAIRealtimeProtocol(configuration: configuration)
            deliver(service.opened())
        }

        mutating func deliver(_ fromService: [JSONValue]) {
            for message in fromService { said += client.receive(message) }
        }

        mutating func send(_ messages: [JSONValue], atMs t: Int) {
            for message in messages { deliver(service.received(message.jsonText, nowMs: t)) }
        }

        mutating func input(_ input: ProviderInput, atMs t: Int) {
            send(client.send(input), atMs: t)
        }

        mutating func run(untilMs end: Int, from start: Int) {
            for t in stride(from: start, through: end, by: 20) { deliver(service.tick(nowMs: t)) }
        }

        /// Caller audio at 24 kHz in 20 ms frames, from `start`; returns the time after it.
        mutating func speak(_ audio: PCMBuffer, from start: Int) -> Int {
            var t = start
            for frame in audio.resampled(to: 24_000, quality: .telephone).packets20ms() {
                input(.audio(frame), atMs: t)
                deliver(service.tick(nowMs: t))
                t += 20
            }
            return t
        }

        var transcripts: [String] { said.compactMap { if case .outputTranscript(let text, true) = $0 { return text }; return nil } }
        var audioMs: Int { said.reduce(0) { if case .audio(let a) = $1 { return $0 + a.durationMs }; return $0 } }
        var toolCalls: [ToolCall] { said.compactMap { if case .toolCall(let call) = $0 { return call }; return nil } }
    }

    @Test func theSetupIsAcceptedAndTheAgentGreetsWhenAsked() throws {
        var pair = Pair(configuration: OpenAIRealtimeConfiguration(instructions: try Self.instructions()))
        let opening = pair.client.opening()
        #expect(opening.map { $0["type"]?.string } == ["session.update", "response.create"])
        let session = try #require(opening.first?["session"])
        #expect(session["type"] == "realtime")
        #expect(session["audio"]?["input"]?["format"] == ["type": "audio/pcm", "rate": 24_000])
        #expect(session["audio"]?["input"]?["turn_detection"]?["type"] == "server_vad")
        #expect(session["tools"]?.array?.count == AgentTool.allCases.count)
        #expect(session["tools"]?.array?.first?["parameters"]?["type"] == "object")
        pair.send(opening, atMs: 0)
        #expect(pair.client.isSetUp)
        pair.run(untilMs: 1_000, from: 20)
        #expect(pair.service.record.errors.isEmpty)
        #expect(pair.transcripts.first?.contains("Whitedent") == true, "\(pair.transcripts)")
        #expect(pair.audioMs > 1_000)
        #expect(pair.said.contains(.turnDone))
        #expect(pair.said.contains { if case .usage(let u) = $0 { return u.outputAudioTokens > 0 }; return false })
        // Audio deltas arrive at the provider's 24 kHz.
        #expect(pair.said.allSatisfy { if case .audio(let a) = $0 { return a.sampleRate == 24_000 }; return true })
    }

    /// pause_resume: the bridge pauses and decides, so the service must not cancel its own
    /// response on the caller's speech; it is told to once the decision is a barge-in.
    @Test func withPauseAndResumeTheServiceDoesNotInterruptItself() throws {
        var configuration = OpenAIRealtimeConfiguration(instructions: try Self.instructions())
        var itself = OpenAIRealtimeProtocol(configuration: configuration)
        #expect(itself.opening().first?["session"]?["audio"]?["input"]?["turn_detection"]?["interrupt_response"] == true)
        configuration.interruptResponse = false
        var pair = Pair(configuration: configuration)
        let opening = pair.client.opening()
        #expect(opening.first?["session"]?["audio"]?["input"]?["turn_detection"]?["interrupt_response"] == false)
        pair.send(opening, atMs: 0)
        #expect(pair.service.record.errors.isEmpty)
    }

    @Test func aSessionWithoutItsTypeIsRefusedAndTheRefusalIsFatal() {
        var pair = Pair(configuration: OpenAIRealtimeConfiguration(instructions: "x"))
        pair.send([["type": "session.update", "session": ["instructions": "x"]]], atMs: 0)
        #expect(pair.service.record.errors == ["missing_required_parameter"])
        #expect(pair.said.contains { if case .failed(let text, true) = $0 { return text.contains("missing_required_parameter") }; return false })
    }

    @Test func aBargeInTruncatesAtTheHeardMillisecondWithinWhatWasGenerated() throws {
        var pair = Pair(configuration: OpenAIRealtimeConfiguration(instructions: try Self.instructions()))
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 1_000, from: 20)
        let generated = pair.audioMs
        pair.input(.heardUpTo(ms: 700), atMs: 1_020)
        #expect(pair.service.record.truncations == [700])
        // A second cut names no item (the first was truncated already); a later response's
        // cut is clamped to what was generated of it.
        pair.input(.heardUpTo(ms: 900), atMs: 1_040)
        #expect(pair.service.record.truncations == [700])
        #expect(pair.service.record.errors.isEmpty)
        #expect(generated > 700)
    }

    @Test func aToolCallIsAnsweredWithItsOutputThenOneResponseCreate() throws {
        var pair = Pair(configuration: OpenAIRealtimeConfiguration(instructions: try Self.instructions()))
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 4_000, from: 20)
        var t = 4_020
        for text in ["Hi, I'd like to book a cleaning next Thursday afternoon.", "It's Amina."] {
            let line = try Self.corpus.audio(of: try #require(Self.corpus.entries.first { $0.text == text }))
            t = pair.speak(line, from: t)
            t = pair.speak(PCMBuffer.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        }
        let call = try #require(pair.toolCalls.first, "no tool call: \(pair.said.filter { if case .audio = $0 { return false }; return true })")
        #expect(call.name == "find_slots")
        #expect(call.argumentsJSON.contains("\"service\""))
        #expect(pair.said.contains(.inputTranscript("Hi, I'd like to book a cleaning next Thursday afternoon.")))
        let sent = pair.client.send(.toolResult(ToolResult(callID: call.id, name: call.name, output: .refused(sentence: "The calendar is closed for maintenance.", code: "unavailable"))))
        #expect(sent.map { $0["type"]?.string } == ["conversation.item.create", "response.create"])
        #expect(sent.first?["item"]?["output"]?.string?.contains("maintenance") == true)
        let before = pair.transcripts.count
        pair.send(sent, atMs: t)
        pair.run(untilMs: t + 2_000, from: t + 20)
        #expect(pair.service.record.errors.isEmpty, "\(pair.service.record.errors)")
        #expect(pair.transcripts.count > before, "the agent spoke again after the tool's answer")
    }

    @Test func benignRacesAreNotFailures() {
        var client = OpenAIRealtimeProtocol(configuration: OpenAIRealtimeConfiguration(instructions: "x"))
        _ = client.receive(["type": "session.updated", "session": [:]])
        #expect(client.receive(["type": "error", "error": ["type": "invalid_request_error", "code": "response_cancel_not_active", "message": "no"]]).isEmpty)
        #expect(client.receive(["type": "error", "error": ["type": "invalid_request_error", "code": "conversation_already_has_active_response", "message": "busy"]]).isEmpty)
        #expect(client.receive(["type": "error", "error": ["code": "invalid_value", "message": "bad"]]) == [.failed(message: "openai-realtime: invalid_value: bad", fatal: false)])
        #expect(client.receive(["type": "rate_limits.updated", "rate_limits": []]).isEmpty)
    }
}
