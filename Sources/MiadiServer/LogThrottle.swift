import Synchronization

/// At most `perSecond` log lines of one kind a second; the rest are counted, and the count
/// goes with the next line written. A client that sends 100,000 broken requests must not
/// write 100,000 log lines: the log's disk is one it could fill. Sans-I/O: the caller gives
/// the time.
final class LogThrottle: Sendable {
    private struct Window {
        var startNs: Int64
        var written = 0
        var held = 0
    }

    let perSecond: Int
    private let windows = Mutex<[String: Window]>([:])

    /// The server's own (lines about refused connections and requests).
    static let server = LogThrottle(perSecond: 10)

    init(perSecond: Int) { self.perSecond = perSecond }

    /// Whether a line of `kind` may be written at `nowNs`, and how many like it were held back
    /// since the last one written.
    func admit(_ kind: String, nowNs: Int64) -> (write: Bool, heldBack: Int) {
        windows.withLock { all in
            var window = all[kind] ?? Window(startNs: nowNs)
            defer { all[kind] = window }
            if nowNs - window.startNs >= 1_000_000_000 {
                let held = window.held
                window = Window(startNs: nowNs, written: 1)
                return (true, held)
            }
            guard window.written < perSecond else {
                window.held += 1
                return (false, 0)
            }
            window.written += 1
            return (true, 0)
        }
    }
}
