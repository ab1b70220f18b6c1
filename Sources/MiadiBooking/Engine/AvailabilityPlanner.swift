import Foundation
import MiadiLanguage

/// An interval a member of staff is not free: a booked appointment (service plus buffer) or
/// another call's live hold. Seconds since 1970 UTC, `[start, end)`.
struct BusyInterval: Sendable, Equatable {
    let staffID: String
    let start: Int64
    let end: Int64
}

/// The clinic's rules as pure functions: when a member of staff works on a day, and which
/// starts fit a service. No database and no clock: the engine passes both in, so every rule is
/// testable on its own.
struct AvailabilityPlanner: Sendable {
    let clinic: Clinic
    let time: ClinicTime

    init(clinic: Clinic) {
        self.clinic = clinic
        self.time = ClinicTime(zone: clinic.timeZone)
    }

    /// Why nobody works at the clinic on `date`, or nil if it opens.
    func closedReason(on date: CivilDate) -> String? {
        if let closure = clinic.closure(on: date) {
            return closure.isPublicHoliday ? "the clinic is closed for \(closure.reason)" : "the clinic is closed (\(closure.reason))"
        }
        if (clinic.openingHours[date.weekday] ?? []).isEmpty { return "the clinic is closed that day" }
        return nil
    }

    /// The local ranges `staff` works on `date`: opening hours ∩ shifts, minus closures and
    /// days off.
    func workingRanges(_ staff: StaffMember, on date: CivilDate) -> [TimeRange] {
        guard closedReason(on: date) == nil, !staff.daysOff.contains(date) else { return [] }
        let open = clinic.openingHours[date.weekday] ?? []
        let shifts = staff.shifts[date.weekday] ?? []
        var out: [TimeRange] = []
        for o in open { for s in shifts { if let r = o.intersection(s) { out.append(r) } } }
        return out.sorted { $0.from < $1.from }
    }

    /// Seconds `[start, end)` of a local range on `date`, in real time (a DST change inside the
    /// range makes it shorter or longer).
    func instants(of range: TimeRange, on date: CivilDate) -> (start: Int64, end: Int64) {
        (Int64(time.instantOrNext(date, range.from).timeIntervalSince1970), Int64(time.instantOrNext(date, range.to).timeIntervalSince1970))
    }

    /// Whether `[start, start + duration)` for `service` lies within `staff`'s working time;
    /// the reason if not.
    func hoursProblem(service: Service, staff: StaffMember, start: Int64) -> String? {
        let instant = Date(timeIntervalSince1970: TimeInterval(start))
        let (date, clock) = time.local(instant)
        if let closed = closedReason(on: date) { return closed }
        if staff.daysOff.contains(date) { return "\(staff.name) is off that day" }
        let ranges = workingRanges(staff, on: date)
        if ranges.isEmpty { return "\(staff.name) does not work that day" }
        let end = start + Int64(service.durationMinutes * 60)
        for range in ranges {
            let (from, to) = instants(of: range, on: date)
            if start >= from && end <= to { return nil }
        }
        let hours = ranges.map(\.description).joined(separator: ", ")
        return "\(staff.name) works \(hours) that day and \(service.durationMinutes) minutes from \(clock) do not fit"
    }

    /// Starts for `service` with `staff` on `date`, on the clinic's step, at or after
    /// `notBefore`, within `[earliest, latest)` local, that do not touch `busy`. Ascending.
    func freeStarts(service: Service, staff: StaffMember, on date: CivilDate, earliest: ClockTime?, latest: ClockTime?, notBefore: Int64, busy: [BusyInterval]) -> [Int64] {
        let duration = Int64(service.durationMinutes * 60)
        let occupied = duration + Int64(service.bufferMinutes * 60)
        let step = clinic.slotStepMinutes
        var out: [Int64] = []
        for range in workingRanges(staff, on: date) {
            let (_, rangeEnd) = instants(of: range, on: date)
            var minute = (range.from.minutesSinceMidnight + step - 1) / step * step
            while minute < range.to.minutesSinceMidnight {
                defer { minute += step }
                let clock = ClockTime(minutesSinceMidnight: minute)
                if let earliest, clock < earliest { continue }
                if let latest, clock >= latest { break }
                guard let instant = time.instant(date, clock) else { continue } // in a DST gap
                let start = Int64(instant.timeIntervalSince1970)
                guard start >= notBefore, start + duration <= rangeEnd else { continue }
                let clashes = busy.contains { $0.staffID == staff.id && $0.start < start + occupied && start < $0.end }
                if !clashes { out.append(start) }
            }
        }
        return out
    }
}
