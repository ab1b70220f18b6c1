import Crypto
import Foundation
import Logging
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiLive
import MiadiProviders
import NIOCore

/// Runs one call's stream: the I/O shell of `miadi serve` around the `CallMachine`, on the
/// real clock. It decides nothing: it takes one ordered stream of events (frames from the
/// socket, the 20 ms beat that fires the machine's timers, finished tool runs, a network
/// model's words), gives each to the machine with the call time, and performs the actions it
/// returns. At the end it writes the call's trace and recording.
///
/// It lives on its connection's event loop (`StreamChannelHandler` calls it there): a frame is
/// handled on the thread that read it, with no hop to another thread and back, and what one
/// event sends leaves in one flush. The few slow things — learning who the call is (the
/// registry, a lab call's calendar), tool runs, writing the trace at the end — run in tasks
/// and come back to the loop as events; while the call is being identified, events wait in
/// order.
final class StreamConnection: @unchecked Sendable {
    let configuration: ServeConfiguration
    let subprotocol: String
    let registry: CallRegistry
    let metrics: BridgeMetrics
    let clinic: Clinic
    let models: ServeModels
    let fallback: FallbackLines
    let labCalls: LabCallDirectory?
    /// The call the stream's ticket was issued for: the first frame must name it.
    let ticketCallSID: String?
    let logger: Logger
    /// The connection's event loop: everything below runs there, except `identify` and `finish`.
    let loop: any EventLoop
    /// Where frames go (the channel handler). The handler owns the connection, so this back
    /// reference is a cycle until `detach()`, which the handler calls when it leaves its
    /// pipeline (every channel's end): left in place, the cycle kept every call's state in
    /// memory after the call, about 140 KB a call (found by the fuzz test: 15,000 short calls
    /// took the server from 58 MB to 2 GB). It is not `weak`: a weakly referenced object's
    /// every retain and release takes the runtime's slow path, and NIO retains the handler on
    /// each read.
    private(set) var output: (any StreamOutput)?
    /// The server's count of open streams (a shutdown waits for them).
    let openStreams: OpenStreams

    /// The real clock's beat, ms.
    static let beatMs = 20

    enum Event: Sendable {
        case text(String)
        case binary([UInt8])
        /// The 20 ms beat, with when it fell due and the clock as the beat read it: the
        /// machine's timers that are due fire.
        case beat(due: ContinuousClock.Instant, now: ContinuousClock.Instant)
        case closed(UInt16, String)
        /// A tool run the machine asked for has finished.
        case toolCompleted(ToolCompletion)
        /// What a network model said.
        case provider([ProviderEvent])
    }

    /// What the shell keeps of one connection besides the machine: which call it is, its
    /// timers, the trace so far, what to close with.
    struct Shell: @unchecked Sendable {
        var call: CallMachine
        let opened = ContinuousClock.now
        /// When the webhook answered the call (its trace's t = 0), once the stream named it.
        var answeredAt: ContinuousClock.Instant?
        var callSID: String?
        var lab: LabCallModels?
        /// `lab?.clock`, kept apart: the clock is read on every event, and reading it through
        /// the optional copied the whole lab record each time.
        var labClock: ManualClock?
        /// The lab calendar's time when the stream opened (a lab call's scenario "now").
        var labStart: Date?
        var tools: ToolRunner?
        /// A network model's session, when the call has one.
        var live: (any LiveSession)?
        /// The calendar the call books into, and how it stood when the call began (written
        /// beside the trace, so a served call can become a scenario).
        var engine: BookingEngine?
        var calendarBefore: CalendarSnapshot?
        var timers: [(timer: CallTimer, atMs: Int)] = []
        /// Events before the call is known (then they go to the spool, and this stays empty).
        var trace: [TraceEvent] = []
        /// The call's events, on disk as they happen.
        var spool: TraceSpool?
        var endReason = "stream closed"
        var ended = false
        var pendingClose: (UInt16, String)?
        /// Set when the socket went away: nothing more is written to it.
        var socketGone = false
        /// The call's WAV, written as the call goes (`takeRecording` once a second).
        var recordingFile: StreamingAudioFile?
        var recordingTakenAtMs = 0
    }

    private var shell: Shell
    /// The call is being identified: events wait here, in order.
    private var identifying = false
    private var waiting: [Event] = []
    private var waitingOverflowed = false
    /// The stream has ended (trace written or being written): events are dropped.
    private(set) var isFinished = false

