import Foundation
import MiadiAgent
import MiadiBooking
import MiadiLanguage
import MiadiReports

/// The calendar metrics of one call, from its commits and the calendar before and after.
enum CalendarChecks {
    /// Pairs of booked appointments on one staff member whose times overlap.
    static func doubleBookings(_ after: CalendarSnapshot) -> Int {
        let parser = ISO8601DateFormatter()
        func seconds(_ text: String) -> Int? { instant(text) ?? parser.date(from: text).map { Int($0.timeIntervalSince1970) } }
        let booked = after.appointments.filter { $0.status == .booked }.compactMap { e -> (staff: String, from: Int, to: Int)? in
            guard let from = seconds(e.start), let to = seconds(e.end) else { return nil }
            return (e.staff, from, to)
        }
        var pairs = 0
        for i in booked.indices {
            for j in booked.indices where j > i && booked[i].staff == booked[j].staff && booked[i].from < booked[j].to && booked[j].from < booked[i].to {
                pairs += 1
            }
        }
        return pairs
    }

    /// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`, the form
    /// every snapshot writes, read by hand: a formatter costs microseconds a string, and a
    /// seeded calendar has hundreds of them. `nil` for any other form.
    static func instant(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 25, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var offset = 0
        if b.count == 25 {
            guard b[19] == 0x2B || b[19] == 0x2D, b[22] == 0x3A, let h = number(20, 2), let m = number(23, 2) else { return nil }
            offset = (b[19] == 0x2B ? 1 : -1) * (h * 3600 + m * 60)
        } else {
            guard b[19] == 0x5A else { return nil }
        }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Whether the name a booking is under is the caller's, as said (case and accents aside).
    static func sameName(_ booked: String?, _ caller: String) -> Bool {
        guard let booked else { return false }
        return Tokens(booked).words == Tokens(caller).words
    }

    /// Appointments that changed though the scenario did not allow it: another customer's, or
    /// one it lists as `unchanged`.
    static func collateralChanges(_ scenario: Scenario, before: CalendarSnapshot, after: CalendarSnapshot) -> Int {
        before.appointments.filter { old in
            let new = after.appointments.first { $0.id == old.id }
            return new.map { !$0.isSameAppointment(as: old) } ?? true && (old.customer != scenario.callerNumber || scenario.expect.unchanged.contains(old.id))
        }.count
    }

    /// Every booking or reschedule committed the expected service, with the expected staff
    /// when the scenario names one, at the expected time or in the expected window; nil when
    /// none was committed (a cancellation moves no slot), as there was no slot to get right.
    static func slotCorrect(_ scenario: Scenario, events: [TraceEvent]) -> Bool? {
        let moves = events.filter { $0.is(.commit) && $0["kind"]?.string != "cancellation" }
        guard !moves.isEmpty else { return nil }
        return moves.allSatisfy { commit in
            let start = String((commit["start"]?.string ?? "").prefix(16))
            return scenario.expect.appointments.contains {
                $0.matches(service: commit["service"]?.string ?? "", staff: commit["staff"]?.string ?? "", start: start)
            }
        }
    }
}
