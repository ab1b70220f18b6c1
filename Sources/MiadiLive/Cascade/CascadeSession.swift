import AsyncHTTPClient
import Foundation
import Logging
import MiadiAgent
import MiadiAudio
import MiadiProviders
import NIOCore
import NIOHTTP1

/// One cascade call over HTTP: the I/O shell around a `CascadeConversation`. One loop takes
/// the bridge's inputs and the replies of the requests it started, in order; each request
/// (speech to text, a streamed chat completion, text to speech) runs in a task of its own.
public final class CascadeSession: LiveSession {
    public let events: AsyncStream<[ProviderEvent]>
    private let work: AsyncStream<Work>.Continuation
    private let task: Task<Void, Never>
    private let ready: Locked<Bool>

    enum Work: Sendable {
        case input(ProviderInput)
        case reply(CascadeConversation.Reply)
    }

    public init(configuration: CascadeConfiguration, logger: Logger) {
        let (events, sink) = AsyncStream<[ProviderEvent]>.makeStream()
        let (work, workSink) = AsyncStream<Work>.makeStream()
        self.events = events
        self.work = workSink
        let ready = Locked(false)
        self.ready = ready
        task = Task {
            var conversation = CascadeConversation(configuration: configuration)
            let client = CascadeHTTP(configuration: configuration)
            // Each request in a task of its own; a reply after the call ended goes nowhere.
            func perform(_ requests: [CascadeConversation.Request]) {
                for request in requests { Task { workSink.yield(.reply(await client.perform(request))) } }
            }
            perform(conversation.start())
            loop: for await item in work {
                let (said, requests): ([ProviderEvent], [CascadeConversation.Request])
                switch item {
                case .input(let input):
                    if input == .endOfCall { break loop }
                    (said, requests) = conversation.receive(input)
                case .reply(let reply):
                    (said, requests) = conversation.reply(reply)
                    if conversation.isSetUp { ready.withLock { $0 = true } }
                }
                if !said.isEmpty { sink.yield(said) }
                perform(requests)
            }
            sink.finish()
        }
    }

    public func send(_ input: ProviderInput) {
        work.yield(.input(input))
        if input == .endOfCall { work.finish() }
    }

    public var isSetUp: Bool { ready.withLock { $0 } }

    public func finished() async { await task.value }

    deinit { work.finish() }
}

/// The cascade's three requests over HTTP (AsyncHTTPClient), each turned into a reply.
struct CascadeHTTP: Sendable {
    let configuration: CascadeConfiguration

    func perform(_ request: CascadeConversation.Request) async -> CascadeConversation.Reply {
        switch request {
        case .transcribe(let id, let audio):
            do { return .transcribed(id: id, text: try await transcribe(audio)) } catch { return .failed(id: id, message: "\(configuration.transcriptionsURL): \(error)") }
        case .chat(let id, let body):
            do {
                let (content, calls, usage) = try await chat(body)
                return .chatted(id: id, content: content, toolCalls: calls, usage: usage)
            } catch { return .failed(id: id, message: "\(configuration.chatURL): \(error)") }
        case .speak(let id, let text):
            do { return .spoken(id: id, audio: try await speak(text)) } catch { return .failed(id: id, message: "\(configuration.speechURL): \(error)") }
        }
    }

    struct HTTPFailure: Error, CustomStringConvertible {
        let status: UInt
        let body: String
        var description: String { "HTTP \(status): \(body.prefix(300))" }
    }

    private func request(_ url: String, contentType: String, body: ByteBuffer) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        if let key = configuration.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(body)
        return request
    }

    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: 1 << 16)).map { String(buffer: $0) } ?? ""
            throw HTTPFailure(status: response.status.code, body: body)
        }
        return response
    }

    func transcribe(_ audio: PCMBuffer) async throws -> String {
        let boundary = "miadi-cascade-boundary"
        var body = ByteBuffer()
        func field(_ name: String, _ value: String) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        field("model", configuration.sttModel)
        field("response_format", "json")
        if let language = configuration.language { field("language", language) }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"turn.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
        body.writeBytes(WAVBytes.encode(audio))
        body.writeString("\r\n--\(boundary)--\r\n")
        let response = try await send(request(configuration.transcriptionsURL, contentType: "multipart/form-data; boundary=\(boundary)", body: body))
        let data = try await response.body.collect(upTo: 1 << 20)
        return JSONValue.parse(String(buffer: data))?["text"]?.string ?? ""
    }

    /// A streamed chat completion, read to its end: the words, the tool calls (their deltas
    /// joined by index) and the usage of the last chunk.
    func chat(_ body: JSONValue) async throws -> (String, [ToolCall], ProviderUsage?) {
        let response = try await send(request(configuration.chatURL, contentType: "application/json", body: ByteBuffer(string: body.jsonText)))
        var reader = SSEReader()
        for try await buffer in response.body {
            reader.feed(String(buffer: buffer))
        }
        reader.finish()
        return (reader.content, reader.toolCalls, reader.usage)
    }

    func speak(_ text: String) async throws -> PCMBuffer {
        let body: JSONValue = ["model": .string(configuration.ttsModel), "input": .string(text), "voice": .string(configuration.voice), "response_format": "pcm"]
        let response = try await send(request(configuration.speechURL, contentType: "application/json", body: ByteBuffer(string: body.jsonText)))
        let data = try await response.body.collect(upTo: 64 << 20)
        let bytes = data.readableBytesView
        return WAVBytes.decode(Array(bytes)) ?? PCMBuffer(littleEndianBytes: bytes.count % 2 == 0 ? Array(bytes) : Array(bytes.dropLast()), sampleRate: CascadeConfiguration.outputSampleRate)
    }
}

