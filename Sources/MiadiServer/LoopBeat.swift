import NIOCore
import Synchronization

/// The 20 ms beat of every stream on one event loop: one fixed-rate timer per loop instead of
/// one per stream. At 500 streams a timer each meant 25,000 timer tasks a second to schedule
/// and fire (`perf`: about a sixth of the bridge's time); one beat walks the loop's streams.
final class LoopBeat: @unchecked Sendable {
    private static let beats = Mutex<[ObjectIdentifier: LoopBeat]>([:])

    /// The beat of `loop` (made on first use).
    static func on(_ loop: any EventLoop) -> LoopBeat {
        beats.withLock { all in
            if let beat = all[ObjectIdentifier(loop)] { return beat }
            let beat = LoopBeat(loop: loop)
            all[ObjectIdentifier(loop)] = beat
            return beat
        }
    }

    let loop: any EventLoop
    /// The streams beating, in the order they joined (touched on the loop only).
    private var members: [StreamChannelHandler] = [] {
        didSet { memberCount.store(members.count, ordering: .relaxed) }
    }
    /// What other threads may read: how many streams beat here, and when the last beat was
    /// due that has run (uptime ns): a loop with streams whose beat stops running is stuck.
    private let memberCount = Atomic<Int>(0)
    private let lastDueNs = Atomic<Int64>(0)

    /// For each loop with streams: how long past its next beat's due time it has been without
    /// running one, ns (0 or less: on time).
    static func silences(nowNs: Int64) -> [Int64] {
        beats.withLock { all in
            all.values.compactMap { beat in
                guard beat.memberCount.load(ordering: .relaxed) > 0 else { return nil }
                let last = beat.lastDueNs.load(ordering: .relaxed)
                guard last > 0 else { return nil }
                return nowNs - last - period.nanoseconds
            }
        }
    }
    private var scheduled: Scheduled<Void>?
    private var next = NIODeadline.now()
    static let period = TimeAmount.milliseconds(Int64(StreamConnection.beatMs))

    private init(loop: any EventLoop) { self.loop = loop }

    func join(_ handler: StreamChannelHandler) {
        loop.preconditionInEventLoop()
        members.append(handler)
        if scheduled == nil {
            next = .now() + Self.period
            lastDueNs.store(Int64(NIODeadline.now().uptimeNanoseconds), ordering: .relaxed)
            schedule()
        }
    }

    func leave(_ handler: StreamChannelHandler) {
        loop.preconditionInEventLoop()
        members.removeAll { $0 === handler }
        if members.isEmpty {
            scheduled?.cancel()
            scheduled = nil
        }
    }

    private func schedule() {
        let due = next
        scheduled = loop.scheduleTask(deadline: due) { [self] in
            // A fixed rate: the next beat is due a period after this one was, however late it ran.
            next = due + Self.period
            if next < .now() { next = .now() + Self.period }
            let nowNs = Int64(NIODeadline.now().uptimeNanoseconds)
            let lateNs = max(0, nowNs - Int64(due.uptimeNanoseconds))
            lastDueNs.store(Int64(due.uptimeNanoseconds), ordering: .relaxed)
            LoopLag.record(lagNs: lateNs, nowNs: nowNs)
            // The clock is read once for the whole beat: its streams take it up together.
            let now = ContinuousClock.now
            let dueInstant = now - Duration.nanoseconds(lateNs)
            for member in members { member.beat(due: dueInstant, now: now) }
            if members.isEmpty { scheduled = nil } else { schedule() }
        }
    }
}
