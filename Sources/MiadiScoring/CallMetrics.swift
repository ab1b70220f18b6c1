/// The per-call metrics of `shared/spec/metrics.md` that come from the trace and the recording
/// (the calendar-based ones — task success, slot correctness, collateral changes, double
/// bookings — and model cost join with the price table).
public struct CallMetrics: Sendable, Equatable {
    public var durationMs: Int
    /// Per-second billing: whole seconds, rounded up.
    public var billedSeconds: Int
    public var firstAudioMs: Int?
    public var turnLatenciesMs: [Int]
    public var bargeInStopsMs: [Int]
    public var talkOverMs: Int
    public var deadAirMs: Int
    public var turns: Int
    public var agentWords: Int
    public var toolCalls: Int
    public var confirmations: [ConfirmationCheck.Verdict]
    /// Commits the agent's guard refused: the model tried to commit without a confirmed
    /// read-back (the guard caught it; the model still did wrong).
    public var refusedCommits = 0
    /// Tool calls the calendar refused because the appointment is not the caller's.
    public var authorizationRefusals = 0
    /// Audio seconds and text tokens the model used.
    public var usage = ModelUsage()
    /// Pauses, resumes and barge-ins, and what backchannels and interruptions did.
    public var interruptions = InterruptionFacts()
    /// Who spoke when, as heard on the line (for timelines in reports).
    public var timeline = SpeechTimeline(caller: [], agent: [])

    public var unconfirmedCommits: Int { confirmations.filter { !$0.confirmed }.count }
    public var confirmedBeforeCommit: Bool { unconfirmedCommits == 0 }
    public var latency: Percentiles? { Percentiles(turnLatenciesMs) }

    public init(durationMs: Int, billedSeconds: Int, firstAudioMs: Int?, turnLatenciesMs: [Int], bargeInStopsMs: [Int], talkOverMs: Int, deadAirMs: Int,
                turns: Int, agentWords: Int, toolCalls: Int, confirmations: [ConfirmationCheck.Verdict]) {
        self.durationMs = durationMs
        self.billedSeconds = billedSeconds
        self.firstAudioMs = firstAudioMs
        self.turnLatenciesMs = turnLatenciesMs
        self.bargeInStopsMs = bargeInStopsMs
        self.talkOverMs = talkOverMs
        self.deadAirMs = deadAirMs
        self.turns = turns
        self.agentWords = agentWords
        self.toolCalls = toolCalls
        self.confirmations = confirmations
    }

    /// Telephony cost at `ratePerMinute` (the platform bills per second).
    public func telephonyCost(ratePerMinute: Double) -> Double { Double(billedSeconds) * ratePerMinute / 60 }
}

/// p50, p90, p95 and max by nearest rank: every figure is a latency that happened.
public struct Percentiles: Sendable, Equatable, Codable {
    public let p50: Int
    public let p90: Int
    public let p95: Int
    public let max: Int

    public init?(_ values: [Int]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Int { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        p50 = rank(0.5)
        p90 = rank(0.9)
        p95 = rank(0.95)
        max = sorted[sorted.count - 1]
    }
}
