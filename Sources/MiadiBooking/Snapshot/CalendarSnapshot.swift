import Foundation
import MiadiJSON

/// The calendar at one instant, in a stable form: appointments sorted by start, staff and id;
/// keys sorted; times in the clinic's local time with their offset. Scoring compares the
/// snapshot before a call with the one after, and equal calendars give equal bytes.
public struct CalendarSnapshot: Codable, Equatable, Sendable {
    public static let schemaName = "miadi.calendar/1"

    public struct Entry: Codable, Equatable, Sendable {
        public let id: String
        public let customer: String
        /// The name the customer gave (absent when none was): a garbled name is caught here.
        public let customerName: String?
        public let service: String
        public let staff: String
        /// `2026-03-05T14:00:00+03:00`
        public let start: String
        public let end: String
        public let status: Appointment.Status
        public let createdByCall: String
        public let changedByCall: String

        enum CodingKeys: String, CodingKey {
            case id, customer, service, staff, start, end, status
            case customerName = "customer_name"
            case createdByCall = "created_by_call"
            case changedByCall = "changed_by_call"
        }
    }

    public let schema: String
    public let clinic: String
    public let timeZone: String
    /// When it was taken, by the engine's clock.
    public let takenAt: String
    public let appointments: [Entry]

    enum CodingKeys: String, CodingKey {
        case schema, clinic, appointments
        case timeZone = "time_zone"
        case takenAt = "taken_at"
    }

    /// The snapshot as pretty, key-sorted JSON ending in a newline.
    public func jsonData() -> Data {
        let encoder = JSONCoding.encoder(.document)
        // Encoding plain strings and arrays cannot fail.
        var data = (try? encoder.encode(self)) ?? Data()
        data.append(0x0A)
        return data
    }

    /// Reads a snapshot file (written by the lab or `miadi serve`).
    public static func load(path: String) throws(BookingError) -> CalendarSnapshot {
        let snapshot: CalendarSnapshot
        do { snapshot = try JSONCoding.decoder().decode(CalendarSnapshot.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .storeFailed("cannot read calendar snapshot \(path): \(error)")
        }
        guard snapshot.schema == schemaName else {
            throw .storeFailed("\(path): schema \"\(snapshot.schema)\" is not \(schemaName)")
        }
        return snapshot
    }
}

extension CalendarSnapshot.Entry {
    /// The same appointment — slot, service, staff, status — whatever the customer's name: a
    /// name belongs to the customer, so renaming them is no change to their other bookings.
    public func isSameAppointment(as other: Self) -> Bool {
        id == other.id && customer == other.customer && service == other.service && staff == other.staff && start == other.start && end == other.end && status == other.status
    }
}

extension BookingEngine {
    /// The whole calendar now.
    public func snapshot() async throws(BookingError) -> CalendarSnapshot {
        let appointments = try await allAppointments()
        let names = try await customerNames()
        let time = planner.time
        return CalendarSnapshot(
            schema: CalendarSnapshot.schemaName, clinic: clinic.id, timeZone: clinic.timeZone.identifier,
            takenAt: time.isoWithOffset(clock.now()),
            appointments: appointments.map {
                CalendarSnapshot.Entry(
                    id: $0.id, customer: $0.customer, customerName: names[$0.customer], service: $0.serviceID, staff: $0.staffID,
                    start: time.isoWithOffset($0.start), end: time.isoWithOffset($0.end), status: $0.status,
                    createdByCall: $0.createdByCall, changedByCall: $0.changedByCall)
            })
    }
}
