import Prometheus
import Testing
@testable import MiadiServer

/// The lock-free histogram behind `miadi_relay_seconds` and `miadi_tick_lag_seconds` writes
/// what swift-prometheus's own histogram writes for the same values, line for line.
@Suite("A histogram recorded without a lock")
struct AtomicDurationHistogramTests {
    static let buckets: [Duration] = [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(200)]
    static let values: [Duration] = [
        .zero, .nanoseconds(1), .microseconds(100), .nanoseconds(100_001), .microseconds(750), .milliseconds(1),
        .milliseconds(3), .nanoseconds(19_999_999), .milliseconds(20), .milliseconds(48), .milliseconds(199), .milliseconds(200),
        .milliseconds(201), .seconds(3), .nanoseconds(2_500_000_123),
    ]

    @Test("its text is swift-prometheus's for the same values")
    func sameTextAsPrometheus() {
        let registry = PrometheusCollectorRegistry()
        let reference = registry.makeDurationHistogram(name: "miadi_relay_seconds", buckets: Self.buckets, help: "Relay time")
        let histogram = AtomicDurationHistogram(name: "miadi_relay_seconds", buckets: Self.buckets, help: "Relay time")
        for value in Self.values {
            reference.record(value)
            histogram.record(value)
        }
        #expect(histogram.text() == registry.emitToString())
    }

    @Test("an empty histogram reads zero everywhere")
    func empty() {
        let registry = PrometheusCollectorRegistry()
        _ = registry.makeDurationHistogram(name: "miadi_tick_lag_seconds", buckets: Self.buckets, help: "Lag")
        let histogram = AtomicDurationHistogram(name: "miadi_tick_lag_seconds", buckets: Self.buckets, help: "Lag")
        #expect(histogram.text() == registry.emitToString())
        #expect(histogram.snapshot().cumulative == [0, 0, 0, 0, 0, 0, 0])
    }

    @Test("records from several threads at once are all counted")
    func concurrent() async {
        let histogram = AtomicDurationHistogram(name: "h", buckets: Self.buckets, help: "h")
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<10_000 { histogram.record(.microseconds((worker * 10_000 + i) % 300_000)) }
                }
            }
        }
        let (cumulative, sum) = histogram.snapshot()
        #expect(cumulative.last == 40_000)
        let expectedSumNs = (0..<40_000).reduce(0) { $0 + ($1 % 300_000) * 1_000 }
        #expect(sum == expectedSumNs)
    }
}
