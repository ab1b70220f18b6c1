import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiServer
import MiadiLive
import MiadiSimulator
import NIOCore
import Synchronization

/// Plays a lab call over real sockets on the real clock: the emulated platform POSTs the voice
/// webhook, reads the XML, opens the stream with the `audio.drachtio.org` subprotocol, the
/// `headerMetadata` headers and the `openMetadata` first frame, sends the caller's audio in
/// 20 ms frames as they happen, plays what comes back, and POSTs status callbacks, exactly as
/// Sautikit would. The scripted caller is the same `PlatformEmulator` as in process.
public struct SocketTransport: LabTransport {
    /// Who learns of the call before it is placed: the lab's own server in this process, or
    /// a `miadi serve --lab` elsewhere through its `/lab` routes.
    enum Control: Sendable {
        case local(LabCallDirectory)
        case remote(RemoteLab)
    }

    /// `http://host:port` of the server, without a trailing slash.
    let baseURL: String
    /// Where the server's voice webhook answers: `/voice`, or `/voice/<secret>` on a server
    /// with a `webhook_secret`.
    let webhookPath: String
    let control: Control
    public var name: String { "websocket" }

    /// A live model the local server's lab calls run with (nil: the mock).
    var live: LiveModel?

    init(port: Int, directory: LabCallDirectory, live: LiveModel? = nil) {
        self.live = live
        baseURL = "http://127.0.0.1:\(port)"
        webhookPath = "/voice"
        control = .local(directory)
    }

    /// A transport to a `miadi serve --lab` the lab did not start (`miadi run --target URL`);
    /// `token` is its lab token, which its `/lab` routes ask for; `webhookSecret` its
    /// webhook's secret path segment, when it has one.
    public init(target: String, token: String?, webhookSecret: String? = nil) {
        var url = target
        while url.hasSuffix("/") { url.removeLast() }
        baseURL = url
        webhookPath = webhookSecret.map { "/voice/" + $0 } ?? "/voice"
        // Calendar names unique to this run: a run that died half-way leaves its calendars
        // behind, and the next one must not book into them.
        control = .remote(RemoteLab(baseURL: url, token: token, run: String(UUID().uuidString.prefix(8)).lowercased()))
    }

    /// For a target: whether it takes lab calls (a clear error if not); nothing to check for
    /// the lab's own server.
    public func checkTarget() async throws {
        if case .remote(let remote) = control { try await remote.check() }
    }

    public func calendarAfter(_ calendar: LabCall.CalendarSpec) async throws -> CalendarSnapshot? {
        guard case .remote(let remote) = control else { return nil }
        let snapshot: CalendarSnapshot
        do { snapshot = try await remote.calendar(remote.key(calendar.key)) } catch SocketLabError.http(_, 404, _) {
            // No call of this scenario was placed (the server refused them all, and each call
            // says why): the lab's own copy, untouched, is the calendar after.
            return nil
        }
        try? await remote.forget(remote.key(calendar.key))
        return snapshot
    }

    /// What the server's own trace adds to the lab's: everything but the call's bounds, which
    /// the platform's side writes.
    static let platformOwned: Set<String> = [TraceType.callAnswered.rawValue, TraceType.callEnded.rawValue]

