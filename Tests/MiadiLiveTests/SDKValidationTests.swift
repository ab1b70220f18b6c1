import Foundation
import MiadiAgent
import MiadiAudio
import MiadiFakeProviders
import MiadiLive
import MiadiProviders
import MiadiTestSupport
import Testing

/// What the live clients send, checked against the providers' official SDK types (PyPI's
/// `openai` and `google-genai`, installed by `.ci/run`): every message of a call with a
/// greeting, a tool call and its answer, and a barge-in, through
/// `Scripts/validate-provider-messages.py`.
@Suite(.tags(.executable))
struct SDKValidationTests {
    /// Runs the validator on `messages`; its exit status and what it printed.
    static func validate(_ provider: String, _ messages: [JSONValue]) async throws -> (status: Int32, output: String) {
        let file = Scratch.folder("sdk-\(provider)") + "/messages.jsonl"
        try messages.map(\.jsonText).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        child.arguments = ["python3", Repository.path("Scripts/validate-provider-messages.py"), provider, file]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        try child.run()
        // Python takes seconds to import the SDKs: waited for on a thread of its own.
        let reader = pipe.fileHandleForReading
        let output = await OffPool.run { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }
        child.waitUntilExit()
        return (child.terminationStatus, output)
    }

    static func line(_ text: String) throws -> PCMBuffer {
        let corpus = OpenAIRealtimeProtocolTests.corpus
        return try corpus.audio(of: try #require(corpus.entries.first { $0.text == text }))
    }

    @Test func everyOpenAIClientEventValidates() async throws {
        var pair = OpenAIRealtimeProtocolTests.Pair(configuration: OpenAIRealtimeConfiguration(instructions: try OpenAIRealtimeProtocolTests.instructions()))
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 1_000, from: 20)
        pair.input(.heardUpTo(ms: 500), atMs: 1_020)
        var t = pair.speak(try Self.line("Hi, I'd like to book a cleaning next Thursday afternoon."), from: 4_000)
        t = pair.speak(.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        t = pair.speak(try Self.line("It's Amina."), from: t)
        t = pair.speak(.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        let call = try #require(pair.toolCalls.first)
        pair.input(.toolResult(ToolResult(callID: call.id, name: call.name, output: .refused(sentence: "Closed.", code: nil))), atMs: t)
        let sent = pair.service.record.received
        let types = Set(sent.compactMap { $0["type"]?.string })
        #expect(types.isSuperset(of: ["session.update", "response.create", "input_audio_buffer.append", "conversation.item.truncate", "conversation.item.create"]), "\(types)")
        let result = try await Self.validate("openai", sent)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func everyGeminiClientMessageValidates() async throws {
        var pair = GeminiLiveProtocolTests.Pair(configuration: try GeminiLiveProtocolTests.configuration())
        pair.send(pair.client.opening(), atMs: 0)
        pair.run(untilMs: 4_000, from: 20)
        var t = pair.speak(try Self.line("Hi, I'd like to book a cleaning next Thursday afternoon."), from: 4_020)
        t = pair.speak(.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        t = pair.speak(try Self.line("It's Amina."), from: t)
        t = pair.speak(.silence(durationMs: 3_000, sampleRate: 16_000), from: t)
        let call = try #require(pair.toolCalls.first)
        pair.input(.toolResult(ToolResult(callID: call.id, name: call.name, output: .refused(sentence: "Closed.", code: nil))), atMs: t)
        let sent = pair.service.record.received
        let kinds = Set(sent.compactMap { $0.object?.keys.first })
        #expect(kinds == ["setup", "clientContent", "realtimeInput", "toolResponse"], "\(kinds)")
        let result = try await Self.validate("gemini", sent)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theValidatorRefusesWhatTheServicesRefuse() async throws {
        let openai = try await Self.validate("openai", [["type": "session.update", "session": ["instructions": "no type"]], ["type": "response.create", "surprise": 1]])
        #expect(openai.status == 1)
        #expect(openai.output.contains("messages.jsonl:1:") && openai.output.contains("messages.jsonl:2: $.surprise"), "\(openai.output)")
        let gemini = try await Self.validate("gemini", [["toolResponse": ["functionResponses": [["name": "f", "response": [:]]]]], ["setup": ["model": "m", "voice": "Puck"]]])
        #expect(gemini.status == 1)
        #expect(gemini.output.contains("has no id") && gemini.output.contains("messages.jsonl:2:"), "\(gemini.output)")
    }
}
