import GRDB

/// A hold's life: `held` until it is committed, released by the call, or lapses.
enum HoldState: String, Codable, Sendable, DatabaseValueConvertible {
    case held, committed, released, expired
}

/// What an audit row records: a seeded appointment or a committed change.
public enum AuditAction: String, Codable, Sendable, DatabaseValueConvertible {
    case seed, book, reschedule, cancel

    /// The action a committed proposal of this kind is.
    init(_ kind: Proposal.Kind) {
        switch kind {
        case .booking: self = .book
        case .reschedule: self = .reschedule
        case .cancellation: self = .cancel
        }
    }
}

// Stored as their raw strings (the schema's CHECK constraints name the same values). A row
// holding any other value fails to decode, loudly, instead of turning into a default.
extension Appointment.Status: DatabaseValueConvertible {}
extension Proposal.Kind: DatabaseValueConvertible {}