    init(configuration: ServeConfiguration, subprotocol: String, registry: CallRegistry, metrics: BridgeMetrics, clinic: Clinic, models: ServeModels,
         fallback: FallbackLines, labCalls: LabCallDirectory?, ticketCallSID: String?, logger: Logger, loop: any EventLoop, output: any StreamOutput, openStreams: OpenStreams) {
        self.configuration = configuration
        self.subprotocol = subprotocol
        self.registry = registry
        self.metrics = metrics
        self.clinic = clinic
        self.models = models
        self.fallback = fallback
        self.labCalls = labCalls
        self.ticketCallSID = ticketCallSID
        self.logger = logger
        self.loop = loop
        self.output = output
        self.openStreams = openStreams
        shell = Shell(call: CallMachine(expectedCallSID: ticketCallSID))
    }

    /// The handler has left its pipeline: nothing more can be sent, and the cycle through it
    /// is broken.
    func detach() {
        output = nil
    }

    /// The socket is open.
    func start() {
        loop.preconditionInEventLoop()
        openStreams.opened(self)
        perform(shell.call.opened(nowMs: 0), at: 0)
        refreshBeatDue()
        output?.flush()
    }

    /// From when the loop's beat has a timer of this call's to fire (nil: none is set). The
    /// beat skips the call until then: a quiet call (its pacing parked, see
    /// `CallMachine.parksPacing`) costs the beat one comparison, where a pass through the shell
    /// for nothing was a tenth of a loaded server. Kept after each event.
    private(set) var beatDue: ContinuousClock.Instant?

    private func refreshBeatDue() {
        guard !identifying, !isFinished, let first = shell.timers.min(by: { $0.atMs < $1.atMs }) else {
            beatDue = nil
            return
        }
        // A timer fires on the beat nearest its due time (see `process`): from half a beat before.
        beatDue = (shell.answeredAt ?? shell.opened) + .milliseconds(first.atMs - Self.beatMs / 2)
    }

    /// One event, in order with every other.
    func handle(_ event: Event) {
        // Once per frame and per beat: checked in debug builds (the tests), not on every event
        // of a loaded server.
        loop.assertInEventLoop()
        guard !isFinished else { return }
        if identifying {
            // The beat has nothing to pace before the call is known, and the next one after
            // does what any held one would: only the platform's events wait.
            if case .beat = event { return }
            if waiting.count < Self.maximumWaiting {
                waiting.append(event)
            } else if !waitingOverflowed {
                // Identification is stuck (the registry, a lab calendar): the stream is closed
                // rather than queue without bound; the call ends once it is known.
                waitingOverflowed = true
                logger.warning("stream closed: its call was not identified in time", metadata: ["waiting": "\(waiting.count)"])
                waiting.append(.closed(1013, "the call could not be identified in time"))
                output?.close(code: 1013, reason: "try again later")
            }
            return
        }
        process(event)
        refreshBeatDue()
        output?.flush()
    }

    /// Events held while the call is identified: 10 s of 20 ms frames.
    static let maximumWaiting = 500

    private func process(_ event: Event) {
        let started = ContinuousClock.now
        // A beat's call time is the beat's, as the loop read it for all its calls.
        let t: Int
        if case .beat(_, let now) = event { t = callTime(now: now) } else { t = callTime(now: started) }
        switch event {
        case .text(let text):
            perform(shell.call.textReceived(text, nowMs: t), at: t)
        case .binary(let bytes):
            metrics.framesIn.increment()
            perform(shell.call.binaryReceived(bytes, nowMs: t), at: t)
        case .beat(let due, _):
            metrics.tickLagSeconds.record(started - due)
            // The real clock is read in 20 ms beats: a timer fires on the beat nearest its
            // due time (a beat that comes a millisecond early must not hold the pacing back
            // a whole beat).
            let clock = callClock()
            while !identifying, let index = shell.timers.firstIndex(where: { $0.atMs <= t + Self.beatMs / 2 }) {
                let due = shell.timers.remove(at: index)
                perform(shell.call.timerFired(due.timer, nowMs: t, clock: clock), at: t)
            }
        case .closed(let code, let reason):
            shell.socketGone = true
            perform(shell.call.closed(code: code, reason: reason, nowMs: t), at: t)
            if !identifying { shell.ended = true }
        case .toolCompleted(let completion):
            perform(shell.call.toolCompleted(completion, nowMs: t), at: t)
        case .provider(let said):
            perform(shell.call.providerEvents(said, nowMs: t), at: t)
        }
        if !identifying, t - shell.recordingTakenAtMs >= Self.recordingFlushMs { writeRecording(nowMs: t, final: false) }
        metrics.relaySeconds.record(ContinuousClock.now - started)
        if !identifying, shell.ended || shell.socketGone { end() }
    }

