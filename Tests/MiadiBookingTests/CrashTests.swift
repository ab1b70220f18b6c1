import Foundation
import GRDB
import MiadiBooking
import MiadiTestSupport
import Testing

@Suite("Crash safety", .tags(.executable), .timeLimit(.minutes(3)))
struct CrashTests {
    static var miadi: String { MiadiExecutable.path }

    @Test("kill -9 in the middle of a stream of commits leaves a consistent calendar")
    func killNine() async throws {
        let binary = Self.miadi
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the miadi executable first (swift build): \(binary)")
        let folder = BookingFixtures.scratch("crash")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/calendar.sqlite"

        let child = Process()
        child.executableURL = URL(fileURLWithPath: binary)
        child.arguments = ["booking-load", "--database", database, "--clinic", BookingFixtures.clinics + "/whitedent-nairobi.yaml", "--operations", "100000"]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Read acknowledged commits until enough have gone by, then kill without warning (on a
        // thread of its own: the reads block, and the test process's task threads are few).
        let reader = pipe.fileHandleForReading
        let acknowledged: [String] = await OffPool.run {
            var acknowledged: [String] = []
            var buffer = Data()
            while acknowledged.count < 150 {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    acknowledged.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            return acknowledged
        }
        #expect(child.terminationReason == .uncaughtSignal, "the load finished before it was killed")
        #expect(acknowledged.count >= 150)

        // Reopen as a fresh process would: WAL recovery, then check every invariant.
        let pool = try DatabasePool(path: database)
        let acknowledgedCount = acknowledged.count
        try await pool.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try overlappingPairs(db) == 0)
            let commits = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE action <> 'seed'") ?? 0
            // Every acknowledged commit is there; at most the one in flight also landed.
            #expect(commits >= acknowledgedCount && commits <= acknowledgedCount + 1, "\(commits) audited, \(acknowledgedCount) acknowledged")
            // Each commit wrote its hold, audit row and idempotency row together.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hold WHERE state = 'committed'") == commits)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency") == commits)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency i JOIN audit a ON a.seq = i.audit_seq") == commits)
            // Every appointment's current row is exactly the after-image of its last audit row.
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM appointment p
                WHERE (SELECT after_json FROM audit WHERE appointment_id = p.id ORDER BY seq DESC LIMIT 1) IS NOT
                      json_object('busy_until_utc', p.busy_until_utc, 'changed_by_call', p.changed_by_call,
                                  'created_by_call', p.created_by_call, 'customer_phone', p.customer_phone,
                                  'end_utc', p.end_utc, 'id', p.id, 'service_id', p.service_id,
                                  'staff_id', p.staff_id, 'start_utc', p.start_utc, 'status', p.status)
                """)
            #expect(mismatched == 0)
            // No appointment without the audit row that created it.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM appointment p WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.appointment_id = p.id AND a.action = 'book')") == 0)
        }
    }
}
