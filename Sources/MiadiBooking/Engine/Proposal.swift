import Foundation
import MiadiLanguage

/// A change the engine holds for one call until the caller confirms it: the facts the agent
/// must read back, and when the hold lapses.
public struct Proposal: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case booking, reschedule, cancellation }

    public let id: String
    public let kind: Kind
    public let callSID: String
    public let caller: String
    /// The appointment moved or cancelled (nil for a new booking).
    public let appointmentID: String?
    public let serviceID: String
    public let staffID: String
    /// The new time (booking, reschedule) or the time being cancelled.
    public let start: Date
    public let end: Date
    /// Clinic-local date and time of `start`: what the read-back must name.
    public let date: CivilDate
    public let time: ClockTime
    /// For a reschedule, the time it moves from.
    public let previousStart: Date?
    public let expiresAt: Date
}

/// The result of a commit: the appointment as it now stands.
public struct CommitResult: Sendable, Equatable {
    public let proposalID: String
    public let kind: Proposal.Kind
    public let appointment: Appointment
    /// True when this commit was a retry of one already made with the same idempotency key:
    /// nothing changed the second time.
    public let replayed: Bool
}

/// One change in the audit trail.
public struct AuditEntry: Sendable, Equatable {
    public let seq: Int64
    public let at: Date
    public let callSID: String
    public let caller: String
    public let action: AuditAction
    public let appointmentID: String
    public let proposalID: String?
    /// The appointment before (nil for a new one) and after, as JSON.
    public let before: String?
    public let after: String
    public let evidence: String?
}
