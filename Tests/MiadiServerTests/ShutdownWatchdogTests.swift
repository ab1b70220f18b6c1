import Foundation
import Logging
@testable import MiadiServer
import Synchronization
import Testing

/// SIGTERM stops `miadi serve` within its deadline even when a call loop is stuck: the drain
/// arms a watchdog thread that no loop or task pool can hold back.
@Suite("shutdown watchdog", .serialized, .tags(.sockets))
struct ShutdownWatchdogTests {
    final class Fired: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test("armed, it fires once when its time is up; disarmed in time, never; unarmed, never", .timeLimit(.minutes(1)))
    func firesOnlyWhenOverrun() async throws {
        let overran = Fired(), finished = Fired(), idle = Fired()
        let late = ShutdownWatchdog(seconds: 0.1) { overran.count.add(1, ordering: .relaxed) }
        let onTime = ShutdownWatchdog(seconds: 0.3) { finished.count.add(1, ordering: .relaxed) }
        let never = ShutdownWatchdog(seconds: 0.1) { idle.count.add(1, ordering: .relaxed) }
        late.arm()
        late.arm()
        onTime.arm()
        onTime.disarm()
        try await Task.sleep(for: .milliseconds(800))
        #expect(overran.count.load(ordering: .relaxed) == 1)
        #expect(finished.count.load(ordering: .relaxed) == 0)
        #expect(idle.count.load(ordering: .relaxed) == 0)
        _ = never
    }

    @Test("a graceful shutdown arms the server's watchdog as it begins", .timeLimit(.minutes(1)))
    func drainArmsIt() async throws {
        let traces = ServerHarness.scratch("watchdog")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        var quiet = Logger(label: "miadi.test")
        quiet.logLevel = .critical
        var configuration = ServerHarness.configuration(traces: traces)
        configuration.drainSeconds = 0
        let app = try MiadiServerApp(configuration: configuration, logger: quiet)
        let fired = Fired()
        // Longer than this shutdown takes: it fires after the group has stopped, which shows it
        // was armed (in `miadi serve` the process would have exited by then).
        let watchdog = ShutdownWatchdog(seconds: 0.5) { fired.count.add(1, ordering: .relaxed) }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = app.serviceGroup(gracefulShutdownSignals: [], watchdog: watchdog) { continuation.yield($0.localAddress?.port ?? 0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            _ = await iterator.next()
            #expect(fired.count.load(ordering: .relaxed) == 0)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(fired.count.load(ordering: .relaxed) == 1)
    }
}
