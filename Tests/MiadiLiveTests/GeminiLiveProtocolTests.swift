import Foundation
import MiadiAgent
import MiadiAudio
import MiadiFakeProviders
import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Testing

/// The Gemini Live client's protocol against the service's side (the fake, the mock as its
/// brain), message for message, with no socket and no clock.
@Suite struct GeminiLiveProtocolTests {
    struct Pair {
        var client: GeminiLiveProtocol
        var service: FakeGeminiSession
        var said: [ProviderEvent] = []
        var closed: (code: Int, reason: String)?

        init(keyValid: Bool = true, configuration: GeminiLiveConfiguration) {
            client = GeminiLiveProtocol(configuration: configuration)
            service = FakeGeminiSession(brain: OpenAIRealtimeProtocolTests.brain, keyValid: keyValid)
        }

        mutating func deliver(_ outputs: [FakeGeminiSession.Output], atMs t: Int) {
            for output in outputs {
                switch output {
                case .message(let message):
                    said += client.receive(message)
                    send(client.takeOutgoing(), atMs: t)
                case .close(let code, let reason):
                    closed = (code, reason)
                    if let event = client.closedByService(code: code, reason: reason) { said.append(event) }
                }
            }
        }

        mutating func send(_ messages: [JSONValue], atMs t: Int) {
            for message in messages where closed == nil { deliver(service.received(message.jsonText, nowMs: t), atMs: t) }
        }

        mutating func input(_ input: ProviderInput, atMs t: Int) { send(client.send(input), atMs: t) }

        mutating func run(untilMs end: Int, from start: Int) {
            for t in stride(from: start, through: end, by: 20) { deliver(service.tick(nowMs: t), atMs: t) }
        }

        mutating func speak(_ audio: PCMBuffer, from start: Int) -> Int {
            var t = start
            for frame in audio.resampled(to: 16_000, quality: .telephone).packets20ms() {
                input(.audio(frame), atMs: t)
                deliver(service.tick(nowMs: t), atMs: t)
                t += 20
            }
            return t
        }

        var transcripts: [String] { said.compactMap { if case .outputTranscript(let text, true) = $0 { return text }; return nil } }
        var audioMs: Int { said.reduce(0) { if case .audio(let a) = $1 { return $0 + a.durationMs }; return $0 } }
        var toolCalls: [ToolCall] { said.compactMap { if case .toolCall(let call) = $0 { return call }; return nil } }
    }

    static func configuration() throws -> GeminiLiveConfiguration {
        GeminiLiveConfiguration(instructions: try OpenAIRealtimeProtocolTests.instructions())
    }

    @Test func setupFirstThenTheGreetingCueThenWhatWaited() throws {
        var pair = Pair(configuration: try Self.configuration())
        let setup = pair.client.opening()
        #expect(setup.count == 1)
        let body = try #require(setup.first?["setup"])
        #expect(body["model"] == "models/gemini-3.8-live")
        #expect(body["generationConfig"]?["responseModalities"] == ["AUDIO"])
        #expect(body["tools"]?.array?.first?["functionDeclarations"]?.array?.count == AgentTool.allCases.count)
        #expect(body["inputAudioTranscription"] == [:] && body["outputAudioTranscription"] == [:])
        // Audio before setupComplete waits; nothing but setup goes first.
        #expect(pair.client.send(.audio(.silence(durationMs: 20, sampleRate: 16_000))).isEmpty)
        pair.send(setup, atMs: 0)
        #expect(pair.client.isSetUp)
        #expect(pair.service.record.closes.isEmpty)
        let kinds = pair.service.record.received.map { $0.object?.keys.first ?? "" }
        #expect(kinds == ["setup", "clientContent", "realtimeInput"])
    }

    /// pause_resume: the bridge pauses and decides; the model is set not to stop on activity.
    @Test func withPauseAndResumeActivityDoesNotInterrupt() throws {
        var configuration = try Self.configuration()
        var itself = GeminiLiveProtocol(configuration: configuration)
        #expect(itself.opening().first?["setup"]?["realtimeInputConfig"]?["activityHandling"] == "START_OF_ACTIVITY_INTERRUPTS")
        configuration.interruptsOnActivity = false
        var pair = Pair(configuration: configuration)
        let setup = pair.client.opening()
        #expect(setup.first?["setup"]?["realtimeInputConfig"]?["activityHandling"] == "NO_INTERRUPTION")
        pair.send(setup, atMs: 0)
        #expect(pair.service.record.closes.isEmpty)
    }

