import Foundation
import HummingbirdWebSocket
import Logging
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiProviders
import NIOCore

/// Runs one call's stream: the I/O shell around a `StreamSession`.
///
/// One task consumes a single ordered stream of events (frames from the socket, 20 ms ticks)
/// and performs the session's actions; the provider machine is driven in the same task, so
/// nothing races. At the end it writes the call's trace and recording.
struct StreamConnection {
    let configuration: ServeConfiguration
    let subprotocol: String
    let registry: CallRegistry
    let metrics: BridgeMetrics
    let clinicID: String
    let language: String
    let models: CallModels
    let labCalls: LabCallDirectory?
    let logger: Logger

    enum Event: Sendable {
        case text(String)
        case binary([UInt8])
        case tick
        case closed(UInt16, String)
        /// A tool call whose (slow) calendar operation is due now.
        case tool(ToolCall)
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
            continuation.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                continuation.yield(.tick)
            }
        }
        defer {
            reader.cancel()
            ticker.cancel()
        }
        var driver: CallDriver?
        var pendingClose: (UInt16, String)?
        do {
            try await loop(events: events, later: continuation, outbound: outbound, driver: &driver, pendingClose: &pendingClose)
        } catch {
            // A write failed: the socket is gone. The call still ends cleanly below.
            logger.notice("stream write failed", metadata: ["error": "\(error)"])
        }
        if var current = driver, !current.session.isClosed {
            let t = await registry.callTime(current.metadata.callSID)
            let actions = current.handle(.closed(1006, "socket gone"), nowMs: t).filter {
                if case .sendBinary = $0 { return false }
                if case .sendText = $0 { return false }
                return true
            }
            _ = try? await perform(actions, driver: &current, later: nil, outbound: outbound, pendingClose: &pendingClose)
            driver = current
        }
        if let current = driver { await finish(current) }
        if let (code, reason) = pendingClose { try? await outbound.close(.init(codeNumber: Int(code)), reason: reason) }
    }

    private func loop(events: AsyncStream<Event>, later: AsyncStream<Event>.Continuation, outbound: WebSocketOutboundWriter, driver: inout CallDriver?, pendingClose: inout (UInt16, String)?) async throws {
        var waitedTicks = 0
        for await event in events {
            if driver == nil {
                // The first frame names the call (and maybe its rate): only then can the session be made.
                if case .tick = event {
                    waitedTicks += 1
                    if waitedTicks < 500 { continue } // 10 s for the metadata frame
                }
                guard case .text(let first) = event, let metadata = StreamMetadata.parse(first) else {
                    if case .closed = event { return }
                    try await outbound.close(.policyViolation, reason: "first frame must be metadata with call_sid")
                    logger.warning("stream closed: bad first frame")
                    return
                }
                let lab = await labCalls?.take(metadata.callSID)
                var made = CallDriver(connection: self, metadata: metadata, lab: lab)
                let t = await registry.callTime(metadata.callSID)
                await registry.opened(metadata.callSID)
                metrics.liveCalls.increment(by: 1)
                try await perform(made.handle(.text(first), nowMs: t), driver: &made, later: later, outbound: outbound, pendingClose: &pendingClose)
                driver = made
                continue
            }
            guard var current = driver else { continue }
            let t = await registry.callTime(current.metadata.callSID)
            let started = ContinuousClock.now
            let actions: [StreamAction]
            if case .tool(let call) = event {
                _ = current.handle(event, nowMs: t) // moves the call's time first
                actions = await current.runTool(call)
            } else {
                actions = current.handle(event, nowMs: t)
            }
            let ended = try await perform(actions, driver: &current, later: later, outbound: outbound, pendingClose: &pendingClose)
            metrics.relaySeconds.record(ContinuousClock.now - started)
            driver = current
            if ended { break }
        }
    }

    /// Performs actions in order; returns true when the call has ended.
    @discardableResult
    func perform(_ actions: [StreamAction], driver: inout CallDriver, later: AsyncStream<Event>.Continuation?, outbound: WebSocketOutboundWriter, pendingClose: inout (UInt16, String)?) async throws -> Bool {
        var queue = actions[...]
        var ended = false
        while let action = queue.popFirst() {
            switch action {
            case .sendBinary(let bytes):
                metrics.framesOut.increment()
                try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
            case .sendText(let text):
                if text == BridgeCommand.killAudio { metrics.bargeIns.increment() }
                try await outbound.write(.text(text))
            case .toProvider:
                queue.append(contentsOf: driver.provider(action))
            case .runTool(let call):
                if let later, let delay = driver.lab?.bookingLatencyMs, delay > 0 {
                    // A slow calendar (a lab scenario's injected latency): the call goes on and
                    // the operation answers when it is due.
                    Task {
                        try? await Task.sleep(for: .milliseconds(delay))
                        later.yield(.tool(call))
                    }
                    continue
                }
                queue.append(contentsOf: await driver.runTool(call))
            case .trace(let event):
                driver.record([event])
                driver.agent?.observe(event)
            case .close(let code, let reason):
                pendingClose = (code, reason)
            case .ended:
                ended = true
            }
        }
        return ended
    }

    func finish(_ driver: CallDriver) async {
        metrics.liveCalls.increment(by: -1)
        metrics.callsEnded.increment()
        let call = await registry.finished(driver.metadata.callSID)
        let durationMs = driver.trace.map(\.tMs).max() ?? 0
        let clinic = driver.lab?.engine.clinic
        // The language the call was held in, as the agent's tools last named it (a Swahili
        // caller on an English-first clinic): what `miadi score` reads read-backs in.
        let spoken = driver.agent?.language.rawValue ?? clinic?.languages.first?.rawValue ?? language
        var trace = CallTrace(header: TraceHeader(
            callSID: driver.metadata.callSID, source: "serve", clinic: clinic?.id ?? clinicID, language: spoken,
            now: callStart(driver, answered: call?.answeredWallClock),
            provider: driver.providerID, model: driver.model,
            line: .object(["rate": .int(driver.session.configuration.inputSampleRate), "track": .string(driver.session.configuration.track.rawValue), "codec": "L16"]),
            recording: "\(Self.safeFileName(driver.metadata.callSID)).wav", miadiVersion: MiadiServerVersion.current))
        trace.append(TraceEvent(tMs: 0, type: "call.answered"))
        if let webhook = call?.webhook { trace.append(webhook) }
        trace.append(contentsOf: call?.statuses ?? [])
        trace.append(contentsOf: driver.trace)
        let billed = (durationMs + 999) / 1000
        trace.append(TraceEvent(tMs: durationMs, type: "call.ended", fields: ["reason": .string(driver.endReason), "duration_ms": .int(durationMs), "billed_seconds": .int(billed)]))
        do {
            try FileManager.default.createDirectory(atPath: configuration.tracesDirectory, withIntermediateDirectories: true)
            let base = (configuration.tracesDirectory as NSString).appendingPathComponent(Self.safeFileName(driver.metadata.callSID))
            try trace.jsonLines().write(to: URL(fileURLWithPath: base + ".trace.jsonl"), options: .atomic)
            try AudioFile.write(driver.session.recording, to: base + ".wav")
            logger.info("call trace written", metadata: ["call_sid": "\(driver.metadata.callSID)", "trace": "\(base).trace.jsonl"])
        } catch {
            logger.error("cannot write the call trace", metadata: ["call_sid": "\(driver.metadata.callSID)", "error": "\(error)"])
        }
        driver.lab?.finished(LabCallRecord(trace: trace, recording: driver.session.recording, endReason: driver.endReason))
    }

    /// The trace header's "now": the call's start in the clinic's local time with its offset, as
    /// lab traces write it (a lab call's is its scenario's time), so a scorer reading the trace
    /// knows the clinic's "today".
    func callStart(_ driver: CallDriver, answered: Date?) -> String {
        let start = driver.labStart ?? answered ?? Date() // wall clock: a real call starts now
        guard let clinic = driver.lab?.engine.clinic ?? models.engine?.clinic else { return ISO8601DateFormatter().string(from: start) }
        return ClinicTime(zone: clinic.timeZone).isoWithOffset(start)
    }

    /// A call SID as a file name: letters, digits, - and _ only.
    static func safeFileName(_ sid: String) -> String {
        let cleaned = sid.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" }
        return String(cleaned.prefix(128))
    }
}

