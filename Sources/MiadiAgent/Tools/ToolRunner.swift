import Foundation
import MiadiBooking
import MiadiLanguage

/// Runs the calendar side of tool calls: the agent's I/O. Every decision was made before (by
/// `CallAgent`, inside the call machine); this only asks the booking engine and words its
/// answer, so a shell can run it wherever it likes (inline on virtual time, in a task of its
/// own on the real clock) and give the completion back to the machine.
public struct ToolRunner: Sendable {
    public let engine: BookingEngine
    let time: ClinicTime

    public init(engine: BookingEngine) {
        self.engine = engine
        self.time = ClinicTime(zone: engine.clinic.timeZone)
    }

    public func run(_ request: ToolRequest) async -> ToolCompletion {
        let t = request.calledAtMs
        var trace = request.leadingTrace
        var proposal: ConfirmationGuard.ProposalFacts?
        let result: Result<[String: Any], ToolFailure>
        do {
            let args = request.arguments
            switch request.tool {
            case .findSlots: result = .success(try await findSlots(args, request))
            case .listMyAppointments: result = .success(try await listMine(request))
            case .proposeBooking, .proposeReschedule, .proposeCancellation:
                let (object, facts) = try await propose(args, request, trace: &trace)
                proposal = facts
                result = .success(object)
            case .confirmProposal: result = .success(try await commit(args, request, trace: &trace))
            case .releaseProposal:
                let id = try args.required("proposal_id")
                try await run { try await engine.release(proposalID: id, for: request.context) }
                trace.append(TraceEvent(tMs: t, type: "release", fields: ["proposal_id": .string(id)]))
                result = .success(["released": id])
            case .transferToHuman, .endCall:
                // Answered by the agent itself; a request for them is our own mistake.
                preconditionFailure("ToolRunner asked to run \(request.tool.rawValue), which the agent answers without the calendar")
            }
        } catch let failure as ToolFailure {
            result = .failure(failure)
        } catch {
            result = .failure(.say("Something went wrong: \(error)."))
        }
        let (toolResult, event) = ToolReply.make(request.call, result, atMs: t)
        trace.append(event)
        return ToolCompletion(result: toolResult, trace: trace, proposal: proposal)
    }

    // MARK: The calendar's operations

    /// Runs an engine operation; its refusal becomes the sentence the model can say.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as BookingError { throw ToolFailure.say(error.spokenReason, code: error.code) }
    }

    func service(_ args: ToolArguments, language: LanguageCode) throws -> Service {
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

    func findSlots(_ args: ToolArguments, _ request: ToolRequest) async throws -> [String: Any] {
        let service = try service(args, language: request.language)
        guard let first = CivilDate(iso: try args.required("date")) else { throw ToolFailure.say("I need the date as YYYY-MM-DD.") }
        let last = args.string("to_date").flatMap(CivilDate.init(iso:)) ?? first
        let part = args.string("part_of_day").flatMap(DayPart.init(rawValue:))
        let query = SlotQuery(serviceID: service.id, staffID: args.string("staff"), firstDay: first, lastDay: last,
                              earliest: part?.window.from, latest: part?.window.to, limit: min(10, max(1, args.int("limit") ?? 3)),
                              spacingMinutes: max(30, service.durationMinutes))
        let slots = try await run { try await engine.findSlots(query, for: request.context) }
        let book = request.language.phrasebook
        return ["slots": slots.map { slot -> [String: Any] in
            let (date, clock) = time.local(slot.start)
            return ["start": slot.localStart, "staff": slot.staffID, "staff_name": staffName(slot.staffID), "say": book.speak(date: date, time: clock)]
        }]
    }

    func listMine(_ request: ToolRequest) async throws -> [String: Any] {
        let mine = try await run { try await engine.upcomingAppointments(for: request.context) }
        let language = request.language
        let book = language.phrasebook
        return ["appointments": mine.map { a -> [String: Any] in
            let (date, clock) = time.local(a.start)
            return ["id": a.id, "service": a.serviceID, "service_name": engine.clinic.service(a.serviceID)?.name(in: language) ?? a.serviceID,
                    "staff_name": staffName(a.staffID), "start": time.localISO(a.start), "say": book.speak(date: date, time: clock)]
        }]
    }

    func propose(_ args: ToolArguments, _ request: ToolRequest, trace: inout [TraceEvent]) async throws -> ([String: Any], ConfirmationGuard.ProposalFacts) {
        let proposal: Proposal
        let context = request.context
        let language = request.language
        let readBack: String
        switch request.tool {
        case .proposeBooking:
            let service = try service(args, language: language)
            let start = try localStart(try args.required("start"), field: "start")
            proposal = try await run { try await engine.proposeBooking(serviceID: service.id, start: start, staffID: args.string("staff"), for: context) }
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
        let t = request.calledAtMs
        trace.append(TraceEvent(tMs: t, type: "proposal", fields: [
            "proposal_id": .string(proposal.id), "kind": .string(proposal.kind.rawValue), "appointment_id": .optional(proposal.appointmentID),
            "service": .string(proposal.serviceID), "staff": .string(proposal.staffID), "start": .string(time.isoWithOffset(proposal.start)),
            "previous_start": .optional(proposal.previousStart.map(time.isoWithOffset)), "expires_at": .string(time.isoWithOffset(proposal.expiresAt)),
            "read_back": .string(readBack),
        ]))
        let object: [String: Any] = ["proposal_id": proposal.id, "kind": proposal.kind.rawValue, "read_back": readBack,
                                     "expires_in_seconds": Int(proposal.expiresAt.timeIntervalSince(engine.clock.now()))]
        return (object, .init(id: proposal.id, date: proposal.date, time: proposal.time, madeAtMs: t))
    }

    func commit(_ args: ToolArguments, _ request: ToolRequest, trace: inout [TraceEvent]) async throws -> [String: Any] {
        let id = try args.required("proposal_id")
        guard let confirmation = request.confirmation else {
            preconditionFailure("confirm_proposal \(id) reached the calendar without the guard's confirmation")
        }
        let context = request.context
        let callID = request.call.id
        let result = try await run {
            try await engine.commit(proposalID: id, idempotencyKey: "\(context.callSID)/\(callID)", confirmation: confirmation, for: context)
        }
        let a = result.appointment
        trace.append(TraceEvent(tMs: request.calledAtMs, type: "commit", fields: [
            "proposal_id": .string(id), "kind": .string(result.kind.rawValue), "appointment_id": .string(a.id),
            "service": .string(a.serviceID), "staff": .string(a.staffID), "start": .string(time.isoWithOffset(a.start)),
            "status": .string(a.status.rawValue), "replayed": .bool(result.replayed),
        ]))
        return ["committed": id, "appointment_id": a.id, "status": a.status.rawValue]
    }
}
