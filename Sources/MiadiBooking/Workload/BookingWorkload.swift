import Foundation
import MiadiLanguage

/// A deterministic stream of calendar changes through the engine's public operations, the
/// way calls make them: find a slot, propose, commit; every fifth change a reschedule and a
/// cancellation of earlier bookings. The benchmark times it and the crash test kills a process
/// in the middle of it.
public struct BookingWorkload: Sendable {
    public let engine: BookingEngine
    /// The first day searched; the search moves on as days fill up.
    public let firstDay: CivilDate
    /// How many days ahead to try before giving up.
    public let horizonDays: Int

    public init(engine: BookingEngine, firstDay: CivilDate, horizonDays: Int = 366) {
        self.engine = engine
        self.firstDay = firstDay
        self.horizonDays = horizonDays
    }

    /// The caller of operation `index`.
    public static func context(_ index: Int) -> CallContext {
        CallContext(callerNumber: "+2547" + String(format: "%08d", index), callSID: "load-\(index)", callerName: nil)
    }

    /// Runs up to `operations` commits (or until `lastDay` is full), calling `committed` after
    /// each one has returned. Returns how many were committed.
    @discardableResult
    public func run(operations: Int, lastDay: CivilDate? = nil, committed: (Int, CommitResult) -> Void = { _, _ in }) async throws(BookingError) -> Int {
        let services = engine.clinic.services
        var day = firstDay
        let end = lastDay ?? firstDay.adding(days: horizonDays)
        var booked: [(context: CallContext, appointment: Appointment)] = []
        var done = 0
        for index in 0..<operations {
            let context = Self.context(index)
            let result: CommitResult
            if index % 5 == 3, let last = booked.popLast() {
                // The same caller moves their appointment, on a new call.
                let mover = CallContext(callerNumber: last.context.callerNumber, callSID: context.callSID)
                guard let slot = try await nextSlot(service: last.appointment.serviceID, from: &day, until: end, for: mover) else { break }
                let proposal = try await engine.proposeReschedule(appointmentID: last.appointment.id, newStart: slot.start, staffID: slot.staffID, for: mover)
                result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "\(context.callSID)/\(proposal.id)", confirmation: Self.confirmation, for: mover)
                booked.append((mover, result.appointment))
            } else if index % 5 == 4, !booked.isEmpty {
                let first = booked.removeFirst()
                let canceller = CallContext(callerNumber: first.context.callerNumber, callSID: context.callSID)
                let proposal = try await engine.proposeCancellation(appointmentID: first.appointment.id, for: canceller)
                result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "\(context.callSID)/\(proposal.id)", confirmation: Self.confirmation, for: canceller)
            } else {
                let service = services[index % services.count]
                guard let slot = try await nextSlot(service: service.id, from: &day, until: end, for: context) else { break }
                let proposal = try await engine.proposeBooking(serviceID: service.id, start: slot.start, staffID: slot.staffID, for: context)
                result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "\(context.callSID)/\(proposal.id)", confirmation: Self.confirmation, for: context)
                booked.append((context, result.appointment))
            }
            done += 1
            committed(index, result)
        }
        return done
    }

    static let confirmation = Confirmation(readBack: "(load test read-back)", callerAnswer: "(load test yes)")

    /// The earliest free slot on `day` or later; days with none for this service are skipped
    /// for good only when no service fits them, so the cursor stays cheap.
    func nextSlot(service: String, from day: inout CivilDate, until end: CivilDate, for context: CallContext) async throws(BookingError) -> Slot? {
        var probe = day
        while probe <= end {
            let query = SlotQuery(serviceID: service, firstDay: probe, lastDay: probe, limit: 1)
            if let slot = try await engine.findSlots(query, for: context).first { return slot }
            if probe == day {
                // Move the shared cursor past a day only when even the shortest service is full.
                let shortest = engine.clinic.services.min { $0.durationMinutes < $1.durationMinutes }!.id
                let any = try await engine.findSlots(SlotQuery(serviceID: shortest, firstDay: probe, lastDay: probe, limit: 1), for: context)
                if any.isEmpty { day = probe.adding(days: 1) }
            }
            probe = probe.adding(days: 1)
        }
        return nil
    }
}
