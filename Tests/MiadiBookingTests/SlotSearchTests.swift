import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("Slot search")
struct SlotSearchTests {
    let thursday = CivilDate(year: 2026, month: 3, day: 5)

    func starts(_ slots: [Slot]) -> [String] { slots.map { "\($0.localStart) \($0.staffID)" } }

    @Test("next Thursday afternoon: the earliest free starts (a 45-minute cleaning fits before lunch), first free dentist in file order")
    func thursdayAfternoon() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let query = SlotQuery(serviceID: "cleaning", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 12), latest: ClockTime(hour: 18))
        let slots = try await engine.findSlots(query, for: BookingFixtures.amina)
        #expect(starts(slots) == ["2026-03-05T12:00 dr-wanjiru", "2026-03-05T12:15 dr-wanjiru", "2026-03-05T14:00 dr-wanjiru"])
        #expect(slots[0].end.timeIntervalSince(slots[0].start) == 45 * 60)
    }

    @Test("an existing booking (service + buffer) moves the offer to the next dentist")
    func bookedStaffSkipped() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let start = BookingFixtures.instant("2026-03-05T14:00:00+03:00")
        try await engine.seed([SeedAppointment(id: "other", customer: "+254711000001", serviceID: "cleaning", staffID: "dr-wanjiru", start: start)])
        let query = SlotQuery(serviceID: "cleaning", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 14), latest: ClockTime(hour: 15), limit: 6)
        let slots = try await engine.findSlots(query, for: BookingFixtures.amina)
        // dr-wanjiru is busy 14:00-15:00 (45 min + 15 buffer); dr-kamau takes 14:00-14:45.
        #expect(starts(slots) == ["2026-03-05T14:00 dr-kamau", "2026-03-05T14:15 dr-kamau", "2026-03-05T14:30 dr-kamau", "2026-03-05T14:45 dr-kamau"])
        let wanjiru = SlotQuery(serviceID: "cleaning", staffID: "dr-wanjiru", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 14), limit: 2)
        #expect(starts(try await engine.findSlots(wanjiru, for: BookingFixtures.amina)) == ["2026-03-05T15:00 dr-wanjiru", "2026-03-05T15:15 dr-wanjiru"])
    }

    @Test("lunch break, closing time and spacing shape the offers")
    func breaksAndSpacing() async throws {
        let (engine, _) = try BookingFixtures.engine()
        // A 60-minute filling must end by 13:00 and by 18:00.
        let query = SlotQuery(serviceID: "filling", staffID: "dr-kamau", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 11, minute: 30), limit: 50, spacingMinutes: 0)
        let all = try await engine.findSlots(query, for: BookingFixtures.amina).map(\.localStart)
        #expect(all.first == "2026-03-05T11:30")
        #expect(all.contains("2026-03-05T12:00"))
        #expect(!all.contains("2026-03-05T12:15"))
        #expect(!all.contains("2026-03-05T13:00"))
        #expect(all.contains("2026-03-05T14:00"))
        #expect(all.last == "2026-03-05T17:00")
        let spaced = SlotQuery(serviceID: "filling", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 14), limit: 3, spacingMinutes: 60)
        #expect(try await engine.findSlots(spaced, for: BookingFixtures.amina).map(\.localStart) == ["2026-03-05T14:00", "2026-03-05T15:00", "2026-03-05T16:00"])
    }

    @Test("closures, public holidays, days off and Sundays give nothing; the search moves on")
    func closedDays() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let closed = CivilDate(year: 2026, month: 3, day: 20) // staff training
        let holiday = CivilDate(year: 2026, month: 4, day: 3) // Good Friday
        let sunday = CivilDate(year: 2026, month: 3, day: 8)
        for day in [closed, holiday, sunday] {
            let q = SlotQuery(serviceID: "check-up", firstDay: day, lastDay: day)
            #expect(try await engine.findSlots(q, for: BookingFixtures.amina).isEmpty, "\(day)")
        }
        let dayOff = CivilDate(year: 2026, month: 3, day: 13) // dr-wanjiru off
        let q = SlotQuery(serviceID: "check-up", staffID: "dr-wanjiru", firstDay: dayOff, lastDay: dayOff.adding(days: 3))
        #expect(try await engine.findSlots(q, for: BookingFixtures.amina).first?.localStart == "2026-03-16T08:00")
    }

    @Test("nothing before now: this morning's past slots are not offered")
    func notInThePast() async throws {
        let (engine, _) = try BookingFixtures.engine() // Monday 09:15
        let today = CivilDate(year: 2026, month: 3, day: 2)
        let q = SlotQuery(serviceID: "check-up", firstDay: today, lastDay: today, limit: 1)
        #expect(try await engine.findSlots(q, for: BookingFixtures.amina).first?.localStart == "2026-03-02T09:15")
    }

    @Test("another call's live hold blocks a slot; this call's own hold does not; an expired one does not")
    func holdsBlock() async throws {
        let (engine, clock) = try BookingFixtures.engine()
        let start = BookingFixtures.instant("2026-03-05T14:00:00+03:00")
        _ = try await engine.proposeBooking(serviceID: "filling", start: start, staffID: "dr-kamau", for: BookingFixtures.baraka)
        let q = SlotQuery(serviceID: "filling", staffID: "dr-kamau", firstDay: thursday, lastDay: thursday, earliest: ClockTime(hour: 14), limit: 1)
        #expect(try await engine.findSlots(q, for: BookingFixtures.amina).first?.localStart == "2026-03-05T15:15")
        #expect(try await engine.findSlots(q, for: BookingFixtures.baraka).first?.localStart == "2026-03-05T14:00")
        clock.advance(seconds: 121)
        #expect(try await engine.findSlots(q, for: BookingFixtures.amina).first?.localStart == "2026-03-05T14:00")
    }

    @Test("bad queries are refused with a reason")
    func badQueries() async throws {
        let (engine, _) = try BookingFixtures.engine()
        await #expect(throws: BookingError.unknownService("whitening")) {
            try await engine.findSlots(SlotQuery(serviceID: "whitening", firstDay: thursday, lastDay: thursday), for: BookingFixtures.amina)
        }
        await #expect(throws: BookingError.staffDoesNotDoService(staff: "dr-wanjiru", service: "filling")) {
            try await engine.findSlots(SlotQuery(serviceID: "filling", staffID: "dr-wanjiru", firstDay: thursday, lastDay: thursday), for: BookingFixtures.amina)
        }
        await #expect(throws: BookingError.unknownStaff("dr-who")) {
            try await engine.findSlots(SlotQuery(serviceID: "filling", staffID: "dr-who", firstDay: thursday, lastDay: thursday), for: BookingFixtures.amina)
        }
        await #expect(throws: BookingError.self) {
            try await engine.findSlots(SlotQuery(serviceID: "filling", firstDay: thursday, lastDay: thursday.adding(days: -1)), for: BookingFixtures.amina)
        }
    }
}
