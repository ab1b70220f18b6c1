import NIOCore
import Synchronization

/// How far behind real time the server's event loops run, as their 20 ms beats measure it:
/// what the webhook consults before it takes a new call. A call taken on a server already
/// behind makes every call on it worse (500 calls at once once left a server 80 s behind,
/// every call at once); a 503 sends the platform to another server, or to try again.
///
/// Process-wide, like the loops themselves (`MiadiServerApp.loops(_:)`).
enum LoopLag {
    /// The worst lateness in the current window, and when it was seen (uptime ns).
    private static let recent = Mutex<(lagNs: Int64, atNs: Int64)>((0, 0))
    /// How long a late beat counts: a server that was late a moment ago is taken as still behind.
    static let windowNs: Int64 = 2_000_000_000

    static func nowNs() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    /// A beat ran `lagNs` late.
    static func record(lagNs: Int64, nowNs: Int64 = nowNs()) {
        recent.withLock { worst in
            if lagNs >= worst.lagNs || nowNs - worst.atNs > windowNs { worst = (lagNs, nowNs) }
        }
    }

    /// The worst lag of the last two seconds, counting a loop with streams whose beat has not
    /// run at all for longer (a loop stuck in one call measures nothing itself).
    static func worstNs(nowNs: Int64 = nowNs()) -> Int64 {
        worst(recent: recent.withLock { $0 }, silences: LoopBeat.silences(nowNs: nowNs), nowNs: nowNs)
    }

    /// The worst of a late beat still in its window and the loops' silences.
    static func worst(recent: (lagNs: Int64, atNs: Int64), silences: [Int64], nowNs: Int64) -> Int64 {
        var worst = nowNs - recent.atNs <= windowNs ? recent.lagNs : 0
        for silent in silences { worst = max(worst, silent) }
        return worst
    }

    /// Forgets what was measured (tests that stall a loop on purpose clean up after them).
    static func reset() { recent.withLock { $0 = (0, 0) } }
}
