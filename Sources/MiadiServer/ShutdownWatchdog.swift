import Foundation
import Synchronization

/// Ends the process if a graceful shutdown has not finished some seconds after it began. The
/// drain waits `drain_seconds` for live calls, then the server closes its channels; a call loop
/// stuck in one call (a runaway model, a bug) never lets its channels close, and a server told
/// to stop would hold its port and its calls' files for ever. The watchdog is a thread of its
/// own, so no stuck loop or starved task pool can hold it back.
public final class ShutdownWatchdog: Sendable {
    public let seconds: Double
    private let fire: @Sendable () -> Void
    private let state = Atomic<Int>(0) // 0 idle, 1 armed, 2 disarmed

    /// `fire`: what to do when the shutdown overruns (`miadi serve` logs and exits).
    public init(seconds: Double, fire: @escaping @Sendable () -> Void) {
        self.seconds = seconds
        self.fire = fire
    }

    /// The shutdown began: `fire` runs in `seconds` unless `disarm` comes first.
    func arm() {
        guard state.compareExchange(expected: 0, desired: 1, ordering: .relaxed).exchanged else { return }
        let thread = Thread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            if state.compareExchange(expected: 1, desired: 2, ordering: .relaxed).exchanged { fire() }
        }
        thread.name = "miadi-shutdown-watchdog"
        thread.start()
    }

    /// The shutdown finished in time.
    public func disarm() { state.store(2, ordering: .relaxed) }
}
