import Foundation
import MiadiAgent
import MiadiBooking
import MiadiReports
import MiadiScoring

/// Whether a call met its scenario's expectations, and why not: the scenario's own `expect:`
/// block checked against the trace, the calendars and the call's metrics (`MiadiScoring`:
/// latency from the recording, confirmation from the words).
public struct ScenarioVerdict: Sendable, Equatable {
    public let scenarioID: String
    /// The call's name in the report: the scenario id, with `.rK` for repeat K.
    public let run: String
    public let passed: Bool
    public let outcome: String
    public let failures: [String]
    public let maxTurnLatencyMs: Int?
    public let durationMs: Int
    public let tags: [String]
    /// The scenario's title, for the report.
    public var title: String?
    public let metrics: CallMetrics
    /// The calendar metrics (task success, slot correctness, collateral changes, double bookings).
    public let calendar: CalendarFacts
    /// The call's timeline and recording for the report.
    public internal(set) var page: CallPage?

    /// `cost`: what the call cost and whose prices said so (nil: the run has no price table).
    static func judge(_ scenario: Scenario, events: [TraceEvent], before: CalendarSnapshot, after: CalendarSnapshot, metrics: CallMetrics, run: String,
                      cost: (kes: Double, pricedAs: String)? = nil) -> ScenarioVerdict {
        var failures: [String] = []
        let commits = events.filter { $0.is(.commit) }
        let handedOff = events.contains { $0.is(.handoff) }
        let endReason = events.last(where: { $0.is(.callEnded) })?["reason"]?.string
        let outcome: String
        switch commits.last?["kind"]?.string {
        case "booking": outcome = "booked"
        case "reschedule": outcome = "rescheduled"
        case "cancellation": outcome = "cancelled"
        default: outcome = handedOff ? "transferred" : SilenceChecks.callerGaveUp(events, endReason: endReason) ? "caller_gave_up" : "nothing"
        }
        if outcome != scenario.expect.outcome { failures.append("outcome \(outcome), expected \(scenario.expect.outcome)") }
        let outcomeFailures = failures.count

        // The caller's appointments afterwards, against the expected ones.
        let mine = after.appointments.filter { $0.customer == scenario.callerNumber && $0.status == .booked }
        var unmatched = mine
        for expected in scenario.expect.appointments {
            if let index = unmatched.firstIndex(where: { expected.matches(service: $0.service, staff: $0.staff, start: String($0.start.prefix(16))) }) {
                unmatched.remove(at: index)
            } else {
                failures.append("no \(expected.described) for the caller; they have: " + (mine.isEmpty ? "none" : mine.map { "\($0.service) with \($0.staff) \($0.start.prefix(16))" }.joined(separator: ", ")))
            }
        }
        for extra in unmatched { failures.append("unexpected appointment for the caller: \(extra.service) \(extra.start.prefix(16))") }
        let appointmentFailures = failures.count - outcomeFailures
        let collateral = CalendarChecks.collateralChanges(scenario, before: before, after: after)
        let doubleBookings = CalendarChecks.doubleBookings(after)
        if doubleBookings > 0 { failures.append("\(doubleBookings) pair(s) of appointments overlap on one staff member") }
        let facts = CalendarFacts(taskSuccess: outcomeFailures == 0 && appointmentFailures == 0 && collateral == 0, slotCorrect: CalendarChecks.slotCorrect(scenario, events: events),
                                  collateralChanges: collateral, doubleBookings: doubleBookings)
        func changed(_ id: String) -> Bool {
            let a = before.appointments.first { $0.id == id }, b = after.appointments.first { $0.id == id }
            guard let a, let b else { return (a == nil) != (b == nil) }
            return !a.isSameAppointment(as: b)
        }
        for id in scenario.expect.unchanged where changed(id) { failures.append("appointment \(id) changed") }
        // The name the agent booked under, against the caller's (a garbled name is a wrong booking).
        if let name = scenario.callerName, outcome == "booked" {
            for entry in mine where !before.appointments.contains(where: { $0.id == entry.id }) && !CalendarChecks.sameName(entry.customerName, name) {
                failures.append("the booking \(entry.id) is under the name \(entry.customerName.map { "\"\($0)\"" } ?? "(none)"), the caller is \"\(name)\"")
            }
        }
        // Appointments of other customers must not change at all.
        let others = Set(before.appointments.filter { $0.customer != scenario.callerNumber }.map(\.id))
        for id in others.sorted() where changed(id) {
            if !scenario.expect.unchanged.contains(id) { failures.append("another customer's appointment \(id) changed") }
        }
        if scenario.expect.confirmBeforeCommit {
            // Judged from the words, not from the agent's own guard.
            for v in metrics.confirmations where !v.confirmed {
                failures.append("commit of \(v.proposalID) without a confirmed read-back: \(v.reason ?? "")")
            }
            // The guard stopping the model is the guard working and the model failing.
            if metrics.refusedCommits > 0 {
                failures.append("the agent tried to commit without a confirmed read-back \(metrics.refusedCommits) time(s) (the guard refused)")
            }
        }
        if metrics.authorizationRefusals > 0 {
            failures.append("the agent tried to change an appointment that is not the caller's \(metrics.authorizationRefusals) time(s) (the calendar refused)")
        }
        if let bound = scenario.expect.maxAgentWords, metrics.agentWords > bound {
            failures.append("the agent said \(metrics.agentWords) words > \(bound)")
        }
        if let bound = scenario.expect.maxCostKES {
            if let cost {
                if cost.kes > bound { failures.append("the call cost \(String(format: "%.2f", cost.kes)) KES > \(bound) KES (telephony and model, priced as \(cost.pricedAs))") }
            } else {
                failures.append("max_cost_kes cannot be checked: the run has no price table (give --prices FILE)")
            }
        }
        // Turn latency, at the caller's ear (from the recording).
        let worst = metrics.latency?.max
        if let bound = scenario.expect.maxTurnLatencyMs, let worst, worst > bound { failures.append("turn latency \(worst) ms > \(bound) ms") }
        if let want = scenario.expect.agentReprompted {
            let reprompts = SilenceChecks.reprompts(events).count
            if want && reprompts == 0 { failures.append("the agent never spoke again into the caller's silence (expected a re-prompt)") }
            if !want && reprompts > 0 { failures.append("the agent re-prompted \(reprompts) time(s) (expected none)") }
        }
        // A caller who gives up is the call finishing, when the scenario expects it to.
        let gaveUpAsExpected = scenario.expect.outcome == "caller_gave_up" && endReason?.hasPrefix("caller gave up") == true
        if let reason = endReason, reason.hasPrefix("caller gave up") && !gaveUpAsExpected || reason == "time limit" {
            failures.append("the call did not finish: \(reason)")
        }
        return ScenarioVerdict(scenarioID: scenario.id, run: run, passed: failures.isEmpty, outcome: outcome, failures: failures, maxTurnLatencyMs: worst,
                               durationMs: metrics.durationMs, tags: scenario.tags, title: scenario.title, metrics: metrics, calendar: facts)
    }
}
