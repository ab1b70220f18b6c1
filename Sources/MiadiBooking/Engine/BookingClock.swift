import Foundation
import Synchronization

/// Where the engine gets "now": holds lapse and "upcoming" is judged by this clock, never by
/// the machine's, so the lab can fix time per scenario and tests can move it.
public protocol BookingClock: Sendable {
    func now() -> Date
}

/// A clock the owner sets and advances (the lab's virtual time, tests).
public final class ManualClock: BookingClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ instant: Date) { current.withLock { $0 = instant } }

    public func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// Moves to `instant` unless the clock is already past it: several calls sharing one
    /// calendar on the real clock can each move it without sending it back.
    public func moveForward(to instant: Date) { current.withLock { $0 = max($0, instant) } }
}

/// The machine's clock, for `miadi serve` answering real calls.
public struct SystemClock: BookingClock {
    public init() {}
    public func now() -> Date { Date() } // wall clock: real calls happen now
}
