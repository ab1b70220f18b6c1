/// The caller of a scenario, as a machine: it says its `say` lines after the agent's turns,
/// answers the agent's questions from its pool of `answers` by what is asked (so a model that
/// asks in another order or other words still gets answers), speaks over the agent on cue
/// (`barge_in`, `backchannel`) and hangs up when the script says.
struct ScriptedCaller: Sendable {
    enum Decision: Sendable, Equatable {
        case say(String)
        case sayOver(String)
        case hangUp(String)
        case wait
    }

    private let steps: [Scenario.Step]
    private var index = 0
    /// Answers not said yet, by question kind, in the order they will be said.
    private var pool: [String: [String]] = [:]
    private var hangUpWhen: String?
    /// The question of the agent turn in progress, recognised once per turn.
    private var lastTurnText: String?
    private var lastTurnKind: QuestionKind?
    /// The question the caller had no answer for, if that is why it is silent.
    private(set) var stuckOn: String?

    init(steps: [Scenario.Step]) { self.steps = steps }

    /// Takes in the non-blocking steps (answers, hang-up conditions) up to the next one that
    /// needs a moment to happen.
    private mutating func advance() {
        while index < steps.count {
            switch steps[index] {
            case .answers(let answers): pool.merge(answers.filter { !$0.value.isEmpty }) { _, new in new }
            case .hangUp(let when): hangUpWhen = when
            case .silence: break
            case .say, .bargeIn, .backchannel: return
            }
            index += 1
        }
    }

    var wantsToHangUpWhenTransferred: Bool { hangUpWhen == "when_transferred" }

    /// The agent finished a turn that said `agentText`.
    mutating func turnEnded(agentText: String) -> Decision {
        advance()
        if hangUpWhen == "after_goodbye" && QuestionKind.isGoodbye(agentText) { return .hangUp("caller hung up after goodbye") }
        if index < steps.count, case .say(let text) = steps[index] {
            index += 1
            stuckOn = nil
            return .say(text)
        }
        if let kind = QuestionKind.asked(in: agentText), var answers = pool.removeValue(forKey: kind.rawValue) {
            let answer = answers.removeFirst()
            if !answers.isEmpty { pool[kind.rawValue] = answers }
            stuckOn = nil
            return .say(answer)
        }
        if QuestionKind.isGoodbye(agentText) { return .hangUp("caller hung up after goodbye") }
        stuckOn = QuestionKind.asked(in: agentText).map { "no answer for the agent's \($0.rawValue) question" } ?? "nothing to say to \"\(agentText)\""
        return .wait
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
                lastTurnKind = QuestionKind.asked(in: agentText)
            }
            let answerable = lastTurnKind.map { pool[$0.rawValue] != nil } ?? false
            guard !answerable else { return .wait }
            index += 1
            return .sayOver(say)
        default:
            return .wait
        }
    }
}
