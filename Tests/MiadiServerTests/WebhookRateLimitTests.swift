import Foundation
@testable import MiadiServer
import Testing

@Suite("webhook rate limit per source")
struct WebhookRateLimitTests {
    @Test("a token bucket per source: the burst at once, then per_second; other sources unaffected; the table stays bounded")
    func buckets() {
        let limiter = WebhookRateLimiter(perSecond: 2, burst: 3)
        let second: Int64 = 1_000_000_000
        #expect((0..<3).allSatisfy { _ in limiter.allow("10.0.0.1", nowNs: 0) })
        #expect(!limiter.allow("10.0.0.1", nowNs: 0))
        #expect(limiter.allow("10.0.0.2", nowNs: 0), "another source has its own bucket")
        // Half a second refills one webhook at 2 a second.
        #expect(limiter.allow("10.0.0.1", nowNs: second / 2))
        #expect(!limiter.allow("10.0.0.1", nowNs: second / 2))
        // Never more than the burst, however long the quiet.
        #expect((0..<3).allSatisfy { _ in limiter.allow("10.0.0.1", nowNs: 100 * second) })
        #expect(!limiter.allow("10.0.0.1", nowNs: 100 * second))
        // A flood from many addresses: forgotten once refilled, so the table stays bounded.
        for i in 0..<(WebhookRateLimiter.maximumSources + 500) { _ = limiter.allow("src-\(i)", nowNs: 200 * second + Int64(i)) }
        #expect(limiter.sources <= WebhookRateLimiter.maximumSources)
    }

    @Test("over the limit the webhook answers 429 with Retry-After and no ticket; /metrics counts it", .tags(.sockets), .timeLimit(.minutes(1)))
    func served() async throws {
        let traces = ServerHarness.scratch("rate-limit")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        // A refill far slower than the test, however busy the machine.
        configuration.webhookRateLimit = .init(perSecond: 0.001, burst: 3)
        try await ServerHarness.with(configuration) { port in
            var answers: [String] = []
            for i in 0..<4 { answers.append(try await AdmissionControlTests.webhook(port: port, sid: "CA-rate-\(i)")) }
            #expect(answers.prefix(3).allSatisfy { $0.hasPrefix("HTTP/1.1 200") })
            #expect(answers[3].hasPrefix("HTTP/1.1 429"), "\(answers[3].prefix(40))")
            #expect(answers[3].lowercased().contains("retry-after: 1"))
            #expect(!answers[3].contains("Bearer"))
            let metrics = try await ServerHarness.raw(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(metrics.contains("miadi_webhooks_rate_limited_total 1"))
        }
    }
}

@Suite("log lines about refused requests, throttled")
struct LogThrottleTests {
    @Test("at most N lines of a kind a second; the held-back count goes with the next line written; kinds apart")
    func throttles() {
        let throttle = LogThrottle(perSecond: 3)
        let second: Int64 = 1_000_000_000
        let first = (0..<10).map { throttle.admit("refused", nowNs: $0) }
        #expect(first.map(\.write) == [true, true, true, false, false, false, false, false, false, false])
        #expect(throttle.admit("shed", nowNs: 5).write, "another kind has its own budget")
        let next = throttle.admit("refused", nowNs: second + 10)
        #expect(next.write && next.heldBack == 7)
        #expect(throttle.admit("refused", nowNs: second + 11).heldBack == 0)
    }
}
