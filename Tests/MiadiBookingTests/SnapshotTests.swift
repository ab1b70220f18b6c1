import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("Calendar snapshots")
struct SnapshotTests {
    func calendar() async throws -> BookingEngine {
        let (engine, _) = try BookingFixtures.engine()
        // Seeded out of order on purpose.
        try await engine.seed([
            SeedAppointment(id: "z-late", customer: "+254700000003", serviceID: "filling", staffID: "dr-kamau", start: BookingFixtures.instant("2026-03-06T11:00:00+03:00")),
            SeedAppointment(id: "a-early", customer: "+254700000001", serviceID: "cleaning", staffID: "dr-wanjiru", start: BookingFixtures.instant("2026-03-05T14:00:00+03:00")),
            SeedAppointment(id: "m-same-time", customer: "+254700000002", serviceID: "cleaning", staffID: "dr-kamau", start: BookingFixtures.instant("2026-03-05T14:00:00+03:00")),
        ])
        return engine
    }

    @Test("sorted by start, staff and id; keys sorted; local times with offset")
    func stableForm() async throws {
        let engine = try await calendar()
        let snapshot = try await engine.snapshot()
        #expect(snapshot.appointments.map(\.id) == ["m-same-time", "a-early", "z-late"])
        #expect(snapshot.appointments[1].start == "2026-03-05T14:00:00+03:00")
        #expect(snapshot.appointments[1].end == "2026-03-05T14:45:00+03:00")
        #expect(snapshot.takenAt == "2026-03-02T09:15:00+03:00")
        let text = String(decoding: snapshot.jsonData(), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"appointments\" : ["))
        #expect(text.contains("\"schema\" : \"miadi.calendar/1\""))
        #expect(text.hasSuffix("}\n"))
    }

    @Test("two calendars built the same way give byte-identical snapshots, and a file round-trips")
    func deterministic() async throws {
        let one = try await calendar().snapshot().jsonData()
        let two = try await calendar().snapshot().jsonData()
        #expect(one == two)
        let folder = BookingFixtures.scratch("snapshot")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/before.json"
        try one.write(to: URL(fileURLWithPath: path))
        #expect(try CalendarSnapshot.load(path: path).jsonData() == one)
    }

    @Test("a cancellation shows in the snapshot as a status, not a disappearance")
    func cancellationVisible() async throws {
        let engine = try await calendar()
        let owner = CallContext(callerNumber: "+254700000003", callSID: "CA-z")
        let proposal = try await engine.proposeCancellation(appointmentID: "z-late", for: owner)
        _ = try await engine.commit(proposalID: proposal.id, idempotencyKey: "c", confirmation: BookingFixtures.confirmation, for: owner)
        let entry = try await engine.snapshot().appointments.first { $0.id == "z-late" }
        #expect(entry?.status == .cancelled)
        #expect(entry?.changedByCall == "CA-z")
    }

    @Test("a snapshot file that is not one is refused with its path")
    func badFile() throws {
        let folder = BookingFixtures.scratch("snapshot-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/x.json"
        try Data("{\"schema\": \"other/9\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: BookingError.self) { try CalendarSnapshot.load(path: path) }
    }
}
