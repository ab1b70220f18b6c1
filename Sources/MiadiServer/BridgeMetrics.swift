import Prometheus

/// What `GET /metrics` reports, in Prometheus text format. One registry per server (not the
/// process-global swift-metrics bootstrap), so tests can run servers side by side.
public final class BridgeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let liveCalls: Gauge
    let framesIn: Counter
    let framesOut: Counter
    let bargeIns: Counter
    let callsEnded: Counter
    let relaySeconds: DurationHistogram

    public init() {
        liveCalls = registry.makeGauge(name: "miadi_live_calls", help: "Streams open now")
        framesIn = registry.makeCounter(name: "miadi_frames_in_total", help: "Binary frames received from the platform")
        framesOut = registry.makeCounter(name: "miadi_frames_out_total", help: "20 ms audio frames sent to the platform")
        bargeIns = registry.makeCounter(name: "miadi_barge_ins_total", help: "Agent speech stopped because the caller spoke")
        callsEnded = registry.makeCounter(name: "miadi_stream_calls_ended_total", help: "Streams that ended")
        relaySeconds = registry.makeDurationHistogram(
            name: "miadi_relay_seconds", buckets: [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(200)],
            help: "Time the bridge takes to handle one event (frame, provider event, tick) and send what it produced")
    }

    public func text() -> String { registry.emitToString() }
}
