import Foundation

/// Why the booking engine refused an operation. Each case carries what the agent needs to tell
/// the caller and what a developer needs to debug it; `spokenReason` is the plain sentence a
/// tool result gives the model ("that slot was just taken").
public enum BookingError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownService(String)
    case unknownStaff(String)
    case staffDoesNotDoService(staff: String, service: String)
    /// The time is outside opening hours or the staff member's shift, or the day is closed.
    case slotUnavailable(start: String, reason: String)
    /// Another appointment or another call's live hold has that time.
    case slotTaken(start: String)
    case inThePast(start: String)
    case invalidQuery(String)
    case noSuchAppointment(String)
    /// The appointment exists but is not booked under the caller's number. Deliberately says
    /// nothing about whose it is.
    case notYourAppointment(String)
    /// Already cancelled, or already over.
    case appointmentNotActive(String)
    case noSuchProposal(String)
    case proposalOfAnotherCall(String)
    case proposalExpired(String)
    case proposalReleased(String)
    case proposalAlreadyCommitted(String)
    /// The commit carried no read-back or no answer from the caller.
    case confirmationMissing(String)
    /// The idempotency key was used before for a different proposal or call.
    case idempotencyKeyReused(String)
    /// The store itself failed (disk, corruption). Nothing was changed.
    case storeFailed(String)

    /// The kind of refusal as a stable snake_case code, for traces and scoring (never said to
    /// a caller: `spokenReason` is).
    public var code: String {
        switch self {
        case .unknownService: return "unknown_service"
        case .unknownStaff: return "unknown_staff"
        case .staffDoesNotDoService: return "staff_does_not_do_service"
        case .slotUnavailable: return "slot_unavailable"
        case .slotTaken: return "slot_taken"
        case .inThePast: return "in_the_past"
        case .invalidQuery: return "invalid_query"
        case .noSuchAppointment: return "no_such_appointment"
        case .notYourAppointment: return "not_your_appointment"
        case .appointmentNotActive: return "appointment_not_active"
        case .noSuchProposal: return "no_such_proposal"
        case .proposalOfAnotherCall: return "proposal_of_another_call"
        case .proposalExpired: return "proposal_expired"
        case .proposalReleased: return "proposal_released"
        case .proposalAlreadyCommitted: return "proposal_already_committed"
        case .confirmationMissing: return "confirmation_missing"
        case .idempotencyKeyReused: return "idempotency_key_reused"
        case .storeFailed: return "store_failed"
        }
    }

    public var description: String {
        switch self {
        case .unknownService(let id): return "unknown service \"\(id)\""
        case .unknownStaff(let id): return "unknown staff member \"\(id)\""
        case .staffDoesNotDoService(let staff, let service): return "\(staff) does not do \(service)"
        case .slotUnavailable(let start, let reason): return "\(start) is not bookable: \(reason)"
        case .slotTaken(let start): return "\(start) is already taken"
        case .inThePast(let start): return "\(start) is in the past"
        case .invalidQuery(let reason): return "invalid request: \(reason)"
        case .noSuchAppointment(let id): return "no appointment \"\(id)\""
        case .notYourAppointment(let id): return "appointment \"\(id)\" is not booked under the caller's number"
        case .appointmentNotActive(let id): return "appointment \"\(id)\" is cancelled or already over"
        case .noSuchProposal(let id): return "no proposal \"\(id)\""
        case .proposalOfAnotherCall(let id): return "proposal \"\(id)\" belongs to another call"
        case .proposalExpired(let id): return "proposal \"\(id)\" expired before it was confirmed"
        case .proposalReleased(let id): return "proposal \"\(id)\" was released"
        case .proposalAlreadyCommitted(let id): return "proposal \"\(id)\" is already committed"
        case .confirmationMissing(let what): return "no confirmation: \(what)"
        case .idempotencyKeyReused(let key): return "idempotency key \"\(key)\" was already used for another proposal"
        case .storeFailed(let reason): return "the calendar store failed: \(reason)"
        }
    }

    /// A sentence the agent can say (or a model can rephrase) to the caller.
    public var spokenReason: String {
        switch self {
        case .unknownService: return "We don't offer that service."
        case .unknownStaff: return "I don't know that person at this clinic."
        case .staffDoesNotDoService: return "That person doesn't do this treatment."
        case .slotUnavailable(_, let reason): return "That time isn't available: \(reason)."
        case .slotTaken: return "That slot was just taken."
        case .inThePast: return "That time has already passed."
        case .invalidQuery: return "I couldn't look that up."
        case .noSuchAppointment, .notYourAppointment: return "I can't find that appointment under your number."
        case .appointmentNotActive: return "That appointment is already cancelled or over."
        case .noSuchProposal, .proposalOfAnotherCall, .proposalReleased: return "There is nothing waiting to be confirmed."
        case .proposalExpired: return "I held that slot too long and it lapsed; let me check it again."
        case .proposalAlreadyCommitted: return "That is already confirmed."
        case .confirmationMissing: return "I need you to confirm the date and time first."
        case .idempotencyKeyReused: return "Something went wrong confirming that; let me try again."
        case .storeFailed: return "Our calendar is not responding; nothing was changed."
        }
    }
}
