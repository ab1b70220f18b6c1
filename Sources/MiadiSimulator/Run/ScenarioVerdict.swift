import Foundation
import MiadiAgent
import MiadiBooking

/// Whether a call met its scenario's expectations, and why not. A first judge: issue 7's
/// scoring computes every metric from the trace and recording; this checks the scenario's own
/// `expect:` block from the trace and the calendars.
public struct ScenarioVerdict: Sendable, Equatable {
    public let scenarioID: String
    /// The call's name in the report: the scenario id, with `.rK` for repeat K.
    public let run: String
    public let passed: Bool
    public let outcome: String
    public let failures: [String]
    public let maxTurnLatencyMs: Int?
    public let durationMs: Int

    static func judge(_ scenario: Scenario, events: [TraceEvent], before: CalendarSnapshot, after: CalendarSnapshot, durationMs: Int, run: String) -> ScenarioVerdict {
        var failures: [String] = []
        let commits = events.filter { $0.type == "commit" }
        let handedOff = events.contains { $0.type == "handoff" }
        let outcome: String
        switch commits.last?["kind"]?.string {
        case "booking": outcome = "booked"
        case "reschedule": outcome = "rescheduled"
        case "cancellation": outcome = "cancelled"
        default: outcome = handedOff ? "transferred" : "nothing"
        }
        if outcome != scenario.expect.outcome { failures.append("outcome \(outcome), expected \(scenario.expect.outcome)") }

        // The caller's appointments afterwards, against the expected ones.
        let mine = after.appointments.filter { $0.customer == scenario.callerNumber && $0.status == .booked }
        var unmatched = mine
        for expected in scenario.expect.appointments {
            if let index = unmatched.firstIndex(where: { entry in
                guard entry.service == expected.service else { return false }
                let start = String(entry.start.prefix(16))
                if let exact = expected.start { return start == exact }
                if let (from, to) = expected.startWithin { return start >= from && start <= to }
                return false
            }) {
                unmatched.remove(at: index)
            } else {
                let when = expected.start ?? expected.startWithin.map { "between \($0.0) and \($0.1)" } ?? "?"
                failures.append("no \(expected.service) at \(when) for the caller; they have: " + (mine.isEmpty ? "none" : mine.map { "\($0.service) \($0.start.prefix(16))" }.joined(separator: ", ")))
            }
        }
        for extra in unmatched { failures.append("unexpected appointment for the caller: \(extra.service) \(extra.start.prefix(16))") }
        for id in scenario.expect.unchanged {
            let a = before.appointments.first { $0.id == id }, b = after.appointments.first { $0.id == id }
            if a != b { failures.append("appointment \(id) changed") }
        }
        // Appointments of other customers must not change at all.
        let others = Set(before.appointments.filter { $0.customer != scenario.callerNumber }.map(\.id))
        for id in others.sorted() where before.appointments.first(where: { $0.id == id }) != after.appointments.first(where: { $0.id == id }) {
            if !scenario.expect.unchanged.contains(id) { failures.append("another customer's appointment \(id) changed") }
        }
        if scenario.expect.confirmBeforeCommit {
            for commit in commits {
                let id = commit["proposal_id"]?.string
                let allowed = events.contains { $0.type == "guard" && $0["proposal_id"]?.string == id && $0["decision"] == "allowed" && $0.tMs <= commit.tMs }
                if !allowed { failures.append("commit of \(id ?? "?") without a confirmed read-back") }
            }
        }
        // Turn latency: from the end of the caller's speech to the agent's next first sample.
        var worst: Int?
        let speechEnds = events.filter { $0.type == "caller.speech" && $0["over_agent"] == false }.compactMap { $0["end_ms"]?.int }
        let agentStarts = events.filter { $0.type == "agent.utterance" }.compactMap { $0["start_ms"]?.int }.sorted()
        // Each agent answer is timed from the last caller speech before it (a pause inside the
        // caller's turn is not a turn end).
        var previousStart = Int.min
        for start in agentStarts {
            if let end = speechEnds.filter({ $0 < start && $0 > previousStart }).max() { worst = max(worst ?? 0, start - end) }
            previousStart = start
        }
        if let bound = scenario.expect.maxTurnLatencyMs, let worst, worst > bound { failures.append("turn latency \(worst) ms > \(bound) ms") }
        if let reason = events.last(where: { $0.type == "call.ended" })?["reason"]?.string, reason.hasPrefix("caller gave up") || reason == "time limit" {
            failures.append("the call did not finish: \(reason)")
        }
        return ScenarioVerdict(scenarioID: scenario.id, run: run, passed: failures.isEmpty, outcome: outcome, failures: failures, maxTurnLatencyMs: worst, durationMs: durationMs)
    }
}
