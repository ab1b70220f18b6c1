import Foundation
import MiadiBridge
import Synchronization

/// The stream tickets already used, until they lapse: a ticket opens one stream, once. Bounded
/// by the tickets issued in one lifetime; lapsed ones are forgotten as new ones are taken.
final class StreamTicketLedger: Sendable {
    private let used = Mutex<[String: Int64]>([:])

    /// Takes `ticket` at `now` (Unix seconds); false when it was taken before.
    func take(_ ticket: HandshakePolicy.Ticket, now: Int64) -> Bool {
        used.withLock { used in
            if used.count > 1024 { used = used.filter { $0.value > now } }
            guard used[ticket.id] == nil else { return false }
            used[ticket.id] = ticket.expires
            return true
        }
    }
}
