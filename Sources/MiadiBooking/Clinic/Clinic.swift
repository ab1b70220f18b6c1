import Foundation
import MiadiLanguage

/// A clinic (or studio) whose calendar Miadi keeps: its zone, hours, services and staff.
///
/// Every rule here is in the clinic's local time; the store keeps instants in UTC and converts
/// through `ClinicTime`. A clinic is immutable once loaded: a change of hours is a new file.
public struct Clinic: Sendable, Equatable {
    public let id: String
    public let name: String
    public let timeZone: TimeZone
    public let phone: String
    /// The languages the clinic answers in; the first greets.
    public let languages: [LanguageCode]
    /// Offered start times fall on multiples of this many minutes past midnight.
    public let slotStepMinutes: Int
    /// How long a proposal holds its slot before it lapses, in seconds.
    public let holdSeconds: Int
    /// Opening hours per ISO weekday (1 = Monday … 7 = Sunday); the gaps between ranges are
    /// breaks. A weekday with no ranges is closed.
    public let openingHours: [Int: [TimeRange]]
    /// Days the whole clinic is shut: closures and public holidays.
    public let closures: [Closure]
    public let services: [Service]
    public let staff: [StaffMember]

    public init(
        id: String, name: String, timeZone: TimeZone, phone: String, languages: [LanguageCode],
        slotStepMinutes: Int = 15, holdSeconds: Int = 120, openingHours: [Int: [TimeRange]],
        closures: [Closure] = [], services: [Service], staff: [StaffMember]
    ) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.phone = phone
        self.languages = languages
        self.slotStepMinutes = slotStepMinutes
        self.holdSeconds = holdSeconds
        self.openingHours = openingHours
        self.closures = closures
        self.services = services
        self.staff = staff
    }

    public func service(_ id: String) -> Service? { services.first { $0.id == id } }
    public func staffMember(_ id: String) -> StaffMember? { staff.first { $0.id == id } }

    /// The closure covering `date`, if the clinic is shut that day.
    public func closure(on date: CivilDate) -> Closure? { closures.first { $0.date == date } }

    /// The staff who can perform `service`, in the clinic file's order.
    public func staff(for service: Service) -> [StaffMember] {
        staff.filter { service.staffIDs.contains($0.id) }
    }
}

/// `[from, to)` in local clock time, within one day.
public struct TimeRange: Sendable, Equatable, Codable, CustomStringConvertible {
    public let from: ClockTime
    public let to: ClockTime

    public init(from: ClockTime, to: ClockTime) {
        precondition(from < to, "TimeRange \(from)-\(to) is empty")
        self.from = from
        self.to = to
    }

    /// Parses `HH:MM-HH:MM`.
    public init?(text: String) {
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, let from = ClockTime(iso: ends[0]), let to = ClockTime(iso: ends[1]), from < to else {
            return nil
        }
        self.init(from: from, to: to)
    }

    public var description: String { "\(from)-\(to)" }

    /// The overlap of two ranges, if any.
    public func intersection(_ other: TimeRange) -> TimeRange? {
        let lower = max(from, other.from)
        let upper = min(to, other.to)
        return lower < upper ? TimeRange(from: lower, to: upper) : nil
    }
}

/// A service the clinic sells.
public struct Service: Sendable, Equatable {
    public let id: String
    /// How callers name it, per language; the first English name is the one read back when the
    /// call's language has none.
    public let names: [LanguageCode: [String]]
    public let durationMinutes: Int
    /// Time after the service the chair stays busy (cleaning up); it blocks the next booking but
    /// is not part of the appointment the caller is told.
    public let bufferMinutes: Int
    public let priceKES: Int
    /// Who may perform it, in the clinic file's order.
    public let staffIDs: [String]

    public init(id: String, names: [LanguageCode: [String]], durationMinutes: Int, bufferMinutes: Int = 0, priceKES: Int, staffIDs: [String]) {
        self.id = id
        self.names = names
        self.durationMinutes = durationMinutes
        self.bufferMinutes = bufferMinutes
        self.priceKES = priceKES
        self.staffIDs = staffIDs
    }

    /// The name to say in `language`.
    public func name(in language: LanguageCode) -> String {
        names[language]?.first ?? names[.en]?.first ?? id
    }
}

/// A member of staff with a weekly rota.
public struct StaffMember: Sendable, Equatable {
    public let id: String
    public let name: String
    /// Working hours per ISO weekday; a weekday without ranges is a day off.
    public let shifts: [Int: [TimeRange]]
    public let daysOff: Set<CivilDate>

    public init(id: String, name: String, shifts: [Int: [TimeRange]], daysOff: Set<CivilDate> = []) {
        self.id = id
        self.name = name
        self.shifts = shifts
        self.daysOff = daysOff
    }
}

/// A day the clinic is shut.
public struct Closure: Sendable, Equatable {
    public let date: CivilDate
    public let reason: String
    public let isPublicHoliday: Bool

    public init(date: CivilDate, reason: String, isPublicHoliday: Bool) {
        self.date = date
        self.reason = reason
        self.isPublicHoliday = isPublicHoliday
    }
}
