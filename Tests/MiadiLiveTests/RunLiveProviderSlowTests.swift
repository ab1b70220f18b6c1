import Foundation
import MiadiAgent
import MiadiProviders
import MiadiFakeProviders
import MiadiReports
import MiadiTestSupport
import Testing

/// `miadi run --provider openai-realtime`, as a user runs it, against the local service: the
/// lab's scripted caller, a real `miadi serve`, and the model across the OpenAI protocol.
@Suite(.tags(.sockets, .executable), .serialized)
struct RunLiveProviderSlowTests {
    static func environment(port: Int, key: String = LiveSocketTests.key) -> [String: String?] {
        ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(port)/v1"]
    }

    @Test(.timeLimit(.minutes(2)))
    func aBookingThroughTheLiveProtocolIsBookedAndConfirmed() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let out = Scratch.folder("run-live")
        try await LiveSocketTests.withService { service, port in
            let run = try await MiadiExecutable.run(["run", "Scenarios/en/book-next-thursday-afternoon.yaml", "--provider", "openai-realtime", "--out", out, "--quiet"],
                                                    environment: Self.environment(port: port))
            #expect(run.status == 0 || run.status == 1, "\(run.standardError)")
            let results = try RunResults.load(out)
            #expect(results.run.provider == "openai-realtime")
            #expect(results.run.model == "gpt-realtime")
            #expect(results.run.transport == "websocket")
            let call = try #require(results.calls.first)
            #expect(call.outcome == "booked")
            // Everything but the real clock's latency holds: the read-back was confirmed before the commit.
            #expect(call.failures.filter { !$0.hasPrefix("turn latency ") }.isEmpty, "\(call.failures)")
            let trace = try CallTrace.load(path: out + "/calls/\(call.call).trace.jsonl")
            #expect(trace.events(ofType: .guardDecision).contains { $0["decision"] == "allowed" })
            #expect(trace.events(ofType: .commit).count == 1)
            #expect(service.sessions.allSatisfy { $0.errors.isEmpty }, "\(service.sessions.map(\.errors))")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aRescheduleThroughGeminiLiveIsMadeAndConfirmed() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let out = Scratch.folder("run-gemini")
        try await GeminiSocketTests.withService { service, port in
            let run = try await MiadiExecutable.run(["run", "Scenarios/sw/reschedule-jumamosi.yaml", "--provider", "gemini-live", "--out", out, "--quiet"],
                                                    environment: ["GEMINI_API_KEY": GeminiSocketTests.key, "GEMINI_BASE_URL": "http://127.0.0.1:\(port)"])
            #expect(run.status == 0 || run.status == 1, "\(run.standardError)")
            let results = try RunResults.load(out)
            #expect(results.run.provider == "gemini-live")
            #expect(results.run.model == "gemini-3.8-live")
            let call = try #require(results.calls.first)
            #expect(call.outcome == "rescheduled")
            #expect(call.failures.filter { !$0.hasPrefix("turn latency ") }.isEmpty, "\(call.failures)")
            #expect(service.sessions.allSatisfy { $0.closes.isEmpty }, "\(service.sessions.map(\.closes))")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aRecordedLiveRunReplaysTheSameTwiceOnVirtualTime() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let live = Scratch.folder("run-record")
        let scenario = "Scenarios/en/barge-in-pick-first-slot.yaml"
        try await LiveSocketTests.withService { service, port in
            let run = try await MiadiExecutable.run(["run", scenario, "--provider", "openai-realtime", "--record", "--out", live, "--quiet"], environment: Self.environment(port: port))
            #expect(run.status == 0 || run.status == 1, "\(run.standardError)")
            // The barge-in truncated the agent's item at the millisecond the caller heard.
            let truncations = service.sessions.flatMap(\.truncations)
            let trace = try CallTrace.load(path: live + "/serve/CA-en-barge-in-pick-first-slot.trace.jsonl")
            let cut = trace.events(ofType: .agentUtterance).filter { $0["status"] == "cut" }.compactMap { $0["heard_ms"]?.int }
            #expect(!truncations.isEmpty && truncations == Array(cut.prefix(truncations.count)), "truncated at \(truncations), heard \(cut)")
        }
        let log = live + "/calls/en-barge-in-pick-first-slot.provider.jsonl"
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix(#"{"model":"gpt-realtime","opened_at_ms":"#))
        #expect(!text.contains(LiveSocketTests.key), "no key in the log")
        let first = Scratch.folder("replay-1"), second = Scratch.folder("replay-2")
        for out in [first, second] {
            let replay = try await MiadiExecutable.run(["run", scenario, "--provider", "replay", "--replay", live, "--out", out, "--quiet"])
            #expect(replay.status == 0 || replay.status == 1, "\(replay.standardError)")
        }
        let liveCall = try #require(try RunResults.load(live).calls.first)
        let replayed = try RunResults.load(first)
        #expect(replayed.run.provider == "replay")
        #expect(replayed.calls.first?.outcome == liveCall.outcome)
        for file in ["results.json", "calls/en-barge-in-pick-first-slot.trace.jsonl", "calls/en-barge-in-pick-first-slot.wav", "calls/en-barge-in-pick-first-slot.calendar-after.json"] {
            #expect(FileManager.default.contents(atPath: first + "/" + file) == FileManager.default.contents(atPath: second + "/" + file), "\(file) differs between two replays")
        }
        // A replay with no recording for a call says which.
        let missing = try await MiadiExecutable.run(["run", "Scenarios/en/cancel-filling.yaml", "--provider", "replay", "--replay", live, "--out", Scratch.folder("replay-3"), "--quiet"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("en-cancel-filling.provider.jsonl"), "\(missing.standardError)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aCancellationThroughTheCascadeIsMadeAndConfirmed() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let out = Scratch.folder("run-cascade")
        let server = FakeCascadeServer(apiKey: nil, clinics: [OpenAIRealtimeProtocolTests.clinic], hearing: try OpenAIRealtimeProtocolTests.corpus.mockHearing(), speech: EspeakSpeech())
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { sink.yield($0) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let run = try await MiadiExecutable.run(["run", "Scenarios/en/cancel-filling.yaml", "--provider", "cascade", "--model", "local-chat", "--out", out, "--quiet"],
                                                environment: ["CASCADE_BASE_URL": "http://127.0.0.1:\(port)/v1"])
        #expect(run.status == 0 || run.status == 1, "\(run.standardError)")
        let results = try RunResults.load(out)
        #expect(results.run.provider == "cascade" && results.run.model == "local-chat")
        let call = try #require(results.calls.first)
        #expect(call.outcome == "cancelled")
        #expect(call.failures.filter { !$0.hasPrefix("turn latency ") }.isEmpty, "\(call.failures)")
        #expect((server.requests["transcriptions"] ?? 0) >= 2 && (server.requests["chat"] ?? 0) >= 3 && (server.requests["speech"] ?? 0) >= 2, "\(server.requests)")
        // Without its base URL the cascade is one clear error before any call.
        let missing = try await MiadiExecutable.run(["run", "Scenarios/en/cancel-filling.yaml", "--provider", "cascade", "--out", Scratch.folder("run-cascade-2"), "--quiet"],
                                                    environment: ["CASCADE_BASE_URL": nil])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("CASCADE_BASE_URL"))
    }

    @Test(.timeLimit(.minutes(1)))
    func aWrongKeyStopsTheRunBeforeAnyCall() async throws {
        try #require(MiadiExecutable.isBuilt, "build the miadi executable first (swift build)")
        let out = Scratch.folder("run-live-key")
        try await LiveSocketTests.withService { service, port in
            let run = try await MiadiExecutable.run(["run", "Scenarios/en/book-next-thursday-afternoon.yaml", "--provider", "openai-realtime", "--out", out, "--quiet"],
                                                    environment: Self.environment(port: port, key: "sk-wrong"))
            #expect(run.status == 2)
            #expect(run.standardError.contains("refused the session"), "\(run.standardError)")
            #expect(!run.standardError.contains("sk-wrong"))
            #expect(!FileManager.default.fileExists(atPath: out + "/results.json"))
            #expect(service.sessions.isEmpty)
        }
    }
}
