import MiadiAudio

/// Who spoke when, from the recording of the line alone (left the caller, right the agent as
/// the caller heard it): voiced stretches found by the VAD, with short pauses inside a turn
/// closed. Timing metrics come from here, never from log stamps, so a bridge that buffers
/// audio cannot look fast.
public struct SpeechTimeline: Sendable, Equatable {
    /// Caller turns, ms of call time, in order.
    public let caller: [Range<Int>]
    /// Agent turns as heard, ms of call time, in order.
    public let agent: [Range<Int>]
    /// The agent's voiced stretches before pauses are closed: where it went silent, even for
    /// a moment (what a pause at the caller's first syllable shows).
    public let agentStretches: [Range<Int>]

    /// Pauses shorter than this inside one speaker's speech belong to the same turn (a breath
    /// between sentences), ms.
    public static let turnGapMs = 700

    public init(caller: [Range<Int>], agent: [Range<Int>], agentStretches: [Range<Int>]? = nil) {
        self.caller = caller
        self.agent = agent
        self.agentStretches = agentStretches ?? agent
    }

    /// `recording`: stereo, the caller left and the agent right (what `miadi run` and
    /// `miadi serve` write). `offsetMs`: call time of the recording's first sample.
    public init(recording: PCMBuffer, offsetMs: Int = 0) {
        precondition(recording.channels == 2, "the line's recording is stereo: the caller left, the agent right")
        self.init(caller: recording.channel(0), agent: recording.channel(1), offsetMs: offsetMs)
    }

    /// The same from the two sides as mono buffers at one rate.
    public init(caller: PCMBuffer, agent: PCMBuffer, offsetMs: Int = 0) {
        func stretches(_ channel: PCMBuffer) -> [Range<Int>] {
            VoiceActivityDetector.segments(of: channel).map { ($0.lowerBound + offsetMs)..<($0.upperBound + offsetMs) }
        }
        let agentStretches = stretches(agent)
        self.init(caller: Self.merge(stretches(caller)), agent: Self.merge(agentStretches), agentStretches: agentStretches)
    }

    /// Joins stretches separated by less than `turnGapMs`.
    static func merge(_ segments: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for s in segments.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, s.lowerBound - last.upperBound < turnGapMs {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, s.upperBound)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// The first agent sound the caller heard, ms.
    public var firstAudioMs: Int? { agent.first?.lowerBound }

    /// For each caller turn the agent answers (the agent starts after it ends and before the
    /// caller speaks again): the silence between the end of the caller's speech and the
    /// agent's first sound, ms.
    public var turnLatenciesMs: [Int] {
        var out: [Int] = []
        for (i, turn) in caller.enumerated() {
            let nextCaller = i + 1 < caller.count ? caller[i + 1].lowerBound : Int.max
            guard let answer = agent.first(where: { $0.lowerBound >= turn.upperBound }), answer.lowerBound < nextCaller else { continue }
            out.append(answer.lowerBound - turn.upperBound)
        }
        return out
    }

    /// For each caller turn that starts while the agent is talking: how long the agent went on
    /// after the caller began, ms (what a barge-in costs the caller).
    public var bargeInStopsMs: [Int] {
        caller.compactMap { turn in
            agent.first { $0.lowerBound < turn.lowerBound && turn.lowerBound < $0.upperBound }.map { $0.upperBound - turn.lowerBound }
        }
    }

    /// For each onset of caller speech over the agent (call ms, at the caller's mouth): how long
    /// until the agent went silent at the caller's ear, ms (the voiced stretch it was in ends).
    /// Nil for an onset when the agent was not speaking.
    public func agentStopMs(after onset: Int) -> Int? {
        agentStretches.first { $0.lowerBound <= onset && onset < $0.upperBound }.map { $0.upperBound - onset }
    }

    /// Time both spoke at once, ms.
    public var talkOverMs: Int {
        var total = 0
        for c in caller {
            for a in agent where a.lowerBound < c.upperBound && c.lowerBound < a.upperBound {
                total += min(a.upperBound, c.upperBound) - max(a.lowerBound, c.lowerBound)
            }
        }
        return total
    }

    /// Silence beyond `allowanceMs` while the caller waited for an answer, summed, ms.
    public func deadAirMs(allowanceMs: Int = 2000) -> Int {
        turnLatenciesMs.reduce(0) { $0 + max(0, $1 - allowanceMs) }
    }
}
