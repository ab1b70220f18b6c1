import MiadiBooking
import MiadiLanguage

/// A tool call the agent has decided to run against the calendar: everything the run needs,
/// fixed at the moment of the decision, so that the run itself (I/O, in a shell) decides
/// nothing. Made by `CallAgent.toolCalled(_:nowMs:)`, performed by `ToolRunner.run(_:)`, and
/// answered with a `ToolCompletion` the agent takes back.
public struct ToolRequest: Sendable, Equatable {
    public let call: ToolCall
    public let invocation: ToolInvocation
    public var tool: AgentTool { invocation.tool }
    /// The caller on whose behalf the calendar is asked (the name they gave included).
    public let context: CallContext
    /// The language the answer's words are spoken in.
    public let language: LanguageCode
    /// For a confirmation the guard allowed: the read-back the caller heard and their answer.
    public let confirmation: Confirmation?
    /// Events already decided (the guard's `allowed`), recorded before the run's own.
    public let leadingEvents: [AgentEvent]
    /// Call time of the decision, ms: the run's trace events carry it.
    public let calledAtMs: Int
}

/// What running a `ToolRequest` gave: the answer for the model, the trace of what happened,
/// and, for a proposal, the facts the confirmation guard must know.
public struct ToolCompletion: Sendable, Equatable {
    public let result: ToolResult
    /// What happened, in order, at call time `atMs` (the request's).
    public let events: [AgentEvent]
    public let atMs: Int
    public let proposal: ConfirmationGuard.ProposalFacts?

    public init(result: ToolResult, events: [AgentEvent], atMs: Int, proposal: ConfirmationGuard.ProposalFacts? = nil) {
        self.result = result
        self.events = events
        self.atMs = atMs
        self.proposal = proposal
    }
}
