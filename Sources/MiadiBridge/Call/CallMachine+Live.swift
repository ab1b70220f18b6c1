import MiadiAgent
import MiadiProviders

extension CallMachine {
    /// A live call's parts, and the glue between them: what the session asks of the model, the
    /// agent and the shell, and what their answers make the session do. Written once, here.
    struct Live: Sendable {
        var session: StreamSession
        /// An in-process model, changed in place (never copied out of an enum per frame).
        var inProcess: (any ProviderMachine)?
        let providerID: String
        let modelID: String
        var agent: CallAgent?
        let toolLatencyMs: Int
        /// Tool calls waiting for a slow calendar (`CallTimer.toolDue`), in call order.
        var heldTools: [ToolCall] = []
        /// Set once the model failed for good: nothing more is sent to it.
        var modelFailed = false
        /// Said when the model is lost: the recording as loaded, shared by every call, and
        /// converted to the model's output rate only when it is said (converted at every call's
        /// start, it was a 260 KB copy per stream, most of what a live stream held).
        var fallback: SpokenLine?
        var modelAnswerLimitMs = 10_000
        /// The caller's current speech stopped the agent (a turn, not a backchannel).
        var callerInterrupted = false
        /// Whether the model is a network one: set once, so that no frame tests the optional
        /// existential (a test copies the model's box, a retain and a release on every frame).
        let isNetwork: Bool

        /// One thing to do inside the machine.
        enum Step: Sendable {
            case session(StreamAction)
            /// `held`: it already waited out the calendar's latency.
            case toolCalled(ToolCall, held: Bool)
            case answered(CallAgent.Outcome)
        }

        init(session: StreamSession, model: CallModel, agent: CallAgent?, toolLatencyMs: Int) {
            self.session = session
            switch model {
            case .inProcess(let machine): inProcess = machine
            case .network: inProcess = nil
            }
            if case .network = model { isNetwork = true } else { isNetwork = false }
            providerID = model.providerID
            modelID = model.model
            self.agent = agent
            self.toolLatencyMs = toolLatencyMs
        }

        /// The in-process model's time passes; what it says now, as steps. Its audio is queued,
        /// not sent: the session's beat that follows sends it (see `CallMachine.timerFired`).
        /// nil if the next beat may have something to do; otherwise the call time before which
        /// no beat can do anything unless an input comes first (see `CallMachine.timerFired`).
        func beatsIdleUntil() -> Int? {
            let model: Int
            if isNetwork || modelFailed {
                model = .max
            } else if let quiet = inProcess!.quietUntil {
                model = quiet
            } else {
                return nil
            }
            guard let line = session.beatsIdleUntil() else { return nil }
            return min(model, line)
        }

        mutating func modelTick(nowMs: Int) -> [Step] {
            guard !isNetwork, !modelFailed else { return [] }
            let events = inProcess!.tick(nowMs: nowMs)
            return events.flatMap { providerEvent($0, nowMs: nowMs, pumping: false) }
        }

        /// What the session makes of a model event; a fatal failure also ends the model's part.
        mutating func providerEvent(_ event: ProviderEvent, nowMs: Int, pumping: Bool = true) -> [Step] {
            var steps = session.providerEvent(event, nowMs: nowMs, pumping: pumping).map(Step.session)
            if case .failed(let message, fatal: true) = event, !modelFailed {
                modelFailed = true
                steps += modelLost(message, nowMs: nowMs)
            }
            return steps
        }

        /// The model is gone: a person takes the call if there is one, otherwise the stream
        /// closes (1011) rather than leave the caller in silence.
        private mutating func modelLost(_ message: String, nowMs: Int) -> [Step] {
            if let target = agent?.handoffNumber {
                // A word to the caller first, from a recording: never a silent line.
                let rate = session.configuration.providerOutputRate
                let apology = fallback.map { session.sayLocally(SpokenLine(text: $0.text, audio: $0.audio.resampled(to: rate, quality: .telephone)), nowMs: nowMs) } ?? []
                return (apology + session.handoff(target: target, reason: "the model failed: \(message)", nowMs: nowMs)).map(Step.session)
            }
            let reason = "the model failed"
            return [.session(.close(code: 1011, reason: reason))] + session.closed(code: 1011, reason: reason, nowMs: nowMs).map(Step.session)
        }

