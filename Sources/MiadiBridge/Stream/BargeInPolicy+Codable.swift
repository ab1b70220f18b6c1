/// The policy as JSON (`POST /lab/calls`, results): the same snake_case keys as `serve.yaml`'s
/// and a scenario's `barge_in:`. A key left out keeps its default; an unknown mode is refused.
extension BargeInPolicy: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode
        case minimumSpeechMs = "min_speech_ms"
        case falseInterruptionMs = "false_interruption_ms"
        case transcriptWaitMs = "transcript_wait_ms"
        case resumeGapMs = "resume_gap_ms"
        case rewindMs = "rewind_ms"
    }

    /// The keys a `barge_in:` mapping may have, in the order the docs list them.
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let raw = try c.decodeIfPresent(String.self, forKey: .mode) {
            guard let mode = Mode(rawValue: raw) else {
                throw DecodingError.dataCorruptedError(forKey: .mode, in: c, debugDescription: "barge_in mode \"\(raw)\" is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.mode = mode
        }
        minimumSpeechMs = try c.decodeIfPresent(Int.self, forKey: .minimumSpeechMs) ?? minimumSpeechMs
        falseInterruptionMs = try c.decodeIfPresent(Int.self, forKey: .falseInterruptionMs) ?? falseInterruptionMs
        transcriptWaitMs = try c.decodeIfPresent(Int.self, forKey: .transcriptWaitMs) ?? transcriptWaitMs
        resumeGapMs = try c.decodeIfPresent(Int.self, forKey: .resumeGapMs) ?? resumeGapMs
        rewindMs = try c.decodeIfPresent(Int.self, forKey: .rewindMs) ?? rewindMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode.rawValue, forKey: .mode)
        try c.encode(minimumSpeechMs, forKey: .minimumSpeechMs)
        try c.encode(falseInterruptionMs, forKey: .falseInterruptionMs)
        try c.encode(transcriptWaitMs, forKey: .transcriptWaitMs)
        try c.encode(resumeGapMs, forKey: .resumeGapMs)
        try c.encode(rewindMs, forKey: .rewindMs)
    }

    /// Each setting's allowed range, ms: what `serve.yaml` and scenarios are checked against.
    public static let ranges: [String: ClosedRange<Int>] = [
        "min_speech_ms": 0...3000, "false_interruption_ms": 200...3000, "transcript_wait_ms": 0...2000, "resume_gap_ms": 0...1000, "rewind_ms": 0...1000,
    ]

    /// The mode a setting tunes (nil: both, `resume_gap_ms`).
    public static func modeTuned(by key: String) -> Mode? {
        switch key {
        case "min_speech_ms": return .stopAfter
        case "false_interruption_ms", "transcript_wait_ms", "rewind_ms": return .pauseResume
        default: return nil
        }
    }

    /// Sets one setting by its key (a value already checked against `ranges`).
    public mutating func set(_ key: String, ms value: Int) {
        switch key {
        case "min_speech_ms": minimumSpeechMs = value
        case "false_interruption_ms": falseInterruptionMs = value
        case "transcript_wait_ms": transcriptWaitMs = value
        case "resume_gap_ms": resumeGapMs = value
        case "rewind_ms": rewindMs = value
        default: preconditionFailure("BargeInPolicy has no setting \(key)")
        }
    }

    /// One line for reports: the mode and what tunes it.
    public var summary: String {
        switch mode {
        case .pauseResume: return "pause_resume (false interruption \(falseInterruptionMs) ms, transcript wait \(transcriptWaitMs) ms, rewind \(rewindMs) ms)"
        case .stopAfter: return "stop_after (\(minimumSpeechMs) ms of speech)"
        }
    }
}
