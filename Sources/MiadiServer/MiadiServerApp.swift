import Foundation
import Hummingbird
import Logging
import MiadiAgent
import MiadiBooking
import MiadiBridge
import HummingbirdCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `miadi serve`: the voice webhook, the stream WebSocket, status callbacks, health and metrics.
///
/// Routes: `POST /voice` (webhook → `<Response>`), `GET /stream` (WebSocket, subprotocol
/// `audio.drachtio.org`, bearer token), `POST /stream-status`, `GET /healthz`, `GET /metrics`.
/// Errors become HTTP statuses here and nowhere else.
public struct MiadiServerApp: Sendable {
    public let configuration: ServeConfiguration
    public let clinic: Clinic
    public let metrics = BridgeMetrics()
    let registry: CallRegistry
    let logger: Logger
    /// What ordinary calls are answered with (the model, the calendar), injected.
    let models: ServeModels
    /// Calls the lab announces before placing them (`miadi run --transport websocket`).
    let labCalls: LabCallDirectory?
    /// The `/lab` routes, for a lab on another machine (`miadi serve --lab`).
    let labControl: LabControl?
    /// Said by the bridge when a live model is lost, before the handoff.
    let fallback: FallbackLines
    /// The port the server listens on, once it does (for `listen.port: 0`).
    let boundPort = BoundPort()
    /// Per-call stream tickets, signed with the stream token (nil: streams need none).
    var tickets: StreamTickets? { configuration.streamToken.map { StreamTickets(secret: $0) } }
    let ticketLedger = StreamTicketLedger()
    /// Stream sockets open now, counted from the handshake (before the call is identified):
    /// a graceful shutdown waits for these too.
    let openStreams = OpenStreams()
    /// Connections held at once, below the process's limit of open files.
    let connections = ConnectionCap.forOpenFileLimit()
    /// Webhooks per source (`webhook_rate_limit`; nil: none).
    let webhookLimiter: WebhookRateLimiter?

    /// 12 random bytes for a ticket (the system's generator: a production value, never in the lab's bytes).
    static func nonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The configuration with the bound port in its public URL (see `ServeConfiguration.bound(to:)`).
    public var publicConfiguration: ServeConfiguration { configuration.bound(to: boundPort.value) }

    /// Streams open now, each until its call's trace is written: what a test or an embedding
    /// program waits on before it stops a server that was not drained (`application`).
    public var openStreamCount: Int { openStreams.value }

    /// A server for the configuration's clinic, answering with the models it names
    /// (`ServeModels(configuration:clinic:)`).
    public init(configuration: ServeConfiguration, logger: Logger, labControl: LabControl? = nil) throws(YAMLFileError) {
        let clinic = try ClinicFile.load(path: configuration.clinicFile)
        let models: ServeModels
        do { models = try ServeModels(configuration: configuration, clinic: clinic, logger: logger) } catch {
            throw YAMLFileError(file: configuration.clinicFile, line: 1, field: "(setup)", reason: "\(error)")
        }
        let fallback: FallbackLines
        do { fallback = try FallbackLines.load(folder: configuration.fallbackAudioDirectory) } catch {
            throw YAMLFileError(file: configuration.fallbackAudioDirectory, line: 1, field: "fallback_audio", reason: error.description)
        }
        self.init(configuration: configuration, clinic: clinic, models: models, logger: logger, labControl: labControl, fallback: fallback)
    }

    /// A server for an already loaded clinic and the given models; `labCalls` lets the lab give
    /// each call it places its own calendar, clock and line. `labControl` adds the `/lab` routes
    /// (and its directory serves as `labCalls`).
    public init(configuration: ServeConfiguration, clinic: Clinic, models: ServeModels, logger: Logger, labCalls: LabCallDirectory? = nil, labControl: LabControl? = nil,
                fallback: FallbackLines = FallbackLines()) {
        self.configuration = configuration
        registry = CallRegistry(unstreamedLifetime: .seconds(configuration.unstreamedCallSeconds))
        self.fallback = fallback
        self.clinic = clinic
        self.models = models
        self.logger = logger
        self.labCalls = labCalls ?? labControl?.directory
        self.labControl = labControl
        webhookLimiter = configuration.webhookRateLimit.map { WebhookRateLimiter(perSecond: $0.perSecond, burst: $0.burst) }
    }

