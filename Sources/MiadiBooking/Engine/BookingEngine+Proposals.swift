import Foundation
import GRDB
import MiadiLanguage

extension BookingEngine {
    /// Holds `start` for a new booking of `serviceID` (with `staffID`, or the first free member
    /// of staff who does it) and returns what must be read back. The hold keeps the slot from
    /// other calls until it lapses (`Clinic.holdSeconds`); this call's earlier proposal, if
    /// any, is released.
    public func proposeBooking(serviceID: String, start: Date, staffID: String? = nil, for context: CallContext) async throws(BookingError) -> Proposal {
        let service = try service(serviceID)
        let candidates = try candidates(for: service, preferred: staffID, current: nil)
        let startSeconds = try checkedStart(start)
        return try await write { [self] db in
            try placeHold(db, kind: .booking, context: context, service: service, candidates: candidates, start: startSeconds, explicitStaff: staffID != nil, moving: nil)
        }
    }

    /// Holds a new time for the caller's appointment `appointmentID` (same member of staff if
    /// free, else another who does the service, unless `staffID` is given).
    public func proposeReschedule(appointmentID: String, newStart: Date, staffID: String? = nil, for context: CallContext) async throws(BookingError) -> Proposal {
        let startSeconds = try checkedStart(newStart)
        return try await write { [self] db in
            let now = nowSeconds
            let appointment = try Self.ownedActiveAppointment(db, id: appointmentID, context: context, now: now)
            let service = try service(appointment.serviceID)
            let candidates = try candidates(for: service, preferred: staffID, current: appointment.staffID)
            return try placeHold(db, kind: .reschedule, context: context, service: service, candidates: candidates, start: startSeconds, explicitStaff: staffID != nil, moving: appointment)
        }
    }

    /// Proposes cancelling the caller's appointment `appointmentID`; nothing changes until the
    /// commit.
    public func proposeCancellation(appointmentID: String, for context: CallContext) async throws(BookingError) -> Proposal {
        try await write { [self] db in
            let now = nowSeconds
            try Self.expireHolds(db, now: now)
            let appointment = try Self.ownedActiveAppointment(db, id: appointmentID, context: context, now: now)
            try Self.releaseLiveHolds(db, callSID: context.callSID)
            let hold = HoldRecord(
                id: try Self.nextID(db, "prop"), kind: .cancellation, callSID: context.callSID,
                caller: context.callerNumber, callerName: context.callerName, appointmentID: appointment.id,
                serviceID: appointment.serviceID, staffID: appointment.staffID, startUTC: appointment.startUTC,
                endUTC: appointment.endUTC, busyUntilUTC: appointment.busyUntilUTC, createdUTC: now,
                expiresUTC: now + Int64(clinic.holdSeconds), state: .held)
            try hold.insert(db)
            return proposal(from: hold, previousStart: nil)
        }
    }

    // MARK: Pieces

    /// Starts are whole minutes in the future.
    func checkedStart(_ start: Date) throws(BookingError) -> Int64 {
        let seconds = start.timeIntervalSince1970
        guard seconds.truncatingRemainder(dividingBy: 60) == 0 else {
            throw .invalidQuery("a start time is a whole minute, got \(planner.time.isoWithOffset(start))")
        }
        let value = Int64(seconds)
        guard value >= nowSeconds else { throw .inThePast(start: localISO(value)) }
        return value
    }

    /// The staff to try, in order: the one asked for; else the current one (reschedule), then
    /// everyone else who does the service in file order.
    func candidates(for service: Service, preferred: String?, current: String?) throws(BookingError) -> [StaffMember] {
        if let preferred { return [try staff(preferred, for: service)] }
        var all = clinic.staff(for: service)
        if let current, let index = all.firstIndex(where: { $0.id == current }) {
            all.insert(all.remove(at: index), at: 0)
        }
        return all
    }

    static func ownedActiveAppointment(_ db: Database, id: String, context: CallContext, now: Int64) throws -> AppointmentRecord {
        guard let appointment = try AppointmentRecord.fetchOne(db, key: id) else { throw BookingError.noSuchAppointment(id) }
        guard appointment.customerPhone == context.callerNumber else { throw BookingError.notYourAppointment(id) }
        guard appointment.isBooked, appointment.startUTC >= now else { throw BookingError.appointmentNotActive(id) }
        return appointment
    }

    static func releaseLiveHolds(_ db: Database, callSID: String) throws {
        try db.execute(sql: "UPDATE hold SET state = 'released' WHERE state = 'held' AND call_sid = ?", arguments: [callSID])
    }

    /// Checks and holds in one transaction, so two calls can never hold the same time.
    func placeHold(_ db: Database, kind: Proposal.Kind, context: CallContext, service: Service, candidates: [StaffMember], start: Int64, explicitStaff: Bool, moving: AppointmentRecord?) throws -> Proposal {
        let now = nowSeconds
        try Self.expireHolds(db, now: now)
        let occupied = Int64((service.durationMinutes + service.bufferMinutes) * 60)
        let busy = try Self.busy(db, staffIDs: candidates.map(\.id), from: start, to: start + occupied, now: now, exceptCall: context.callSID, ignoringAppointment: moving?.id)
        var firstProblem: String?
        var taken = false
        var chosen: StaffMember?
        for staff in candidates {
            if let problem = planner.hoursProblem(service: service, staff: staff, start: start) {
                firstProblem = firstProblem ?? problem
                continue
            }
            if busy.contains(where: { $0.staffID == staff.id }) { taken = true; continue }
            chosen = staff
            break
        }
        guard let staff = chosen else {
            if taken { throw BookingError.slotTaken(start: localISO(start)) }
            let reason = explicitStaff || candidates.count == 1 ? (firstProblem ?? "nobody works then") : "nobody who does \(service.id) works then"
            throw BookingError.slotUnavailable(start: localISO(start), reason: reason)
        }
        try Self.releaseLiveHolds(db, callSID: context.callSID)
        let hold = HoldRecord(
            id: try Self.nextID(db, "prop"), kind: kind, callSID: context.callSID, caller: context.callerNumber,
            callerName: context.callerName, appointmentID: moving?.id, serviceID: service.id, staffID: staff.id,
            startUTC: start, endUTC: start + Int64(service.durationMinutes * 60), busyUntilUTC: start + occupied,
            createdUTC: now, expiresUTC: now + Int64(clinic.holdSeconds), state: .held)
        try hold.insert(db)
        return proposal(from: hold, previousStart: moving?.startUTC)
    }

    func proposal(from hold: HoldRecord, previousStart: Int64?) -> Proposal {
        let start = Date(timeIntervalSince1970: TimeInterval(hold.startUTC))
        let (date, time) = planner.time.local(start)
        return Proposal(
            id: hold.id, kind: hold.kind, callSID: hold.callSID, caller: hold.caller,
            appointmentID: hold.appointmentID, serviceID: hold.serviceID, staffID: hold.staffID, start: start,
            end: Date(timeIntervalSince1970: TimeInterval(hold.endUTC)), date: date, time: time,
            previousStart: previousStart.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            expiresAt: Date(timeIntervalSince1970: TimeInterval(hold.expiresUTC)))
    }
}
