import Foundation
import MiadiAgent
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
