import Synchronization

/// Webhooks per source address: a token bucket each (`burst` at once, `perSecond` after).
/// The webhook hands out stream tickets and books lines on the model; one client sending
/// 14,000 webhooks must not take them all. Sans-I/O: the caller gives the time.
final class WebhookRateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var atNs: Int64
    }

    let perSecond: Double
    let burst: Double
    /// Sources tracked at most; past it, those whose buckets have refilled are forgotten.
    static let maximumSources = 10_000
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(burst)
    }

    /// Whether a webhook from `source` may go on at `nowNs` (and it is counted if so).
    func allow(_ source: String, nowNs: Int64) -> Bool {
        buckets.withLock { all in
            var bucket = all[source] ?? Bucket(tokens: burst, atNs: nowNs)
            bucket.tokens = min(burst, bucket.tokens + Double(max(0, nowNs - bucket.atNs)) / 1e9 * perSecond)
            bucket.atNs = nowNs
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            all[source] = bucket
            if all.count > Self.maximumSources { forgetRefilled(&all, nowNs: nowNs) }
            return allowed
        }
    }

    /// How many sources are tracked (bounded).
    var sources: Int { buckets.withLock { $0.count } }

    private func forgetRefilled(_ all: inout [String: Bucket], nowNs: Int64) {
        all = all.filter { _, bucket in bucket.tokens + Double(max(0, nowNs - bucket.atNs)) / 1e9 * perSecond < burst }
        // A flood from more sources than that: keep the most recent half.
        if all.count > Self.maximumSources {
            let kept = all.sorted { $0.value.atNs > $1.value.atNs }.prefix(Self.maximumSources / 2)
            all = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
    }
}
