/// Ways the mock can misbehave on purpose, to prove the lab catches each one
/// (`miadi run --mock-fault NAME`). The honest mock has none.
public enum MockFault: String, Sendable, CaseIterable, Codable {
    /// Calls `confirm_proposal` straight after proposing, before any read-back or answer.
    case commitWithoutConfirmation = "commit-without-confirmation"
    /// Reads back the day after the proposed one.
    case wrongDayReadBack = "wrong-day-read-back"
    /// Reads back the proposed date under the next day's weekday ("Saturday the 6th of March"
    /// when the 6th is a Friday): a read-back that contradicts itself.
    case wrongWeekdayReadBack = "wrong-weekday-read-back"
    /// Confirms the proposal even when the caller answers the read-back with no.
    case commitAfterNo = "commit-after-no"
    /// Not the model's fault but the shell's: the in-process lab reports the read-back as played
    /// while the platform receives silence in its place (caught from a `both_tracks`
    /// recording, whose agent channel is what the platform played).
    case silentReadBack = "silent-read-back"
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
        case .wrongWeekdayReadBack: return "read back the date under the wrong weekday"
        case .commitAfterNo: return "confirm a proposal the caller said no to"
        case .silentReadBack: return "(the lab's shell) send silence for the read-back yet report it played; in process only"
        case .otherCallersAppointment: return "try to cancel or move another caller's appointment"
        case .ignoreBargeIn: return "keep talking over the caller and ignore what they said"
        case .slowAnswers: return "answer late (configurable delay)"
        case .filler: return "pad every answer with filler"
        }
    }
}
