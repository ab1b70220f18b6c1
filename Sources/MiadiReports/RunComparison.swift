/// `miadi compare BASE CANDIDATE`: two runs side by side, the calls that flipped, and the
/// regressions that fail a gate — any call that passed in the base and fails now, a p95 turn
/// latency rise beyond a percentage, a rise in billed seconds (telephony cost) beyond a
/// percentage.
public struct RunComparison: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let metric: String
        public let base: Double?
        public let candidate: Double?

        /// Relative change, percent (nil when either side is missing or the base is 0).
        public var changePercent: Double? {
            guard let base, let candidate, base != 0 else { return nil }
            return (candidate - base) / base * 100
        }
    }

    public let rows: [Row]
    /// Calls that passed in the base and fail in the candidate.
    public let newlyFailing: [String]
    /// Calls that failed in the base and pass in the candidate.
    public let newlyPassing: [String]
    /// Calls only one of the runs has.
    public let onlyInBase: [String]
    public let onlyInCandidate: [String]
    /// Why the candidate fails the gate; empty when it passes.
    public let regressions: [String]

    public init(base: RunResults, candidate: RunResults, maxLatencyRisePercent: Double? = nil, maxCostRisePercent: Double? = nil) {
        func p95(_ r: RunResults) -> Double? { r.summary.turnLatencyMs.map { Double($0.p95) } }
        func p50(_ r: RunResults) -> Double? { r.summary.turnLatencyMs.map { Double($0.p50) } }
        func perCall(_ r: RunResults, _ value: Int) -> Double? { r.summary.calls == 0 ? nil : Double(value) / Double(r.summary.calls) }
        let (a, b) = (InterruptionSummary(base.calls), InterruptionSummary(candidate.calls))
        func ms(_ v: Int?) -> Double? { v.map(Double.init) }
        rows = [
            Row(metric: "calls", base: Double(base.summary.calls), candidate: Double(candidate.summary.calls)),
            Row(metric: "success rate", base: base.summary.successRate, candidate: candidate.summary.successRate),
            Row(metric: "pass^k", base: base.summary.passK, candidate: candidate.summary.passK),
            Row(metric: "turn latency p50 (ms)", base: p50(base), candidate: p50(candidate)),
            Row(metric: "turn latency p95 (ms)", base: p95(base), candidate: p95(candidate)),
            Row(metric: "billed seconds per call", base: perCall(base, base.summary.billedSeconds), candidate: perCall(candidate, candidate.summary.billedSeconds)),
            Row(metric: "unconfirmed commits", base: Double(base.summary.unconfirmedCommits), candidate: Double(candidate.summary.unconfirmedCommits)),
            Row(metric: "task success rate", base: base.summary.taskSuccessRate, candidate: candidate.summary.taskSuccessRate),
            Row(metric: "collateral changes", base: Double(base.summary.collateralChanges), candidate: Double(candidate.summary.collateralChanges)),
            Row(metric: "double bookings", base: Double(base.summary.doubleBookings), candidate: Double(candidate.summary.doubleBookings)),
            Row(metric: "barge-in stop p50 (ms)", base: ms(a.stopP50), candidate: ms(b.stopP50)),
            Row(metric: "barge-in stop p95 (ms)", base: ms(a.stopP95), candidate: ms(b.stopP95)),
            Row(metric: "backchannelled utterances completed", base: a.completedShare, candidate: b.completedShare),
            Row(metric: "words lost to backchannels", base: Double(a.wordsLost), candidate: Double(b.wordsLost)),
            Row(metric: "resume gap p50 (ms)", base: ms(a.resumeGapP50), candidate: ms(b.resumeGapP50)),
            Row(metric: "true interruptions resumed", base: Double(a.trueInterruptionsResumed), candidate: Double(b.trueInterruptionsResumed)),
        ] + (base.costs?.projections ?? []).compactMap { a in
            candidate.costs?.projections.first { $0.provider == a.provider }.map { Row(metric: "cost per call KES, \(a.provider)", base: a.perCallKes, candidate: $0.perCallKes) }
        }
        let before = Dictionary(base.calls.map { ($0.call, $0.passed) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(candidate.calls.map { ($0.call, $0.passed) }, uniquingKeysWith: { a, _ in a })
        newlyFailing = candidate.calls.filter { before[$0.call] == true && !$0.passed }.map(\.call)
        newlyPassing = candidate.calls.filter { before[$0.call] == false && $0.passed }.map(\.call)
        onlyInBase = base.calls.filter { after[$0.call] == nil }.map(\.call)
        onlyInCandidate = candidate.calls.filter { before[$0.call] == nil }.map(\.call)

        var regressions = newlyFailing.map { "\($0) passed in the base and fails now" }
        for (name, a, b) in [("collateral changes", base.summary.collateralChanges, candidate.summary.collateralChanges),
                             ("double bookings", base.summary.doubleBookings, candidate.summary.doubleBookings)] where b > a {
            regressions.append("\(name) rose from \(a) to \(b)")
        }
        if b.trueInterruptionsResumed > a.trueInterruptionsResumed {
            regressions.append("real interruptions taken for backchannels rose from \(a.trueInterruptionsResumed) to \(b.trueInterruptionsResumed)")
        }
        if candidate.summary.unconfirmedCommits > base.summary.unconfirmedCommits {
            regressions.append("unconfirmed commits rose from \(base.summary.unconfirmedCommits) to \(candidate.summary.unconfirmedCommits)")
        }
        if let limit = maxLatencyRisePercent, let row = rows.first(where: { $0.metric == "turn latency p95 (ms)" }), let change = row.changePercent, change > limit {
            regressions.append("p95 turn latency rose \(Self.percent(change)) (\(Int(row.base ?? 0)) → \(Int(row.candidate ?? 0)) ms), more than \(Self.percent(limit))")
        }
        if let limit = maxCostRisePercent {
            // With prices on both sides, the projected cost per call on each provider; else the
            // billed seconds per call (telephony cost moves with them).
            let pairs = (base.costs?.projections ?? []).compactMap { a in candidate.costs?.projections.first { $0.provider == a.provider }.map { (a, $0) } }
            if !pairs.isEmpty {
                for (a, b) in pairs where a.perCallKes > 0 && (b.perCallKes - a.perCallKes) / a.perCallKes * 100 > limit {
                    let change = (b.perCallKes - a.perCallKes) / a.perCallKes * 100
                    regressions.append("\(a.provider): cost per call rose \(Self.percent(change)) (\(a.perCallKes) → \(b.perCallKes) KES), more than \(Self.percent(limit))")
                }
            } else if let row = rows.first(where: { $0.metric == "billed seconds per call" }), let change = row.changePercent, change > limit {
                regressions.append("billed seconds per call rose \(Self.percent(change)), more than \(Self.percent(limit))")
            }
        }
        self.regressions = regressions
    }

    /// "+12.5 %".
    public static func percent(_ x: Double) -> String {
        let tenths = (x * 10).rounded() / 10
        return (tenths > 0 ? "+" : "") + String(tenths) + " %"
    }
}
