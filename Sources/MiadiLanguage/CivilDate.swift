import Foundation

/// A calendar date with no time zone ("5 March 2026" at the clinic), proleptic Gregorian.
///
/// Appointments are stored as UTC instants, but people speak in local dates; every rule about
/// "tomorrow" or "next Thursday" is computed on this type, after converting "now" into the
/// clinic's zone. Day arithmetic uses days since 1970-01-01 (no Foundation calendar, no DST
/// surprises).
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...CivilDate.daysIn(month: parts[1], year: parts[0])).contains(parts[2]) else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }

    /// The local date of an instant in a time zone.
    public init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let w = (daysSinceEpoch + 3) % 7   // 1970-01-01 was a Thursday (ISO 4)
        return (w < 0 ? w + 7 : w) + 1
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    /// The first date strictly after this one that falls on `weekday` (ISO).
    public func next(weekday target: Int) -> CivilDate {
        let delta = (target - weekday + 7) % 7
        return adding(days: delta == 0 ? 7 : delta)
    }

    /// This date if it falls on `weekday`, else the next one.
    public func onOrAfter(weekday target: Int) -> CivilDate {
        adding(days: (target - weekday + 7) % 7)
    }

    /// The nearest date on or after this one with the given day of the month (and month, when
    /// given): "the 12th" said on the 20th means next month's 12th.
    public func upcoming(day: Int, month: Int? = nil) -> CivilDate? {
        guard (1...31).contains(day) else { return nil }
        if let month {
            for y in [year, year + 1] where day <= CivilDate.daysIn(month: month, year: y) {
                let candidate = CivilDate(year: y, month: month, day: day)
                if candidate >= self { return candidate }
            }
            return nil
        }
        var y = year, m = self.month
        for _ in 0..<13 {
            if day <= CivilDate.daysIn(month: m, year: y) {
                let candidate = CivilDate(year: y, month: m, day: day)
                if candidate >= self { return candidate }
            }
            m += 1
            if m == 13 { m = 1; y += 1 }
        }
        return nil
    }
}
