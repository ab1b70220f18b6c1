import MiadiAgent
import MiadiAudio
import MiadiProviders

/// One call, as a machine with no I/O: the stream session, the model, the agent's tool
/// decisions and the confirmation guard's evidence, composed once. `miadi serve`
/// (`StreamConnection`), the lab's virtual-time loop (`LabCall`) and the socket lab are shells
/// over this one machine, so every lab run exercises the code that answers real calls.
///
/// Inputs are events with the call time (ms since the call was answered): `opened`, platform
/// frames, `attach` (the shell's answer to `.identify`), provider events (a network model),
/// tool completions, timer fires, `closed`. Outputs are `CallAction`s: I/O only.
///
/// ```
///  awaitingMetadata ──text(metadata)──▶ identifying ──attach(setup)──▶ live ──ended──▶ ended
///     │ binary, bad text, deadline                                      │ closed / bad frame
///     ▼                                                                 ▼
///   ended (close 1008)                                                ended
/// ```
/// In `live`, an in-process model (the mock, the echo) is driven right here, in call time; a
/// network model's inputs go out as `.toProvider` and its events come back as an input. A
/// fatal model failure hands the call to a person when there is one to hand it to, and
/// otherwise closes the stream (1011): a caller never sits in silence with a dead model.
public struct CallMachine: Sendable {
    /// What the call is given once it is known: its model, its agent (nil: a line with no
    /// tools, such as the echo), its stream's facts, and a slow calendar's latency.
    public struct Setup: Sendable {
        public var model: CallModel
        public var agent: CallAgent?
        /// The stream's facts; the input rate may be overridden by the first frame's
        /// `sampleRate`, and the provider rates are the model's.
        public var stream: StreamConfiguration
        /// Every tool call waits this long (ms of call time) before it is run: a lab's slow
        /// calendar. 0 in production.
        public var toolLatencyMs = 0
        /// Said by the bridge when the model is lost, before the handoff (nil: hand off at once).
        public var fallback: SpokenLine?
        /// A network model that says nothing for this long after the caller finished a turn
        /// (or after a tool's answer) is taken as lost, ms.
        public var modelAnswerLimitMs = 10_000

        public init(model: CallModel, agent: CallAgent?, stream: StreamConfiguration, toolLatencyMs: Int = 0, fallback: SpokenLine? = nil) {
            self.model = model
            self.agent = agent
            self.stream = stream
            self.toolLatencyMs = toolLatencyMs
            self.fallback = fallback
        }
    }

    enum State: Sendable {
        case awaitingMetadata
        case identifying(StreamMetadata)
        case live
        case ended
    }

    /// The first frame must arrive within this long of the socket opening, ms.
    public let metadataDeadlineMs: Int
    /// The call the stream was opened for (its ticket's), when the shell knows it: a first
    /// frame naming another call is refused.
    public let expectedCallSID: String?
    private var state: State = .awaitingMetadata
    /// The live call's parts, from `attach` on (kept after the end: the session's recording,
    /// the agent). A stored optional, not an enum payload, so that each frame changes it in
    /// place: taking it out of an enum copied the line's growing buffers on every append.
    private var call: Live?
    /// Whether a call whose beats have nothing to do parks its pacing timer (see
    /// `timerFired`). Off only where a parked call is compared with one beating every 20 ms.
    public var parksPacing = true
    /// The pacing timer is parked: set for when the call can next need a beat (its length
    /// running out, an in-process model's own time), not for the next 20 ms.
    private var pacingParked = false

    public init(metadataDeadlineMs: Int = 10_000, expectedCallSID: String? = nil) {
        self.metadataDeadlineMs = metadataDeadlineMs
        self.expectedCallSID = expectedCallSID
    }

    /// The session, once the call is live: its recording, counters and state.
    public var session: StreamSession? {
        call?.session
    }

    /// The recording up to `nowMs` (or, with `final`, all that is left), taken out of the
    /// session for the shell to write as the call goes: see `StreamSession.takeRecording`.
    public mutating func takeRecording(nowMs: Int, final: Bool = false) -> PCMBuffer? {
        guard call != nil else { return nil }
        return call!.session.takeRecording(nowMs: nowMs, final: final)
    }

    /// The agent, once the call is live (the language it last spoke in, its guard).
    public var agent: CallAgent? {
        call?.agent
    }

    /// `provider` and `model` ids, for the trace header.
    public var modelDescription: (provider: String, model: String)? {
        call.map { ($0.providerID, $0.modelID) }
    }

    public var isEnded: Bool {
        if case .ended = state { return true }
        return false
    }

    // MARK: Inputs

