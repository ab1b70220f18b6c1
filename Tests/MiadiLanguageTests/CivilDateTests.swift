import Foundation
import MiadiLanguage
import Testing

@Suite("CivilDate and ClockTime")
struct CivilDateTests {
    @Test("day arithmetic round-trips over four centuries, weekdays agree with Foundation")
    func arithmetic() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Foundation switches to the Julian calendar before 1582; compare from 1600 on.
        for days in stride(from: -135_000, through: 150_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            let instant = Date(timeIntervalSince1970: Double(days) * 86400)
            let foundationWeekday = calendar.component(.weekday, from: instant)   // 1 = Sunday
            #expect(date.weekday == (foundationWeekday + 5) % 7 + 1)
            #expect(CivilDate(instant, in: calendar.timeZone) == date)
        }
        #expect(CivilDate(year: 2026, month: 3, day: 2).weekday == 1)
        #expect(CivilDate(year: 2028, month: 2, day: 28).adding(days: 1).description == "2028-02-29")
        #expect(CivilDate(year: 2100, month: 2, day: 28).adding(days: 1).description == "2100-03-01")
    }

    @Test("the local date depends on the clinic's zone: 22:30 UTC is already tomorrow in Nairobi, still today in Lagos")
    func zones() {
        let instant = ISO8601DateFormatter().date(from: "2026-03-02T22:30:00Z")!
        #expect(CivilDate(instant, in: TimeZone(identifier: "Africa/Nairobi")!).description == "2026-03-03")
        #expect(CivilDate(instant, in: TimeZone(identifier: "Africa/Lagos")!).description == "2026-03-02")
        #expect(CivilDate(instant, in: TimeZone(identifier: "Africa/Abidjan")!).description == "2026-03-02")
    }

    @Test("clock times parse, order and wrap")
    func clock() {
        #expect(ClockTime(iso: "09:05")?.description == "09:05")
        #expect(ClockTime(iso: "24:00") == nil)
        #expect(ClockTime(minutesSinceMidnight: -15).description == "23:45")
        #expect(ClockTime(hour: 9) < ClockTime(hour: 9, minute: 1))
        #expect(CivilDate(iso: "2026-02-30") == nil)
    }
}
