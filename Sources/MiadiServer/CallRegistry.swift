import Foundation
import MiadiAgent

/// What the server knows about calls across requests: when each was answered (its trace's
/// t = 0), what the webhook returned, status callbacks that arrived, and which streams are live,
/// so a graceful shutdown can wait for them.
actor CallRegistry {
    struct Call {
        let answeredAt: ContinuousClock.Instant
        let answeredWallClock: Date
        var webhook: TraceEvent?
        var statuses: [TraceEvent] = []
    }

    private var calls: [String: Call] = [:]
    /// Answered calls in the order they were answered (from `orderStart` on): what expiry
    /// walks, oldest first, instead of every call on every webhook (a flood of webhooks made
    /// that quadratic).
    private var answeredOrder: [(sid: String, at: ContinuousClock.Instant)] = []
    private var orderStart = 0
    private(set) var live: Set<String> = []
    /// Set when a graceful shutdown begins: no new calls.
    private(set) var draining = false

    func startDraining() { draining = true }
    private let clock = ContinuousClock()

    func answered(callSID: String, webhook: ShellEvent.Webhook) {
        expireUnstreamed(now: clock.now)
        var call = Call(answeredAt: clock.now, answeredWallClock: Date()) // wall clock: a real call's "now"
        call.webhook = ShellEvent.webhook(webhook).line(atMs: 0)
        calls[callSID] = call
        answeredOrder.append((callSID, call.answeredAt))
    }

    /// Answered calls whose stream has not opened, at most: past it the oldest are forgotten
    /// whatever their age (a flood of webhooks holds a bounded table).
    static let maximumUnstreamed = 10_000

    /// How long an answered call may wait for its stream (`unstreamed_call_seconds`): its
    /// ticket's lifetime, and more.
    let unstreamedLifetime: Duration

    init(unstreamedLifetime: Duration = .seconds(300)) {
        self.unstreamedLifetime = unstreamedLifetime
    }

    /// Forgets calls answered longer than `unstreamedLifetime` before `now` whose stream never
    /// opened: a webhook with no stream after it (a careless or hostile client, a call the
    /// platform dropped) must not stay in memory for good. Run on each webhook, so the work
    /// follows the traffic that causes it, and by `RegistrySweep` when the traffic stops.
    /// Returns how many calls it forgot.
    @discardableResult
    func expireUnstreamed(now: ContinuousClock.Instant) -> Int {
        var forgotten = 0
        while orderStart < answeredOrder.count {
            let (sid, at) = answeredOrder[orderStart]
            let tooMany = calls.count - live.count >= Self.maximumUnstreamed
            guard tooMany || now - at > unstreamedLifetime else { break }
            orderStart += 1
            // Only the answer this entry recorded: a SID answered again, or streaming, stays.
            if !live.contains(sid), let call = calls[sid], call.answeredAt == at {
                calls.removeValue(forKey: sid)
                forgotten += 1
            }
        }
        if orderStart == answeredOrder.count {
            // All walked: the queue's storage goes too (a flood's worth of it otherwise stays).
            answeredOrder = []
            orderStart = 0
        } else if orderStart > 1024, orderStart * 2 > answeredOrder.count {
            answeredOrder = Array(answeredOrder[orderStart...])
            orderStart = 0
        }
        if forgotten > 0, calls.capacity > 4 * calls.count + 64 {
            // A dictionary keeps its storage as entries go: after a flood, a table its size
            // would stay for good. Copied into one of the size it needs.
            var kept = [String: Call](minimumCapacity: calls.count)
            for (sid, call) in calls { kept[sid] = call }
            calls = kept
        }
        return forgotten
    }

    /// Forgets expired calls now, on the registry's own clock; returns how many calls left
    /// the registry since the last sweep, forgotten here or ended since (what a heap trim
    /// after it could give back).
    @discardableResult
    func sweep() -> Int {
        defer { endedSinceSweep = 0 }
        return expireUnstreamed(now: clock.now) + endedSinceSweep
    }

    /// Calls whose stream ended since the last sweep.
    private var endedSinceSweep = 0

    /// Calls known now (answered or streaming).
    var knownCount: Int { calls.count }

    /// Milliseconds since the call was answered (or since first seen, if the webhook went to
    /// another instance).
    func callTime(_ callSID: String) -> Int {
        if calls[callSID] == nil { calls[callSID] = Call(answeredAt: clock.now, answeredWallClock: Date()) } // wall clock
        let elapsed = clock.now - calls[callSID]!.answeredAt
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A status callback for a live call joins its trace. One for a call whose stream has
    /// already ended (`stream-stopped` arrives after the socket closes) has no trace left to
    /// join; it is dropped rather than left behind as a call that never ends.
    func status(_ status: StreamStatusCallback) {
        guard calls[status.callSID] != nil else { return }
        let t = callTime(status.callSID)
        calls[status.callSID]?.statuses.append(ShellEvent.streamStatus(callSID: status.callSID, event: status.event, streamName: status.streamName, reason: status.reason).line(atMs: t))
    }

    /// The stream of `callSID` opened: it is live; returns when the call was answered (the
    /// call's t = 0; now, if the webhook went to another instance).
    func opened(_ callSID: String) -> ContinuousClock.Instant {
        live.insert(callSID)
        if calls[callSID] == nil { calls[callSID] = Call(answeredAt: clock.now, answeredWallClock: Date()) } // wall clock
        return calls[callSID]!.answeredAt
    }

    /// Removes the call and returns what was collected for its trace.
    func finished(_ callSID: String) -> Call? {
        live.remove(callSID)
        endedSinceSweep += 1
        return calls.removeValue(forKey: callSID)
    }

    /// Streams open now, plus calls answered in the last 15 s whose stream has not opened yet
    /// (the platform connects right after the webhook): a shutdown waits for both.
    var liveCount: Int {
        let now = clock.now
        let arriving = calls.filter { sid, call in !live.contains(sid) && call.webhook != nil && now - call.answeredAt < .seconds(15) }.count
        return live.count + arriving
    }
}
