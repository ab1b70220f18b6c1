import MiadiAgent

/// Compares what Sautikit billed for a call with what its trace says: per-second billing means
/// `billed = ceil(duration)`; a difference of more than a second is worth a look (a stream that
/// outlived the call, a clock problem, a billing error).
public struct CallReconciliation: Sendable, Equatable {
    public let callSID: String
    public let traceDurationMs: Int
    public let traceBilledSeconds: Int
    public let platformBilledSeconds: Int?
    public var differenceSeconds: Int? { platformBilledSeconds.map { $0 - traceBilledSeconds } }
    public var agrees: Bool { (differenceSeconds.map { abs($0) <= 1 }) ?? false }

    public init(record: SautikitCallRecord, trace: CallTrace) {
        callSID = record.callSID
        let ended = trace.events(ofType: .callEnded).last
        traceDurationMs = ended?["duration_ms"]?.int ?? trace.orderedEvents.last?.tMs ?? 0
        traceBilledSeconds = ended?["billed_seconds"]?.int ?? (traceDurationMs + 999) / 1000
        platformBilledSeconds = record.billedSeconds ?? record.durationSeconds.map { Int($0.rounded(.up)) }
    }

    public var summary: String {
        let platform = platformBilledSeconds.map { "\($0) s" } ?? "not reported"
        let verdict = platformBilledSeconds == nil ? "cannot compare" : agrees ? "agrees" : "DIFFERS by \(differenceSeconds!) s"
        return "call \(callSID): trace \(traceDurationMs) ms → \(traceBilledSeconds) s billable; Sautikit billed \(platform): \(verdict)"
    }
}
