import Foundation
import GRDB

/// A row of `appointment`.
struct AppointmentRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "appointment"

    var id: String
    var customerPhone: String
    var serviceID: String
    var staffID: String
    var startUTC: Int64
    var endUTC: Int64
    var busyUntilUTC: Int64
    var status: Appointment.Status
    var createdByCall: String
    var changedByCall: String

    enum CodingKeys: String, CodingKey {
        case id
        case customerPhone = "customer_phone"
        case serviceID = "service_id"
        case staffID = "staff_id"
        case startUTC = "start_utc"
        case endUTC = "end_utc"
        case busyUntilUTC = "busy_until_utc"
        case status
        case createdByCall = "created_by_call"
        case changedByCall = "changed_by_call"
    }

    var isBooked: Bool { status == .booked }
}

/// A row of `hold`: a proposal and the slot it keeps from others until it lapses.
struct HoldRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "hold"

    var id: String
    var kind: Proposal.Kind
    var callSID: String
    var caller: String
    var callerName: String?
    var appointmentID: String?
    var serviceID: String
    var staffID: String
    var startUTC: Int64
    var endUTC: Int64
    var busyUntilUTC: Int64
    var createdUTC: Int64
    var expiresUTC: Int64
    var state: HoldState

    enum CodingKeys: String, CodingKey {
        case id, kind, caller, state
        case callSID = "call_sid"
        case callerName = "caller_name"
        case appointmentID = "appointment_id"
        case serviceID = "service_id"
        case staffID = "staff_id"
        case startUTC = "start_utc"
        case endUTC = "end_utc"
        case busyUntilUTC = "busy_until_utc"
        case createdUTC = "created_utc"
        case expiresUTC = "expires_utc"
    }
}

/// A row of `audit`: one change to one appointment, with who made it and the state before and
/// after, written in the same transaction as the change.
struct AuditRecord: Codable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "audit"

    var seq: Int64?
    var atUTC: Int64
    var callSID: String
    var caller: String
    var action: AuditAction
    var appointmentID: String
    var proposalID: String?
    var beforeJSON: String?
    var afterJSON: String
    var evidenceJSON: String?

    enum CodingKeys: String, CodingKey {
        case seq, caller, action
        case atUTC = "at_utc"
        case callSID = "call_sid"
        case appointmentID = "appointment_id"
        case proposalID = "proposal_id"
        case beforeJSON = "before_json"
        case afterJSON = "after_json"
        case evidenceJSON = "evidence_json"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