/// Server-sent events of a streamed chat completion (`data: {chunk}` lines, `data: [DONE]`).
struct SSEReader {
    private var pending = ""
    private(set) var content = ""
    private var calls: [Int: (id: String, name: String, arguments: String)] = [:]
    private(set) var usage: ProviderUsage?

    var toolCalls: [ToolCall] {
        calls.keys.sorted().compactMap { index in
            let call = calls[index]!
            return call.name.isEmpty ? nil : ToolCall(id: call.id, name: call.name, argumentsJSON: call.arguments.isEmpty ? "{}" : call.arguments)
        }
    }

    mutating func feed(_ text: String) {
        pending += text
        while let newline = pending.firstIndex(of: "\n") {
            let line = String(pending[..<newline]).trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            pending = String(pending[pending.index(after: newline)...])
            handle(line)
        }
    }

    mutating func finish() {
        if !pending.isEmpty { handle(pending.trimmingCharacters(in: .whitespacesAndNewlines)) }
        pending = ""
    }

    private mutating func handle(_ line: String) {
        guard line.hasPrefix("data:") else { return }
        let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
        guard payload != "[DONE]", let chunk = JSONValue.parse(payload) else { return }
        for choice in chunk["choices"]?.array ?? [] {
            let delta = choice["delta"]
            if let text = delta?["content"]?.string { content += text }
            for call in delta?["tool_calls"]?.array ?? [] {
                let index = call["index"]?.int ?? 0
                var entry = calls[index] ?? ("", "", "")
                if let id = call["id"]?.string { entry.id = id }
                if let name = call["function"]?["name"]?.string { entry.name += name }
                if let arguments = call["function"]?["arguments"]?.string { entry.arguments += arguments }
                calls[index] = entry
            }
        }
        if let u = chunk["usage"], case .object = u {
            var usage = ProviderUsage()
            usage.inputTextTokens = u["prompt_tokens"]?.int ?? 0
            usage.outputTextTokens = u["completion_tokens"]?.int ?? 0
            usage.cachedInputTokens = u["prompt_tokens_details"]?["cached_tokens"]?.int ?? 0
            self.usage = usage
        }
    }
}

/// A minimal 16-bit PCM WAV file: what the transcription endpoint is sent, and what a speech
/// endpoint may answer instead of raw PCM.
public enum WAVBytes {
    public static func encode(_ audio: PCMBuffer) -> [UInt8] {
        let data = audio.littleEndianBytes
        func u32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        return Array("RIFF".utf8) + u32(36 + data.count) + Array("WAVE".utf8) + Array("fmt ".utf8) + u32(16) + u16(1) + u16(audio.channels)
            + u32(audio.sampleRate) + u32(audio.sampleRate * audio.channels * 2) + u16(audio.channels * 2) + u16(16) + Array("data".utf8) + u32(data.count) + data
    }

    /// The samples of a mono 16-bit PCM WAV (its first channel otherwise); nil when it is not one.
    public static func decode(_ bytes: [UInt8]) -> PCMBuffer? {
        guard bytes.count >= 44, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WAVE".utf8) else { return nil }
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        var offset = 12
        var rate = 24_000, channels = 1
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt " { channels = u16(offset + 10); rate = u32(offset + 12) }
            if id == "data" {
                let end = min(bytes.count, offset + 8 + size)
                let payload = Array(bytes[(offset + 8)..<end])
                let buffer = PCMBuffer(littleEndianBytes: payload.count % (2 * channels) == 0 ? payload : Array(payload.prefix(payload.count / (2 * channels) * 2 * channels)), sampleRate: rate, channels: channels)
                return channels == 1 ? buffer : buffer.channel(0)
            }
            offset += 8 + size + (size % 2)
        }
        return nil
    }
}
