/// The tools every model is offered, with JSON Schema parameters. Providers serialise
/// `definitions` into their own formats (Gemini `functionDeclarations`, OpenAI `tools`).
public enum AgentTool: String, Sendable, CaseIterable {
    case findSlots = "find_slots"
    case listMyAppointments = "list_my_appointments"
    case proposeBooking = "propose_booking"
    case proposeReschedule = "propose_reschedule"
    case proposeCancellation = "propose_cancellation"
    case confirmProposal = "confirm_proposal"
    case releaseProposal = "release_proposal"
    case transferToHuman = "transfer_to_human"
    case endCall = "end_call"

    public var description: String {
        switch self {
        case .findSlots: return "Find free appointment slots for a service on a day or range of days, optionally with a staff member and a part of the day. Returns up to `limit` slots with the words to offer them."
        case .listMyAppointments: return "List the caller's own upcoming appointments (only appointments under the number they are calling from)."
        case .proposeBooking: return "Hold a slot for a new booking. Nothing is booked yet: read the returned `read_back` to the caller and ask them to confirm."
        case .proposeReschedule: return "Hold a new time for one of the caller's appointments. Read back `read_back` and ask them to confirm."
        case .proposeCancellation: return "Prepare to cancel one of the caller's appointments. Read back `read_back` and ask them to confirm."
        case .confirmProposal: return "Commit a proposal, only after you have read it back in full and the caller has said yes. Refused otherwise, with the reason."
        case .releaseProposal: return "Drop a proposal the caller did not want."
        case .transferToHuman: return "Hand the call to a person at the clinic (the caller asked for one, or you are stuck)."
        case .endCall: return "End the conversation after saying goodbye."
        }
    }

    /// The JSON Schema of the parameters, as JSON text with sorted keys.
    public var parametersSchema: String {
        let language = #""language":{"description":"the language of the read-back: en, sw or fr","enum":["en","sw","fr"],"type":"string"}"#
        switch self {
        case .findSlots:
            return #"{"properties":{"date":{"description":"first day, YYYY-MM-DD, clinic local","type":"string"},"to_date":{"description":"last day (default: date)","type":"string"},"limit":{"maximum":10,"minimum":1,"type":"integer"},"part_of_day":{"enum":["morning","afternoon","evening"],"type":"string"},"service":{"description":"service id","type":"string"},"staff":{"description":"staff id (optional)","type":"string"},"#+language+#"},"required":["service","date"],"type":"object"}"#
        case .listMyAppointments:
            return #"{"properties":{"#+language+#"},"type":"object"}"#
        case .proposeBooking:
            return #"{"properties":{"service":{"type":"string"},"staff":{"type":"string"},"start":{"description":"YYYY-MM-DDTHH:MM, clinic local","type":"string"},"caller_name":{"type":"string"},"#+language+#"},"required":["service","start"],"type":"object"}"#
        case .proposeReschedule:
            return #"{"properties":{"appointment_id":{"type":"string"},"new_start":{"description":"YYYY-MM-DDTHH:MM, clinic local","type":"string"},"staff":{"type":"string"},"#+language+#"},"required":["appointment_id","new_start"],"type":"object"}"#
        case .proposeCancellation:
            return #"{"properties":{"appointment_id":{"type":"string"},"#+language+#"},"required":["appointment_id"],"type":"object"}"#
        case .confirmProposal, .releaseProposal:
            return #"{"properties":{"proposal_id":{"type":"string"}},"required":["proposal_id"],"type":"object"}"#
        case .transferToHuman, .endCall:
            return #"{"properties":{"reason":{"type":"string"}},"type":"object"}"#
        }
    }
}