    public func play(_ setup: LabCall.Setup) async throws -> LabCall.Result {
        let callSID = setup.caller.callSID
        let clinic = setup.engine.clinic
        let (events, sink) = AsyncStream<SocketEvent>.makeStream()
        let (records, recordSink) = AsyncStream<LabCallRecord>.makeStream()
        let clock = ContinuousClock()
        var poller: Task<Void, Never>?
        switch control {
        case .local(let directory):
            var models = LabCallModels(
                engine: setup.engine, hearing: setup.hearing, speech: setup.speech, mock: setup.mock, toldAppointmentIDs: setup.toldAppointmentIDs,
                handoffNumber: setup.handoffNumber, track: setup.line.bothTracks ? .both : .inbound, rate: setup.line.rate,
                bookingLatencyMs: setup.bookingLatencyMs, clock: setup.clock,
                said: { text, _ in sink.yield(.agentSaid(text)) },
                finished: { record in
                    recordSink.yield(record)
                    recordSink.finish()
                })
            models.live = live
            models.bargeIn = setup.bargeIn
            await directory.register(callSID: callSID, models)
        case .remote(let remote):
            do { try await remote.announce(setup) } catch {
                return Self.failure(callSID: callSID, message: "\(error)")
            }
            // The agent's words as the server hears them say it: the scripted caller answers them.
            poller = Task {
                var next = 0
                while !Task.isCancelled {
                    guard let words = try? await remote.words(callSID, after: next) else {
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    }
                    for event in words.events { if let text = event["text"]?.string { sink.yield(.agentSaid(text)) } }
                    next = words.next
                    if words.ended { break }
                }
            }
        }
        defer { poller?.cancel() }
        let answered = clock.now
        let platformEvents = Mutex<[TraceEvent]>([ShellEvent.callAnswered.line(atMs: 0)])
        func failed(_ message: String) -> LabCall.Result {
            let t = Self.ms(clock.now - answered)
            var list = platformEvents.withLock { $0 }
            list.append(ShellEvent.error(where: "platform", message: message).line(atMs: t))
            list.append(ShellEvent.callEnded(reason: "platform error", durationMs: t).line(atMs: t))
            return LabCall.Result(events: list, recording: PCMBuffer(samples: [], sampleRate: 16_000, channels: 2), effects: [], endReason: "platform error", durationMs: t)
        }

        // 1. The voice webhook, as a form POST; its answer read with an XML parser.
        let instructions: WebhookInstructions
        do {
            let xml = try await post(baseURL + webhookPath, form: [("CallSid", callSID), ("From", setup.caller.callerNumber), ("To", clinic.phone), ("Direction", "inbound")])
            instructions = try WebhookInstructions.parse(xml)
        } catch let error as WebhookInstructions.ParseError {
            return failed(error.description)
        } catch {
            return failed("the voice webhook failed: \(error)")
        }

        // 2. The stream.
        var headers: HTTPFields = [.secWebSocketProtocol: "audio.drachtio.org"]
        for (key, value) in instructions.headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPFields.Element.Name(key) { headers[name] = value }
        }
        let emulatorSetup = PlatformEmulator.Configuration(script: setup.script, audio: setup.audio, line: setup.line, callerPauseMs: setup.callerPauseMs)
        let outcome = Mutex<(nowMs: Int, endReason: String?, done: Bool)>((0, nil, false))
        var logger = Logger(label: "miadi.lab.platform")
        logger.logLevel = ProcessInfo.processInfo.environment["MIADI_LAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        await status(instructions, callSID: callSID, event: "stream-started")
        do {
            try await WebSocketClient.connect(url: instructions.streamURL, configuration: .init(maxFrameSize: 8 << 20, additionalHeaders: headers), logger: logger) { inbound, outbound, _ in
                try await outbound.write(.text(instructions.openMetadata))
                let reader = Task {
                    do {
                        for try await message in inbound.messages(maxSize: 8 << 20) {
                            switch message {
                            case .text(let text): sink.yield(.text(text))
                            case .binary(var buffer): sink.yield(.binary(buffer.readBytes(length: buffer.readableBytes) ?? []))
                            }
                        }
                    } catch {}
                    sink.yield(.closed)
                }
                // The platform's 20 ms cadence, on absolute deadlines so it does not drift.
                let start = Self.ms(clock.now - answered) / 20 * 20
                let ticker = Task {
                    var next = clock.now
                    while !Task.isCancelled {
                        next = next.advanced(by: .milliseconds(20))
                        try? await clock.sleep(until: next)
                        sink.yield(.tick)
                    }
                }
                defer {
                    reader.cancel()
                    ticker.cancel()
                }
                var emulator = PlatformEmulator(emulatorSetup, startMs: start)
                var now = start
                var endReason: String?
                // A write that fails means the stream is gone: the call ends there, with why.
                func send(_ message: WebSocketOutboundWriter.OutboundFrame) async -> Bool {
                    do {
                        try await outbound.write(message)
                        return true
                    } catch {
                        endReason = endReason ?? "the stream failed: \(error)"
                        return false
                    }
                }
                loop: for await event in events {
                    switch event {
                    case .tick:
                        now += 20
                        for mark in emulator.playoutTick(nowMs: now) where !(await send(.text(mark))) { break loop }
                        let arriving = emulator.callerTick(nowMs: now)
                        let made = emulator.takeEvents()
                        platformEvents.withLock { $0 += made }
                        if let left = emulator.callerLeft {
                            endReason = left
                            break loop
                        }
                        if let arriving, !(await send(.binary(ByteBuffer(bytes: arriving)))) { break loop }
                        if now >= setup.timeLimitMs {
                            endReason = "time limit"
                            break loop
                        }
                    case .binary(let bytes):
                        emulator.bridgeSent(binary: bytes)
                    case .text(let text):
                        for reply in emulator.bridgeSent(text: text) where !(await send(.text(reply))) { break loop }
                        if emulator.disconnected {
                            // The platform ends the stream and follows the <Dial>.
                            endReason = emulator.handoffEndReason
                            break loop
                        }
                    case .agentSaid(let text):
                        emulator.agentSaid(text)
                    case .closed:
                        break loop
                    }
                }
                outcome.withLock { $0 = (now, endReason, true) }
                if endReason != nil { try? await outbound.close(.normalClosure, reason: endReason) }
            }
        } catch where !outcome.withLock({ $0.done }) {
            await status(instructions, callSID: callSID, event: "stream-error", reason: "\(error)")
            return failed("the stream failed: \(error)")
        } catch {
            // The call had ended; only the closing handshake failed (e.g. the server closed
            // first and the client's close was cancelled). Nothing of the call is lost.
        }
        await status(instructions, callSID: callSID, event: "stream-stopped")

        // 3. The server's side of the call, once it has written it.
        let (now, platformReason, _) = outcome.withLock { $0 }
        let record: LabCallRecord
        switch control {
        case .local:
            guard let written = await Self.first(records, within: .seconds(15)) else {
                return failed("the server wrote no trace for \(callSID) within 15 s of the stream's end")
            }
            record = written
        case .remote(let remote):
            do { record = try await remote.record(callSID, waitMs: 15_000) } catch {
                return failed("\(error)")
            }
        }
        let endReason = platformReason ?? record.endReason
        var all = platformEvents.withLock { $0 } + record.trace.events.filter { !Self.platformOwned.contains($0.type) }
        all = all.enumerated().sorted { ($0.element.tMs, $0.offset) < ($1.element.tMs, $1.offset) }.map(\.element)
        all.append(ShellEvent.callEnded(reason: endReason, durationMs: now).line(atMs: now))
        return LabCall.Result(events: all, recording: record.recording, effects: [], endReason: endReason, durationMs: now)
    }

