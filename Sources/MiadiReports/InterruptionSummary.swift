import MiadiScoring

/// A run's barge-in figures, over all its calls: how fast the agent went silent when a caller
/// meant to stop it, whether its words survived the callers' backchannels, how long a resume
/// took, and whether a real interruption was ever taken for a backchannel.
public struct InterruptionSummary: Sendable, Equatable {
    public let stopsMs: [Int]
    public let pauses: Int
    public let resumes: Int
    public let resumeGapsMs: [Int]
    public let backchannelUtterances: Int
    public let backchannelUtterancesCompleted: Int
    public let wordsLost: Int
    public let trueInterruptions: Int
    public let trueInterruptionsResumed: Int

    public init(_ calls: [RunResults.Call]) {
        let facts = calls.compactMap(\.interruptions)
        stopsMs = calls.flatMap(\.bargeInStopMs)
        pauses = facts.reduce(0) { $0 + $1.pauses }
        resumes = facts.reduce(0) { $0 + $1.resumes }
        resumeGapsMs = facts.flatMap(\.resumeGapsMs)
        backchannelUtterances = facts.reduce(0) { $0 + $1.backchannelUtterances }
        backchannelUtterancesCompleted = facts.reduce(0) { $0 + $1.backchannelUtterancesCompleted }
        wordsLost = facts.reduce(0) { $0 + $1.wordsLost }
        trueInterruptions = facts.reduce(0) { $0 + $1.trueInterruptions }
        trueInterruptionsResumed = facts.reduce(0) { $0 + $1.trueInterruptionsResumed }
    }

    /// Nearest rank, as `Percentiles`: a figure that happened.
    public static func percentile(_ values: [Int], _ p: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
    }

    public var stopP50: Int? { Self.percentile(stopsMs, 0.5) }
    public var stopP95: Int? { Self.percentile(stopsMs, 0.95) }
    public var resumeGapP50: Int? { Self.percentile(resumeGapsMs, 0.5) }
    public var resumeGapP95: Int? { Self.percentile(resumeGapsMs, 0.95) }
    /// The share of agent utterances a backchannel fell in that were heard to the end (nil:
    /// no backchannel fell in one).
    public var completedShare: Double? {
        backchannelUtterances == 0 ? nil : Double(backchannelUtterancesCompleted) / Double(backchannelUtterances)
    }
    /// The share of real interruptions the bridge resumed over (the goal is 0).
    public var resumedShare: Double? {
        trueInterruptions == 0 ? nil : Double(trueInterruptionsResumed) / Double(trueInterruptions)
    }
}