    /// The socket is open: the first frame is now due.
    public mutating func opened(nowMs: Int) -> [CallAction] {
        guard case .awaitingMetadata = state else { preconditionFailure("CallMachine.opened in \(state)") }
        return [.schedule(.metadataDeadline, atMs: nowMs + metadataDeadlineMs)]
    }

    public mutating func textReceived(_ text: String, nowMs: Int) -> [CallAction] {
        switch state {
        case .awaitingMetadata:
            guard let metadata = StreamMetadata.parse(text) else {
                return refuse("first frame is not stream metadata with a call SID", close: "first frame must be metadata with call_sid", nowMs: nowMs)
            }
            if let expected = expectedCallSID, metadata.callSID != expected {
                return refuse("the stream's ticket was issued for another call than \(metadata.callSID)", close: "the stream ticket is for another call", nowMs: nowMs)
            }
            state = .identifying(metadata)
            return [.cancel(.metadataDeadline), .identify(metadata)]
        case .live:
            return withSession(nowMs: nowMs) { session in session.textReceived(text, nowMs: nowMs) }
        case .ended:
            return []
        case .identifying:
            preconditionFailure("CallMachine.textReceived in \(state): the shell must attach the call before the next frame")
        }
    }

    public mutating func binaryReceived(_ bytes: [UInt8], nowMs: Int) -> [CallAction] {
        switch state {
        case .awaitingMetadata:
            return refuse("audio before the metadata frame", close: "first frame must be metadata", nowMs: nowMs)
        case .live:
            return withSession(nowMs: nowMs) { session in session.binaryReceived(bytes, nowMs: nowMs) }
        case .ended:
            return []
        case .identifying:
            preconditionFailure("CallMachine.binaryReceived in \(state): the shell must attach the call before the next frame")
        }
    }

    /// The shell's answer to `.identify`: what this call runs with.
    ///
    /// `lineStartMs`: the call time the metadata frame arrived, when that was before `nowMs`.
    /// The platform sends audio from then on, whatever the shell took to identify the call, and
    /// the frames that waited are taken after this: the line's zero must be their first
    /// sample's time, or every caller sample lands that much late against the agent's frames on
    /// the recording and in the barge-in's clock (a second of identification under load put
    /// the read-back a second early on the recording).
    public mutating func attach(_ setup: Setup, nowMs: Int, lineStartMs: Int? = nil) -> [CallAction] {
        guard case .identifying(let metadata) = state else { preconditionFailure("CallMachine.attach in \(state)") }
        var stream = setup.stream
        if let rate = metadata.sampleRate, [8000, 16000].contains(rate) { stream.inputSampleRate = rate }
        stream.providerInputRate = setup.model.inputSampleRate
        stream.providerOutputRate = setup.model.outputSampleRate
        var session = StreamSession(configuration: stream)
        let opening = session.open(metadata, nowMs: nowMs, lineStartMs: min(lineStartMs ?? nowMs, nowMs))
        call = Live(session: session, model: setup.model, agent: setup.agent, toolLatencyMs: setup.toolLatencyMs)
        call!.fallback = setup.fallback
        call!.modelAnswerLimitMs = setup.modelAnswerLimitMs
        state = .live
        return withSession(nowMs: nowMs) { _ in opening } + [.schedule(.pacing, atMs: nowMs + 20)]
    }

    /// Events from a network model (an in-process one is driven inside).
    public mutating func providerEvents(_ events: [ProviderEvent], nowMs: Int) -> [CallAction] {
        guard case .live = state else { return [] }
        // The model is answering: its silence is no longer counted.
        return [.cancel(.modelSilence)] + withLive(nowMs: nowMs) { live in events.flatMap { live.providerEvent($0, nowMs: nowMs) } }
    }

    /// A tool run the machine asked for (`.runTool`) has finished.
    public mutating func toolCompleted(_ completion: ToolCompletion, nowMs: Int) -> [CallAction] {
        guard case .live = state else { return [] }
        return withLive(nowMs: nowMs) { live in
            guard var agent = live.agent else { return [] }
            let outcome = agent.toolCompleted(completion)
            live.agent = agent
            return [.answered(outcome)]
        }
    }

