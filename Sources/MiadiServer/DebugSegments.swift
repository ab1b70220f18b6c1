import Synchronization
import Glibc

enum DebugSegments {
    static let names = ["read", "handleflush", "machine", "perform", "readcompleteflush", "beat", "recording", "thread"]
    nonisolated(unsafe) static let totals: UnsafeMutablePointer<Atomic<Int>> = {
        let p = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: 16)
        for i in 0..<16 { (p + i).initialize(to: Atomic(0)) }
        return p
    }()
    @inline(__always) static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
    @inline(__always) static func add(_ i: Int, _ since: Int) { totals[i].wrappingAdd(now() - since, ordering: .relaxed) }
    static func text() -> String {
        names.enumerated().map { "miadi_dbg_\($0.element)_ns \(totals[$0.offset].load(ordering: .relaxed))\n" }.joined()
    }
}