    @Test func theGreetingArrivesWithItsTranscriptUsageAndTurnEnd() throws {
        var pair = Pair(configuration: try Self.configuration())
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 1_000, from: 20)
        #expect(pair.transcripts == ["Hello, this is Whitedent Clinic. How can I help you?"])
        #expect(pair.audioMs > 1_000)
        #expect(pair.said.allSatisfy { if case .audio(let a) = $0 { return a.sampleRate == 24_000 }; return true })
        #expect(pair.said.contains(.turnDone))
        let usage = try #require(pair.said.compactMap { if case .usage(let u) = $0 { return u }; return nil }.first)
        #expect(usage.outputAudioTokens > 0)
    }

    @Test func aToolCallCarriesItsIdAndArgumentsAndIsAnsweredByID() throws {
        var pair = Pair(configuration: try Self.configuration())
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 4_000, from: 20)
        var t = 4_020
        for text in ["Hi, I'd like to book a cleaning next Thursday afternoon.", "It's Amina."] {
            let corpus = OpenAIRealtimeProtocolTests.corpus
            t = pair.speak(try corpus.audio(of: try #require(corpus.entries.first { $0.text == text })), from: t)
            t = pair.speak(.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        }
        #expect(pair.said.contains(.inputTranscript("Hi, I'd like to book a cleaning next Thursday afternoon.")))
        let call = try #require(pair.toolCalls.first)
        #expect(call.name == "find_slots")
        #expect(JSONValue.parse(call.argumentsJSON)?["service"] != nil, "the args object became JSON text: \(call.argumentsJSON)")
        let answer = pair.client.send(.toolResult(ToolResult(callID: call.id, name: call.name, output: .refused(sentence: "Closed for maintenance.", code: "unavailable"))))
        #expect(answer.first?["toolResponse"]?["functionResponses"]?.array?.first?["id"]?.string == call.id)
        let before = pair.transcripts.count
        pair.send(answer, atMs: t)
        pair.run(untilMs: t + 2_000, from: t + 20)
        #expect(pair.closed == nil)
        #expect(pair.transcripts.count > before)
    }

    @Test func theServiceRefusesWhatTheRealOneRefusesWithItsCloseCodes() {
        var noSetup = Pair(configuration: GeminiLiveConfiguration(instructions: "x"))
        noSetup.deliver(noSetup.service.received(#"{"realtimeInput":{"audio":{"data":"AAAA","mimeType":"audio/pcm;rate=16000"}}}"#, nowMs: 0), atMs: 0)
        #expect(noSetup.closed?.code == 1007)
        var badKey = Pair(keyValid: false, configuration: GeminiLiveConfiguration(instructions: "x"))
        badKey.send(badKey.client.opening(), atMs: 0)
        #expect(badKey.closed?.code == 1007)
        #expect(badKey.said.contains { if case .failed(let m, true) = $0 { return m.contains("API key not valid") }; return false })
        // snake_case and URL-safe base64 are taken, as proto JSON takes them.
        var snake = Pair(configuration: GeminiLiveConfiguration(instructions: "x"))
        snake.send(snake.client.opening(), atMs: 0)
        snake.deliver(snake.service.received(#"{"realtime_input":{"audio":{"data":"_-8AAA","mime_type":"audio/pcm;rate=16000"}}}"#, nowMs: 20), atMs: 20)
        #expect(snake.closed == nil)
        snake.deliver(snake.service.received(#"{"tool_response":{"function_responses":[{"id":"nobody","name":"find_slots","response":{}}]}}"#, nowMs: 40), atMs: 40)
        #expect(snake.closed?.code == 1008)
    }

    @Test func closeCodesAreTypedAndUsageIsReadPerModality() {
        #expect(GeminiLiveCloseError(code: 1007, reason: "bad") == .invalidArgument("bad"))
        #expect(GeminiLiveCloseError(code: 1008, reason: "gone") == .notFound("gone"))
        #expect(GeminiLiveCloseError(code: 1011, reason: "quota") == .unavailable("quota"))
        #expect(GeminiLiveCloseError(code: 1011, reason: "quota").description.contains("out of quota"))
        // The details need not sum to the totals (promptTokenCount is 25 more here).
        let usage = GeminiLiveProtocolTests.usage(#"{"promptTokenCount":566,"responseTokenCount":156,"promptTokensDetails":[{"modality":"TEXT","tokenCount":410},{"modality":"AUDIO","tokenCount":131}],"responseTokensDetails":[{"modality":"AUDIO","tokenCount":156}]}"#)
        #expect(usage?.inputTextTokens == 410 && usage?.inputAudioTokens == 131 && usage?.outputAudioTokens == 156 && usage?.outputTextTokens == 0)
        // Several reports in a turn: the last one is the turn's.
        var client = GeminiLiveProtocol(configuration: GeminiLiveConfiguration(instructions: "x", greetFirst: false))
        _ = client.receive(["setupComplete": [:]])
        _ = client.receive(["usageMetadata": ["responseTokensDetails": [["modality": "AUDIO", "tokenCount": 10]]]])
        _ = client.receive(["usageMetadata": ["responseTokensDetails": [["modality": "AUDIO", "tokenCount": 30]]]])
        let end = client.receive(["serverContent": ["turnComplete": true]])
        #expect(end.contains { if case .usage(let u) = $0 { return u.outputAudioTokens == 30 }; return false })
        #expect(end.last == .turnDone)
    }

    static func usage(_ text: String) -> ProviderUsage? {
        var client = GeminiLiveProtocol(configuration: GeminiLiveConfiguration(instructions: "x", greetFirst: false))
        _ = client.receive(["setupComplete": [:]])
        let events = client.receive(["serverContent": ["turnComplete": true], "usageMetadata": JSONValue.parse(text)!])
        return events.compactMap { if case .usage(let u) = $0 { return u }; return nil }.first
    }
}
