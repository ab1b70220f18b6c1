import ArgumentParser
import Foundation
import MiadiBooking
import MiadiLanguage

/// `miadi booking-load`: a stream of committed changes into a calendar file, one line per
/// commit on standard output after it returns. The crash test runs it and kills it with
/// SIGKILL mid-stream; it is also a quick way to fill a calendar for `miadi serve` trials.
struct BookingLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking-load",
        abstract: "Commit a deterministic stream of bookings, moves and cancellations into a calendar file.",
        shouldDisplay: false
    )

    @Option(help: "The SQLite calendar file (created if missing, WAL mode).")
    var database: String

    @Option(help: "The clinic file.")
    var clinic: String = "Scenarios/clinics/whitedent-nairobi.yaml"

    @Option(help: "How many changes to commit.")
    var operations: Int = 1000

    @Option(help: "The engine's clock, an instant with offset; the first day searched is its date.")
    var now: String = "2026-03-02T07:00:00+03:00"

    func run() async throws {
        let loaded: Clinic
        do { loaded = try ClinicFile.load(path: clinic) } catch { throw failOnBadInput(error.description) }
        let formatter = ISO8601DateFormatter()
        guard let instant = formatter.date(from: now) else { throw failOnBadInput("--now: not an ISO 8601 instant with offset: \(now)") }
        let engine = try BookingEngine.open(path: database, clinic: loaded, clock: ManualClock(instant))
        let workload = BookingWorkload(engine: engine, firstDay: CivilDate(instant, in: loaded.timeZone))
        let count = try await workload.run(operations: operations) { index, result in
            // Unbuffered, so the reader sees each line as soon as its commit has returned.
            FileHandle.standardOutput.write(Data("committed \(index) \(result.kind.rawValue) \(result.appointment.id)\n".utf8))
        }
        FileHandle.standardError.write(Data("booking-load: \(count) change(s) committed to \(database)\n".utf8))
    }
}
