import Foundation
import Synchronization

/// How many connections the server holds at once, kept below its limit of open files. At the
/// limit, `accept` fails with EMFILE, and NIO retried it in a tight loop (a core at 60 % with
/// 200 idle connections against a limit of 128, measured). Below it, a connection over the cap
/// is accepted and closed at once: the server keeps its descriptors for the calls it has (each
/// a socket, its recording and its trace), and never reaches EMFILE.
final class ConnectionCap: Sendable {
    let maximum: Int
    private let open = Atomic<Int>(0)

    init(maximum: Int) { self.maximum = maximum }

    /// A cap for this process's limit of open files: a few descriptors per call (its socket,
    /// its WAV and its trace, as the call goes) and some for the server itself.
    static func forOpenFileLimit() -> ConnectionCap {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let files = Int(min(limit.rlim_cur, 1 << 20))
        return ConnectionCap(maximum: max(8, (files - 64) / 3))
    }

    /// A connection arrived: whether it may stay (if so, `closed` must follow).
    func admit() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now <= maximum else {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func closed() { open.subtract(1, ordering: .relaxed) }

    var count: Int { open.load(ordering: .relaxed) }
}