/// The state one connection carries: the session, the model, the agent, the trace so far.
struct CallDriver {
    let metadata: StreamMetadata
    var session: StreamSession
    var providerMachine: any ProviderMachine
    var agent: CallAgent?
    private(set) var trace: [TraceEvent] = []
    var endReason = "stream closed"
    private var lastNowMs = 0
    /// Set when the lab placed this call: its models, line and clock.
    let lab: LabCallModels?
    /// The calendar's time when the stream opened, for a lab call (its scenario's "now").
    let labStart: Date?

    var providerID: String { providerMachine.providerID }
    var model: String { providerMachine.model }

    init(connection: StreamConnection, metadata: StreamMetadata, lab: LabCallModels? = nil) {
        self.metadata = metadata
        self.lab = lab
        labStart = lab?.clock?.now()
        let models = connection.models
        var configuration = connection.configuration
        if let lab {
            let today = CivilDate(lab.engine.clock.now(), in: lab.engine.clinic.timeZone)
            providerMachine = MockProvider(brief: MockBrief(clinic: lab.engine.clinic, today: today, toldAppointmentIDs: lab.toldAppointmentIDs), hearing: lab.hearing, speech: lab.speech, configuration: lab.mock)
            agent = CallAgent(engine: lab.engine, context: CallContext(callerNumber: metadata.from ?? "unknown", callSID: metadata.callSID),
                              language: lab.engine.clinic.languages.first ?? .en, handoffNumber: lab.handoffNumber)
            configuration.track = lab.track
            configuration.inputSampleRate = lab.rate
            configuration.outputSampleRate = lab.rate
        } else if let engine = models.engine, let hearing = models.hearing {
            let today = CivilDate(engine.clock.now(), in: engine.clinic.timeZone)
            providerMachine = MockProvider(brief: MockBrief(clinic: engine.clinic, today: today), hearing: hearing, speech: models.speech)
            agent = CallAgent(engine: engine, context: CallContext(callerNumber: metadata.from ?? "unknown", callSID: metadata.callSID),
                              language: engine.clinic.languages.first ?? .en, handoffNumber: connection.configuration.handoffNumber)
        } else {
            providerMachine = EchoProvider(inputSampleRate: 16_000, outputSampleRate: 24_000)
        }
        let rate = metadata.sampleRate.flatMap { [8000, 16000].contains($0) ? $0 : nil }
        session = StreamSession(configuration: configuration.streamConfiguration(
            inputRate: rate, subprotocol: connection.subprotocol,
            providerInputRate: providerMachine.inputSampleRate, providerOutputRate: providerMachine.outputSampleRate))
    }

