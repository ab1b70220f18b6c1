import Foundation
import GRDB
import MiadiLanguage

/// Measures the engine on one clinic-month: commits per second (propose + commit, each its
/// own transactions, as calls make them) and slot searches per second on a half-full month.
/// Each figure comes with a baseline measured in the same run on the same kind of database (a
/// bare one-row INSERT transaction; a bare one-day SELECT), so the ratio survives a noisy,
/// shared machine where absolute figures do not.
public enum BookingBenchmark {
    public struct Figure: Sendable, Equatable {
        public let name: String
        public let count: Int
        public let seconds: Double
        public var perSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }
    }

    public struct Report: Sendable {
        public let clinic: String
        public let month: String
        public let planned: Int
        public var figures: [Figure] = []

        func figure(_ name: String) -> Figure? { figures.first { $0.name == name } }

        /// A Markdown table: figure, count, per second, and cost relative to its baseline.
        public var markdown: String {
            var lines = [
                "Booking engine, \(clinic), \(month): \(planned) non-overlapping slots",
                "",
                "| measurement | operations | per second | time per op vs baseline |",
                "|---|---:|---:|---:|",
            ]
            let baselines = ["propose + commit (memory)": "bare INSERT (memory)", "propose + commit (WAL file)": "bare INSERT (WAL file)", "slot search (half-full month)": "bare one-day SELECT"]
            for f in figures {
                var ratio = "baseline"
                if let name = baselines[f.name], let base = figure(name), base.perSecond > 0, f.perSecond > 0 {
                    ratio = String(format: "%.1f×", base.perSecond / f.perSecond)
                }
                lines.append(String(format: "| %@ | %d | %.0f | %@ |", f.name, f.count, f.perSecond, ratio))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Runs every measurement on `clinic` for the month containing `firstDay`.
    /// `folder` holds the WAL database file (removed afterwards).
    public static func run(clinic: Clinic, firstDay: CivilDate, searches: Int, folder: String, progress: (String) -> Void = { _ in }) async throws -> Report {
        let lastDay = CivilDate(year: firstDay.year, month: firstDay.month, day: CivilDate.daysIn(month: firstDay.month, year: firstDay.year))
        let time = ClinicTime(zone: clinic.timeZone)
        let start = time.instantOrNext(firstDay, ClockTime(hour: 0))
        progress("planning the month")
        let plan = try await monthPlan(clinic: clinic, from: firstDay, to: lastDay, now: start)
        var report = Report(clinic: clinic.id, month: String(firstDay.description.prefix(7)), planned: plan.count)

        progress("commits, in memory")
        let memory = try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(start))
        report.figures.append(try await commits(plan, into: memory, name: "propose + commit (memory)"))
        report.figures.append(try await bareInserts(plan, into: DatabaseQueue(), name: "bare INSERT (memory)"))

        progress("commits, WAL file")
        let path = (folder as NSString).appendingPathComponent("bench-\(clinic.id).sqlite")
        let barePath = (folder as NSString).appendingPathComponent("bench-bare.sqlite")
        defer { for p in [path, barePath] { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + suffix) } } }
        let wal = try BookingEngine.open(path: path, clinic: clinic, clock: ManualClock(start))
        report.figures.append(try await commits(plan, into: wal, name: "propose + commit (WAL file)"))
        report.figures.append(try await bareInserts(plan, into: DatabasePool(path: barePath), name: "bare INSERT (WAL file)"))

        progress("slot searches")
        let half = try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(start))
        _ = try await commits(plan.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), into: half, name: "fill")
        report.figures.append(try await slotSearches(half, firstDay: firstDay, days: lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1, count: searches))
        report.figures.append(try await bareDayQueries(half, firstDay: firstDay, days: lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1, count: searches))
        return report
    }

    /// Every staff member's day packed with non-overlapping slots, services in rotation.
    static func monthPlan(clinic: Clinic, from: CivilDate, to: CivilDate, now: Date) async throws -> [Slot] {
        let engine = try BookingEngine.inMemory(clinic: clinic, clock: ManualClock(now))
        let planner = CallContext(callerNumber: "+0", callSID: "plan")
        var plan: [Slot] = []
        var day = from
        var turn = 0
        while day <= to {
            for staff in clinic.staff {
                let services = clinic.services.filter { $0.staffIDs.contains(staff.id) }
                guard !services.isEmpty else { continue }
                let service = services[turn % services.count]
                turn += 1
                let step = ((service.durationMinutes + service.bufferMinutes + clinic.slotStepMinutes - 1) / clinic.slotStepMinutes) * clinic.slotStepMinutes
                let query = SlotQuery(serviceID: service.id, staffID: staff.id, firstDay: day, lastDay: day, limit: 50, spacingMinutes: step)
                plan += try await engine.findSlots(query, for: planner)
            }
            day = day.adding(days: 1)
        }
        return plan
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func commits(_ plan: [Slot], into engine: BookingEngine, name: String) async throws -> Figure {
        let clock = ContinuousClock()
        let started = clock.now
        for (i, slot) in plan.enumerated() {
            let context = BookingWorkload.context(i)
            let proposal = try await engine.proposeBooking(serviceID: slot.serviceID, start: slot.start, staffID: slot.staffID, for: context)
            _ = try await engine.commit(proposalID: proposal.id, idempotencyKey: context.callSID, confirmation: BookingWorkload.confirmation, for: context)
        }
        return Figure(name: name, count: plan.count, seconds: seconds(clock.now - started))
    }

    static func bareInserts(_ plan: [Slot], into writer: any DatabaseWriter, name: String) async throws -> Figure {
        try await writer.write { db in
            try db.execute(sql: "CREATE TABLE bare (id TEXT PRIMARY KEY, customer TEXT, service TEXT, staff TEXT, start_utc INTEGER, end_utc INTEGER)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        for (i, slot) in plan.enumerated() {
            try await writer.write { db in
                try db.execute(sql: "INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?)", arguments: [
                    "b-\(i)", "+0", slot.serviceID, slot.staffID, Int64(slot.start.timeIntervalSince1970), Int64(slot.end.timeIntervalSince1970),
                ])
            }
        }
        return Figure(name: name, count: plan.count, seconds: seconds(clock.now - started))
    }

    /// Search `i`: a day spread over the month, a part of the day, services in rotation.
    static func slotSearches(_ engine: BookingEngine, firstDay: CivilDate, days: Int, count: Int) async throws -> Figure {
        let services = engine.clinic.services
        let windows: [(ClockTime?, ClockTime?)] = [(nil, nil), DayPart.morning.window, DayPart.afternoon.window].map { ($0.0, $0.1) }
        let context = CallContext(callerNumber: "+1", callSID: "search")
        let clock = ContinuousClock()
        let started = clock.now
        for i in 0..<count {
            let day = firstDay.adding(days: (i * 7) % days)
            let window = windows[i % windows.count]
            let query = SlotQuery(serviceID: services[i % services.count].id, firstDay: day, lastDay: day, earliest: window.0, latest: window.1, limit: 3)
            _ = try await engine.findSlots(query, for: context)
        }
        return Figure(name: "slot search (half-full month)", count: count, seconds: seconds(clock.now - started))
    }

    static func bareDayQueries(_ engine: BookingEngine, firstDay: CivilDate, days: Int, count: Int) async throws -> Figure {
        let time = ClinicTime(zone: engine.clinic.timeZone)
        let clock = ContinuousClock()
        let started = clock.now
        for i in 0..<count {
            let day = firstDay.adding(days: (i * 7) % days)
            let from = Int64(time.instantOrNext(day, ClockTime(hour: 0)).timeIntervalSince1970)
            _ = try engine.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM appointment WHERE start_utc >= ? AND start_utc < ?", arguments: [from, from + 86_400])
            }
        }
        return Figure(name: "bare one-day SELECT", count: count, seconds: seconds(clock.now - started))
    }
}
