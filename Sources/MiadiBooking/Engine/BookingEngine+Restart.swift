import Foundation
import GRDB

extension BookingEngine {
    /// Releases every hold still `held` in the calendar: holds a server that stopped (a crash,
    /// `kill -9`) left behind. No call of that process can commit them any more; kept, they
    /// would block their slots until they expire. `miadi serve` calls this as it opens its
    /// database, when no call of its own is live yet. (One server per calendar file: a
    /// calendar shared by several servers would need holds marked with their server.)
    /// Returns how many were released.
    @discardableResult
    public func releaseLeftoverHolds() throws(BookingError) -> Int {
        do {
            return try writer.write { db in
                try db.execute(sql: "UPDATE hold SET state = 'released' WHERE state = 'held'")
                return db.changesCount
            }
        } catch {
            throw Self.mapped(error)
        }
    }
}
