import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("Caller authorization")
struct AuthorizationTests {
    let cleaning = BookingFixtures.instant("2026-03-04T10:00:00+03:00")
    let neighbour = BookingFixtures.instant("2026-03-03T09:00:00+03:00")

    func seeded() async throws -> (BookingEngine, ManualClock) {
        let (engine, clock) = try BookingFixtures.engine(now: BookingFixtures.instant("2026-03-02T11:05:00+03:00"))
        try await engine.seed([
            SeedAppointment(id: "my-cleaning", customer: BookingFixtures.baraka.callerNumber, serviceID: "cleaning", staffID: "dr-kamau", start: cleaning),
            SeedAppointment(id: "neighbours-checkup", customer: "+254788000071", serviceID: "check-up", staffID: "dr-wanjiru", start: neighbour),
        ])
        return (engine, clock)
    }

    @Test("a caller lists only their own upcoming appointments")
    func listsOwn() async throws {
        let (engine, _) = try await seeded()
        #expect(try await engine.upcomingAppointments(for: BookingFixtures.baraka).map(\.id) == ["my-cleaning"])
        #expect(try await engine.upcomingAppointments(for: BookingFixtures.amina).isEmpty)
    }

    @Test("moving or cancelling another number's appointment is refused, whatever the call says")
    func refusesOthers() async throws {
        let (engine, _) = try await seeded()
        let before = try await engine.snapshot().jsonData()
        // Amina's call names the neighbour's appointment id and even the neighbour's name.
        var impostor = BookingFixtures.amina
        impostor.callerName = "the neighbour"
        await #expect(throws: BookingError.notYourAppointment("neighbours-checkup")) {
            try await engine.proposeCancellation(appointmentID: "neighbours-checkup", for: impostor)
        }
        await #expect(throws: BookingError.notYourAppointment("neighbours-checkup")) {
            try await engine.proposeReschedule(appointmentID: "neighbours-checkup", newStart: self.cleaning.addingTimeInterval(86_400), for: impostor)
        }
        await #expect(throws: BookingError.noSuchAppointment("apt-404")) {
            try await engine.proposeCancellation(appointmentID: "apt-404", for: impostor)
        }
        #expect(try await engine.snapshot().jsonData() == before)
    }

    @Test("a proposal belongs to its call: another call (even the same number) cannot commit or release it")
    func proposalsBelongToTheirCall() async throws {
        let (engine, _) = try await seeded()
        let proposal = try await engine.proposeCancellation(appointmentID: "my-cleaning", for: BookingFixtures.baraka)
        let otherCall = CallContext(callerNumber: BookingFixtures.baraka.callerNumber, callSID: "CA-later")
        await #expect(throws: BookingError.proposalOfAnotherCall(proposal.id)) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: otherCall)
        }
        await #expect(throws: BookingError.proposalOfAnotherCall(proposal.id)) {
            try await engine.release(proposalID: proposal.id, for: BookingFixtures.amina)
        }
        #expect(try await engine.upcomingAppointments(for: BookingFixtures.baraka).count == 1)
    }

    @Test("reschedule own appointment: same dentist, audit keeps before and after")
    func reschedule() async throws {
        let (engine, _) = try await seeded()
        let friday = BookingFixtures.instant("2026-03-06T16:00:00+03:00")
        let proposal = try await engine.proposeReschedule(appointmentID: "my-cleaning", newStart: friday, for: BookingFixtures.baraka)
        #expect(proposal.kind == .reschedule)
        #expect(proposal.staffID == "dr-kamau")
        #expect(proposal.previousStart == cleaning)
        let result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "r1", confirmation: BookingFixtures.confirmation, for: BookingFixtures.baraka)
        #expect(result.appointment.id == "my-cleaning")
        #expect(result.appointment.start == friday)
        #expect(result.appointment.changedByCall == "CA-baraka")
        let audit = try await engine.auditTrail().last
        #expect(audit?.action == .reschedule)
        #expect(audit?.before?.contains("\"start_utc\":\(Int(cleaning.timeIntervalSince1970))") == true)
        #expect(audit?.after.contains("\"start_utc\":\(Int(friday.timeIntervalSince1970))") == true)
    }

    @Test("moving an appointment by 15 minutes may overlap its own old time")
    func rescheduleOverlappingItself() async throws {
        let (engine, _) = try await seeded()
        let proposal = try await engine.proposeReschedule(appointmentID: "my-cleaning", newStart: cleaning.addingTimeInterval(900), staffID: "dr-kamau", for: BookingFixtures.baraka)
        let result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "r", confirmation: BookingFixtures.confirmation, for: BookingFixtures.baraka)
        #expect(result.appointment.start == cleaning.addingTimeInterval(900))
    }

    @Test("cancel own appointment; a cancelled one cannot be cancelled or moved again")
    func cancel() async throws {
        let (engine, _) = try await seeded()
        let proposal = try await engine.proposeCancellation(appointmentID: "my-cleaning", for: BookingFixtures.baraka)
        #expect(proposal.start == cleaning)
        let result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "c1", confirmation: BookingFixtures.confirmation, for: BookingFixtures.baraka)
        #expect(result.appointment.status == .cancelled)
        #expect(try await engine.upcomingAppointments(for: BookingFixtures.baraka).isEmpty)
        await #expect(throws: BookingError.appointmentNotActive("my-cleaning")) {
            try await engine.proposeCancellation(appointmentID: "my-cleaning", for: BookingFixtures.baraka)
        }
        // The freed time can be booked by someone else.
        _ = try await engine.proposeBooking(serviceID: "cleaning", start: cleaning, staffID: "dr-kamau", for: BookingFixtures.amina)
    }

    @Test("an appointment that has started is no longer movable")
    func pastAppointment() async throws {
        let (engine, clock) = try await seeded()
        clock.set(BookingFixtures.instant("2026-03-04T10:01:00+03:00"))
        await #expect(throws: BookingError.appointmentNotActive("my-cleaning")) {
            try await engine.proposeCancellation(appointmentID: "my-cleaning", for: BookingFixtures.baraka)
        }
    }
}
