import Foundation

/// A tool call's answer, typed: what an in-process model (the mock) reads as it is, and what
/// `json` renders for the trace and for a network model. A refusal is a sentence the model
/// can say and, when the calendar refused, the code of the refusal.
public enum ToolOutput: Sendable, Equatable {
    case slots([OfferedSlot])
    case appointments([CallerAppointment])
    case proposal(ProposalMade)
    case committed(proposalID: String, appointmentID: String, status: String)
    case released(proposalID: String)
    case transferring
    case ending
    case refused(sentence: String, code: String?)

    /// A free slot as offered: clinic-local start (`YYYY-MM-DDTHH:MM`), staff and the words.
    public struct OfferedSlot: Sendable, Equatable {
        public let start: String
        public let staff: String
        public let staffName: String
        public let say: String
    }

    /// One of the caller's upcoming appointments.
    public struct CallerAppointment: Sendable, Equatable {
        public let id: String
        public let service: String
        public let serviceName: String
        public let staffName: String
        /// Clinic-local `YYYY-MM-DDTHH:MM`.
        public let start: String
        public let say: String
    }

    /// A proposal held for the caller: read `readBack` to them and ask.
    public struct ProposalMade: Sendable, Equatable {
        public let proposalID: String
        public let kind: String
        public let readBack: String
        public let expiresInSeconds: Int
    }

    public var isRefusal: Bool {
        if case .refused = self { return true }
        return false
    }

    /// The JSON a model is given (keys sorted, slashes unescaped).
    public var json: String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private var object: [String: Any] {
        switch self {
        case .slots(let slots):
            return ["slots": slots.map { ["start": $0.start, "staff": $0.staff, "staff_name": $0.staffName, "say": $0.say] }]
        case .appointments(let list):
            return ["appointments": list.map { ["id": $0.id, "service": $0.service, "service_name": $0.serviceName, "staff_name": $0.staffName, "start": $0.start, "say": $0.say] }]
        case .proposal(let p):
            return ["proposal_id": p.proposalID, "kind": p.kind, "read_back": p.readBack, "expires_in_seconds": p.expiresInSeconds]
        case .committed(let proposalID, let appointmentID, let status):
            return ["committed": proposalID, "appointment_id": appointmentID, "status": status]
        case .released(let proposalID):
            return ["released": proposalID]
        case .transferring:
            return ["transferring_to": "a member of staff"]
        case .ending:
            return ["ending": true]
        case .refused(let sentence, let code):
            var object: [String: Any] = ["error": sentence]
            if let code { object["code"] = code }
            return object
        }
    }
}

extension ToolResult {
    /// The result of a call, typed; `outputJSON` is its JSON.
    public init(callID: String, name: String, output: ToolOutput) {
        self.init(callID: callID, name: name, outputJSON: output.json, isError: output.isRefusal, output: output)
    }
}
