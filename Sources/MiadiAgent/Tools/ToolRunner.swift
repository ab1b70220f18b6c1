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
        var trace = request.leadingEvents
        var proposal: ConfirmationGuard.ProposalFacts?
        let result: Result<ToolOutput, ToolFailure>
        do {
            switch request.invocation {
            case .findSlots(let arguments): result = .success(try await findSlots(arguments, request))
            case .listMyAppointments: result = .success(try await listMine(request))
            case .proposeBooking, .proposeReschedule, .proposeCancellation:
                let (object, facts) = try await propose(request, trace: &trace)
                proposal = facts
                result = .success(object)
            case .confirmProposal(let id): result = .success(try await commit(id, request, trace: &trace))
            case .releaseProposal(let id):
                try await run { try await engine.release(proposalID: id, for: request.context) }
                trace.append(.release(proposalID: id))
                result = .success(.released(proposalID: id))
            case .transferToHuman, .endCall:
                // Answered by the agent itself; a request for them is our own mistake.
                preconditionFailure("ToolRunner asked to run \(request.tool.rawValue), which the agent answers without the calendar")
            }
        } catch let failure as ToolFailure {
            result = .failure(failure)
        } catch {
            result = .failure(.say("Something went wrong: \(error)."))
        }
        let (toolResult, event) = ToolReply.make(request.call, result)
        trace.append(event)
        return ToolCompletion(result: toolResult, events: trace, atMs: t, proposal: proposal)
    }

    // MARK: The calendar's operations

    /// Runs an engine operation; its refusal becomes the sentence the model can say.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as BookingError { throw ToolFailure.say(error.spokenReason, code: error.code) }
    }

    func service(_ id: String, language: LanguageCode) throws -> Service {
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

    func findSlots(_ args: ToolInvocation.FindSlots, _ request: ToolRequest) async throws -> ToolOutput {
        let service = try service(args.service, language: request.language)
        guard let first = CivilDate(iso: args.date) else { throw ToolFailure.say("I need the date as YYYY-MM-DD.") }
        let last = args.toDate.flatMap(CivilDate.init(iso:)) ?? first
        let part = args.partOfDay.flatMap(DayPart.init(rawValue:))
        let query = SlotQuery(serviceID: service.id, staffID: args.staff, firstDay: first, lastDay: last,
                              earliest: part?.window.from, latest: part?.window.to, limit: min(10, max(1, args.limit ?? 3)),
                              spacingMinutes: max(30, service.durationMinutes))
        let slots = try await run { try await engine.findSlots(query, for: request.context) }
        let book = request.language.phrasebook
        return .slots(slots.map { slot in
            let (date, clock) = time.local(slot.start)
            return .init(start: slot.localStart, staff: slot.staffID, staffName: staffName(slot.staffID), say: book.speak(date: date, time: clock))
        })
    }

    func listMine(_ request: ToolRequest) async throws -> ToolOutput {
        let mine = try await run { try await engine.upcomingAppointments(for: request.context) }
        let language = request.language
        let book = language.phrasebook
        return .appointments(mine.map { a in
            let (date, clock) = time.local(a.start)
            return .init(id: a.id, service: a.serviceID, serviceName: engine.clinic.service(a.serviceID)?.name(in: language) ?? a.serviceID,
                         staffName: staffName(a.staffID), start: time.localISO(a.start), say: book.speak(date: date, time: clock))
        })
    }

    func propose(_ request: ToolRequest, trace: inout [AgentEvent]) async throws -> (ToolOutput, ConfirmationGuard.ProposalFacts) {
        let proposal: Proposal
        let context = request.context
        let language = request.language
        let readBack: String
        switch request.invocation {
        case .proposeBooking(let args):
            let service = try service(args.service, language: language)
            let start = try localStart(args.start, field: "start")
            proposal = try await run { try await engine.proposeBooking(serviceID: service.id, start: start, staffID: args.staff, for: context) }
            readBack = ReadBack.booking(service: service.name(in: language), staff: staffName(proposal.staffID), date: proposal.date, time: proposal.time, language: language)
        case .proposeReschedule(let args):
            let id = args.appointmentID
            let start = try localStart(args.newStart, field: "new_start")
            proposal = try await run { try await engine.proposeReschedule(appointmentID: id, newStart: start, staffID: args.staff, for: context) }
            let old = time.local(proposal.previousStart ?? proposal.start)
            readBack = ReadBack.reschedule(service: engine.clinic.service(proposal.serviceID)?.name(in: language) ?? proposal.serviceID,
                                           date: proposal.date, time: proposal.time, from: old.date, old.time, language: language)
        case .proposeCancellation(let id, _):
            proposal = try await run { try await engine.proposeCancellation(appointmentID: id, for: context) }
            readBack = ReadBack.cancellation(service: engine.clinic.service(proposal.serviceID)?.name(in: language) ?? proposal.serviceID,
                                             date: proposal.date, time: proposal.time, language: language)
        case .findSlots, .listMyAppointments, .confirmProposal, .releaseProposal, .transferToHuman, .endCall:
            preconditionFailure("propose with \(request.tool.rawValue)")
        }
        let t = request.calledAtMs
        trace.append(.proposal(.init(
            proposalID: proposal.id, kind: proposal.kind.rawValue, appointmentID: proposal.appointmentID, service: proposal.serviceID, staff: proposal.staffID,
            start: time.isoWithOffset(proposal.start), previousStart: proposal.previousStart.map(time.isoWithOffset),
            expiresAt: time.isoWithOffset(proposal.expiresAt), readBack: readBack)))
        let made = ToolOutput.ProposalMade(proposalID: proposal.id, kind: proposal.kind.rawValue, readBack: readBack,
                                           expiresInSeconds: Int(proposal.expiresAt.timeIntervalSince(engine.clock.now())))
        return (.proposal(made), .init(id: proposal.id, date: proposal.date, time: proposal.time, madeAtMs: t))
    }

    func commit(_ id: String, _ request: ToolRequest, trace: inout [AgentEvent]) async throws -> ToolOutput {
        guard let confirmation = request.confirmation else {
            preconditionFailure("confirm_proposal \(id) reached the calendar without the guard's confirmation")
        }
        let context = request.context
        let callID = request.call.id
        let result = try await run {
            try await engine.commit(proposalID: id, idempotencyKey: "\(context.callSID)/\(callID)", confirmation: confirmation, for: context)
        }
        let a = result.appointment
        trace.append(.commit(.init(
            proposalID: id, kind: result.kind.rawValue, appointmentID: a.id, service: a.serviceID, staff: a.staffID,
            start: time.isoWithOffset(a.start), status: a.status.rawValue, replayed: result.replayed)))
        return .committed(proposalID: id, appointmentID: a.id, status: a.status.rawValue)
    }
}
