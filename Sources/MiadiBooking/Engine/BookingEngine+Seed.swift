import Foundation
import GRDB

/// An appointment that exists before a call (a scenario's `calendar:`).
public struct SeedAppointment: Sendable, Equatable {
    public let id: String
    public let customer: String
    public let customerName: String?
    public let serviceID: String
    public let staffID: String
    public let start: Date

    public init(id: String, customer: String, customerName: String? = nil, serviceID: String, staffID: String, start: Date) {
        self.id = id
        self.customer = customer
        self.customerName = customerName
        self.serviceID = serviceID
        self.staffID = staffID
        self.start = start
    }
}

extension BookingEngine {
    /// Puts `appointments` in the calendar in one transaction (all or none), audited as
    /// `seed` by `callSID`. They may lie outside opening hours (history happens) but must name
    /// real services and staff and must not overlap.
    public func seed(_ appointments: [SeedAppointment], callSID: String = "setup") async throws(BookingError) {
        var records: [AppointmentRecord] = []
        for seed in appointments {
            let service = try service(seed.serviceID)
            _ = try staff(seed.staffID, for: service)
            let start = Int64(seed.start.timeIntervalSince1970)
            let end = start + Int64(service.durationMinutes * 60)
            records.append(AppointmentRecord(
                id: seed.id, customerPhone: seed.customer, serviceID: service.id, staffID: seed.staffID, startUTC: start,
                endUTC: end, busyUntilUTC: end + Int64(service.bufferMinutes * 60), status: .booked,
                createdByCall: callSID, changedByCall: callSID))
        }
        let names = appointments.map(\.customerName)
        try await write { [self, records] db in
            let now = nowSeconds
            for (record, name) in zip(records, names) {
                guard try AppointmentRecord.exists(db, key: record.id) == false else {
                    throw BookingError.invalidQuery("appointment id \"\(record.id)\" is already in the calendar")
                }
                try Self.upsertCustomer(db, phone: record.customerPhone, name: name)
                do { try record.insert(db) } catch let error as DatabaseError where error.message?.contains(BookingSchema.overlapMessage) == true {
                    throw BookingError.slotTaken(start: localISO(record.startUTC) + " (\(record.id) overlaps another appointment of \(record.staffID))")
                }
                var audit = AuditRecord(seq: nil, atUTC: now, callSID: callSID, caller: record.customerPhone, action: .seed,
                                        appointmentID: record.id, proposalID: nil, beforeJSON: nil, afterJSON: try Self.json(record), evidenceJSON: nil)
                try audit.insert(db)
            }
        }
    }
}