    /// The call is over: the machine told of a socket that went under it, the model's session
    /// ended, the recording closed, the close sent, and the trace written (in a task).
    private func end() {
        guard !isFinished else { return }
        isFinished = true
        if !shell.call.isEnded {
            // The socket went away under the call: it ends here, cleanly.
            let t = callTime()
            perform(shell.call.closed(code: 1006, reason: "socket gone", nowMs: t), at: t)
        }
        // The model's session ends with the call (the machine said so already, unless the
        // socket went first).
        shell.live?.send(.endOfCall)
        writeRecording(nowMs: callTime(), final: true)
        if let (code, reason) = shell.pendingClose, !shell.socketGone { output?.close(code: code, reason: reason) } else { output?.close(code: 1000, reason: "") }
        let ended = shell
        if ended.callSID != nil {
            Task {
                await self.finish(ended)
                self.openStreams.closed(self)
            }
        } else {
            openStreams.closed(self)
        }
    }

    /// The server is shutting down and the drain's time is up: the stream is closed (1001,
    /// "going away") and the call ends as on any close, its trace written. Called on any thread.
    func goingAway() {
        loop.execute {
            guard !self.isFinished else { return }
            self.output?.close(code: 1001, reason: "the server is shutting down")
            self.socketClosed(code: 1001, reason: "the server shut down")
        }
    }

    /// The socket is gone (the channel closed): the call ends with it.
    func socketClosed(code: UInt16, reason: String) {
        loop.preconditionInEventLoop()
        guard !isFinished else { return }
        if identifying {
            // In its place among the events that wait: what came before it is still the call's
            // (marking the socket gone now ended the call at the first of them, its audio and
            // the close's own code lost).
            waiting.append(.closed(code, reason))
            return
        }
        process(.closed(code, reason))
        refreshBeatDue()
    }

    /// How often the settled part of the recording goes to its file, ms of call time: once a
    /// second, so a stream holds at most about a second of its line (a quarter second saved
    /// some memory, but flushing that often coincided with barge-ins over sockets going wrong
    /// and was put back while that was looked into; RSS per stream is 218 KiB at 500 streams).
    static let recordingFlushMs = 1000

