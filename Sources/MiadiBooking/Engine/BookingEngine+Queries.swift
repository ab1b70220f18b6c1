import Foundation
import GRDB
import MiadiLanguage

extension BookingEngine {
    /// Up to `query.limit` free slots, earliest first, each with the first member of staff (in
    /// the clinic file's order) who is free then. Slots held by this call's own proposal count
    /// as free for it.
    public func findSlots(_ query: SlotQuery, for context: CallContext) async throws(BookingError) -> [Slot] {
        let service = try service(query.serviceID)
        let candidates: [StaffMember]
        if let staffID = query.staffID { candidates = [try staff(staffID, for: service)] } else { candidates = clinic.staff(for: service) }
        guard query.firstDay <= query.lastDay else { throw .invalidQuery("the first day \(query.firstDay) is after the last day \(query.lastDay)") }
        guard query.lastDay.daysSinceEpoch - query.firstDay.daysSinceEpoch <= 92 else { throw .invalidQuery("search at most three months at a time") }
        guard (1...50).contains(query.limit) else { throw .invalidQuery("limit must be between 1 and 50") }
        let now = nowSeconds
        let from = planner.time.instantOrNext(query.firstDay, ClockTime(hour: 0))
        let to = planner.time.instantOrNext(query.lastDay.adding(days: 1), ClockTime(hour: 0))
        let staffIDs = candidates.map(\.id)
        let busy = try await read { db in
            try Self.busy(db, staffIDs: staffIDs, from: Int64(from.timeIntervalSince1970), to: Int64(to.timeIntervalSince1970), now: now, exceptCall: context.callSID, ignoringAppointment: nil)
        }
        var slots: [Slot] = []
        var day = query.firstDay
        while day <= query.lastDay && slots.count < query.limit {
            // Earliest start first; at each start the first free member of staff.
            var byStart: [Int64: StaffMember] = [:]
            for staff in candidates {
                for start in planner.freeStarts(service: service, staff: staff, on: day, earliest: query.earliest, latest: query.latest, notBefore: now, busy: busy)
                where byStart[start] == nil {
                    byStart[start] = staff
                }
            }
            for start in byStart.keys.sorted() {
                if let last = slots.last, start - Int64(last.start.timeIntervalSince1970) < Int64(query.spacingMinutes * 60) { continue }
                let staff = byStart[start]!
                slots.append(Slot(
                    serviceID: service.id, staffID: staff.id,
                    start: Date(timeIntervalSince1970: TimeInterval(start)),
                    end: Date(timeIntervalSince1970: TimeInterval(start + Int64(service.durationMinutes * 60))),
                    localStart: localISO(start)))
                if slots.count == query.limit { break }
            }
            day = day.adding(days: 1)
        }
        return slots
    }

    /// The caller's own booked appointments that have not started yet, soonest first. Only
    /// appointments under `context.callerNumber` are ever returned.
    public func upcomingAppointments(for context: CallContext) async throws(BookingError) -> [Appointment] {
        let now = nowSeconds
        return try await read { db in
            try AppointmentRecord.fetchAll(db, sql: """
                SELECT * FROM appointment WHERE customer_phone = ? AND status = 'booked' AND start_utc >= ?
                ORDER BY start_utc, id
                """, arguments: [context.callerNumber, now]).map(Appointment.init)
        }
    }

    /// Every appointment in the calendar (booked and cancelled), for the lab and snapshots.
    /// Every customer's name by phone number, for customers who gave one.
    public func customerNames() async throws(BookingError) -> [String: String] {
        try await read { db in
            var names: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT phone, name FROM customer WHERE name IS NOT NULL") { names[row["phone"]] = row["name"] }
            return names
        }
    }

    public func allAppointments() async throws(BookingError) -> [Appointment] {
        try await read { db in
            try AppointmentRecord.fetchAll(db, sql: "SELECT * FROM appointment ORDER BY start_utc, staff_id, id").map(Appointment.init)
        }
    }

    /// The audit trail, oldest first.
    public func auditTrail() async throws(BookingError) -> [AuditEntry] {
        try await read { db in
            try AuditRecord.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq").map { r in
                AuditEntry(
                    seq: r.seq ?? 0, at: Date(timeIntervalSince1970: TimeInterval(r.atUTC)), callSID: r.callSID, caller: r.caller,
                    action: r.action, appointmentID: r.appointmentID, proposalID: r.proposalID, before: r.beforeJSON,
                    after: r.afterJSON, evidence: r.evidenceJSON)
            }
        }
    }
}
