import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("Propose, commit, release")
struct ProposeCommitTests {
    let twoPM = BookingFixtures.instant("2026-03-05T14:00:00+03:00")

    @Test("a booking: propose holds, commit books, audits and closes the hold")
    func booking() async throws {
        let (engine, clock) = try BookingFixtures.engine()
        let amina = BookingFixtures.amina
        let proposal = try await engine.proposeBooking(serviceID: "cleaning", start: twoPM, for: amina)
        #expect(proposal.kind == .booking)
        #expect(proposal.staffID == "dr-wanjiru")
        #expect(proposal.date == CivilDate(year: 2026, month: 3, day: 5))
        #expect(proposal.time == ClockTime(hour: 14))
        #expect(proposal.expiresAt == clock.now().addingTimeInterval(120))
        #expect(try await engine.allAppointments().isEmpty, "a proposal changes nothing")

        clock.advance(seconds: 30)
        let result = try await engine.commit(proposalID: proposal.id, idempotencyKey: "tool-1", confirmation: BookingFixtures.confirmation, for: amina)
        #expect(!result.replayed)
        #expect(result.appointment.customer == amina.callerNumber)
        #expect(result.appointment.start == twoPM)
        #expect(result.appointment.end == twoPM.addingTimeInterval(45 * 60))
        #expect(result.appointment.createdByCall == "CA-amina")
        #expect(try await engine.upcomingAppointments(for: amina).map(\.id) == [result.appointment.id])

        let audit = try await engine.auditTrail()
        #expect(audit.count == 1)
        #expect(audit[0].action == .book)
        #expect(audit[0].callSID == "CA-amina")
        #expect(audit[0].caller == amina.callerNumber)
        #expect(audit[0].before == nil)
        #expect(audit[0].after.contains("\"start_utc\":\(Int(twoPM.timeIntervalSince1970))"))
        #expect(audit[0].evidence?.contains("yes please") == true)

        await #expect(throws: BookingError.proposalAlreadyCommitted(proposal.id)) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "tool-2", confirmation: BookingFixtures.confirmation, for: amina)
        }
    }

    @Test("a retried commit with the same idempotency key commits once")
    func idempotent() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let amina = BookingFixtures.amina
        let proposal = try await engine.proposeBooking(serviceID: "cleaning", start: twoPM, for: amina)
        let first = try await engine.commit(proposalID: proposal.id, idempotencyKey: "call-1/confirm", confirmation: BookingFixtures.confirmation, for: amina)
        let again = try await engine.commit(proposalID: proposal.id, idempotencyKey: "call-1/confirm", confirmation: BookingFixtures.confirmation, for: amina)
        #expect(again.replayed)
        #expect(again.appointment == first.appointment)
        #expect(try await engine.allAppointments().count == 1)
        #expect(try await engine.auditTrail().count == 1)
        // The same key for another proposal is a bug in the caller, not a silent replay.
        let second = try await engine.proposeBooking(serviceID: "check-up", start: twoPM.addingTimeInterval(7200), for: amina)
        await #expect(throws: BookingError.idempotencyKeyReused("call-1/confirm")) {
            try await engine.commit(proposalID: second.id, idempotencyKey: "call-1/confirm", confirmation: BookingFixtures.confirmation, for: amina)
        }
    }

    @Test("a hold lapses on the injected clock: commit is refused and the slot is free again")
    func holdExpiry() async throws {
        let (engine, clock) = try BookingFixtures.engine()
        let proposal = try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.amina)
        clock.advance(seconds: 119)
        await #expect(throws: BookingError.slotTaken(start: "2026-03-05T14:00")) {
            try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.baraka)
        }
        clock.advance(seconds: 1)
        await #expect(throws: BookingError.proposalExpired(proposal.id)) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.amina)
        }
        let other = try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.baraka)
        #expect(other.staffID == "dr-kamau")
        #expect(try await engine.allAppointments().isEmpty)
    }

    @Test("release frees the slot; a released proposal cannot be committed")
    func release() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let proposal = try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.amina)
        try await engine.release(proposalID: proposal.id, for: BookingFixtures.amina)
        await #expect(throws: BookingError.proposalReleased(proposal.id)) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.amina)
        }
        _ = try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.baraka)
    }

    @Test("a new proposal on the same call replaces the earlier one")
    func oneLiveProposalPerCall() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let first = try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-kamau", for: BookingFixtures.amina)
        _ = try await engine.proposeBooking(serviceID: "filling", start: twoPM.addingTimeInterval(3600), staffID: "dr-kamau", for: BookingFixtures.amina)
        await #expect(throws: BookingError.proposalReleased(first.id)) {
            try await engine.commit(proposalID: first.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.amina)
        }
    }

    @Test("every refusal of a proposal names its reason")
    func proposalRefusals() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let amina = BookingFixtures.amina
        func at(_ text: String) -> Date { BookingFixtures.instant(text) }
        await #expect(throws: BookingError.inThePast(start: "2026-03-02T09:00")) {
            try await engine.proposeBooking(serviceID: "check-up", start: at("2026-03-02T09:00:00+03:00"), for: amina)
        }
        await #expect(throws: BookingError.slotUnavailable(start: "2026-03-08T10:00", reason: "the clinic is closed that day")) {
            try await engine.proposeBooking(serviceID: "check-up", start: at("2026-03-08T10:00:00+03:00"), staffID: "dr-kamau", for: amina)
        }
        await #expect(throws: BookingError.slotUnavailable(start: "2026-04-03T10:00", reason: "the clinic is closed for Good Friday")) {
            try await engine.proposeBooking(serviceID: "check-up", start: at("2026-04-03T10:00:00+03:00"), staffID: "dr-kamau", for: amina)
        }
        await #expect(throws: BookingError.slotUnavailable(start: "2026-03-05T12:30", reason: "Dr Kamau works 08:00-13:00, 14:00-18:00 that day and 60 minutes from 12:30 do not fit")) {
            try await engine.proposeBooking(serviceID: "filling", start: at("2026-03-05T12:30:00+03:00"), staffID: "dr-kamau", for: amina)
        }
        await #expect(throws: BookingError.slotUnavailable(start: "2026-03-05T10:00", reason: "Dr Achieng works 14:00-18:00 that day and 60 minutes from 10:00 do not fit")) {
            try await engine.proposeBooking(serviceID: "filling", start: at("2026-03-05T10:00:00+03:00"), staffID: "dr-achieng", for: amina)
        }
        await #expect(throws: BookingError.slotUnavailable(start: "2026-03-07T10:00", reason: "nobody who does extraction works then")) {
            try await engine.proposeBooking(serviceID: "extraction", start: at("2026-03-07T10:00:00+03:00"), for: amina)
        }
        await #expect(throws: BookingError.staffDoesNotDoService(staff: "dr-wanjiru", service: "filling")) {
            try await engine.proposeBooking(serviceID: "filling", start: twoPM, staffID: "dr-wanjiru", for: amina)
        }
        await #expect(throws: BookingError.self) {
            try await engine.proposeBooking(serviceID: "filling", start: twoPM.addingTimeInterval(30), for: amina)
        }
        try await engine.seed([
            SeedAppointment(id: "k1", customer: "+254700000001", serviceID: "filling", staffID: "dr-kamau", start: twoPM),
            SeedAppointment(id: "a1", customer: "+254700000002", serviceID: "filling", staffID: "dr-achieng", start: twoPM),
        ])
        await #expect(throws: BookingError.slotTaken(start: "2026-03-05T14:00")) {
            try await engine.proposeBooking(serviceID: "filling", start: twoPM, for: amina)
        }
    }

    @Test("a commit needs both a read-back and the caller's answer")
    func confirmationRequired() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let proposal = try await engine.proposeBooking(serviceID: "cleaning", start: twoPM, for: BookingFixtures.amina)
        await #expect(throws: BookingError.confirmationMissing("no read-back of the proposal was given")) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: Confirmation(readBack: " ", callerAnswer: "yes"), for: BookingFixtures.amina)
        }
        await #expect(throws: BookingError.confirmationMissing("the caller's answer was not given")) {
            try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: Confirmation(readBack: "Thursday at two", callerAnswer: ""), for: BookingFixtures.amina)
        }
        await #expect(throws: BookingError.noSuchProposal("prop-99")) {
            try await engine.commit(proposalID: "prop-99", idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.amina)
        }
        #expect(try await engine.allAppointments().isEmpty)
    }
}
