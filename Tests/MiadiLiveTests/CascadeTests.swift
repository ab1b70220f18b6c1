import Foundation
import Logging
import MiadiAgent
import MiadiAudio
import MiadiFakeProviders
@testable import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Testing

/// The OpenAI-compatible cascade: its conversation without I/O (turns by the VAD, the chat's
/// messages, tool answers), and its HTTP shell against the local cascade service.
@Suite(.tags(.sockets))
struct CascadeTests {
    static func configuration(base: String = "http://127.0.0.1:9/v1") throws -> CascadeConfiguration {
        CascadeConfiguration(baseURL: base, instructions: try OpenAIRealtimeProtocolTests.instructions(), language: "en")
    }

    @Test func aTurnIsTranscribedThenAnsweredThenSpoken() throws {
        var conversation = CascadeConversation(configuration: try Self.configuration())
        guard case .chat(let greetID, let body)? = conversation.start().first else { Issue.record("no greeting request"); return }
        #expect(body["stream"] == true && body["tools"]?.array?.count == AgentTool.allCases.count)
        #expect(body["messages"]?.array?.map { $0["role"]?.string } == ["system", "user"])
        var (events, requests) = conversation.reply(.chatted(id: greetID, content: "Hello, this is Whitedent.", toolCalls: [], usage: nil))
        #expect(conversation.isSetUp)
        guard case .speak(let speakID, "Hello, this is Whitedent.")? = requests.first else { Issue.record("\(requests)"); return }
        (events, requests) = conversation.reply(.spoken(id: speakID, audio: .silence(durationMs: 400, sampleRate: 24_000)))
        #expect(events.first == .outputTranscript("Hello, this is Whitedent.", final: true))
        #expect(events.contains(.turnDone))
        // The caller speaks, then is quiet: one turn to transcribe.
        let corpus = OpenAIRealtimeProtocolTests.corpus
        let line = try corpus.audio(of: try #require(corpus.entries.first { $0.text == "It's Amina." })).resampled(to: 16_000, quality: .telephone)
        var asked: [CascadeConversation.Request] = []
        for frame in (line.samples + PCMBuffer.silence(durationMs: 1_500, sampleRate: 16_000).samples).chunked(320) {
            asked += conversation.receive(.audio(PCMBuffer(samples: frame, sampleRate: 16_000))).requests
        }
        #expect(asked.count == 1)
        guard case .transcribe(let sttID, let clip)? = asked.first else { Issue.record("\(asked)"); return }
        #expect(abs(clip.durationMs - line.durationMs) < 600, "the turn's clip: \(clip.durationMs) ms for \(line.durationMs) ms")
        (events, requests) = conversation.reply(.transcribed(id: sttID, text: "It's Amina."))
        #expect(events.first == .inputTranscript("It's Amina."))
        guard case .chat(let chatID, let next)? = requests.first else { Issue.record("\(requests)"); return }
        #expect(next["messages"]?.array?.last?["content"] == "It's Amina.")
        // A tool call: the model waits for its answer, which joins the messages.
        let call = ToolCall(id: "call_1", name: "find_slots", argumentsJSON: #"{"service":"cleaning","date":"2026-03-05"}"#)
        (events, requests) = conversation.reply(.chatted(id: chatID, content: "", toolCalls: [call], usage: nil))
        #expect(events == [.toolCall(call)] && requests.isEmpty)
        let answer = conversation.receive(.toolResult(ToolResult(callID: "call_1", name: "find_slots", output: .slots([]))))
        guard case .chat(_, let afterTool)? = answer.requests.first else { Issue.record("\(answer)"); return }
        let roles = afterTool["messages"]?.array?.suffix(2).map { $0["role"]?.string }
        #expect(roles == ["assistant", "tool"])
        // A late answer to an older chat is dropped.
        #expect(conversation.reply(.chatted(id: greetID, content: "stale", toolCalls: [], usage: nil)).events.isEmpty)
    }

    @Test func streamedChunksJoinIntoWordsAndToolCalls() {
        var reader = SSEReader()
        reader.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n")
        reader.feed("\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"end_call\",\"arguments\":\"{\\\"rea\"}}]}}]}\n\n")
        reader.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"son\\\":\\\"done\\\"}\"}}]}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}\n\ndata: [DONE]\n\n")
        reader.finish()
        #expect(reader.content == "Hello")
        #expect(reader.toolCalls == [ToolCall(id: "c1", name: "end_call", argumentsJSON: #"{"reason":"done"}"#)])
        #expect(reader.usage?.inputTextTokens == 12 && reader.usage?.outputTextTokens == 5)
    }

    @Test(.timeLimit(.minutes(3)))
    func theSessionGreetsOverHTTP() async throws {
        let server = FakeCascadeServer(apiKey: "c-key", clinics: [OpenAIRealtimeProtocolTests.clinic], hearing: try OpenAIRealtimeProtocolTests.corpus.mockHearing(), speech: EspeakSpeech())
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { sink.yield($0) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        var configuration = try Self.configuration(base: "http://127.0.0.1:\(port)/v1")
        configuration.apiKey = "c-key"
        let session = CascadeSession(configuration: configuration, logger: Logger(label: "test.cascade"))
        var events: [ProviderEvent] = []
        for await said in session.events {
            events += said
            if events.contains(.turnDone) { break }
        }
        #expect(events.contains { if case .outputTranscript(let text, true) = $0 { return text.contains("Whitedent") }; return false })
        #expect(events.contains { if case .audio(let a) = $0 { return a.sampleRate == 24_000 }; return false })
        #expect(session.isSetUp)
        session.send(.endOfCall)
        await session.finished()
        #expect(server.requests["chat"] == 1 && server.requests["speech"] == 1)
        // A wrong key is one fatal failure that says what the server said.
        configuration.apiKey = "wrong"
        let refused = CascadeSession(configuration: configuration, logger: Logger(label: "test.cascade"))
        var failure: String?
        for await said in refused.events {
            if case .failed(let message, true)? = said.first { failure = message; break }
        }
        refused.send(.endOfCall)
        #expect(failure?.contains("HTTP 401") == true, "\(failure ?? "no failure")")
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] { stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) } }
}
