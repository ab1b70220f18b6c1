import Foundation

extension ToolOutput {
    /// Reads an answer back from the JSON a model was given (`json`), as a model on the other
    /// side of a network does: the protocol test servers hand it to the mock this way. Nil
    /// when the JSON is none of the shapes `json` writes.
    public init?(json: String) {
        guard let data = json.data(using: .utf8), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        func string(_ o: [String: Any], _ key: String) -> String? { o[key] as? String }
        if let slots = object["slots"] as? [[String: Any]] {
            var list: [OfferedSlot] = []
            for s in slots {
                guard let start = string(s, "start"), let staff = string(s, "staff"), let name = string(s, "staff_name"), let say = string(s, "say") else { return nil }
                list.append(OfferedSlot(start: start, staff: staff, staffName: name, say: say))
            }
            self = .slots(list)
        } else if let appointments = object["appointments"] as? [[String: Any]] {
            var list: [CallerAppointment] = []
            for a in appointments {
                guard let id = string(a, "id"), let service = string(a, "service"), let serviceName = string(a, "service_name"),
                      let staffName = string(a, "staff_name"), let start = string(a, "start"), let say = string(a, "say") else { return nil }
                list.append(CallerAppointment(id: id, service: service, serviceName: serviceName, staffName: staffName, start: start, say: say))
            }
            self = .appointments(list)
        } else if let id = string(object, "proposal_id") {
            guard let kind = string(object, "kind"), let readBack = string(object, "read_back"), let expires = object["expires_in_seconds"] as? Int else { return nil }
            self = .proposal(ProposalMade(proposalID: id, kind: kind, readBack: readBack, expiresInSeconds: expires))
        } else if let id = string(object, "committed") {
            guard let appointment = string(object, "appointment_id"), let status = string(object, "status") else { return nil }
            self = .committed(proposalID: id, appointmentID: appointment, status: status)
        } else if let id = string(object, "released") {
            self = .released(proposalID: id)
        } else if object["transferring_to"] != nil {
            self = .transferring
        } else if object["ending"] != nil {
            self = .ending
        } else if let sentence = string(object, "error") {
            self = .refused(sentence: sentence, code: string(object, "code"))
        } else {
            return nil
        }
    }
}

extension ToolResult {
    /// A result that came as JSON (a network model's side of a call), typed when it can be read.
    public init(callID: String, name: String, readingJSON json: String) {
        let output = ToolOutput(json: json)
        self.init(callID: callID, name: name, outputJSON: json, isError: output?.isRefusal ?? false, output: output)
    }
}
