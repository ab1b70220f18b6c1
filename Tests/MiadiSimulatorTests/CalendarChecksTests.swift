import Foundation
import MiadiBooking
@testable import MiadiSimulator
import Testing

@Suite("Calendar metrics")
struct CalendarChecksTests {
    static func snapshot(_ entries: [(id: String, customer: String, staff: String, start: String, end: String, status: String)]) throws -> CalendarSnapshot {
        let list = entries.map { e in
            #"{"changed_by_call":"x","created_by_call":"x","customer":"\#(e.customer)","end":"\#(e.end)","id":"\#(e.id)","service":"check-up","staff":"\#(e.staff)","start":"\#(e.start)","status":"\#(e.status)"}"#
        }.joined(separator: ",")
        let json = #"{"appointments":[\#(list)],"clinic":"whitedent-nairobi","schema":"miadi.calendar/1","taken_at":"2026-03-02T10:00:00+03:00","time_zone":"Africa/Nairobi"}"#
        return try JSONDecoder().decode(CalendarSnapshot.self, from: Data(json.utf8))
    }

    @Test("overlaps on one staff member count once per pair; other staff, touching ends and cancelled ones do not")
    func doubleBookings() throws {
        let after = try Self.snapshot([
            ("a", "+1", "dr-kamau", "2026-03-03T09:00:00+03:00", "2026-03-03T09:40:00+03:00", "booked"),
            ("b", "+2", "dr-kamau", "2026-03-03T09:30:00+03:00", "2026-03-03T10:10:00+03:00", "booked"),
            ("c", "+3", "dr-kamau", "2026-03-03T10:10:00+03:00", "2026-03-03T10:50:00+03:00", "booked"),
            ("d", "+4", "dr-wanjiru", "2026-03-03T09:00:00+03:00", "2026-03-03T09:40:00+03:00", "booked"),
            ("e", "+5", "dr-kamau", "2026-03-03T09:00:00+03:00", "2026-03-03T09:40:00+03:00", "cancelled"),
        ])
        #expect(CalendarChecks.doubleBookings(after) == 1)
    }

    @Test("the race's calendar after: three dentists at nine, no overlap")
    func race() async throws {
        var options = SuiteRunner.Options()
        options.paths = [Fixtures.scenarios + "/race/last-nine-oclock-slot.yaml"]
        options.scenariosRoot = Fixtures.scenarios
        options.corpus = Fixtures.corpus
        options.output = Fixtures.scratch("race-facts")
        let verdicts = try await SuiteRunner(options: options).run().verdicts
        #expect(verdicts.map(\.calendar.doubleBookings) == [0, 0])
        #expect(verdicts.map(\.calendar.collateralChanges) == [0, 0], "each caller's new booking is not the other's collateral")
        #expect(verdicts.allSatisfy { $0.calendar.slotCorrect == true && $0.calendar.taskSuccess })
    }

    @Test("snapshot times are read by hand exactly as an ISO 8601 parser reads them; other forms are left to the parser")
    func instants() {
        let parser = ISO8601DateFormatter()
        for text in ["2026-03-03T09:00:00+03:00", "2026-10-25T01:30:00-05:30", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00+00:00", "2026-03-29T02:30:00+01:00"] {
            #expect(CalendarChecks.instant(text) == parser.date(from: text).map { Int($0.timeIntervalSince1970) }, "\(text)")
        }
        for text in ["2026-03-03 09:00:00+03:00", "2026-03-03T09:00+03:00", "2026-13-03T09:00:00Z", "2026-03-03T09:00:00+0300", "not a time"] {
            #expect(CalendarChecks.instant(text) == nil, "\(text)")
        }
    }
}
