import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

/// A clinic in a zone with DST (Paris) against one without (Nairobi): instants stored in UTC,
/// rules evaluated on the local wall clock.
@Suite("Clinic time and DST")
struct ClinicTimeTests {
    static let parisClinic = """
        id: nuit-paris
        name: Cabinet de Nuit
        time_zone: Europe/Paris
        phone: "+33100000000"
        languages: [fr]
        slot_step_minutes: 30
        opening_hours:
          sun: ["01:00-05:00"]
          mon: ["09:00-12:00"]
          fri: ["09:00-12:00"]
        services:
          - id: consultation
            names: {fr: [consultation]}
            duration_minutes: 30
            price_kes: 1000
            staff: [dr-martin]
        staff:
          - id: dr-martin
            name: Dr Martin
            shifts:
              sun: ["01:00-05:00"]
              mon: ["09:00-12:00"]
              fri: ["09:00-12:00"]
        """

    func engine(now: String) throws -> BookingEngine {
        let clinic = try ClinicFile.parse(text: Self.parisClinic, file: "nuit-paris.yaml")
        return try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(BookingFixtures.instant(now)))
    }

    @Test("spring forward: 02:00 and 02:30 do not exist on 29 March in Paris, and 01:00-05:00 is three real hours")
    func springForward() async throws {
        let engine = try engine(now: "2026-03-27T12:00:00+01:00")
        let sunday = CivilDate(year: 2026, month: 3, day: 29)
        let slots = try await engine.findSlots(SlotQuery(serviceID: "consultation", firstDay: sunday, lastDay: sunday, limit: 20), for: BookingFixtures.amina)
        #expect(slots.map(\.localStart) == ["2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T03:00", "2026-03-29T03:30", "2026-03-29T04:00", "2026-03-29T04:30"])
        #expect(slots.first?.start == BookingFixtures.instant("2026-03-29T00:00:00Z"))
        #expect(slots[2].start == BookingFixtures.instant("2026-03-29T01:00:00Z"))
    }

    @Test("the same local 09:00 is 08:00 UTC before the change and 07:00 UTC after; in Nairobi it is always 06:00 UTC")
    func utcStorage() throws {
        let paris = ClinicTime(zone: TimeZone(identifier: "Europe/Paris")!)
        let nairobi = ClinicTime(zone: TimeZone(identifier: "Africa/Nairobi")!)
        let nine = ClockTime(hour: 9)
        #expect(paris.instant(CivilDate(year: 2026, month: 3, day: 27), nine) == BookingFixtures.instant("2026-03-27T08:00:00Z"))
        #expect(paris.instant(CivilDate(year: 2026, month: 3, day: 30), nine) == BookingFixtures.instant("2026-03-30T07:00:00Z"))
        #expect(nairobi.instant(CivilDate(year: 2026, month: 3, day: 27), nine) == BookingFixtures.instant("2026-03-27T06:00:00Z"))
        #expect(nairobi.instant(CivilDate(year: 2026, month: 3, day: 30), nine) == BookingFixtures.instant("2026-03-30T06:00:00Z"))
        #expect(paris.instant(CivilDate(year: 2026, month: 3, day: 29), ClockTime(hour: 2, minute: 30)) == nil)
        #expect(paris.isoWithOffset(BookingFixtures.instant("2026-03-30T07:00:00Z")) == "2026-03-30T09:00:00+02:00")
        #expect(nairobi.isoWithOffset(BookingFixtures.instant("2026-03-30T06:00:00Z")) == "2026-03-30T09:00:00+03:00")
    }

    @Test("a booking at 09:00 the Monday after the change is stored at 07:00 UTC and read back as 09:00")
    func bookingAcrossTheChange() async throws {
        let engine = try engine(now: "2026-03-27T12:00:00+01:00")
        let monday = CivilDate(year: 2026, month: 3, day: 30)
        let slot = try #require(try await engine.findSlots(SlotQuery(serviceID: "consultation", firstDay: monday, lastDay: monday, limit: 1), for: BookingFixtures.amina).first)
        #expect(slot.start == BookingFixtures.instant("2026-03-30T07:00:00Z"))
        let proposal = try await engine.proposeBooking(serviceID: "consultation", start: slot.start, for: BookingFixtures.amina)
        #expect(proposal.date == monday)
        #expect(proposal.time == ClockTime(hour: 9))
        _ = try await engine.commit(proposalID: proposal.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.amina)
        #expect(try await engine.snapshot().appointments.first?.start == "2026-03-30T09:00:00+02:00")
    }

    @Test("fall back: the repeated hour on 25 October still yields one slot per local time, in order")
    func fallBack() async throws {
        let engine = try engine(now: "2026-10-23T12:00:00+02:00")
        let sunday = CivilDate(year: 2026, month: 10, day: 25)
        let slots = try await engine.findSlots(SlotQuery(serviceID: "consultation", firstDay: sunday, lastDay: sunday, limit: 20), for: BookingFixtures.amina)
        #expect(slots.map(\.localStart) == ["2026-10-25T01:00", "2026-10-25T01:30", "2026-10-25T02:00", "2026-10-25T02:30", "2026-10-25T03:00", "2026-10-25T03:30", "2026-10-25T04:00", "2026-10-25T04:30"])
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.start < $1.start })
    }
}