    /// The Hummingbird application; `onServerRunning` receives the bound channel (tests read
    /// the port from it).
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: ServerRequestContext.self)
        router.get("/healthz") { _, _ -> Response in
            // A draining server tells its load balancer to send calls elsewhere.
            let draining = await registry.draining
            return Response(status: draining ? .serviceUnavailable : .ok, body: .init(byteBuffer: ByteBuffer(string: draining ? "draining\n" : "ok\n")))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        if let secret = configuration.webhookSecret {
            // Only the number's routing URL answers; a wrong or missing secret looks like any
            // unknown path (the secret compared in time that depends only on its length).
            router.post("/voice/:secret") { request, context -> Response in
                guard let presented = context.parameters.get("secret"), BearerToken.constantTimeEqual(presented, secret) else { return Response(status: .notFound) }
                return try await answerWebhook(request, from: context.sourceIP)
            }
        } else {
            router.post("/voice") { request, context -> Response in try await answerWebhook(request, from: context.sourceIP) }
        }
        if let labControl { addLabRoutes(to: router, control: labControl) }
        router.post("/stream-status") { request, _ -> Response in
            // Never fail a call on a callback: always 200, even when it cannot be read.
            if let body = try? await request.body.collect(upTo: 64 << 10) {
                if let status = StreamStatusCallback(fields: (try? RequestFields.read(body, contentType: request.headers[.contentType])) ?? [:]) {
                    await registry.status(status)
                }
            }
            return Response(status: .ok)
        }

        let loopGroup = Self.loops(configuration.eventLoops ?? Self.defaultLoopCount)
        let policy = HandshakePolicy(tickets: tickets)
        let ledger = ticketLedger
        let server = HTTPServerBuilder { responder in
            StreamServerChannel(
                responder: responder, path: "/stream", policy: policy, headTimeout: .milliseconds(Int64(configuration.headTimeoutMs)),
                connections: connections,
                subprotocol: { head in
                    // The gate has already refused bad handshakes with 400/401; this names the subprotocol.
                    guard case .accept(let subprotocol, _) = policy.decide(offered: head.headers["Sec-WebSocket-Protocol"], authorization: head.headers.first(name: "Authorization"), now: Date()) else { return nil } // wall clock: tickets lapse in real time
                    return subprotocol
                },
                makeHandler: { head, channel in
                    StreamChannelHandler(maxFrameSize: 1 << 20, maxMessageSize: 8 << 20) { output, loop in
                        let now = Date() // wall clock: tickets lapse in real time
                        guard case .accept(let subprotocol, let ticket) = policy.decide(offered: head.headers["Sec-WebSocket-Protocol"], authorization: head.headers.first(name: "Authorization"), now: now) else {
                            output.close(code: 1008, reason: "stream ticket no longer valid")
                            return nil
                        }
                        // A ticket opens one stream: a second connection with it is closed at once.
                        if let ticket, !ledger.take(ticket, now: Int64(now.timeIntervalSince1970)) {
                            logger.warning("stream refused: its ticket was used already")
                            output.close(code: 1008, reason: "this stream ticket was used already")
                            return nil
                        }
                        return StreamConnection(configuration: configuration, subprotocol: subprotocol, registry: registry, metrics: metrics, clinic: clinic, models: models, fallback: fallback,
                                                labCalls: labCalls, ticketCallSID: ticket?.callSID, logger: logger, loop: loop, output: output, openStreams: openStreams)
                    }
                })
        }
        let bound = boundPort
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "miadi"),
            services: [RegistrySweep(registry: registry, every: .seconds(max(1, min(30, configuration.unstreamedCallSeconds / 5))))],
            onServerRunning: { channel in
                bound.set(channel.localAddress?.port)
                await onServerRunning(channel)
            }, eventLoopGroupProvider: .shared(loopGroup), logger: logger)
    }

    /// The server and its drain, as one service group: on a graceful shutdown (SIGTERM, SIGINT
    /// or `triggerGracefulShutdown()`), the drain runs first — new calls are refused with 503,
    /// live ones may finish for `drain_seconds` — and only then does the server stop.
    /// `watchdog`: armed when the shutdown begins, so that a stuck call loop cannot keep the
    /// process alive past it (`miadi serve` gives one that exits `drain_seconds` + 10 s on).
    public func serviceGroup(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], watchdog: ShutdownWatchdog? = nil,
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> ServiceGroup {
        let drain = CallDrainService(registry: registry, openStreams: openStreams, seconds: configuration.drainSeconds, logger: logger, watchdog: watchdog)
        return ServiceGroup(configuration: .init(
            services: [
                .init(service: application(onServerRunning: onServerRunning)),
                .init(service: drain, successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    /// The voice webhook: the call's `<Response>` (its greeting, its stream with a ticket for
    /// this call alone, its handoff number), or 400 naming what is wrong, or 503 while draining.
    func answerWebhook(_ request: Request, from source: String) async throws -> Response {
        if let limiter = webhookLimiter, !limiter.allow(source, nowNs: LoopLag.nowNs()) {
            metrics.webhooksRateLimited.increment()
            let (write, heldBack) = LogThrottle.server.admit("rate limited", nowNs: LoopLag.nowNs())
            if write { logger.warning("webhook refused: too many from one source", metadata: ["source": "\(source)", "more_like_it": "\(heldBack)"]) }
            return Response(status: .tooManyRequests, headers: [.retryAfter: "1", .contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: "too many webhooks from \(source): try again\n")))
        }
        guard await !registry.draining else {
            return Response(status: .serviceUnavailable, headers: [.retryAfter: "5"], body: .init(byteBuffer: ByteBuffer(string: "shutting down\n")))
        }
        if let limit = configuration.shedLagMs {
            let lagMs = LoopLag.worstNs() / 1_000_000
            if lagMs > limit {
                // Admission control: the calls already taken come first.
                metrics.callsShed.increment()
                let (write, heldBack) = LogThrottle.server.admit("shed", nowNs: LoopLag.nowNs())
                if write { logger.warning("call refused: the server is behind real time", metadata: ["lag_ms": "\(lagMs)", "shed_lag_ms": "\(limit)", "more_like_it": "\(heldBack)"]) }
                return Response(status: .serviceUnavailable, headers: [.retryAfter: "2", .contentType: "text/plain"],
                                body: .init(byteBuffer: ByteBuffer(string: "the server is \(lagMs) ms behind real time: try again\n")))
            }
        }
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let fields = try? RequestFields.read(body, contentType: request.headers[.contentType]), let call = WebhookRequest(fields: fields) else {
            return Response(status: .badRequest, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "the webhook body names no call_sid\n")))
        }
        if let problem = call.problem {
            return Response(status: .badRequest, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: problem + "\n")))
        }
        var response = webhookResponse(for: call)
        if let lab = await labCalls?.peek(call.callSID) {
            // A lab call: its scenario's line and handoff number.
            response.stream.track = lab.track
            response.stream.outputSamplingRate = lab.rate
            response.dialNumber = lab.handoffNumber
        }
        await registry.answered(callSID: call.callSID, webhook: .init(
            say: response.say?.text, streamURL: response.stream.url, track: response.stream.track.rawValue,
            outputRate: response.stream.outputSamplingRate, dial: response.dialNumber, from: call.from, to: call.to))
        logger.info("call answered", metadata: ["call_sid": "\(call.callSID)"])
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: response.xml())))
    }

    func webhookResponse(for call: WebhookRequest) -> WebhookResponse {
        let configuration = publicConfiguration
        let language = clinic.languages.first?.rawValue ?? "en"
        var headers: [String: String] = [:]
        // A ticket for this call alone, never the server's secret (StreamTickets).
        if let tickets { headers["Authorization"] = "Bearer \(tickets.issue(callSID: call.callSID, now: Date(), nonce: Self.nonce()))" }
        let greeting = configuration.greetings[language].map { (text: $0, language: Optional(language)) }
        return WebhookResponse(
            say: greeting,
            stream: .init(url: configuration.streamURL, track: configuration.track, outputSamplingRate: configuration.outputSampleRate,
                          statusCallback: configuration.statusCallbackURL, headerMetadata: headers, openMetadata: WebhookResponse.openMetadata(for: call)),
            dialNumber: configuration.handoffNumber)
    }

}

