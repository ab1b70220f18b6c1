import Foundation
import GRDB
import MiadiBooking
import MiadiLanguage
import Testing

/// Overlapping pairs of booked appointments on one member of staff (service plus buffer).
func overlappingPairs(_ db: Database) throws -> Int {
    try Int.fetchOne(db, sql: """
        SELECT COUNT(*) FROM appointment a JOIN appointment b
          ON a.staff_id = b.staff_id AND a.id < b.id
         AND a.start_utc < b.busy_until_utc AND b.start_utc < a.busy_until_utc
        WHERE a.status = 'booked' AND b.status = 'booked'
        """) ?? -1
}

@Suite("Calendar integrity")
struct IntegrityTests {
    @Test("SQLite itself refuses an overlapping appointment, on insert and on update")
    func triggerRefusesOverlap() async throws {
        let queue = try DatabaseQueue()
        let engine = try BookingEngine(clinic: BookingFixtures.clinic(), database: queue, clock: ManualClock(BookingFixtures.monday))
        let start = BookingFixtures.instant("2026-03-05T14:00:00+03:00")
        try await engine.seed([SeedAppointment(id: "a", customer: "+254700000001", serviceID: "cleaning", staffID: "dr-kamau", start: start)])
        let t = Int64(start.timeIntervalSince1970)
        // Bypassing the engine entirely: 14:45 falls in a's 15-minute buffer.
        await #expect(throws: DatabaseError.self) {
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO customer(phone) VALUES ('+1')")
                try db.execute(sql: """
                    INSERT INTO appointment VALUES ('b', '+1', 'check-up', 'dr-kamau', ?, ?, ?, 'booked', 'x', 'x')
                    """, arguments: [t + 2700, t + 4500, t + 5100])
            }
        }
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO customer(phone) VALUES ('+2')")
            try db.execute(sql: "INSERT INTO appointment VALUES ('c', '+2', 'check-up', 'dr-kamau', ?, ?, ?, 'booked', 'x', 'x')", arguments: [t + 3600, t + 5400, t + 6000])
        }
        await #expect(throws: DatabaseError.self) {
            try await queue.write { db in try db.execute(sql: "UPDATE appointment SET start_utc = start_utc - 900 WHERE id = 'c'") }
        }
        // A cancelled appointment no longer blocks.
        try await queue.write { db in
            try db.execute(sql: "UPDATE appointment SET status = 'cancelled' WHERE id = 'a'")
            try db.execute(sql: "UPDATE appointment SET start_utc = start_utc - 900 WHERE id = 'c'")
        }
        let overlaps = try await queue.read(overlappingPairs)
        #expect(overlaps == 0)
    }

    @Test("a seed that overlaps is refused whole and changes nothing")
    func seedAllOrNothing() async throws {
        let (engine, _) = try BookingFixtures.engine()
        let start = BookingFixtures.instant("2026-03-05T14:00:00+03:00")
        await #expect(throws: BookingError.self) {
            try await engine.seed([
                SeedAppointment(id: "x", customer: "+254700000001", serviceID: "cleaning", staffID: "dr-kamau", start: start),
                SeedAppointment(id: "y", customer: "+254700000002", serviceID: "cleaning", staffID: "dr-kamau", start: start.addingTimeInterval(1800)),
            ])
        }
        #expect(try await engine.allAppointments().isEmpty)
        #expect(try await engine.auditTrail().isEmpty)
    }

    @Test("200 concurrent calls racing for 10 slots: exactly 10 bookings, no overlap")
    func race() async throws {
        let folder = BookingFixtures.scratch("race")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let engine = try BookingEngine.open(path: folder + "/calendar.sqlite", clinic: BookingFixtures.clinic(), clock: ManualClock(BookingFixtures.monday))
        // Ten check-ups (30 minutes + 10 buffer) with Dr Kamau on Thursday, 45 minutes apart:
        // 08:00 … 12:30 before lunch, 14:00, 14:45, 15:30 after.
        let base = BookingFixtures.instant("2026-03-05T08:00:00+03:00")
        let slots = (0..<10).map { i -> Date in
            let minutes = i < 7 ? i * 45 : 360 + (i - 7) * 45
            return base.addingTimeInterval(Double(minutes * 60))
        }
        let outcomes = await withTaskGroup(of: String.self, returning: [String].self) { group in
            for task in 0..<200 {
                group.addTask {
                    let context = CallContext(callerNumber: "+2547" + String(format: "%08d", task), callSID: "race-\(task)")
                    do {
                        let proposal = try await engine.proposeBooking(serviceID: "check-up", start: slots[task % 10], staffID: "dr-kamau", for: context)
                        _ = try await engine.commit(proposalID: proposal.id, idempotencyKey: context.callSID, confirmation: BookingFixtures.confirmation, for: context)
                        return "booked"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "booked" }.count == 10)
        #expect(outcomes.filter { $0.hasSuffix("is already taken") }.count == 190, "\(Set(outcomes))")
        let appointments = try await engine.allAppointments()
        #expect(appointments.count == 10)
        #expect(Set(appointments.map(\.start)) == Set(slots))
        #expect(try await engine.auditTrail().count == 10)
        let pool = try DatabasePool(path: folder + "/calendar.sqlite")
        let overlaps = try await pool.read(overlappingPairs)
        #expect(overlaps == 0)
    }
}
