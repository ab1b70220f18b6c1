import Foundation
import HummingbirdWebSocket
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
/// real clock. It decides nothing: one task takes a single ordered stream of events (frames
/// from the socket, the 20 ms beat that fires the machine's timers, finished tool runs), gives
/// each to the machine with the call time, and performs the actions it returns. At the end it
/// writes the call's trace and recording.
struct StreamConnection {
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

    /// The real clock's beat, ms.
    static let beatMs = 20

    enum Event: Sendable {
        case text(String)
        case binary([UInt8])
        /// 20 ms passed: the machine's timers that are due fire.
        /// The 20 ms beat, with when it fell due.
        case beat(ContinuousClock.Instant)
        case closed(UInt16, String)
        /// A tool run the machine asked for has finished.
        case toolCompleted(ToolCompletion)
        /// What a network model said.
        case provider([ProviderEvent])
    }

    /// What the shell keeps of one connection besides the machine: which call it is, its
    /// timers, the trace so far, what to close with.
    struct Shell {
        var call: CallMachine
        let opened = ContinuousClock.now
        var callSID: String?
        var lab: LabCallModels?
        /// The lab calendar's time when the stream opened (a lab call's scenario "now").
        var labStart: Date?
        var agentless = false
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
        /// Set when a write failed: the socket is gone, and nothing more is written to it.
        var socketGone = false
        /// The call's WAV, written as the call goes (`takeRecording` once a second).
        var recordingFile: StreamingAudioFile?
        var recordingTakenAtMs = 0
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let reader = Task {
            do {
                for try await message in inbound.messages(maxSize: 8 << 20) {
                    switch message {
                    case .text(let text): continuation.yield(.text(text))
                    case .binary(var buffer): continuation.yield(.binary(buffer.readBytes(length: buffer.readableBytes) ?? []))
                    }
                }
                continuation.yield(.closed(1000, "platform closed the stream"))
            } catch {
                continuation.yield(.closed(1006, "socket error: \(error)"))
            }
        }
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Self.beatMs))
                continuation.yield(.beat(.now))
            }
        }
        defer {
            reader.cancel()
            beat.cancel()
        }
        var shell = Shell(call: CallMachine(expectedCallSID: ticketCallSID))
        await perform(shell.call.opened(nowMs: 0), at: 0, shell: &shell, later: continuation, outbound: outbound)
        for await event in events {
            let t = await callTime(shell)
            let started = ContinuousClock.now
            switch event {
            case .text(let text):
                await perform(shell.call.textReceived(text, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
            case .binary(let bytes):
                metrics.framesIn.increment()
                await perform(shell.call.binaryReceived(bytes, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
            case .beat(let due):
                metrics.tickLagSeconds.record(ContinuousClock.now - due)
                // The real clock is read in 20 ms beats: a timer fires on the beat nearest its
                // due time (a beat that comes a millisecond early must not hold the pacing back
                // a whole beat).
                while let index = shell.timers.firstIndex(where: { $0.atMs <= t + Self.beatMs / 2 }) {
                    let due = shell.timers.remove(at: index)
                    await perform(shell.call.timerFired(due.timer, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
                }
            case .closed(let code, let reason):
                await perform(shell.call.closed(code: code, reason: reason, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
            case .toolCompleted(let completion):
                await perform(shell.call.toolCompleted(completion, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
            case .provider(let said):
                await perform(shell.call.providerEvents(said, nowMs: t), at: t, shell: &shell, later: continuation, outbound: outbound)
            }
            if t - shell.recordingTakenAtMs >= Self.recordingFlushMs { writeRecording(&shell, nowMs: t, final: false) }
            metrics.relaySeconds.record(ContinuousClock.now - started)
            if shell.ended || shell.socketGone { break }
        }
        if !shell.call.isEnded {
            // The socket went away under the call (a write failed): it ends here, cleanly.
            let t = await callTime(shell)
            await perform(shell.call.closed(code: 1006, reason: "socket gone", nowMs: t), at: t, shell: &shell, later: nil, outbound: outbound)
        }
        continuation.finish()
        // The model's session ends with the call (the machine said so already, unless the
        // socket went first).
        shell.live?.send(.endOfCall)
        writeRecording(&shell, nowMs: await callTime(shell), final: true)
        if shell.callSID != nil { await finish(shell) }
        if let (code, reason) = shell.pendingClose, !shell.socketGone {
            try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
        }
    }

    /// How often the settled part of the recording goes to its file, ms of call time.
    static let recordingFlushMs = 1000

    /// The call's WAV in the traces folder, opened once the call is known: the recording goes
    /// there as the call goes, never kept whole in memory.
    private func openRecording(_ shell: inout Shell) {
        guard let sid = shell.callSID, let rate = shell.call.session?.configuration.inputSampleRate else { return }
        let path = (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid)) + ".wav"
        do { shell.recordingFile = try StreamingAudioFile(path: path, sampleRate: rate, channels: 2) } catch {
            logger.error("cannot write the call's recording", metadata: ["call_sid": "\(sid)", "error": "\(error)"])
        }
    }

    /// Moves the recording's settled part (or, with `final`, the rest) from the call to its file.
    private func writeRecording(_ shell: inout Shell, nowMs: Int, final: Bool) {
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
    private func callTime(_ shell: Shell) async -> Int {
        let t: Int
        if let sid = shell.callSID { t = await registry.callTime(sid) } else { t = Self.ms(ContinuousClock.now - shell.opened) }
        // A lab call's calendar follows call time, so holds lapse as they would.
        if let clock = shell.lab?.clock, let start = shell.labStart { clock.moveForward(to: start.addingTimeInterval(Double(t) / 1000)) }
        return t
    }

    /// Performs the machine's actions in order.
    private func perform(_ actions: [CallAction], at t: Int, shell: inout Shell, later: AsyncStream<Event>.Continuation?, outbound: WebSocketOutboundWriter) async {
        for action in actions {
            switch action {
            case .sendBinary(let bytes):
                metrics.framesOut.increment()
                await write(.binary(ByteBuffer(bytes: bytes)), shell: &shell, outbound: outbound)
            case .send(let command):
                if command == .killAudio { metrics.bargeIns.increment() }
                await write(.text(command.text), shell: &shell, outbound: outbound)
            case .close(let code, let reason):
                shell.pendingClose = (code, reason)
            case .identify(let metadata):
                let setup = await identify(metadata, shell: &shell, later: later)
                let now = await callTime(shell)
                await perform(shell.call.attach(setup, nowMs: now), at: now, shell: &shell, later: later, outbound: outbound)
                openRecording(&shell)
            case .toProvider(let input):
                // In-process models run inside the machine and never ask for this.
                guard let live = shell.live else {
                    logger.error("a network model input with no network model", metadata: ["call_sid": "\(shell.callSID ?? "?")"])
                    continue
                }
                live.send(input)
            case .runTool(let request):
                guard let tools = shell.tools else { preconditionFailure("a tool run on a call with no calendar") }
                if let later {
                    // The calendar answers in its own time; the call's audio goes on meanwhile.
                    Task { later.yield(.toolCompleted(await tools.run(request))) }
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

    private func write(_ frame: WebSocketOutboundWriter.OutboundFrame, shell: inout Shell, outbound: WebSocketOutboundWriter) async {
        guard !shell.socketGone else { return }
        do { try await outbound.write(frame) } catch {
            shell.socketGone = true
            logger.notice("stream write failed", metadata: ["call_sid": "\(shell.callSID ?? "?")", "error": "\(error)"])
        }
    }

    /// The call is known: what it runs with (a lab call's own calendar and line, or the
    /// server's models).
    private func identify(_ metadata: StreamMetadata, shell: inout Shell, later: AsyncStream<Event>.Continuation?) async -> CallMachine.Setup {
        let sid = metadata.callSID
        shell.callSID = sid
        shell.spool = TraceSpool(path: (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(sid)) + ".events.jsonl")
        for event in shell.trace { shell.spool?.append(event) }
        if shell.spool != nil { shell.trace = [] }
        await registry.opened(sid)
        metrics.liveCalls.increment(by: 1)
        let context = CallContext(callerNumber: metadata.from ?? "unknown", callSID: sid)
        var stream = configuration.streamConfiguration(subprotocol: subprotocol)
        if let lab = await labCalls?.take(sid) {
            shell.lab = lab
            shell.labStart = lab.clock?.now()
            shell.tools = ToolRunner(engine: lab.engine)
            shell.engine = lab.engine
            shell.calendarBefore = try? await lab.engine.snapshot()
            if let live = lab.live {
                let now = await callTime(shell)
                var brief = LiveCallBrief(clinic: lab.engine.clinic, today: lab.today, language: lab.engine.clinic.languages.first ?? .en, callSID: sid)
                brief.interruptsItself = (lab.bargeIn ?? stream.bargeIn).modelInterruptsItself
                open(live, brief, atMs: now, shell: &shell, later: later)
            }
            var setup = lab.callSetup(context: context, stream: stream)
            setup.fallback = fallback.line(for: lab.engine.clinic.languages.first ?? .en)
            setup.modelAnswerLimitMs = configuration.liveModel.answerLimitMs
            return setup
        }
        let made = models.make(clinic)
        var agent: CallAgent?
        let today = CivilDate((made.engine?.clock ?? SystemClock()).now(), in: clinic.timeZone)
        if let engine = made.engine {
            shell.tools = ToolRunner(engine: engine)
            shell.engine = engine
            shell.calendarBefore = try? await engine.snapshot()
            agent = CallAgent(clinic: clinic, today: today, context: context, language: clinic.languages.first ?? .en, handoffNumber: configuration.handoffNumber)
        }
        if let live = made.live {
            let now = await callTime(shell)
            var brief = LiveCallBrief(clinic: clinic, today: today, language: clinic.languages.first ?? .en, callSID: sid)
            brief.interruptsItself = stream.bargeIn.modelInterruptsItself
            open(live, brief, atMs: now, shell: &shell, later: later)
        }
        var setup = CallMachine.Setup(model: made.model, agent: agent, stream: stream, fallback: fallback.line(for: clinic.languages.first ?? .en))
        setup.modelAnswerLimitMs = configuration.liveModel.answerLimitMs
        return setup
    }

    /// Opens the call's session with a network model; its words join the call's one ordered
    /// stream of events.
    private func open(_ live: LiveModel, _ brief: LiveCallBrief, atMs: Int, shell: inout Shell, later: AsyncStream<Event>.Continuation?) {
        var log: ProviderLogWriter?
        if configuration.recordProviderMessages {
            try? FileManager.default.createDirectory(atPath: configuration.tracesDirectory, withIntermediateDirectories: true)
            let path = configuration.tracesDirectory + "/\(Self.safeFileName(brief.callSID)).provider.jsonl"
            log = ProviderLogWriter(path: path, provider: live.providerID, model: live.model, openedAtCallMs: atMs)
        }
        let session = live.open(brief, log: log)
        shell.live = session
        guard let later else { return }
        Task {
            for await said in session.events { later.yield(.provider(said)) }
        }
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

    /// A call SID as a file name: letters, digits, - and _ only.
    static func safeFileName(_ sid: String) -> String {
        let cleaned = sid.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" }
        return String(cleaned.prefix(128))
    }
}

/// The version written into traces.
public enum MiadiServerVersion {
    public static let current = MiadiRelease.version
}