extension MiadiServerApp {
    /// The event loops connections are dealt to, round robin, `count` of them: made once per
    /// count and kept for the process (servers in one process with the same count share them).
    ///
    /// An odd number: every call is a webhook request and then its stream, one after the
    /// other; with an even number of loops (NIO's default is one per core: 2 here) the round
    /// robin put every webhook on one loop and every stream on the other, so one core carried
    /// all the calls (`miadi bench bridge`: one loop at 98 %, the other at 3 %, underruns at
    /// 750 streams). With an odd number the streams go round every loop.
    static func loops(_ count: Int) -> MultiThreadedEventLoopGroup {
        loopGroups.withLock { groups in
            if let group = groups[count] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: count)
            groups[count] = group
            return group
        }
    }

    private static let loopGroups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    /// The smallest odd number above the core count: 3 on two cores (`event_loops` overrides
    /// it). Each extra loop is a thread the kernel switches to under load: `miadi bench bridge`
    /// at 750 streams on two cores measured reply start p99 263 ms with 3 loops, 306 with 5
    /// and 401 with 9 (192 unloaded; `perf` put 9 % of the server's time with nine loops in
    /// `finish_task_switch`). A model that computes on its loop (the lab's mock) wants more:
    /// the lab's own server takes four per core plus one.
    public static var defaultLoopCount: Int { coreCount + 1 + coreCount % 2 }

    /// The cores this process may use: NIO's count, which honours the container's CPU quota
    /// (cgroups), unlike `ProcessInfo.activeProcessorCount`.
    public static var coreCount: Int { System.coreCount }
}

