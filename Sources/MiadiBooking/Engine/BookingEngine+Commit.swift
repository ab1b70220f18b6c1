import Foundation
import MiadiJSON
import GRDB

extension BookingEngine {
    /// Makes a proposal real: the booking is inserted, the appointment moved or cancelled, the
    /// audit row written, the hold closed and the idempotency key recorded, all in one
    /// transaction.
    ///
    /// Refused unless this call holds the proposal, the hold is live on the engine's clock, and
    /// `confirmation` carries both the read-back and the caller's answer. A retry with the same
    /// `idempotencyKey` returns the first result and changes nothing.
    public func commit(proposalID: String, idempotencyKey: String, confirmation: Confirmation, for context: CallContext) async throws(BookingError) -> CommitResult {
        guard !confirmation.readBack.trimmingCharacters(in: .whitespaces).isEmpty else { throw .confirmationMissing("no read-back of the proposal was given") }
        guard !confirmation.callerAnswer.trimmingCharacters(in: .whitespaces).isEmpty else { throw .confirmationMissing("the caller's answer was not given") }
        guard !idempotencyKey.isEmpty else { throw .invalidQuery("an idempotency key is required") }
        return try await write { [self] db in
            let now = nowSeconds
            if let replay = try Self.replay(db, key: idempotencyKey, proposalID: proposalID, context: context) { return replay }
            try Self.expireHolds(db, now: now)
            guard var hold = try HoldRecord.fetchOne(db, key: proposalID) else { throw BookingError.noSuchProposal(proposalID) }
            guard hold.callSID == context.callSID, hold.caller == context.callerNumber else { throw BookingError.proposalOfAnotherCall(proposalID) }
            switch hold.state {
            case .committed: throw BookingError.proposalAlreadyCommitted(proposalID)
            case .released: throw BookingError.proposalReleased(proposalID)
            case .expired: throw BookingError.proposalExpired(proposalID)
            case .held: break
            }
            let kind = hold.kind
            var before: AppointmentRecord?
            var after: AppointmentRecord
            switch kind {
            case .booking:
                try Self.upsertCustomer(db, phone: context.callerNumber, name: context.callerName ?? hold.callerName)
                after = AppointmentRecord(
                    id: try Self.nextID(db, "apt"), customerPhone: context.callerNumber, serviceID: hold.serviceID,
                    staffID: hold.staffID, startUTC: hold.startUTC, endUTC: hold.endUTC, busyUntilUTC: hold.busyUntilUTC,
                    status: .booked, createdByCall: context.callSID, changedByCall: context.callSID)
                try after.insert(db)
            case .reschedule, .cancellation:
                let current = try Self.ownedActiveAppointment(db, id: hold.appointmentID ?? "", context: context, now: now)
                before = current
                after = current
                after.changedByCall = context.callSID
                if kind == .reschedule {
                    after.staffID = hold.staffID
                    after.startUTC = hold.startUTC
                    after.endUTC = hold.endUTC
                    after.busyUntilUTC = hold.busyUntilUTC
                } else {
                    after.status = .cancelled
                }
                try after.update(db)
            }
            var audit = AuditRecord(
                seq: nil, atUTC: now, callSID: context.callSID, caller: context.callerNumber,
                action: AuditAction(kind),
                appointmentID: after.id, proposalID: hold.id, beforeJSON: try before.map(Self.json),
                afterJSON: try Self.json(after), evidenceJSON: try Self.json(confirmation))
            try audit.insert(db)
            hold.state = .committed
            try hold.update(db)
            try db.execute(sql: "INSERT INTO idempotency(key, call_sid, proposal_id, appointment_id, audit_seq) VALUES (?, ?, ?, ?, ?)",
                           arguments: [idempotencyKey, context.callSID, hold.id, after.id, audit.seq])
            return CommitResult(proposalID: hold.id, kind: kind, appointment: Appointment(after), replayed: false)
        }
    }

    /// Lets go of this call's proposal (the caller said no, or chose another time).
    public func release(proposalID: String, for context: CallContext) async throws(BookingError) {
        try await write { db in
            guard let hold = try HoldRecord.fetchOne(db, key: proposalID) else { throw BookingError.noSuchProposal(proposalID) }
            guard hold.callSID == context.callSID, hold.caller == context.callerNumber else { throw BookingError.proposalOfAnotherCall(proposalID) }
            guard hold.state != .committed else { throw BookingError.proposalAlreadyCommitted(proposalID) }
            try db.execute(sql: "UPDATE hold SET state = 'released' WHERE id = ? AND state = 'held'", arguments: [proposalID])
        }
    }

    /// The first result for a key already used by this call for this proposal; an error if the
    /// key was used for something else.
    static func replay(_ db: Database, key: String, proposalID: String, context: CallContext) throws -> CommitResult? {
        guard let row = try Row.fetchOne(db, sql: "SELECT call_sid, proposal_id, appointment_id FROM idempotency WHERE key = ?", arguments: [key]) else {
            return nil
        }
        guard row["call_sid"] == context.callSID, row["proposal_id"] == proposalID else { throw BookingError.idempotencyKeyReused(key) }
        guard let hold = try HoldRecord.fetchOne(db, key: proposalID),
              let appointment = try AppointmentRecord.fetchOne(db, key: row["appointment_id"] as String) else {
            throw BookingError.storeFailed("idempotency record for \(key) points at a missing row")
        }
        return CommitResult(proposalID: proposalID, kind: hold.kind, appointment: Appointment(appointment), replayed: true)
    }

    /// Creates the customer on first contact; a name given later fills in, never erases.
    static func upsertCustomer(_ db: Database, phone: String, name: String?) throws {
        try db.execute(sql: """
            INSERT INTO customer(phone, name) VALUES (?, ?)
            ON CONFLICT(phone) DO UPDATE SET name = COALESCE(excluded.name, customer.name)
            """, arguments: [phone, name])
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONCoding.encoder()
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
