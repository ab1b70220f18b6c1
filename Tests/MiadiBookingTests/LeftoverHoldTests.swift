import Foundation
import MiadiBooking
import MiadiTestSupport
import Testing

@Suite("Holds a stopped server left behind")
struct LeftoverHoldTests {
    @Test("a restarted server releases the holds of the one that stopped: their slots are free again, and the calendar is otherwise untouched")
    func releasedAtRestart() async throws {
        let folder = Scratch.folder("leftover-holds")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/calendar.sqlite"
        let clinic = try BookingFixtures.clinic()
        let clock = ManualClock(BookingFixtures.monday)
        let twoPM = BookingFixtures.instant("2026-03-05T14:00:00+03:00")
        let fourPM = BookingFixtures.instant("2026-03-05T16:00:00+03:00")
        do {
            // The server that stops: one booking made, one call holding a slot when it dies.
            let first = try BookingEngine.open(path: path, clinic: clinic, clock: clock)
            let booked = try await first.proposeBooking(serviceID: "cleaning", start: fourPM, staffID: "dr-wanjiru", for: BookingFixtures.baraka)
            _ = try await first.commit(proposalID: booked.id, idempotencyKey: "k", confirmation: BookingFixtures.confirmation, for: BookingFixtures.baraka)
            _ = try await first.proposeBooking(serviceID: "cleaning", start: twoPM, staffID: "dr-wanjiru", for: BookingFixtures.amina)
        }
        let restarted = try BookingEngine.open(path: path, clinic: clinic, clock: clock)
        let other = CallContext(callerNumber: "+254744000099", callSID: "CA-after-restart", callerName: nil)
        await #expect(throws: BookingError.self, "the dead call's hold still blocks the slot before the release") {
            try await restarted.proposeBooking(serviceID: "cleaning", start: twoPM, staffID: "dr-wanjiru", for: other)
        }
        #expect(try restarted.releaseLeftoverHolds() == 1)
        let proposal = try await restarted.proposeBooking(serviceID: "cleaning", start: twoPM, staffID: "dr-wanjiru", for: other)
        #expect(proposal.staffID == "dr-wanjiru")
        #expect(try await restarted.allAppointments().map(\.start) == [fourPM], "the booking stays")
        #expect(try restarted.releaseLeftoverHolds() == 1, "the new call's own hold, were the server to restart again")
    }
}