    /// Trace events of this call, also shown to the lab when it placed the call.
    mutating func record(_ events: [TraceEvent]) {
        trace += events
        if let lab { for event in events { lab.observe(event) } }
    }

    mutating func handle(_ event: StreamConnection.Event, nowMs: Int) -> [StreamAction] {
        lastNowMs = nowMs
        if let clock = lab?.clock, let labStart { clock.moveForward(to: labStart.addingTimeInterval(Double(nowMs) / 1000)) }
        switch event {
        case .text(let text): return session.textReceived(text, nowMs: nowMs)
        case .binary(let bytes): return session.binaryReceived(bytes, nowMs: nowMs)
        case .tool: return []
        case .tick:
            var actions: [StreamAction] = []
            for e in providerMachine.tick(nowMs: nowMs) { actions += session.providerEvent(e, nowMs: nowMs) }
            return actions + session.tick(nowMs: nowMs)
        case .closed(let code, let reason):
            let actions = session.closed(code: code, reason: reason, nowMs: nowMs)
            for case .ended(let why) in actions { endReason = why }
            return actions
        }
    }

    /// Feeds the model an input and returns the session's reaction to what it says.
    mutating func provider(_ action: StreamAction) -> [StreamAction] {
        guard case .toProvider(let input) = action else { return [] }
        return feed(input)
    }

    mutating func feed(_ input: ProviderInput) -> [StreamAction] {
        var actions: [StreamAction] = []
        for e in providerMachine.receive(input, nowMs: lastNowMs) { actions += session.providerEvent(e, nowMs: lastNowMs) }
        return actions
    }

    /// Runs a tool call through the agent (or tells the model there are no tools) and returns
    /// the session's reaction.
    mutating func runTool(_ call: ToolCall) async -> [StreamAction] {
        guard var agent else {
            // No agent on this line (the echo provider): the model is told, in words it can say.
            return feed(.toolResult(ToolResult(callID: call.id, name: call.name, outputJSON: #"{"error":"tools are not available on this line yet"}"#, isError: true)))
        }
        let outcome = await agent.execute(call, nowMs: lastNowMs)
        self.agent = agent
        record(outcome.trace)
        var actions: [StreamAction] = []
        if case .handoff(let target, let reason)? = outcome.effect { actions += session.handoff(target: target, reason: reason, nowMs: lastNowMs) }
        return actions + feed(.toolResult(outcome.result))
    }
}

/// The version written into traces.
public enum MiadiServerVersion {
    public static let current = MiadiRelease.version
}
