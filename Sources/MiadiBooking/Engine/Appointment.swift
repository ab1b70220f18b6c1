import Foundation
import MiadiLanguage

/// An appointment as the engine reports it.
public struct Appointment: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case booked, cancelled }

    public let id: String
    public let customer: String
    public let serviceID: String
    public let staffID: String
    public let start: Date
    /// End of the service (the buffer after it is not the caller's time).
    public let end: Date
    public let status: Status
    public let createdByCall: String
    public let changedByCall: String

    init(_ record: AppointmentRecord) {
        id = record.id
        customer = record.customerPhone
        serviceID = record.serviceID
        staffID = record.staffID
        start = Date(timeIntervalSince1970: TimeInterval(record.startUTC))
        end = Date(timeIntervalSince1970: TimeInterval(record.endUTC))
        status = record.status
        createdByCall = record.createdByCall
        changedByCall = record.changedByCall
    }
}

/// A free time for a service with a member of staff.
public struct Slot: Sendable, Equatable, Codable {
    public let serviceID: String
    public let staffID: String
    public let start: Date
    public let end: Date
    /// `2026-03-05T14:00` in the clinic's zone, for logs and tool results.
    public let localStart: String
}

/// What a query for free slots asks: a service, optionally a member of staff, a range of days
/// and optionally a clock window on each ("next Thursday afternoon" = one day, 12:00–18:00).
public struct SlotQuery: Sendable, Equatable {
    public var serviceID: String
    public var staffID: String?
    public var firstDay: CivilDate
    public var lastDay: CivilDate
    /// Earliest start (inclusive) on each day, clinic-local.
    public var earliest: ClockTime?
    /// Latest start (exclusive) on each day, clinic-local.
    public var latest: ClockTime?
    /// How many slots to return at most.
    public var limit: Int
    /// Offered starts are at least this far apart, so three offers are a real choice rather
    /// than 14:00, 14:15, 14:30.
    public var spacingMinutes: Int

    public init(serviceID: String, staffID: String? = nil, firstDay: CivilDate, lastDay: CivilDate, earliest: ClockTime? = nil, latest: ClockTime? = nil, limit: Int = 3, spacingMinutes: Int = 0) {
        self.serviceID = serviceID
        self.staffID = staffID
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.earliest = earliest
        self.latest = latest
        self.limit = limit
        self.spacingMinutes = spacingMinutes
    }
}
