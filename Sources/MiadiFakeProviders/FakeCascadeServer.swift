import Foundation
import Hummingbird
import Logging
import MiadiAudio
import MiadiBooking
import MiadiLanguage
import MiadiLive
import MiadiProviders
import NIOCore

/// A local OpenAI-compatible cascade on 127.0.0.1 — `/v1/audio/transcriptions`,
/// `/v1/chat/completions` (streamed, with tools) and `/v1/audio/speech` — for tests and
/// trials without a self-hosted stack. Its ears are the mock's (fingerprints of the corpus),
/// its mind the mock's policy replayed over the conversation each request carries (chat
/// completions are stateless), its voice espeak-ng. It checks requests as an OpenAI-compatible
/// server does: a model, messages whose tool answers name a call the assistant made, a file in
/// the multipart body.
public final class FakeCascadeServer: Sendable {
    public let apiKey: String?
    private let clinics: [Clinic]
    private let hearing: MockHearing
    private let speech: any SpeechRenderer
    private let counts = Locked<[String: Int]>([:])

    public init(apiKey: String?, clinics: [Clinic], hearing: MockHearing, speech: any SpeechRenderer) {
        self.apiKey = apiKey
        self.clinics = clinics
        self.hearing = hearing
        self.speech = speech
    }

    /// How many requests each endpoint answered.
    public var requests: [String: Int] { counts.withLock { $0 } }

    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router()
        router.post("/v1/audio/transcriptions") { [self] request, _ in try await self.answer("transcriptions", request) { try await self.transcribe($0) } }
        router.post("/v1/chat/completions") { [self] request, _ in try await self.answer("chat", request) { try await self.chat($0) } }
        router.post("/v1/audio/speech") { [self] request, _ in try await self.answer("speech", request) { try await self.speak($0) } }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-cascade"),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: FakeServiceSocket.logger("miadi.fake.cascade"))
        try await app.runService()
    }

    struct Refusal: Error {
        let status: HTTPResponse.Status
        let message: String
    }

    private func answer(_ name: String, _ request: Request, _ body: (ByteBuffer) async throws -> Response) async throws -> Response {
        counts.withLock { $0[name, default: 0] += 1 }
        if let apiKey, request.headers[.authorization] != "Bearer \(apiKey)" {
            return Self.error(.unauthorized, "Incorrect API key provided.")
        }
        do {
            return try await body(try await request.body.collect(upTo: 32 << 20))
        } catch let refusal as Refusal {
            return Self.error(refusal.status, refusal.message)
        }
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body: JSONValue = ["error": ["message": .string(message), "type": "invalid_request_error"]]
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body.jsonText)))
    }

    // MARK: Speech to text

    private func transcribe(_ body: ByteBuffer) async throws -> Response {
        let parts = Self.multipart(Array(body.readableBytesView))
        guard let model = parts["model"], !model.isEmpty else { throw Refusal(status: .badRequest, message: "you must provide a model parameter") }
        guard parts["file"] != nil, let audio = Self.fileBytes(body) else {
            throw Refusal(status: .badRequest, message: "you must provide an audio file")
        }
        let clip = audio.sampleRate == 16_000 ? audio : audio.resampled(to: 16_000, quality: .telephone)
        let text = hearing.recognise(clip)?.text ?? ""
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: (["text": .string(text)] as JSONValue).jsonText)))
    }

    /// The WAV inside a multipart body (the `file` part), read as bytes.
    static func fileBytes(_ body: ByteBuffer) -> PCMBuffer? {
        let bytes = Array(body.readableBytesView)
        guard let riff = bytes.firstRange(of: Array("RIFF".utf8)) else { return nil }
        return WAVBytes.decode(Array(bytes[riff.lowerBound...]))
    }

    /// Text fields of a multipart body, by name.
    static func multipart(_ bytes: [UInt8]) -> [String: String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [String: String] = [:]
        for part in text.components(separatedBy: "Content-Disposition: form-data; name=\"").dropFirst() {
            guard let close = part.firstIndex(of: "\"") else { continue }
            let name = String(part[..<close])
            guard let start = part.range(of: "\r\n\r\n") else { continue }
            let value = part[start.upperBound...]
            fields[name] = value.components(separatedBy: "\r\n--").first ?? ""
        }
        return fields
    }

    // MARK: Chat

    private func chat(_ body: ByteBuffer) async throws -> Response {
        guard let request = JSONValue.parse(String(buffer: body)) else { throw Refusal(status: .badRequest, message: "We could not parse the JSON body of your request.") }
        guard request["model"]?.string?.isEmpty == false else { throw Refusal(status: .badRequest, message: "you must provide a model parameter") }
        guard let messages = request["messages"]?.array, messages.first?["role"] == "system" else {
            throw Refusal(status: .badRequest, message: "'messages' must start with the system prompt in this test service")
        }
        let instructions = messages.first?["content"]?.string ?? ""
        let clinic = clinics.first { instructions.contains($0.name) } ?? clinics[0]
        let today = MockBrain.day(in: instructions) ?? CivilDate(year: 2026, month: 1, day: 5)
        var model = MockTextModel(brief: MockBrief(clinic: clinic, today: today))
        // The conversation replayed: the model's state after the last message is its answer.
        var callNames: [String: String] = [:]
        var turns: [MockTextModel.Turn] = []
        var callCount = 0
        for (index, message) in messages.enumerated().dropFirst() {
            switch message["role"]?.string {
            case "user":
                let text = message["content"]?.string ?? ""
                turns = index == 1 && text.hasPrefix("(") ? model.greet() : model.heard(text, language: hearing.language(of: text))
            case "assistant":
                for call in message["tool_calls"]?.array ?? [] {
                    if let id = call["id"]?.string, let name = call["function"]?["name"]?.string { callNames[id] = name }
                    callCount += 1
                }
                turns = []
            case "tool":
                guard let id = message["tool_call_id"]?.string, let name = callNames[id] else {
                    throw Refusal(status: .badRequest, message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
                }
                turns += model.toolResult(name: name, outputJSON: message["content"]?.string ?? "{}")
            default:
                throw Refusal(status: .badRequest, message: "Invalid value for 'role' at messages[\(index)].")
            }
        }
        let words = turns.compactMap { if case .say(let text) = $0 { return text }; return nil }.joined(separator: " ")
        let calls = turns.compactMap { turn -> (String, String)? in if case .tool(let name, let arguments) = turn { return (name, arguments) }; return nil }
        var sse = ""
        func chunk(_ delta: JSONValue, finish: String? = nil) {
            let choice: JSONValue = ["index": 0, "delta": delta, "finish_reason": .optional(finish)]
            sse += "data: " + (["id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [choice]] as JSONValue).jsonText + "\n\n"
        }
        chunk(["role": "assistant", "content": ""])
        // Words in two pieces, tool calls with their arguments in two: deltas to join.
        if !words.isEmpty {
            let half = words.index(words.startIndex, offsetBy: words.count / 2)
            chunk(["content": .string(String(words[..<half]))])
            chunk(["content": .string(String(words[half...]))])
        }
        for (i, call) in calls.enumerated() {
            let half = call.1.index(call.1.startIndex, offsetBy: call.1.count / 2)
            chunk(["tool_calls": [["index": .int(i), "id": .string("call_\(callCount + i + 1)"), "type": "function", "function": ["name": .string(call.0), "arguments": .string(String(call.1[..<half]))]]]])
            chunk(["tool_calls": [["index": .int(i), "function": ["arguments": .string(String(call.1[half...]))]]]])
        }
        chunk([:], finish: calls.isEmpty ? "stop" : "tool_calls")
        if request["stream_options"]?["include_usage"]?.bool == true {
            let prompt = messages.reduce(0) { $0 + ($1["content"]?.string ?? "").split(separator: " ").count }
            let completion = words.split(separator: " ").count + calls.count * 8
            sse += "data: " + (["id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [],
                                "usage": ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)]] as JSONValue).jsonText + "\n\n"
        }
        sse += "data: [DONE]\n\n"
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: sse)))
    }

    // MARK: Text to speech

    private func speak(_ body: ByteBuffer) async throws -> Response {
        guard let request = JSONValue.parse(String(buffer: body)), let input = request["input"]?.string, !input.isEmpty else {
            throw Refusal(status: .badRequest, message: "you must provide the input text")
        }
        guard request["model"]?.string?.isEmpty == false, request["voice"]?.string?.isEmpty == false else {
            throw Refusal(status: .badRequest, message: "you must provide a model and a voice")
        }
        let audio = try speech.render(input, language: Self.language(of: input), sampleRate: 24_000)
        let bytes = request["response_format"]?.string == "wav" ? WAVBytes.encode(audio) : audio.littleEndianBytes
        return Response(status: .ok, headers: [.contentType: "audio/pcm"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The mock's own lines say which language they are in by their words.
    static func language(of text: String) -> LanguageCode {
        let lower = text.lowercased()
        if ["habari", "karibu", "samahani", "asante", "saa ", "tarehe", "ndiyo", "miadi", "nafasi"].contains(where: lower.contains) { return .sw }
        if ["bonjour", "merci", "rendez-vous", "à ", "est-ce", "votre", "désolé", "heures"].contains(where: lower.contains) { return .fr }
        return .en
    }
}
