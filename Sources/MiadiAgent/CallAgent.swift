import Foundation
import MiadiBooking
import MiadiLanguage

/// One call's agent: runs the model's tool calls against the booking engine, on behalf of the
/// caller's number, through the confirm-before-commit guard, and traces every decision.
///
/// Tool errors come back as plain sentences a model can say ("That slot was just taken.").
/// The guard's evidence comes from the bridge's trace events (`observe`).
public struct CallAgent: Sendable {
    public enum Effect: Sendable, Equatable {
        case handoff(target: String, reason: String)
        case endCall(reason: String)
    }

    public struct Outcome: Sendable, Equatable {
        public let result: ToolResult
        public let trace: [TraceEvent]
        public let effect: Effect?
    }

    public let engine: BookingEngine
    public private(set) var context: CallContext
    public var language: LanguageCode
    public let handoffNumber: String?
    public private(set) var confirmationGuard: ConfirmationGuard
    let time: ClinicTime

    public init(engine: BookingEngine, context: CallContext, language: LanguageCode, handoffNumber: String?) {
        self.engine = engine
        self.context = context
        self.language = language
        self.handoffNumber = handoffNumber
        self.time = ClinicTime(zone: engine.clinic.timeZone)
        self.confirmationGuard = ConfirmationGuard(today: CivilDate(engine.clock.now(), in: engine.clinic.timeZone))
    }

    /// Evidence for the guard: agent utterances (played or cut) and caller transcripts.
    public mutating func observe(_ event: TraceEvent) { confirmationGuard.observe(event) }

    /// Runs one tool call at call time `nowMs`.
    public mutating func execute(_ call: ToolCall, nowMs: Int) async -> Outcome {
        var trace: [TraceEvent] = []
        var effect: Effect?
        let result: Result<[String: Any], ToolFailure>
        do {
            let args = try ToolArguments(json: call.argumentsJSON)
            if let code = args.string("language"), let language = LanguageCode(rawValue: code) { self.language = language }
            guard let tool = AgentTool(rawValue: call.name) else { throw ToolFailure.say("There is no tool called \(call.name).") }
            switch tool {
            case .findSlots: result = .success(try await findSlots(args))
            case .listMyAppointments: result = .success(try await listMine())
            case .proposeBooking, .proposeReschedule, .proposeCancellation:
                result = .success(try await propose(tool, args, nowMs: nowMs, trace: &trace))
            case .confirmProposal: result = .success(try await confirm(args, call: call, nowMs: nowMs, trace: &trace))
            case .releaseProposal:
                let id = try args.required("proposal_id")
                try await run { try await engine.release(proposalID: id, for: context) }
                trace.append(TraceEvent(tMs: nowMs, type: "release", fields: ["proposal_id": .string(id)]))
                result = .success(["released": id])
            case .transferToHuman:
                let reason = args.string("reason") ?? "the caller asked for a person"
                guard let target = handoffNumber else { throw ToolFailure.say("There is nobody to transfer to on this line; offer to take a message.") }
                effect = .handoff(target: target, reason: reason)
                result = .success(["transferring_to": "a member of staff"])
            case .endCall:
                effect = .endCall(reason: args.string("reason") ?? "conversation finished")
                result = .success(["ending": true])
            }
        } catch let failure as ToolFailure {
            result = .failure(failure)
        } catch {
            result = .failure(.say("Something went wrong: \(error)."))
        }
        let toolResult: ToolResult
        var errorCode: String?
        switch result {
        case .success(let object):
            toolResult = ToolResult(callID: call.id, name: call.name, outputJSON: Self.json(object))
        case .failure(let failure):
            // The sentence to say (or to say in the caller's language) and, when the calendar
            // refused, which refusal it was.
            var output: [String: Any] = ["error": failure.sentence]
            // Another caller's appointment is, to the model, one that does not exist: the
            // sentence says nothing more, and neither may the code (the trace keeps the truth).
            if let code = failure.code { output["code"] = code == "not_your_appointment" ? "no_such_appointment" : code }
            toolResult = ToolResult(callID: call.id, name: call.name, outputJSON: Self.json(output), isError: true)
            errorCode = failure.code
        }
        var fields: [String: TraceValue] = [
            "id": .string(call.id), "name": .string(call.name), "output": .string(toolResult.outputJSON), "is_error": .bool(toolResult.isError),
        ]
        // Which refusal it was, for the scorer (the model hears it too, as `code`).
        if let errorCode { fields["error_code"] = .string(errorCode) }
        trace.append(TraceEvent(tMs: nowMs, type: "tool.result", fields: fields))
        return Outcome(result: toolResult, trace: trace, effect: effect)
    }

