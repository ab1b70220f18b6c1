import Synchronization

/// A Prometheus histogram of durations that every event loop records into without a lock.
///
/// swift-prometheus's `Histogram` takes a lock on each record. Recorded once per frame by three
/// loops sharing two cores, that lock was contended thousands of times a second at 1,000
/// streams (`strace`: the loops' futex waits were all on it), and a loop preempted while
/// holding it stalled the others until it ran again. Here each record is one relaxed atomic
/// add to its bucket and one to the sum; a scrape reads them and adds the buckets up.
final class AtomicDurationHistogram: @unchecked Sendable {
    let name: String
    let help: String
    /// Upper bounds, ns, ascending.
    let boundsNs: [Int64]
    /// One count per bound, then one for the values above the last (not cumulative: a record
    /// touches one bucket). Freed with the histogram.
    private let counts: UnsafeMutablePointer<Atomic<Int>>
    private let sumNs = Atomic<Int>(0)

    init(name: String, buckets: [Duration], help: String) {
        precondition(!buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "AtomicDurationHistogram: buckets must ascend")
        self.name = name
        self.help = help
        self.boundsNs = buckets.map(Self.nanoseconds)
        counts = .allocate(capacity: buckets.count + 1)
        for i in 0...buckets.count { (counts + i).initialize(to: Atomic(0)) }
    }

    deinit {
        counts.deinitialize(count: boundsNs.count + 1)
        counts.deallocate()
    }

    func record(_ duration: Duration) {
        let ns = max(0, Self.nanoseconds(duration))
        var bucket = 0
        while bucket < boundsNs.count, ns > boundsNs[bucket] { bucket += 1 }
        counts[bucket].wrappingAdd(1, ordering: .relaxed)
        sumNs.wrappingAdd(Int(ns), ordering: .relaxed)
    }

    /// Cumulative counts per bound, then the total (`le="+Inf"`), and the sum, ns.
    func snapshot() -> (cumulative: [Int], sumNs: Int) {
        var running = 0
        var cumulative: [Int] = []
        for i in 0...boundsNs.count {
            running += counts[i].load(ordering: .relaxed)
            cumulative.append(running)
        }
        return (cumulative, sumNs.load(ordering: .relaxed))
    }

    /// The Prometheus text exposition, as swift-prometheus writes its own histograms.
    func text() -> String {
        let (cumulative, sum) = snapshot()
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (i, bound) in boundsNs.enumerated() {
            out += "\(name)_bucket{le=\"\(Self.seconds(bound))\"} \(cumulative[i])\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative[boundsNs.count])\n"
        out += "\(name)_sum \(Self.seconds(Int64(sum)))\n"
        out += "\(name)_count \(cumulative[boundsNs.count])\n"
        return out
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Seconds with no trailing zeros in the fraction ("0.0001", "48.708393258", "2.0").
    static func seconds(_ ns: Int64) -> String {
        let whole = ns / 1_000_000_000
        var fraction = String(ns % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
