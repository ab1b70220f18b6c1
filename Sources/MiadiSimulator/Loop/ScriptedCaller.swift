/// The caller of a scenario, as a machine: it says its `say` lines after the agent's turns,
/// answers the agent's questions from its pool of `answers` by what is asked (so a model that
/// asks in another order or other words still gets answers), says its last line again when
/// asked to repeat, keeps quiet for a `silence`, speaks over the agent on cue (`barge_in`,
/// `backchannel`) and hangs up when the script says.
struct ScriptedCaller: Sendable {
    enum Decision: Sendable, Equatable {
        case say(String)
        /// Over the agent, meant to stop it.
        case sayOver(String)
        /// Over the agent, a short sound that is not a turn of its own ("mm-hmm").
        case backchannel(String)
        /// Keep quiet this long before the next line, whatever the agent does meanwhile.
        case pause(ms: Int)
        case hangUp(String)
        case wait
    }

    private let steps: [Scenario.Step]
    private var index = 0
    /// Answers not said yet, by question kind, in the order they will be said.
    private var pool: [String: [String]] = [:]
    private var hangUpWhen: String?
    /// Silence the script asks for before the next line, ms (a `silence:` step not yet kept).
    private var pendingSilenceMs = 0
    /// The caller's last turn (not a backchannel): what it says again when asked to repeat.
    private var lastLine: String?
    /// The question of the agent turn in progress, recognised once per turn.
    private var lastTurnText: String?
    private var lastTurnKinds: [QuestionKind] = []
    /// The question the caller had no answer for, if that is why it is silent.
    private(set) var stuckOn: String?

    init(steps: [Scenario.Step]) { self.steps = steps }

    /// Takes in the non-blocking steps (answers, hang-up conditions, silences) up to the next
    /// one that needs a moment to happen.
    private mutating func advance() {
        while index < steps.count {
            switch steps[index] {
            case .answers(let answers): pool.merge(answers.filter { !$0.value.isEmpty }) { _, new in new }
            case .hangUp(let when): hangUpWhen = when
            case .silence(let ms): pendingSilenceMs += ms
            case .say, .bargeIn, .backchannel: return
            }
            index += 1
        }
    }

    /// Whether the caller hangs up on a transfer: its hang-up condition now, or the one the
    /// script sets before its next line.
    var wantsToHangUpWhenTransferred: Bool {
        var when = hangUpWhen
        for step in steps[index...] {
            if case .hangUp(let next) = step { when = next; continue }
            if case .answers = step { continue }
            if case .silence = step { continue }
            break
        }
        return when == "when_transferred"
    }

    /// The agent finished a turn that said `agentText`.
    mutating func turnEnded(agentText: String) -> Decision {
        advance()
        if pendingSilenceMs > 0 {
            defer { pendingSilenceMs = 0 }
            stuckOn = "keeping the silence the script asks for"
            return .pause(ms: pendingSilenceMs)
        }
        if hangUpWhen == "after_goodbye" && QuestionKind.isGoodbye(agentText) { return .hangUp("caller hung up after goodbye") }
        let kinds = QuestionKind.candidates(in: agentText)
        // Asked to say it again, with no other question it can answer: the same words again.
        if QuestionKind.asksToRepeat(agentText), let lastLine, !kinds.contains(where: { pool[$0.rawValue] != nil }) {
            stuckOn = nil
            return .say(lastLine)
        }
        if index < steps.count, case .say(let text) = steps[index] {
            index += 1
            return said(text)
        }
        if let kind = kinds.first(where: { pool[$0.rawValue] != nil }), var answers = pool.removeValue(forKey: kind.rawValue) {
            let answer = answers.removeFirst()
            if !answers.isEmpty { pool[kind.rawValue] = answers }
            return said(answer)
        }
        if QuestionKind.isGoodbye(agentText) { return .hangUp("caller hung up after goodbye") }
        stuckOn = kinds.first.map { "no answer for the agent's \($0.rawValue) question" } ?? "nothing to say to \"\(agentText)\""
        return .wait
    }

    private mutating func said(_ text: String) -> Decision {
        stuckOn = nil
        lastLine = text
        return .say(text)
    }

    /// `msIntoTurn` into an agent turn that says `agentText`.
    mutating func duringTurn(msIntoTurn: Int, agentText: String) -> Decision {
        advance()
        guard index < steps.count else { return .wait }
        switch steps[index] {
        case .bargeIn(let after, let say), .backchannel(let after, let say):
            guard msIntoTurn >= after else { return .wait }
            if agentText != lastTurnText {
                lastTurnText = agentText
                lastTurnKinds = QuestionKind.candidates(in: agentText)
            }
            let answerable = lastTurnKinds.contains { pool[$0.rawValue] != nil }
            guard !answerable else { return .wait }
            index += 1
            if case .backchannel = steps[index - 1] { return .backchannel(say) }
            lastLine = say
            return .sayOver(say)
        default:
            return .wait
        }
    }
}
