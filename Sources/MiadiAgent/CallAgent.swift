import Foundation
import MiadiBooking
import MiadiLanguage

/// One call's agent, with no I/O: decides what each of the model's tool calls becomes — an
/// answer at once (a refusal, the confirmation guard saying no, a transfer, the end of the
/// call) or a `ToolRequest` for the calendar, run by a shell through `ToolRunner` — and keeps
/// the confirm-before-commit guard's evidence. It lives inside the call machine, so
/// `miadi serve` and the lab decide tool calls with the same code.
///
/// Tool errors come back as plain sentences a model can say ("That slot was just taken.").
public struct CallAgent: Sendable {
    public enum Effect: Sendable, Equatable {
        case handoff(target: String, reason: String)
        case endCall(reason: String)
    }

    /// A tool call's answer: what the model is told, what happened (at call time `atMs`), what
    /// the call does.
    public struct Outcome: Sendable, Equatable {
        public let result: ToolResult
        public let events: [AgentEvent]
        public let atMs: Int
        public let effect: Effect?

        /// The events as trace lines.
        public var trace: [TraceEvent] { events.map { $0.line(atMs: atMs) } }
    }

    /// What a tool call becomes.
    public enum Step: Sendable, Equatable {
        /// Answered without the calendar.
        case answer(Outcome)
        /// The calendar must be asked: run it, then give the completion to `toolCompleted`.
        case run(ToolRequest)
    }

    public let clinic: Clinic
    public private(set) var context: CallContext
    /// The language the caller is spoken to in, as the model's tools last named it.
    public private(set) var language: LanguageCode
    public let handoffNumber: String?
    public private(set) var confirmationGuard: ConfirmationGuard

    /// `today`: the clinic's date when the call began, what spoken dates are relative to.
    public init(clinic: Clinic, today: CivilDate, context: CallContext, language: LanguageCode, handoffNumber: String?) {
        self.clinic = clinic
        self.context = context
        self.language = language
        self.handoffNumber = handoffNumber
        self.confirmationGuard = ConfirmationGuard(today: today)
    }

    /// Evidence for the guard: agent utterances (played or cut) and what the caller said.
    public mutating func observe(_ evidence: ConfirmationGuard.Evidence) { confirmationGuard.observe(evidence) }

    /// Decides one tool call at call time `nowMs`.
    public mutating func toolCalled(_ call: ToolCall, nowMs: Int) -> Step {
        let invocation: ToolInvocation
        do { invocation = try read(call) } catch { return .answer(Self.refused(call, error, atMs: nowMs)) }
        switch invocation {
        case .transferToHuman(let reason):
            guard let target = handoffNumber else {
                return .answer(Self.refused(call, .say("There is nobody to transfer to on this line; offer to take a message."), atMs: nowMs))
            }
            let (result, event) = ToolReply.make(call, .success(.transferring))
            return .answer(Outcome(result: result, events: [event], atMs: nowMs, effect: .handoff(target: target, reason: reason ?? "the caller asked for a person")))
        case .endCall(let reason):
            let (result, event) = ToolReply.make(call, .success(.ending))
            return .answer(Outcome(result: result, events: [event], atMs: nowMs, effect: .endCall(reason: reason ?? "conversation finished")))
        case .confirmProposal(let id):
            switch confirmationGuard.decide(proposalID: id) {
            case .refused(let reason):
                let decision = AgentEvent.guardRefused(proposalID: id, reason: reason)
                let (result, event) = ToolReply.make(call, .failure(.say("Not confirmed: \(reason).")))
                return .answer(Outcome(result: result, events: [decision, event], atMs: nowMs, effect: nil))
            case .allowed(let readBackID, let readBack, let answer):
                let decision = AgentEvent.guardAllowed(proposalID: id, readBackID: readBackID, callerAnswer: answer)
                return .run(request(call, invocation, confirmation: Confirmation(readBack: readBack, callerAnswer: answer), leading: [decision], nowMs: nowMs))
            }
        case .proposeBooking(let arguments):
            // The name is the caller's from now on, whatever the calendar answers.
            if let name = arguments.callerName, !name.isEmpty { context.callerName = name }
            return .run(request(call, invocation, nowMs: nowMs))
        case .findSlots, .listMyAppointments, .proposeReschedule, .proposeCancellation, .releaseProposal:
            return .run(request(call, invocation, nowMs: nowMs))
        }
    }

    /// The call's typed arguments: as the model made them, or read once from its JSON. The
    /// language it names becomes the call's language even when the call is refused.
    private mutating func read(_ call: ToolCall) throws(ToolFailure) -> ToolInvocation {
        if let typed = call.invocation {
            if let code = typed.language, let language = LanguageCode(rawValue: code) { self.language = language }
            return typed
        }
        let arguments = try ToolArguments(json: call.argumentsJSON)
        if let code = arguments.string("language"), let language = LanguageCode(rawValue: code) { self.language = language }
        guard let tool = AgentTool(rawValue: call.name) else { throw .say("There is no tool called \(call.name).") }
        return try ToolInvocation(tool: tool, arguments: arguments)
    }

    /// Takes a run's completion: a proposal becomes something the guard knows of.
    public mutating func toolCompleted(_ completion: ToolCompletion) -> Outcome {
        if let facts = completion.proposal { confirmationGuard.proposed(facts) }
        return Outcome(result: completion.result, events: completion.events, atMs: completion.atMs, effect: nil)
    }

    private func request(_ call: ToolCall, _ invocation: ToolInvocation, confirmation: Confirmation? = nil, leading: [AgentEvent] = [], nowMs: Int) -> ToolRequest {
        ToolRequest(call: call, invocation: invocation, context: context, language: language, confirmation: confirmation, leadingEvents: leading, calledAtMs: nowMs)
    }

    static func refused(_ call: ToolCall, _ failure: ToolFailure, atMs: Int) -> Outcome {
        let (result, event) = ToolReply.make(call, .failure(failure))
        return Outcome(result: result, events: [event], atMs: atMs, effect: nil)
    }
}

extension CallAgent {
    /// Decides and, when the calendar must be asked, runs one tool call at once: the whole
    /// round trip in one step, for callers with no clock of their own (tests, a text harness).
    public mutating func execute(_ call: ToolCall, nowMs: Int, runner: ToolRunner) async -> Outcome {
        switch toolCalled(call, nowMs: nowMs) {
        case .answer(let outcome): return outcome
        case .run(let request): return toolCompleted(await runner.run(request))
        }
    }
}
