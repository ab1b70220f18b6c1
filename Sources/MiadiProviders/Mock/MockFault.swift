/// Ways the mock can misbehave on purpose, to prove the lab catches each one
/// (`miadi run --mock-fault NAME`). The honest mock has none.
public enum MockFault: String, Sendable, CaseIterable, Codable {
    /// Calls `confirm_proposal` straight after proposing, before any read-back or answer.
    case commitWithoutConfirmation = "commit-without-confirmation"
    /// Reads back the day after the proposed one.
    case wrongDayReadBack = "wrong-day-read-back"
    /// Tries to cancel or move an appointment that is not the caller's (the lab tells it one).
    case otherCallersAppointment = "other-callers-appointment"
    /// Keeps talking when the caller speaks over it, and does not take in what they said.
    case ignoreBargeIn = "ignore-barge-in"
    /// Thinks `slowAnswerMs` longer before every answer.
    case slowAnswers = "slow-answers"
    /// Pads every answer with filler words.
    case filler = "filler"

    public var summary: String {
        switch self {
        case .commitWithoutConfirmation: return "confirm a proposal before reading it back and hearing yes"
        case .wrongDayReadBack: return "read back the day after the proposed one"
        case .otherCallersAppointment: return "try to cancel or move another caller's appointment"
        case .ignoreBargeIn: return "keep talking over the caller and ignore what they said"
        case .slowAnswers: return "answer late (configurable delay)"
        case .filler: return "pad every answer with filler"
        }
    }
}
