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

    /// A tool call's answer: what the model is told, what the trace records, what the call does.
    public struct Outcome: Sendable, Equatable {
        public let result: ToolResult
        public let trace: [TraceEvent]
        public let effect: Effect?
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
        let args: ToolArguments
        do { args = try ToolArguments(json: call.argumentsJSON) } catch { return .answer(Self.refused(call, error, atMs: nowMs)) }
        if let code = args.string("language"), let language = LanguageCode(rawValue: code) { self.language = language }
        guard let tool = AgentTool(rawValue: call.name) else {
            return .answer(Self.refused(call, .say("There is no tool called \(call.name)."), atMs: nowMs))
        }
        switch tool {
        case .transferToHuman:
            let reason = args.string("reason") ?? "the caller asked for a person"
            guard let target = handoffNumber else {
                return .answer(Self.refused(call, .say("There is nobody to transfer to on this line; offer to take a message."), atMs: nowMs))
            }
            let (result, event) = ToolReply.make(call, .success(["transferring_to": "a member of staff"]), atMs: nowMs)
            return .answer(Outcome(result: result, trace: [event], effect: .handoff(target: target, reason: reason)))
        case .endCall:
            let (result, event) = ToolReply.make(call, .success(["ending": true]), atMs: nowMs)
            return .answer(Outcome(result: result, trace: [event], effect: .endCall(reason: args.string("reason") ?? "conversation finished")))
        case .confirmProposal:
            let id: String
            do { id = try args.required("proposal_id") } catch { return .answer(Self.refused(call, error, atMs: nowMs)) }
            switch confirmationGuard.decide(proposalID: id) {
            case .refused(let reason):
                let decision = TraceEvent(tMs: nowMs, type: "guard", fields: ["proposal_id": .string(id), "decision": "refused", "reason": .string(reason)])
                let (result, event) = ToolReply.make(call, .failure(.say("Not confirmed: \(reason).")), atMs: nowMs)
                return .answer(Outcome(result: result, trace: [decision, event], effect: nil))
            case .allowed(let readBackID, let readBack, let answer):
                let decision = TraceEvent(tMs: nowMs, type: "guard", fields: [
                    "proposal_id": .string(id), "decision": "allowed", "read_back_id": .string(readBackID), "caller_answer": .string(answer),
                ])
                return .run(request(call, tool, args, confirmation: Confirmation(readBack: readBack, callerAnswer: answer), leading: [decision], nowMs: nowMs))
            }
        case .proposeBooking:
            // The name is the caller's from now on, whatever the calendar answers.
            if let name = args.string("caller_name") { context.callerName = name }
            return .run(request(call, tool, args, nowMs: nowMs))
        case .findSlots, .listMyAppointments, .proposeReschedule, .proposeCancellation, .releaseProposal:
            return .run(request(call, tool, args, nowMs: nowMs))
        }
    }

    /// Takes a run's completion: a proposal becomes something the guard knows of.
    public mutating func toolCompleted(_ completion: ToolCompletion) -> Outcome {
        if let facts = completion.proposal { confirmationGuard.proposed(facts) }
        return Outcome(result: completion.result, trace: completion.trace, effect: nil)
    }

    private func request(_ call: ToolCall, _ tool: AgentTool, _ args: ToolArguments, confirmation: Confirmation? = nil, leading: [TraceEvent] = [], nowMs: Int) -> ToolRequest {
        ToolRequest(call: call, tool: tool, arguments: args, context: context, language: language, confirmation: confirmation, leadingTrace: leading, calledAtMs: nowMs)
    }

    static func refused(_ call: ToolCall, _ failure: ToolFailure, atMs: Int) -> Outcome {
        let (result, event) = ToolReply.make(call, .failure(failure), atMs: atMs)
        return Outcome(result: result, trace: [event], effect: nil)
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
