import Foundation
import MiadiJSON

/// A tool call's arguments, typed per tool. A network model's JSON is read into one of these
/// once, by `init(tool:json:)`; an in-process model (the mock) makes them directly, so no JSON
/// it wrote is parsed again. `argumentsJSON` is what the trace and the wire carry.
public enum ToolInvocation: Sendable, Equatable {
    case findSlots(FindSlots)
    case listMyAppointments(language: String?)
    case proposeBooking(ProposeBooking)
    case proposeReschedule(ProposeReschedule)
    case proposeCancellation(appointmentID: String, language: String?)
    case confirmProposal(proposalID: String)
    case releaseProposal(proposalID: String)
    case transferToHuman(reason: String?)
    case endCall(reason: String?)

    public struct FindSlots: Sendable, Equatable, Codable {
        public var service: String
        /// First day, `YYYY-MM-DD`, clinic local.
        public var date: String
        public var toDate: String?
        public var partOfDay: String?
        public var staff: String?
        public var limit: Int?
        public var language: String?

        public init(service: String, date: String, toDate: String? = nil, partOfDay: String? = nil, staff: String? = nil, limit: Int? = nil, language: String? = nil) {
            self.service = service
            self.date = date
            self.toDate = toDate
            self.partOfDay = partOfDay
            self.staff = staff
            self.limit = limit
            self.language = language
        }

        enum CodingKeys: String, CodingKey {
            case service, date, staff, limit, language
            case toDate = "to_date"
            case partOfDay = "part_of_day"
        }
    }

    public struct ProposeBooking: Sendable, Equatable, Codable {
        public var service: String
        /// `YYYY-MM-DDTHH:MM`, clinic local.
        public var start: String
        public var staff: String?
        public var callerName: String?
        public var language: String?

        public init(service: String, start: String, staff: String? = nil, callerName: String? = nil, language: String? = nil) {
            self.service = service
            self.start = start
            self.staff = staff
            self.callerName = callerName
            self.language = language
        }

        enum CodingKeys: String, CodingKey {
            case service, start, staff, language
            case callerName = "caller_name"
        }
    }

    public struct ProposeReschedule: Sendable, Equatable, Codable {
        public var appointmentID: String
        /// `YYYY-MM-DDTHH:MM`, clinic local.
        public var newStart: String
        public var staff: String?
        public var language: String?

        public init(appointmentID: String, newStart: String, staff: String? = nil, language: String? = nil) {
            self.appointmentID = appointmentID
            self.newStart = newStart
            self.staff = staff
            self.language = language
        }

        enum CodingKeys: String, CodingKey {
            case staff, language
            case appointmentID = "appointment_id"
            case newStart = "new_start"
        }
    }

    public var tool: AgentTool {
        switch self {
        case .findSlots: return .findSlots
        case .listMyAppointments: return .listMyAppointments
        case .proposeBooking: return .proposeBooking
        case .proposeReschedule: return .proposeReschedule
        case .proposeCancellation: return .proposeCancellation
        case .confirmProposal: return .confirmProposal
        case .releaseProposal: return .releaseProposal
        case .transferToHuman: return .transferToHuman
        case .endCall: return .endCall
        }
    }

    /// The language the model asked the answer in, when it named one.
    public var language: String? {
        switch self {
        case .findSlots(let a): return a.language
        case .listMyAppointments(let language), .proposeCancellation(_, let language): return language
        case .proposeBooking(let a): return a.language
        case .proposeReschedule(let a): return a.language
        case .confirmProposal, .releaseProposal, .transferToHuman, .endCall: return nil
        }
    }

    /// A model's JSON arguments for `tool`, with errors it can act on. Lenient as models are:
    /// a number where text is expected is read as its text, and the other way round.
    init(tool: AgentTool, json: String) throws(ToolFailure) {
        try self.init(tool: tool, arguments: try ToolArguments(json: json))
    }

    /// Arguments given as text fields (what the mock makes); the same checks as for JSON.
    public init(tool: AgentTool, fields: [String: String]) throws {
        try self.init(tool: tool, arguments: ToolArguments(values: fields))
    }

    init(tool: AgentTool, arguments a: ToolArguments) throws(ToolFailure) {
        switch tool {
        case .findSlots:
            self = .findSlots(FindSlots(service: try a.required("service"), date: try a.required("date"), toDate: a.string("to_date"), partOfDay: a.string("part_of_day"),
                                        staff: a.string("staff"), limit: a.int("limit"), language: a.string("language")))
        case .listMyAppointments:
            self = .listMyAppointments(language: a.string("language"))
        case .proposeBooking:
            self = .proposeBooking(ProposeBooking(service: try a.required("service"), start: try a.required("start"), staff: a.string("staff"),
                                                  callerName: a.string("caller_name"), language: a.string("language")))
        case .proposeReschedule:
            self = .proposeReschedule(ProposeReschedule(appointmentID: try a.required("appointment_id"), newStart: try a.required("new_start"),
                                                        staff: a.string("staff"), language: a.string("language")))
        case .proposeCancellation:
            self = .proposeCancellation(appointmentID: try a.required("appointment_id"), language: a.string("language"))
        case .confirmProposal:
            self = .confirmProposal(proposalID: try a.required("proposal_id"))
        case .releaseProposal:
            self = .releaseProposal(proposalID: try a.required("proposal_id"))
        case .transferToHuman:
            self = .transferToHuman(reason: a.string("reason"))
        case .endCall:
            self = .endCall(reason: a.string("reason"))
        }
    }

    /// The arguments as one JSON object, keys sorted: what the trace and a network model see.
    public var argumentsJSON: String {
        var fields: [String: Any] = [:]
        func put(_ key: String, _ value: String?) { if let value { fields[key] = value } }
        switch self {
        case .findSlots(let a):
            put("service", a.service); put("date", a.date); put("to_date", a.toDate); put("part_of_day", a.partOfDay)
            put("staff", a.staff); put("language", a.language)
            if let limit = a.limit { fields["limit"] = limit }
        case .listMyAppointments(let language):
            put("language", language)
        case .proposeBooking(let a):
            put("service", a.service); put("start", a.start); put("staff", a.staff); put("caller_name", a.callerName); put("language", a.language)
        case .proposeReschedule(let a):
            put("appointment_id", a.appointmentID); put("new_start", a.newStart); put("staff", a.staff); put("language", a.language)
        case .proposeCancellation(let id, let language):
            put("appointment_id", id); put("language", language)
        case .confirmProposal(let id), .releaseProposal(let id):
            put("proposal_id", id)
        case .transferToHuman(let reason), .endCall(let reason):
            put("reason", reason)
        }
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension ToolCall {
    /// A call an in-process model makes with typed arguments (no JSON to parse back).
    public init(id: String, invocation: ToolInvocation) {
        self.init(id: id, name: invocation.tool.rawValue, argumentsJSON: invocation.argumentsJSON, invocation: invocation)
    }
}
