import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports

/// The calendar metrics of one call, from its commits and the calendar before and after.
enum CalendarChecks {
    /// Pairs of booked appointments on one staff member whose times overlap.
    static func doubleBookings(_ after: CalendarSnapshot) -> Int {
        let parser = ISO8601DateFormatter()
        let booked = after.appointments.filter { $0.status == .booked }.compactMap { e -> (staff: String, from: Date, to: Date)? in
            guard let from = parser.date(from: e.start), let to = parser.date(from: e.end) else { return nil }
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

    /// Appointments that changed though the scenario did not allow it: another customer's, or
    /// one it lists as `unchanged`.
    static func collateralChanges(_ scenario: Scenario, before: CalendarSnapshot, after: CalendarSnapshot) -> Int {
        before.appointments.filter { old in
            let new = after.appointments.first { $0.id == old.id }
            return new != old && (old.customer != scenario.callerNumber || scenario.expect.unchanged.contains(old.id))
        }.count
    }

    /// Every booking or reschedule committed the expected service, at the expected time or in
    /// the expected window (a cancellation moves no slot).
    static func slotCorrect(_ scenario: Scenario, events: [TraceEvent]) -> Bool {
        let moves = events.filter { $0.type == "commit" && $0["kind"]?.string != "cancellation" }
        return moves.allSatisfy { commit in
            let service = commit["service"]?.string ?? ""
            let start = String((commit["start"]?.string ?? "").prefix(16))
            return scenario.expect.appointments.contains { expected in
                guard expected.service == service else { return false }
                if let exact = expected.start { return start == exact }
                if let (from, to) = expected.startWithin { return start >= from && start <= to }
                return false
            }
        }
    }
}