    /// A call that never started: nothing was placed.
    static func failure(callSID: String, message: String) -> LabCall.Result {
        let events = [
            ShellEvent.error(where: "lab", message: message).line(atMs: 0),
            ShellEvent.callEnded(reason: "lab error", durationMs: 0).line(atMs: 0),
        ]
        return LabCall.Result(events: events, recording: PCMBuffer(samples: [], sampleRate: 16_000, channels: 2), effects: [], endReason: "lab error", durationMs: 0)
    }

    enum SocketEvent: Sendable {
        case tick
        case text(String)
        case binary([UInt8])
        case agentSaid(String)
        case closed
    }

    /// POSTs a form and returns the body of a 200 answer.
    func post(_ url: String, form: [(String, String)]) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = form.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw SocketLabError.http(url: url, status: Int(response.status.code), body: String(buffer: bytes)) }
        return String(buffer: bytes)
    }

    /// A status callback, as Sautikit POSTs it; its failure never fails the call.
    func status(_ instructions: WebhookInstructions, callSID: String, event: String, reason: String? = nil) async {
        guard let url = instructions.statusCallback else { return }
        var form = [("CallSid", callSID), ("StreamEvent", event), ("StreamName", "miadi")]
        if let reason { form.append(("StreamError", reason)) }
        _ = try? await post(url, form: form)
    }

    static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func ms(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The stream's first element, or nil after `timeout`.
    static func first<E: Sendable>(_ stream: AsyncStream<E>, within timeout: Duration) async -> E? {
        await withTaskGroup(of: E?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

public enum SocketLabError: Error, CustomStringConvertible {
    case http(url: String, status: Int, body: String)
    case unreadable(url: String, reason: String)

    public var description: String {
        switch self {
        case .http(let url, let status, let body): return "\(url) answered \(status): \(body.prefix(300))"
        case .unreadable(let url, let reason): return "\(url): \(reason)"
        }
    }
}
