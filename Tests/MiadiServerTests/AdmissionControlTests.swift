import Foundation
@testable import MiadiServer
import NIOCore
import NIOPosix
import Testing

/// Admission control: while the event loops run behind real time the webhook answers 503, so
/// the calls already taken keep their audio; `/metrics` says how far behind and how many were
/// shed. The loop stalled here is one of the test's own, so no other server's calls suffer.
@Suite("admission control by loop lag", .serialized, .tags(.sockets))
struct AdmissionControlTests {
    static func webhook(port: Int, sid: String) async throws -> String {
        let body = "CallSid=\(sid)&From=%2B254711000002&To=%2B254709000100"
        return try await ServerHarness.raw(port: port, "POST /voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    @Test("a late beat counts for two seconds, a silent loop for as long as it is silent")
    func measure() {
        let second: Int64 = 1_000_000_000
        #expect(LoopLag.worst(recent: (600_000_000, 10 * second), silences: [], nowNs: 11 * second) == 600_000_000)
        #expect(LoopLag.worst(recent: (600_000_000, 10 * second), silences: [], nowNs: 12 * second + 1) == 0)
        #expect(LoopLag.worst(recent: (600_000_000, 10 * second), silences: [-5_000_000, 3 * second], nowNs: 20 * second) == 3 * second)
    }

    @Test("while a loop with a stream is stuck the webhook sheds calls (503, Retry-After, no ticket) and /metrics counts them; once it runs again calls are taken", .timeLimit(.minutes(2)))
    func shedsWhileBehind() async throws {
        let traces = ServerHarness.scratch("admission")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var configuration = ServerHarness.configuration(traces: traces)
        // Far above what a busy test machine's loops lag, far below the stall.
        configuration.shedLagMs = 3000
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        // A stream's place in the loop's beat (no socket: the beat is what is measured).
        let member = StreamChannelHandler(maxMessageSize: 1) { _, _ in nil }
        try await loop.submit { LoopBeat.on(loop).join(member) }.get()
        try await ServerHarness.with(configuration) { port in
            // The loop is stuck in one call until the test lets it go.
            let release = DispatchSemaphore(value: 0)
            loop.execute { release.wait() }
            while LoopLag.worstNs() < 3_500_000_000 { try await Task.sleep(for: .milliseconds(100)) }
            let shed = try await Self.webhook(port: port, sid: "CA-adm-1")
            #expect(shed.hasPrefix("HTTP/1.1 503"), "\(shed.prefix(60))")
            #expect(shed.lowercased().contains("retry-after: 2"))
            #expect(shed.contains("behind real time"))
            #expect(!shed.contains("Bearer"), "a shed call got a stream ticket")
            let metrics = try await ServerHarness.raw(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(metrics.contains("miadi_calls_shed_total 1"), "\(metrics)")
            #expect(metrics.contains("miadi_loop_lag_seconds "))
            release.signal()
            try await loop.submit { LoopBeat.on(loop).leave(member) }.get()
            LoopLag.reset()
            #expect(try await Self.webhook(port: port, sid: "CA-adm-2").hasPrefix("HTTP/1.1 200"))
        }
        LoopLag.reset()
        try await group.shutdownGracefully()
    }
}
