import CMiadiHeap
import Foundation
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
    /// Recorded per event on every loop: lock-free (see `AtomicDurationHistogram`).
    let relaySeconds: AtomicDurationHistogram
    /// From a 20 ms beat being due to a call's loop taking it up: how far behind the calls run.
    let tickLagSeconds: AtomicDurationHistogram
    /// The process's resident memory, read at each scrape.
    let residentBytes: Gauge
    /// What the C heap has handed out and not had back, read at each scrape: resident memory
    /// that stays high while this falls is the allocator's, not a leak.
    let heapInUseBytes: Gauge
    /// Calls the webhook refused because the loops ran behind real time.
    let callsShed: Counter
    /// Webhooks refused because their source sent too many.
    let webhooksRateLimited: Counter
    /// The worst loop lag of the last two seconds, read at each scrape.
    let loopLagSeconds: Gauge

    public init() {
        liveCalls = registry.makeGauge(name: "miadi_live_calls", help: "Streams open now")
        framesIn = registry.makeCounter(name: "miadi_frames_in_total", help: "Binary frames received from the platform")
        framesOut = registry.makeCounter(name: "miadi_frames_out_total", help: "20 ms audio frames sent to the platform")
        bargeIns = registry.makeCounter(name: "miadi_barge_ins_total", help: "Agent speech stopped because the caller spoke")
        callsEnded = registry.makeCounter(name: "miadi_stream_calls_ended_total", help: "Streams that ended")
        relaySeconds = AtomicDurationHistogram(
            name: "miadi_relay_seconds", buckets: [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(200)],
            help: "Time the bridge takes to handle one event (frame, provider event, tick) and send what it produced")
        tickLagSeconds = AtomicDurationHistogram(
            name: "miadi_tick_lag_seconds", buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500)],
            help: "From a call's 20 ms beat falling due to its loop taking it up: how far behind real time the calls run")
        residentBytes = registry.makeGauge(name: "miadi_resident_memory_bytes", help: "Resident memory of the process (Linux /proc/self/statm)")
        heapInUseBytes = registry.makeGauge(name: "miadi_heap_in_use_bytes", help: "Bytes of the C heap in use (glibc mallinfo2: chunks in use and mmapped blocks)")
        webhooksRateLimited = registry.makeCounter(name: "miadi_webhooks_rate_limited_total", help: "Webhooks answered 429 because their source address sent more than webhook_rate_limit allows")
        callsShed = registry.makeCounter(name: "miadi_calls_shed_total", help: "Webhooks answered 503 because the event loops ran behind real time (shed_lag_ms)")
        loopLagSeconds = registry.makeGauge(name: "miadi_loop_lag_seconds", help: "The worst lateness of a 20 ms beat (or a stuck loop) in the last two seconds: what admission control reads")
    }

    public func text() -> String {
        if let bytes = Self.residentBytes() { residentBytes.set(Double(bytes)) }
        let inUse = miadi_heap_in_use()
        if inUse >= 0 { heapInUseBytes.set(Double(inUse)) }
        loopLagSeconds.set(Double(max(0, LoopLag.worstNs())) / 1e9)
        return registry.emitToString() + relaySeconds.text() + tickLagSeconds.text()
    }

    /// Resident set size from `/proc/self/statm` (its second field, in pages); nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