    /// A timer the machine scheduled is due.
    ///
    /// `clock`: on the real clock, call time read again after the in-process model's turn in a
    /// `.pacing` beat. The model may take a while to make its words (the mock renders them with
    /// espeak-ng, half a second on a busy machine), and its frames must go out on the time they
    /// actually leave: sent on the beat's stale time, the bridge counts as heard what the
    /// platform has not yet received, and a pause then takes back less than it should. The lab
    /// on virtual time passes none (no time passes inside a step).
    public mutating func timerFired(_ timer: CallTimer, nowMs: Int, clock: (() -> Int)? = nil) -> [CallAction] {
        switch (state, timer) {
        case (.awaitingMetadata, .metadataDeadline):
            return refuse("no metadata frame within \(metadataDeadlineMs) ms", close: "first frame must be metadata with call_sid", nowMs: nowMs)
        case (.live, .pacing):
            // The model's time first, and everything it set off, then the session's beat, which
            // sends what the model said.
            pacingParked = false
            var out = withLive(nowMs: nowMs) { live in live.modelTick(nowMs: nowMs) }
            let lineNowMs = max(nowMs, clock?() ?? nowMs)
            if case .live = state { out += withSession(nowMs: lineNowMs) { session in session.tick(nowMs: lineNowMs) } }
            if case .live = state {
                // Nothing to pace, no pause to time, a model with nothing to say before an input:
                // the beat is parked until the call's own time runs out, and any input that
                // gives it something to do brings it back at once (`withLive`). A listening call
                // then costs its shell nothing between frames; beating every 20 ms regardless
                // was a sixth of a loaded server.
                if parksPacing, let quietUntil = Self.beatsIdleUntil(&call!) {
                    pacingParked = true
                    out.append(.schedule(.pacing, atMs: max(nowMs + 20, quietUntil)))
                } else {
                    out.append(.schedule(.pacing, atMs: nowMs + 20))
                }
            }
            return out
        case (.live, .toolDue(let id)):
            return withLive(nowMs: nowMs) { live in
                guard let index = live.heldTools.firstIndex(where: { $0.id == id }) else { return [] }
                return [.toolCalled(live.heldTools.remove(at: index), held: true)]
            }
        case (.live, .modelSilence):
            return withLive(nowMs: nowMs) { live in
                live.providerEvent(.failed(message: "the model stopped answering: nothing for \(live.modelAnswerLimitMs / 1000) s after the caller's turn", fatal: true), nowMs: nowMs)
            }
        case (.awaitingMetadata, _), (.identifying, _), (.live, .metadataDeadline), (.ended, _):
            return [] // a timer that outlived its reason
        }
    }

    /// The socket closed (the platform hung up or ended the stream), at any state.
    public mutating func closed(code: UInt16, reason: String, nowMs: Int) -> [CallAction] {
        switch state {
        case .awaitingMetadata, .identifying:
            state = .ended
            return [.cancel(.metadataDeadline),
                    .trace(.bridge(.streamClose(code: Int(code), reason: reason)), atMs: nowMs),
                    .ended(reason: "closed before metadata")]
        case .live:
            return withSession(nowMs: nowMs) { session in session.closed(code: code, reason: reason, nowMs: nowMs) }
        case .ended:
            return []
        }
    }

    // MARK: Inside

    private mutating func refuse(_ message: String, close reason: String, nowMs: Int) -> [CallAction] {
        state = .ended
        return [.cancel(.metadataDeadline),
                .trace(.bridge(.error(where: "bridge", message: message, fatal: nil)), atMs: nowMs),
                .close(code: 1008, reason: reason), .ended(reason: "bad first frame")]
    }

    /// Runs `body` on the live call in place and turns what it returns into the shell's actions.
    private mutating func withLive(nowMs: Int, _ body: (inout Live) -> [Live.Step]) -> [CallAction] {
        // No `call != nil` test: comparing the optional copies every part of the live call.
        guard case .live = state else { preconditionFailure("CallMachine.withLive in \(state)") }
        let steps = body(&call!)
        var (actions, ended) = call!.perform(steps, nowMs: nowMs)
        if ended {
            state = .ended
        } else if pacingParked, Self.beatsIdleUntil(&call!) == nil {
            // Something to pace again: the beat resumes now, as if it had never stopped.
            pacingParked = false
            actions.append(.schedule(.pacing, atMs: nowMs))
        }
        return actions
    }

    /// The live call's `beatsIdleUntil`, read in place. `call!.beatsIdleUntil()` copied the
    /// whole live call to call a method on the unwrapped optional (the model's box makes it a
    /// value the compiler copies through its witness table: every part retained and released on
    /// every frame); an `inout` argument is the stored value itself.
    private static func beatsIdleUntil(_ live: inout Live) -> Int? {
        live.beatsIdleUntil()
    }

    private mutating func withSession(nowMs: Int, _ body: (inout StreamSession) -> [StreamAction]) -> [CallAction] {
        withLive(nowMs: nowMs) { live in body(&live.session).map(Live.Step.session) }
    }
}