    /// The call's WAV in the traces folder, opened once the call is known: the recording goes
    /// there as the call goes, never kept whole in memory.
    private func openRecording() {
        guard let sid = shell.callSID, let rate = shell.call.session?.configuration.inputSampleRate else { return }
        let path = (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid)) + ".wav"
        do { shell.recordingFile = try StreamingAudioFile(path: path, sampleRate: rate, channels: 2) } catch {
            logger.error("cannot write the call's recording", metadata: ["call_sid": "\(sid)", "error": "\(error)"])
        }
    }

    /// Moves the recording's settled part (or, with `final`, the rest) from the call to its file.
    private func writeRecording(nowMs: Int, final: Bool) {
        shell.recordingTakenAtMs = nowMs
        guard let taken = shell.call.takeRecording(nowMs: nowMs, final: final), let file = shell.recordingFile else { return }
        do { try file.append(taken.samples) } catch {
            logger.error("cannot write the call's recording", metadata: ["call_sid": "\(shell.callSID ?? "?")", "error": "\(error)"])
            shell.recordingFile = nil
        }
        if final { file.close() }
    }

    /// Call time, ms: since the webhook answered the call once the stream named it (the
    /// trace's t = 0), since the socket opened before that.
    private func callTime(now: ContinuousClock.Instant = .now) -> Int {
        Self.callTime(zero: shell.answeredAt ?? shell.opened, lab: shell.labClock, labStart: shell.labStart, now: now)
    }

    private static func callTime(zero: ContinuousClock.Instant, lab: ManualClock?, labStart: Date?, now: ContinuousClock.Instant = .now) -> Int {
        let t = ms(now - zero)
        // A lab call's calendar follows call time, so holds lapse as they would.
        if let lab, let labStart { lab.moveForward(to: labStart.addingTimeInterval(Double(t) / 1000)) }
        return t
    }

    /// The call-time clock as a closure that holds none of the shell (the machine calls it
    /// while the shell's machine is being changed). Made once the call is identified (what it
    /// reads is fixed from then on), not on every beat of every stream.
    private func callClock() -> () -> Int {
        if let identifiedClock { return identifiedClock }
        let zero = shell.answeredAt ?? shell.opened
        let lab = shell.labClock
        let labStart = shell.labStart
        return { Self.callTime(zero: zero, lab: lab, labStart: labStart) }
    }

    private var identifiedClock: (() -> Int)?

    /// Performs the machine's actions in order. `.identify` hands the rest to `identified`,
    /// once the call is known.
    private func perform(_ actions: [CallAction], at t: Int) {
        for (index, action) in actions.enumerated() {
            switch action {
            case .sendBinary(let bytes):
                metrics.framesOut.increment()
                if !shell.socketGone { output?.send(.binary(bytes)) }
            case .send(let command):
                if command == .killAudio { metrics.bargeIns.increment() }
                if !shell.socketGone { output?.send(.text(command.text)) }
            case .close(let code, let reason):
                shell.pendingClose = (code, reason)
            case .identify(let metadata):
                identifying = true
                let rest = Array(actions[(index + 1)...])
                let early = shell.trace
                Task {
                    let known = await self.identify(metadata, early: early)
                    self.loop.execute { self.identified(known, rest: rest, at: t) }
                }
                return
            case .toProvider(let input):
                // In-process models run inside the machine and never ask for this.
                guard let live = shell.live else {
                    logger.error("a network model input with no network model", metadata: ["call_sid": "\(shell.callSID ?? "?")"])
                    continue
                }
                live.send(input)
            case .runTool(let request):
                guard let tools = shell.tools else { preconditionFailure("a tool run on a call with no calendar") }
                // The calendar answers in its own time; the call's audio goes on meanwhile.
                Task {
                    let completion = await tools.run(request)
                    self.loop.execute { self.handle(.toolCompleted(completion)) }
                }
            case .trace(let event, let atMs):
                if let spool = shell.spool { spool.append(event.line(atMs: atMs)) } else { shell.trace.append(event.line(atMs: atMs)) }
            case .agentSaid(let text):
                shell.lab?.said(text, t)
            case .effect(let effect):
                logger.info("agent effect", metadata: ["call_sid": "\(shell.callSID ?? "?")", "effect": "\(effect)"])
            case .schedule(let timer, let atMs):
                shell.timers.removeAll { $0.timer == timer }
                shell.timers.append((timer, atMs))
            case .cancel(let timer):
                shell.timers.removeAll { $0.timer == timer }
            case .ended(let reason):
                shell.endReason = reason
                shell.ended = true
            }
        }
    }

    /// Who the call is, learnt away from the loop.
    struct Identified: @unchecked Sendable {
        let callSID: String
        let answeredAt: ContinuousClock.Instant
        let setup: CallMachine.Setup
        let spool: TraceSpool?
        var lab: LabCallModels?
        var labStart: Date?
        var tools: ToolRunner?
        var engine: BookingEngine?
        var calendarBefore: CalendarSnapshot?
        var live: (any LiveSession)?
    }

    /// Back on the loop: the call is known; the machine attaches to it, then the rest of the
    /// actions and the events that waited are taken in order.
    private func identified(_ known: Identified, rest: [CallAction], at t: Int) {
        shell.callSID = known.callSID
        shell.answeredAt = known.answeredAt
        shell.spool = known.spool
        if known.spool != nil { shell.trace = [] }
        shell.lab = known.lab
        shell.labClock = known.lab?.clock
        shell.labStart = known.labStart
        shell.tools = known.tools
        shell.engine = known.engine
        shell.calendarBefore = known.calendarBefore
        shell.live = known.live
        if let session = known.live {
            // The model's words join the call's one ordered stream of events.
            Task {
                for await said in session.events { self.loop.execute { self.handle(.provider(said)) } }
            }
        }
        identifying = false
        identifiedClock = callClock()
        let now = callTime()
        // `t` was read on the socket's clock, before the call was known: on the call's clock
        // it is the moment the metadata arrived, where the line begins.
        let metadataAt = Self.ms(shell.opened + .milliseconds(t) - known.answeredAt)
        perform(shell.call.attach(known.setup, nowMs: now, lineStartMs: metadataAt), at: now)
        openRecording()
        perform(rest, at: now)
        while !identifying, !waiting.isEmpty, !isFinished {
            process(waiting.removeFirst())
        }
        if !identifying, !isFinished, shell.ended || shell.socketGone { end() }
        refreshBeatDue()
        output?.flush()
    }

    /// The call is known: what it runs with (a lab call's own calendar and line, or the
    /// server's models). Runs off the loop; touches nothing of the shell.
    private func identify(_ metadata: StreamMetadata, early: [TraceEvent]) async -> Identified {
        let sid = metadata.callSID
        let spool = TraceSpool(path: (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid)) + ".events.jsonl")
        for event in early { spool?.append(event) }
        let answeredAt = await registry.opened(sid)
        metrics.liveCalls.increment(by: 1)
        func now() -> Int { Self.ms(ContinuousClock.now - answeredAt) }
        let context = CallContext(callerNumber: metadata.from ?? "unknown", callSID: sid)
        let stream = configuration.streamConfiguration(subprotocol: subprotocol)
        if let lab = await labCalls?.take(sid) {
            var setup = lab.callSetup(context: context, stream: stream)
            setup.fallback = fallback.line(for: lab.engine.clinic.languages.first ?? .en)
            setup.modelAnswerLimitMs = configuration.liveModel.answerLimitMs
            var known = Identified(callSID: sid, answeredAt: answeredAt, setup: setup, spool: spool)
            known.lab = lab
            known.labStart = lab.clock?.now()
            known.tools = ToolRunner(engine: lab.engine)
            known.engine = lab.engine
            known.calendarBefore = try? await lab.engine.snapshot()
            if let live = lab.live {
                var brief = LiveCallBrief(clinic: lab.engine.clinic, today: lab.today, language: lab.engine.clinic.languages.first ?? .en, callSID: sid)
                brief.interruptsItself = (lab.bargeIn ?? stream.bargeIn).modelInterruptsItself
                known.live = open(live, brief, atMs: now())
            }
            return known
        }
        let made = models.make(clinic)
        var agent: CallAgent?
        let today = CivilDate((made.engine?.clock ?? SystemClock()).now(), in: clinic.timeZone)
        var tools: ToolRunner?
        var calendarBefore: CalendarSnapshot?
        if let engine = made.engine {
            tools = ToolRunner(engine: engine)
            calendarBefore = try? await engine.snapshot()
            agent = CallAgent(clinic: clinic, today: today, context: context, language: clinic.languages.first ?? .en, handoffNumber: configuration.handoffNumber)
        }
        var session: (any LiveSession)?
        if let live = made.live {
            var brief = LiveCallBrief(clinic: clinic, today: today, language: clinic.languages.first ?? .en, callSID: sid)
            brief.interruptsItself = stream.bargeIn.modelInterruptsItself
            session = open(live, brief, atMs: now())
        }
        var setup = CallMachine.Setup(model: made.model, agent: agent, stream: stream, fallback: fallback.line(for: clinic.languages.first ?? .en))
        setup.modelAnswerLimitMs = configuration.liveModel.answerLimitMs
        var known = Identified(callSID: sid, answeredAt: answeredAt, setup: setup, spool: spool)
        known.tools = tools
        known.engine = made.engine
        known.calendarBefore = calendarBefore
        known.live = session
        return known
    }

    /// Opens the call's session with a network model.
    private func open(_ live: LiveModel, _ brief: LiveCallBrief, atMs: Int) -> any LiveSession {
        var log: ProviderLogWriter?
        if configuration.recordProviderMessages {
            try? FileManager.default.createDirectory(atPath: configuration.tracesDirectory, withIntermediateDirectories: true)
            let path = configuration.tracesDirectory + "/\(Self.safeFileName(brief.callSID)).provider.jsonl"
            log = ProviderLogWriter(path: path, provider: live.providerID, model: live.model, openedAtCallMs: atMs)
        }
        return live.open(brief, log: log)
    }

    func finish(_ shell: Shell) async {
        guard let sid = shell.callSID else { return }
        metrics.liveCalls.increment(by: -1)
        metrics.callsEnded.increment()
        let call = await registry.finished(sid)
        let events = shell.trace + (shell.spool?.finish() ?? [])
        let durationMs = events.map(\.tMs).max() ?? 0
        let callClinic = shell.lab?.engine.clinic ?? clinic
        // The language the call was held in, as the agent's tools last named it (a Swahili
        // caller on an English-first clinic): what `miadi score` reads read-backs in.
        let spoken = shell.call.agent?.language.rawValue ?? callClinic.languages.first?.rawValue ?? "en"
        let session = shell.call.session
        let model = shell.call.modelDescription
        var trace = CallTrace(header: TraceHeader(
            callSID: sid, source: "serve", clinic: callClinic.id, language: spoken,
            now: callStart(shell, clinic: callClinic, answered: call?.answeredWallClock),
            provider: model?.provider ?? configuration.provider, model: model?.model ?? "",
            line: .object(["rate": .int(session?.configuration.inputSampleRate ?? configuration.inputSampleRate),
                           "track": .string((session?.configuration.track ?? configuration.track).rawValue), "codec": "L16"]),
            recording: "\(Self.safeFileName(sid)).wav",
            calendarBefore: shell.calendarBefore.map { _ in "\(Self.safeFileName(sid)).calendar-before.json" },
            calendarAfter: shell.calendarBefore.map { _ in "\(Self.safeFileName(sid)).calendar-after.json" }, miadiVersion: MiadiServerVersion.current))
        trace.append(ShellEvent.callAnswered.line(atMs: 0))
        if let webhook = call?.webhook { trace.append(webhook) }
        trace.append(contentsOf: call?.statuses ?? [])
        trace.append(contentsOf: events)
        trace.append(ShellEvent.callEnded(reason: shell.endReason, durationMs: durationMs).line(atMs: durationMs))
        let recordingPath = (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid)) + ".wav"
        do {
            try FileManager.default.createDirectory(atPath: configuration.tracesDirectory, withIntermediateDirectories: true)
            let base = (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid))
            if let before = shell.calendarBefore, let after = try? await shell.engine?.snapshot() {
                try before.jsonData().write(to: URL(fileURLWithPath: base + ".calendar-before.json"), options: .atomic)
                try after.jsonData().write(to: URL(fileURLWithPath: base + ".calendar-after.json"), options: .atomic)
            }
            try trace.jsonLines().write(to: URL(fileURLWithPath: base + ".trace.jsonl"), options: .atomic)
            if shell.recordingFile == nil {
                // The streamed file could not be opened: the rest of the line, as a file now.
                try AudioFile.write(session?.recording ?? PCMBuffer(samples: [], sampleRate: configuration.inputSampleRate, channels: 2), to: recordingPath)
            }
            logger.info("call trace written", metadata: ["call_sid": "\(sid)", "trace": "\(base).trace.jsonl"])
        } catch {
            logger.error("cannot write the call trace", metadata: ["call_sid": "\(sid)", "error": "\(error)"])
        }
        if let lab = shell.lab {
            // A lab call's recording goes back to the lab whole (a lab call is bounded by its
            // scenario's time limit): read back from the file written as the call went.
            let recording = (try? AudioFile.read(recordingPath)) ?? PCMBuffer(samples: [], sampleRate: configuration.inputSampleRate, channels: 2)
            lab.finished(LabCallRecord(trace: trace, recording: recording, endReason: shell.endReason))
        }
    }

    /// The trace header's "now": the call's start in the clinic's local time with its offset, as
    /// lab traces write it (a lab call's is its scenario's time), so a scorer reading the trace
    /// knows the clinic's "today".
    func callStart(_ shell: Shell, clinic: Clinic, answered: Date?) -> String {
        let start = shell.labStart ?? answered ?? Date() // wall clock: a real call starts now
        return ClinicTime(zone: clinic.timeZone).isoWithOffset(start)
    }

    static func ms(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A call SID as a file name: the SID itself when it is only letters, digits, `-` and `_`
    /// (at most 128 of them); otherwise those characters of it, a `.` and 16 hex digits of its
    /// SHA-256. Two SIDs never share a file (`CAcol/1`, `CAcol_1` and `CAcol.1` all wrote
    /// `CAcol_1.*` once, the last call's overwriting the others'), and no plain SID can name
    /// another's file: a `.` is never in one.
    static func safeFileName(_ sid: String) -> String {
        let plain = sid.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "_" }
        if plain, !sid.isEmpty, sid.unicodeScalars.count <= 128 { return sid }
        let cleaned = sid.unicodeScalars.prefix(100).map { $0.isASCII && CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" }
        let digest = SHA256.hash(data: Data(sid.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return String(cleaned) + "." + digest
    }
}

/// The version written into traces.
public enum MiadiServerVersion {
    public static let current = MiadiRelease.version
}
