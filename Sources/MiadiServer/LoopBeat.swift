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
    private var members: [StreamChannelHandler] = []
    private var scheduled: Scheduled<Void>?
    private var next = NIODeadline.now()
    static let period = TimeAmount.milliseconds(Int64(StreamConnection.beatMs))

    private init(loop: any EventLoop) { self.loop = loop }

    func join(_ handler: StreamChannelHandler) {
        loop.preconditionInEventLoop()
        members.append(handler)
        if scheduled == nil {
            next = .now() + Self.period
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
            let lateness = Duration.nanoseconds(max(0, Int64(NIODeadline.now().uptimeNanoseconds) - Int64(due.uptimeNanoseconds)))
            let dueInstant = ContinuousClock.now - lateness
            for member in members { member.beat(due: dueInstant) }
            if members.isEmpty { scheduled = nil } else { schedule() }
        }
    }
}
