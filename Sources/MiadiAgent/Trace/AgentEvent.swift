/// What the agent records, typed: each case is one trace line of the agent's (`Docs/trace.md`),
/// rendered by `line(atMs:)` with the schema's own field names.
public enum AgentEvent: Sendable, Equatable {
    /// The answer a tool call got; `errorCode`: the calendar's refusal, when it refused.
    case toolResult(id: String, name: String, output: String, isError: Bool, errorCode: String?)
    case proposal(Proposal)
    case guardRefused(proposalID: String, reason: String)
    case guardAllowed(proposalID: String, readBackID: String, callerAnswer: String)
    case commit(Commit)
    case release(proposalID: String)

    /// A proposal held on the calendar, with the words to read it back.
    public struct Proposal: Sendable, Equatable {
        public let proposalID: String
        public let kind: String
        public let appointmentID: String?
        public let service: String
        public let staff: String
        /// ISO 8601 with the clinic's offset.
        public let start: String
        public let previousStart: String?
        public let expiresAt: String
        public let readBack: String
    }

    /// A committed change.
    public struct Commit: Sendable, Equatable {
        public let proposalID: String
        public let kind: String
        public let appointmentID: String
        public let service: String
        public let staff: String
        public let start: String
        public let status: String
        public let replayed: Bool
    }

    /// The trace line, at call time `atMs`.
    public func line(atMs t: Int) -> TraceEvent {
        switch self {
        case .toolResult(let id, let name, let output, let isError, let errorCode):
            var fields: [String: TraceValue] = ["id": .string(id), "name": .string(name), "output": .string(output), "is_error": .bool(isError)]
            // Which refusal it was, for the scorer (the model hears it too, as `code`).
            if let errorCode { fields["error_code"] = .string(errorCode) }
            return TraceEvent(tMs: t, type: .toolResult, fields: fields)
        case .proposal(let p):
            return TraceEvent(tMs: t, type: .proposal, fields: [
                "proposal_id": .string(p.proposalID), "kind": .string(p.kind), "appointment_id": .optional(p.appointmentID),
                "service": .string(p.service), "staff": .string(p.staff), "start": .string(p.start),
                "previous_start": .optional(p.previousStart), "expires_at": .string(p.expiresAt), "read_back": .string(p.readBack),
            ])
        case .guardRefused(let id, let reason):
            return TraceEvent(tMs: t, type: .guardDecision, fields: ["proposal_id": .string(id), "decision": "refused", "reason": .string(reason)])
        case .guardAllowed(let id, let readBackID, let answer):
            return TraceEvent(tMs: t, type: .guardDecision, fields: ["proposal_id": .string(id), "decision": "allowed", "read_back_id": .string(readBackID), "caller_answer": .string(answer)])
        case .commit(let c):
            return TraceEvent(tMs: t, type: .commit, fields: [
                "proposal_id": .string(c.proposalID), "kind": .string(c.kind), "appointment_id": .string(c.appointmentID),
                "service": .string(c.service), "staff": .string(c.staff), "start": .string(c.start),
                "status": .string(c.status), "replayed": .bool(c.replayed),
            ])
        case .release(let id):
            return TraceEvent(tMs: t, type: .release, fields: ["proposal_id": .string(id)])
        }
    }
}