        /// An input for the model: an in-process one answers at once (its events go back to the
        /// session), a network one is sent by the shell.
        private mutating func toModel(_ input: ProviderInput, nowMs: Int, out: inout [CallAction]) -> [Step] {
            guard !modelFailed else { return [] }
            guard !isNetwork else {
                out.append(.toProvider(input))
                if case .toolResult = input { out.append(.schedule(.modelSilence, atMs: nowMs + modelAnswerLimitMs)) }
                return []
            }
            let events = inProcess!.receive(input, nowMs: nowMs)
            return events.flatMap { providerEvent($0, nowMs: nowMs) }
        }

        /// Performs steps in order (each may queue more at the end); returns the shell's actions
        /// and whether the call ended.
        mutating func perform(_ steps: [Step], nowMs: Int) -> ([CallAction], ended: Bool) {
            var out: [CallAction] = []
            var ended = false
            var queue = steps[...]
            while let step = queue.popFirst() {
                switch step {
                case .session(let action):
                    switch action {
                    case .sendBinary(let bytes): out.append(.sendBinary(bytes))
                    case .send(let command): out.append(.send(command))
                    case .close(let code, let reason): out.append(.close(code: code, reason: reason))
                    case .toProvider(let input): queue.append(contentsOf: toModel(input, nowMs: nowMs, out: &out))
                    case .runTool(let call): queue.append(.toolCalled(call, held: false))
                    case .trace(let event, let atMs):
                        out.append(.trace(.bridge(event), atMs: atMs))
                        // A network model owes an answer to a turn the caller took: one begun in
                        // the clear, or one that interrupted the agent (not a backchannel).
                        if isNetwork, !modelFailed {
                            if case .bargeIn = event { callerInterrupted = true }
                            if case .callerSpeech(_, _, let overAgent) = event {
                                if !overAgent || callerInterrupted { out.append(.schedule(.modelSilence, atMs: nowMs + modelAnswerLimitMs)) }
                                callerInterrupted = false
                            }
                        }
                    case .evidence(let evidence): agent?.observe(evidence)
                    case .agentSaid(let text): out.append(.agentSaid(text))
                    case .ended(let reason):
                        out.append(.cancel(.pacing))
                        out.append(.ended(reason: reason))
                        ended = true
                    }
                case .toolCalled(let call, let held):
                    if !held && toolLatencyMs > 0 {
                        // A slow calendar: the call goes on, and the operation runs when due.
                        heldTools.append(call)
                        out.append(.schedule(.toolDue(call.id), atMs: nowMs + toolLatencyMs))
                        continue
                    }
                    guard case .some = agent else {
                        // No agent on this line (the echo provider): the model is told, in words it can say.
                        let refusal = ToolResult(callID: call.id, name: call.name, output: .refused(sentence: "tools are not available on this line yet", code: nil))
                        queue.append(contentsOf: toModel(.toolResult(refusal), nowMs: nowMs, out: &out))
                        continue
                    }
                    switch agent!.toolCalled(call, nowMs: nowMs) {
                    case .answer(let outcome): queue.append(contentsOf: answered(outcome, nowMs: nowMs, out: &out))
                    case .run(let request): out.append(.runTool(request))
                    }
                case .answered(let outcome):
                    queue.append(contentsOf: answered(outcome, nowMs: nowMs, out: &out))
                }
            }
            return (out, ended)
        }

        /// A tool call's answer: its trace at once, then what it makes happen (a transfer), then
        /// the model hears the result.
        private mutating func answered(_ outcome: CallAgent.Outcome, nowMs: Int, out: inout [CallAction]) -> [Step] {
            out += outcome.events.map { CallAction.trace(.agent($0), atMs: outcome.atMs) }
            var steps: [Step] = []
            if let effect = outcome.effect {
                out.append(.effect(effect))
                if case .handoff(let target, let reason) = effect {
                    steps += session.handoff(target: target, reason: reason, nowMs: nowMs).map(Step.session)
                }
            }
            return steps + toModel(.toolResult(outcome.result), nowMs: nowMs, out: &out)
        }
    }
}
