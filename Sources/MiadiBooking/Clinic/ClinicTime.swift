import Foundation
import MiadiLanguage

/// Converts between instants (UTC, what the store keeps) and the clinic's local date and clock
/// time (what every rule and every caller uses), honestly across DST changes: a local time that
/// does not exist (the spring-forward gap) has no instant, and a day's ranges are measured in
/// real minutes.
public struct ClinicTime: Sendable {
    public let zone: TimeZone
    private let calendar: Calendar

    public init(zone: TimeZone) {
        self.zone = zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    /// The instant of `time` on `date` at the clinic, or nil when that local time is skipped by a
    /// DST change. In the repeated hour of a fall-back, the first occurrence.
    public func instant(_ date: CivilDate, _ time: ClockTime) -> Date? {
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute)
        guard let instant = calendar.date(from: components) else { return nil }
        let back = local(instant)
        return back.date == date && back.time == time ? instant : nil
    }

    /// The instant of the start of a range end such as 18:00 even when that exact minute is in a
    /// DST gap (then the first instant after it).
    func instantOrNext(_ date: CivilDate, _ time: ClockTime) -> Date {
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    /// The clinic-local date and time (to the minute) of an instant.
    public func local(_ instant: Date) -> (date: CivilDate, time: ClockTime) {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return (CivilDate(year: c.year!, month: c.month!, day: c.day!), ClockTime(hour: c.hour!, minute: c.minute!))
    }

    /// `2026-03-05T14:00`, the form scenarios and snapshots use for clinic-local times.
    public func localISO(_ instant: Date) -> String {
        let (date, time) = local(instant)
        return "\(date)T\(time)"
    }

    /// `2026-03-05T14:00:00+03:00`: local time with the offset in force at that instant.
    public func isoWithOffset(_ instant: Date) -> String {
        let c = calendar.dateComponents([.second], from: instant)
        let offset = zone.secondsFromGMT(for: instant)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) % 3600 / 60
        return localISO(instant) + String(format: ":%02d%@%02d:%02d", c.second ?? 0, sign, hours, minutes)
    }

    /// Parses `2026-03-05T14:00` as clinic-local time.
    public func parseLocal(_ text: String) -> Date? {
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = CivilDate(iso: parts[0]), let time = ClockTime(iso: parts[1]) else { return nil }
        return instant(date, time)
    }
}