    // MARK: Tools

    /// A refusal the model can say, with the engine's code for the trace when the engine refused.
    enum ToolFailure: Error {
        case say(String, code: String? = nil)
        var sentence: String { if case .say(let s, _) = self { return s }; return "" }
        var code: String? { if case .say(_, let code) = self { return code }; return nil }
    }

    /// Runs an engine operation; its refusal becomes the sentence the model can say.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as BookingError { throw ToolFailure.say(error.spokenReason, code: error.code) }
    }

    func service(_ args: ToolArguments) throws -> Service {
        let id = try args.required("service")
        if let service = engine.clinic.service(id) { return service }
        // Models often pass the caller's word; accept any of the service's names.
        let matcher = TermMatcher(terms: engine.clinic.services.map { s in (s.id, [s.id] + s.names.values.flatMap { $0 }) })
        if let match = matcher.matches(in: id).first, let service = engine.clinic.service(match) { return service }
        throw ToolFailure.say("We don't offer \"\(id)\". We offer: \(engine.clinic.services.map { $0.name(in: language) }.joined(separator: ", ")).")
    }

    func localStart(_ text: String, field: String) throws -> Date {
        guard let instant = time.parseLocal(text) else { throw ToolFailure.say("I need \(field) as YYYY-MM-DDTHH:MM, got \"\(text)\".") }
        return instant
    }

    func staffName(_ id: String) -> String { engine.clinic.staffMember(id)?.name ?? id }

    func findSlots(_ args: ToolArguments) async throws -> [String: Any] {
        let service = try service(args)
        guard let first = CivilDate(iso: try args.required("date")) else { throw ToolFailure.say("I need the date as YYYY-MM-DD.") }
        let last = args.string("to_date").flatMap(CivilDate.init(iso:)) ?? first
        let part = args.string("part_of_day").flatMap(DayPart.init(rawValue:))
        let query = SlotQuery(serviceID: service.id, staffID: args.string("staff"), firstDay: first, lastDay: last,
                              earliest: part?.window.from, latest: part?.window.to, limit: min(10, max(1, args.int("limit") ?? 3)),
                              spacingMinutes: max(30, service.durationMinutes))
        let slots = try await run { try await engine.findSlots(query, for: context) }
        let book = language.phrasebook
        return ["slots": slots.map { slot -> [String: Any] in
            let (date, clock) = time.local(slot.start)
            return ["start": slot.localStart, "staff": slot.staffID, "staff_name": staffName(slot.staffID), "say": book.speak(date: date, time: clock)]
        }]
    }

    func listMine() async throws -> [String: Any] {
        let mine = try await run { try await engine.upcomingAppointments(for: context) }
        let book = language.phrasebook
        return ["appointments": mine.map { a -> [String: Any] in
            let (date, clock) = time.local(a.start)
            return ["id": a.id, "service": a.serviceID, "service_name": engine.clinic.service(a.serviceID)?.name(in: language) ?? a.serviceID,
                    "staff_name": staffName(a.staffID), "start": time.localISO(a.start), "say": book.speak(date: date, time: clock)]
        }]
    }

    mutating func propose(_ tool: AgentTool, _ args: ToolArguments, nowMs: Int, trace: inout [TraceEvent]) async throws -> [String: Any] {
        let proposal: Proposal
        let context = self.context
        var readBack: String
        switch tool {
        case .proposeBooking:
            let service = try service(args)
            let start = try localStart(try args.required("start"), field: "start")
            if let name = args.string("caller_name") { self.context.callerName = name }
            let withName = self.context
            proposal = try await run { try await engine.proposeBooking(serviceID: service.id, start: start, staffID: args.string("staff"), for: withName) }
            readBack = ReadBack.booking(service: service.name(in: language), staff: staffName(proposal.staffID), date: proposal.date, time: proposal.time, language: language)
        case .proposeReschedule:
            let id = try args.required("appointment_id")
            let start = try localStart(try args.required("new_start"), field: "new_start")
            proposal = try await run { try await engine.proposeReschedule(appointmentID: id, newStart: start, staffID: args.string("staff"), for: context) }
            let old = time.local(proposal.previousStart ?? proposal.start)
            readBack = ReadBack.reschedule(service: engine.clinic.service(proposal.serviceID)?.name(in: language) ?? proposal.serviceID,
                                           date: proposal.date, time: proposal.time, from: old.date, old.time, language: language)
        default:
            let id = try args.required("appointment_id")
            proposal = try await run { try await engine.proposeCancellation(appointmentID: id, for: context) }
            readBack = ReadBack.cancellation(service: engine.clinic.service(proposal.serviceID)?.name(in: language) ?? proposal.serviceID,
                                             date: proposal.date, time: proposal.time, language: language)
        }
        confirmationGuard.proposed(.init(id: proposal.id, date: proposal.date, time: proposal.time, madeAtMs: nowMs))
        trace.append(TraceEvent(tMs: nowMs, type: "proposal", fields: [
            "proposal_id": .string(proposal.id), "kind": .string(proposal.kind.rawValue), "appointment_id": .optional(proposal.appointmentID),
            "service": .string(proposal.serviceID), "staff": .string(proposal.staffID), "start": .string(time.isoWithOffset(proposal.start)),
            "previous_start": .optional(proposal.previousStart.map(time.isoWithOffset)), "expires_at": .string(time.isoWithOffset(proposal.expiresAt)),
            "read_back": .string(readBack),
        ]))
        return ["proposal_id": proposal.id, "kind": proposal.kind.rawValue, "read_back": readBack,
                "expires_in_seconds": Int(proposal.expiresAt.timeIntervalSince(engine.clock.now()))]
    }

    mutating func confirm(_ args: ToolArguments, call: ToolCall, nowMs: Int, trace: inout [TraceEvent]) async throws -> [String: Any] {
        let id = try args.required("proposal_id")
        switch confirmationGuard.decide(proposalID: id) {
        case .refused(let reason):
            trace.append(TraceEvent(tMs: nowMs, type: "guard", fields: ["proposal_id": .string(id), "decision": "refused", "reason": .string(reason)]))
            throw ToolFailure.say("Not confirmed: \(reason).")
        case .allowed(let readBackID, let readBack, let answer):
            trace.append(TraceEvent(tMs: nowMs, type: "guard", fields: [
                "proposal_id": .string(id), "decision": "allowed", "read_back_id": .string(readBackID), "caller_answer": .string(answer),
            ]))
            let context = self.context
            let result = try await run {
                try await engine.commit(proposalID: id, idempotencyKey: "\(context.callSID)/\(call.id)", confirmation: Confirmation(readBack: readBack, callerAnswer: answer), for: context)
            }
            let a = result.appointment
            trace.append(TraceEvent(tMs: nowMs, type: "commit", fields: [
                "proposal_id": .string(id), "kind": .string(result.kind.rawValue), "appointment_id": .string(a.id),
                "service": .string(a.serviceID), "staff": .string(a.staffID), "start": .string(time.isoWithOffset(a.start)),
                "status": .string(a.status.rawValue), "replayed": .bool(result.replayed),
            ]))
            return ["committed": id, "appointment_id": a.id, "status": a.status.rawValue]
        }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A tool call's JSON arguments, read with errors a model can act on.
struct ToolArguments: Sendable {
    let values: [String: String]

    init(json: String) throws {
        let text = json.trimmingCharacters(in: .whitespaces).isEmpty ? "{}" : json
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CallAgent.ToolFailure.say("The arguments must be a JSON object.")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            if let s = value as? String { values[key] = s } else if let n = value as? NSNumber { values[key] = n.stringValue }
        }
        self.values = values
    }

    func string(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
    func required(_ key: String) throws -> String {
        guard let value = string(key) else { throw CallAgent.ToolFailure.say("The argument \(key) is missing.") }
        return value
    }
}
