import Foundation
import GRDB
import MiadiLanguage

/// One clinic's calendar: finds slots, holds proposals, commits them, and keeps an audit trail,
/// all in SQLite.
///
/// Every operation runs on behalf of a `CallContext` and in one transaction: a crash or a
/// dropped call leaves either the whole change or none of it. Callers are authorized by their
/// number here, not in the agent, so no conversation can reach another customer's data. "Now"
/// comes from the injected `BookingClock`.
public final class BookingEngine: Sendable {
    public let clinic: Clinic
    let planner: AvailabilityPlanner
    let writer: any DatabaseWriter
    /// The engine's "now".
    public let clock: any BookingClock

    /// An engine over `writer`, migrated to the current schema.
    public init(clinic: Clinic, database writer: any DatabaseWriter, clock: any BookingClock) throws(BookingError) {
        self.clinic = clinic
        self.planner = AvailabilityPlanner(clinic: clinic)
        self.writer = writer
        self.clock = clock
        do { try BookingSchema.migrator.migrate(writer) } catch {
            throw .storeFailed("cannot prepare the calendar schema: \(error)")
        }
    }

    /// A private in-memory calendar (the lab: one per scenario).
    public static func inMemory(clinic: Clinic, clock: any BookingClock) throws(BookingError) -> BookingEngine {
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(configuration: configuration()) } catch { throw .storeFailed("\(error)") }
        return try BookingEngine(clinic: clinic, database: queue, clock: clock)
    }

    /// A calendar in the SQLite file at `path`, in WAL mode with concurrent readers
    /// (`miadi serve`). The file is created if missing.
    public static func open(path: String, clinic: Clinic, clock: any BookingClock) throws(BookingError) -> BookingEngine {
        let pool: DatabasePool
        do { pool = try DatabasePool(path: path, configuration: configuration()) } catch {
            throw .storeFailed("cannot open \(path): \(error)")
        }
        return try BookingEngine(clinic: clinic, database: pool, clock: clock)
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Concurrent calls wait for the writer instead of failing with SQLITE_BUSY.
        config.busyMode = .timeout(10)
        return config
    }

    // MARK: Shared helpers

    var nowSeconds: Int64 { Int64(clock.now().timeIntervalSince1970.rounded(.down)) }

    func localISO(_ seconds: Int64) -> String {
        planner.time.localISO(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Runs `body` in one write transaction, mapping every failure to a `BookingError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(BookingError) -> T {
        do { return try await writer.write(body) } catch { throw Self.mapped(error) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(BookingError) -> T {
        do { return try await writer.read(body) } catch { throw Self.mapped(error) }
    }

    static func mapped(_ error: any Error) -> BookingError {
        if let booking = error as? BookingError { return booking }
        if let db = error as? DatabaseError, db.message?.contains(BookingSchema.overlapMessage) == true {
            return .slotTaken(start: "that time")
        }
        return .storeFailed("\(error)")
    }

    /// The next id in a named sequence (`apt-1`, `prop-1`), inside the caller's transaction, so
    /// ids follow commit order and never repeat.
    static func nextID(_ db: Database, _ name: String) throws -> String {
        try db.execute(sql: "INSERT INTO counter(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", arguments: [name])
        let value = try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [name]) ?? 1
        return "\(name)-\(value)"
    }

    /// Holds whose time is up become `expired`, so they neither block slots nor commit.
    static func expireHolds(_ db: Database, now: Int64) throws {
        try db.execute(sql: "UPDATE hold SET state = 'expired' WHERE state = 'held' AND expires_utc <= ?", arguments: [now])
    }

    /// What keeps `staffIDs` busy between `from` and `to`: booked appointments and other
    /// calls' live holds, leaving out `ignoringAppointment` (the one being moved).
    static func busy(_ db: Database, staffIDs: [String], from: Int64, to: Int64, now: Int64, exceptCall callSID: String, ignoringAppointment: String?) throws -> [BusyInterval] {
        var out: [BusyInterval] = []
        let placeholders = databaseQuestionMarks(count: staffIDs.count)
        var args: [any DatabaseValueConvertible] = staffIDs
        args += [to, from]
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, staff_id, start_utc, busy_until_utc FROM appointment
            WHERE status = 'booked' AND staff_id IN (\(placeholders)) AND start_utc < ? AND busy_until_utc > ?
            ORDER BY start_utc
            """, arguments: StatementArguments(args))
        for row in rows where (row["id"] as String) != ignoringAppointment {
            out.append(BusyInterval(staffID: row["staff_id"], start: row["start_utc"], end: row["busy_until_utc"]))
        }
        args += [now, callSID]
        let holds = try Row.fetchAll(db, sql: """
            SELECT staff_id, start_utc, busy_until_utc FROM hold
            WHERE state = 'held' AND kind <> 'cancellation' AND staff_id IN (\(placeholders)) AND start_utc < ? AND busy_until_utc > ?
              AND expires_utc > ? AND call_sid <> ?
            """, arguments: StatementArguments(args))
        for row in holds {
            out.append(BusyInterval(staffID: row["staff_id"], start: row["start_utc"], end: row["busy_until_utc"]))
        }
        return out
    }

    func service(_ id: String) throws(BookingError) -> Service {
        guard let service = clinic.service(id) else { throw .unknownService(id) }
        return service
    }

    func staff(_ id: String, for service: Service) throws(BookingError) -> StaffMember {
        guard let staff = clinic.staffMember(id) else { throw .unknownStaff(id) }
        guard service.staffIDs.contains(id) else { throw .staffDoesNotDoService(staff: id, service: service.id) }
        return staff
    }
}