/// Stream sockets open now (any loop may change them), and their connections, so that a
/// shutdown whose drain time is up can close them.
final class OpenStreams: Sendable {
    private let streams = Mutex<[ObjectIdentifier: StreamConnection]>([:])
    var value: Int { streams.withLock { $0.count } }
    func opened(_ connection: StreamConnection) { streams.withLock { $0[ObjectIdentifier(connection)] = connection } }
    func closed(_ connection: StreamConnection) { _ = streams.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) } }
    /// Closes every stream still open (1001): the drain's time is up.
    func closeAll() { for connection in streams.withLock({ Array($0.values) }) { connection.goingAway() } }
}

/// The port a server bound, set once it listens.
final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)
    var value: Int? { port.withLock { $0 } }
    func set(_ value: Int?) { port.withLock { $0 = value } }
}

/// On SIGTERM, lets live calls finish (up to `seconds`) before the server stops.
struct CallDrainService: ServiceLifecycle.Service {
    let registry: CallRegistry
    let openStreams: OpenStreams
    let seconds: Int
    let logger: Logger
    /// Armed as the shutdown begins.
    var watchdog: ShutdownWatchdog?

    func run() async throws {
        try? await gracefulShutdown()
        watchdog?.arm()
        await registry.startDraining()
        let live = max(await registry.liveCount, openStreams.value)
        guard live > 0 else { return }
        logger.notice("shutting down: waiting for live calls", metadata: ["live": "\(live)", "up_to_seconds": "\(seconds)"])
        let deadline = ContinuousClock.now + .seconds(seconds)
        while await registry.liveCount > 0 || openStreams.value > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        let left = max(await registry.liveCount, openStreams.value)
        guard left > 0 else { return }
        // The time is up: the streams still open are closed (1001), their calls end and their
        // traces are written, so the server can stop (a platform that never hangs up would
        // otherwise hold it until the watchdog).
        logger.warning("shutting down with live calls: closing their streams", metadata: ["live": "\(left)"])
        openStreams.closeAll()
        let closing = ContinuousClock.now + .seconds(5)
        while openStreams.value > 0, ContinuousClock.now < closing {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
