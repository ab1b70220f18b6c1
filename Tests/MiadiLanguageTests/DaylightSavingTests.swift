import Foundation
import MiadiLanguage
import Testing

/// The clinics Miadi ships are in zones without DST (Nairobi, Lagos, Abidjan); a clinic in
/// Paris is not. "Today" and "tomorrow" must follow the clinic's wall clock across a change.
@Suite("Daylight saving traps")
struct DaylightSavingTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let nairobi = TimeZone(identifier: "Africa/Nairobi")!

    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// (instant in UTC, zone, local date there)
    static let cases: [(String, String, String)] = [
        // The spring-forward night in Paris: 01:30 UTC is 03:30 CEST on the 29th.
        ("2026-03-28T22:30:00Z", "Europe/Paris", "2026-03-28"), ("2026-03-28T23:30:00Z", "Europe/Paris", "2026-03-29"),
        ("2026-03-29T01:30:00Z", "Europe/Paris", "2026-03-29"), ("2026-03-29T21:59:00Z", "Europe/Paris", "2026-03-29"),
        ("2026-03-29T22:00:00Z", "Europe/Paris", "2026-03-30"),
        // Fall back: 22:30 UTC on the 25th October is 23:30 CET, not yet the 26th.
        ("2026-10-24T21:59:00Z", "Europe/Paris", "2026-10-24"), ("2026-10-24T22:00:00Z", "Europe/Paris", "2026-10-25"),
        ("2026-10-25T22:30:00Z", "Europe/Paris", "2026-10-25"), ("2026-10-25T23:00:00Z", "Europe/Paris", "2026-10-26"),
        // Nairobi is UTC+3 all year: the same instants, no jump.
        ("2026-03-28T20:59:00Z", "Africa/Nairobi", "2026-03-28"), ("2026-03-28T21:00:00Z", "Africa/Nairobi", "2026-03-29"),
        ("2026-10-25T21:00:00Z", "Africa/Nairobi", "2026-10-26"), ("2026-10-25T20:59:00Z", "Africa/Nairobi", "2026-10-25"),
    ]

    @Test("the local date of an instant follows the zone's rules", arguments: cases)
    func localDate(utc: String, zone: String, expected: String) {
        #expect(CivilDate(Self.instant(utc), in: TimeZone(identifier: zone)!).description == expected)
    }

    @Test("'tomorrow' said at 23:30 on the eve of a DST change is the next local day, in every language")
    func tomorrowAcrossTheChange() {
        // 23:30 local Paris on Saturday 28 March 2026 (CET, UTC+1) = 22:30 UTC.
        let today = CivilDate(Self.instant("2026-03-28T22:30:00Z"), in: Self.paris)
        #expect(today.description == "2026-03-28")
        #expect(EnglishPhrasebook().recogniseDate(in: "tomorrow morning", today: today)?.description == "2026-03-29")
        #expect(FrenchPhrasebook().recogniseDate(in: "demain matin", today: today)?.description == "2026-03-29")
        #expect(SwahiliPhrasebook().recogniseDate(in: "kesho asubuhi", today: today)?.description == "2026-03-29")
        // The same instant in Nairobi is already Sunday 01:30, so "tomorrow" is Monday.
        let nairobiToday = CivilDate(Self.instant("2026-03-28T22:30:00Z"), in: Self.nairobi)
        #expect(EnglishPhrasebook().recogniseDate(in: "tomorrow", today: nairobiToday)?.description == "2026-03-30")
    }

    @Test("'next Sunday' said on the Sunday of the change skips a week; the weekday is the clinic's")
    func nextSundayOnTheChange() {
        let today = CivilDate(Self.instant("2026-10-25T10:00:00Z"), in: Self.paris)
        #expect(today.weekday == 7)
        #expect(EnglishPhrasebook().recogniseDate(in: "next Sunday", today: today)?.description == "2026-11-01")
        #expect(FrenchPhrasebook().recogniseDate(in: "dimanche prochain", today: today)?.description == "2026-11-01")
    }
}
