import Foundation
import MiadiBooking
import MiadiBridge
import MiadiLive

/// `miadi serve --config FILE`: everything the production bridge needs, validated at start
/// with file:line:field errors. Secrets may come from the environment instead of the file.
public struct ServeConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The public base URL the platform reaches (`https://miadi.example.com`); the webhook's
    /// `<Stream url>` and `statusCallback` are built from it.
    public var publicURL: String
    /// The bearer token the platform presents in the stream handshake (`headerMetadata`).
    /// `MIADI_STREAM_TOKEN` overrides the file.
    public var streamToken: String?
    /// The secret path segment of the voice webhook: the platform is told to POST
    /// `/voice/<secret>` (the number's routing URL), and every other path answers 404. Whoever
    /// can reach the webhook gets a stream ticket and a call on the line, so it must not be
    /// guessable. Required with an `https://` public URL; `MIADI_WEBHOOK_SECRET` overrides the file.
    public var webhookSecret: String?
    /// The bearer token of the `/lab` routes (`miadi serve --lab`), apart from the stream's:
    /// a lab caller books into in-memory calendars, a platform opens streams; neither may do
    /// the other's job. `MIADI_LAB_TOKEN` overrides the file.
    public var labToken: String?
    public var clinicFile: String
    public var databasePath: String
    public var provider = "echo"
    /// A live provider's model, voice and prompt (`model:` in the file).
    public var liveModel = LiveModelSettings()
    /// The live providers' keys and base URLs (`OPENAI_API_KEY`, `GEMINI_BASE_URL`, …), from
    /// the environment only: keys never sit in the file.
    public var liveEnvironment: [String: String] = [:]
    /// The corpus the mock model recognises callers' lines from (provider `mock`).
    public var corpusDirectory = "Corpora"
    public var track: StreamTrack = .both
    public var inputSampleRate = 16_000
    public var outputSampleRate = 16_000
    /// Greeting per language code, said by the platform before the stream.
    public var greetings: [String: String] = [:]
    public var handoffNumber: String?
    public var leadMs = 200
    /// What the bridge does when the caller speaks over the agent (`barge_in:`).
    public var bargeIn = BargeInPolicy()
    public var tracesDirectory = "traces"
    /// Recordings said when a live model is lost (`<language>.wav` and `.txt`); a folder that
    /// is not there means none.
    public var fallbackAudioDirectory = "Audio/fallback"
    /// Write each live session's messages beside the call's trace (`<call>.provider.jsonl`),
    /// for `miadi run --provider replay`. Keys are never written.
    public var recordProviderMessages = false
    /// How long a graceful shutdown lets live calls finish, seconds.
    public var drainSeconds = 30
    /// How long a new connection may take to send its whole request head before it is closed
    /// (nothing sent, half a request line, a head trickled byte by byte): idle sockets must
    /// not pile up until the server runs out of file descriptors.
    public var headTimeoutMs = 10_000
    /// The longest call, seconds; then the bridge closes the stream.
    public var maxCallSeconds = 3600
    /// How long an answered call is remembered while no stream opens for it, seconds: what
    /// joins the webhook to its stream's trace. A webhook with no stream after it (a dropped
    /// call, a hostile client) is forgotten after this, so memory comes back; a stream ticket
    /// lapses after 120 s, so less than that loses nothing a ticket could still open.
    public var unstreamedCallSeconds = 300
    /// Event loops (threads) the connections are dealt to, round robin; nil: the smallest odd
    /// number above the core count (`MiadiServerApp.defaultLoopCount`). Odd counts spread calls evenly (each call is a
    /// webhook and then a stream); more loops than cores let a model that computes on its loop
    /// hold up fewer calls, at the price of the kernel switching between them under load.
    public var eventLoops: Int?
    /// New calls are refused (503) while the event loops run this far behind real time, ms,
    /// as their 20 ms beats measure it (nil: never; the lab's own server, whose calls are the
    /// measurement). 250 ms is past the platform's playout buffer and the bridge's lead: the
    /// calls already taken are starting to break up.
    public var shedLagMs: Int? = 250
    /// Webhooks per source address: `burst` at once, then `perSecond` (nil: no limit).
    public var webhookRateLimit: RateLimit? = RateLimit(perSecond: 20, burst: 100)

    public struct RateLimit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int
        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    public init(publicURL: String, clinicFile: String, databasePath: String) {
        self.publicURL = publicURL
        self.clinicFile = clinicFile
        self.databasePath = databasePath
    }

    /// The stream URL (`wss://…/stream`) derived from the public URL.
    public var streamURL: String {
        var base = publicURL
        if base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst("https://".count) + "/stream" }
        if base.hasPrefix("http://") { return "ws://" + base.dropFirst("http://".count) + "/stream" }
        return base + "/stream"
    }

    /// The configuration once the server listens on `port`: with `listen.port: 0` (the kernel
    /// chooses), a public URL whose port is written `:0` (`http://127.0.0.1:0`, for tests and
    /// local trials) gets the port actually bound.
    public func bound(to port: Int?) -> ServeConfiguration {
        guard self.port == 0, let port, port > 0, let range = publicURL.range(of: #"^https?://[^/]+:0(?=/|$)"#, options: .regularExpression) else { return self }
        var copy = self
        copy.publicURL = String(publicURL[range].dropLast()) + String(port) + publicURL[range.upperBound...]
        return copy
    }

    /// The webhook's path: `/voice/<secret>`, or `/voice` with no secret (local trials).
    public var webhookPath: String { webhookSecret.map { "/voice/" + $0 } ?? "/voice" }

    /// The URL the number routes to (`miadi numbers route ID URL`).
    public var webhookURL: String { (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + webhookPath }

    public var statusCallbackURL: String {
        (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + "/stream-status"
    }

    static let keys = ["listen", "public_url", "stream_token", "webhook_secret", "lab_token", "clinic", "database", "provider", "model", "corpus", "stream", "greeting", "handoff_number", "pacing", "barge_in", "traces", "drain_seconds", "head_timeout_ms", "max_call_seconds", "unstreamed_call_seconds", "event_loops", "shed_lag_ms", "webhook_rate_limit", "fallback_audio", "record_provider"]

    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(YAMLFileError) -> ServeConfiguration {
        let root = try YAMLField.root(file: path)
        let top = try root.mapping(allowed: keys)
        let publicURLField = try top.required("public_url", in: root, "the https:// address the platform reaches this server at")
        let publicURL = try publicURLField.nonEmptyString()
        guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://") else {
            throw publicURLField.error("must start with https:// (or http:// for local trials), got \"\(publicURL)\"")
        }
        let clinicField = try top.required("clinic", in: root, "the clinic file, e.g. Scenarios/clinics/whitedent-nairobi.yaml")
        var clinic = try clinicField.nonEmptyString()
        let folder = (path as NSString).deletingLastPathComponent
        if !clinic.hasPrefix("/") && !FileManager.default.fileExists(atPath: clinic) && !folder.isEmpty {
            clinic = (folder as NSString).appendingPathComponent(clinic)
        }
        guard FileManager.default.fileExists(atPath: clinic) else { throw clinicField.error("no clinic file at \(clinic)") }
        var config = ServeConfiguration(publicURL: publicURL, clinicFile: clinic, databasePath: try top["database"]?.nonEmptyString() ?? "miadi-calendar.sqlite")
        if let listen = top["listen"] {
            let map = try listen.mapping(allowed: ["host", "port"])
            config.host = try map["host"]?.nonEmptyString() ?? config.host
            config.port = try map["port"]?.int(in: 0...65535) ?? config.port
        }
        let fileToken = try top["stream_token"]?.nonEmptyString()
        config.streamToken = environment["MIADI_STREAM_TOKEN"] ?? fileToken
        let fileLabToken = try top["lab_token"]?.nonEmptyString()
        config.labToken = environment["MIADI_LAB_TOKEN"] ?? fileLabToken
        let secretField = top["webhook_secret"]
        let secret: String?
        if let fromEnvironment = environment["MIADI_WEBHOOK_SECRET"] { secret = fromEnvironment } else { secret = try secretField?.nonEmptyString() }
        if let secret {
            if let problem = Self.webhookSecretProblem(secret) {
                throw secretField?.error(problem) ?? YAMLFileError(file: path, line: 1, field: "webhook_secret", reason: "MIADI_WEBHOOK_SECRET " + problem)
            }
            config.webhookSecret = secret
        } else if publicURL.hasPrefix("https://") {
            throw publicURLField.error("an https:// public URL needs a webhook_secret (or MIADI_WEBHOOK_SECRET): the platform then POSTs /voice/<secret>, and anyone else finds nothing; without it whoever finds the server can take stream tickets and place calls. Make one with: openssl rand -hex 16")
        }
        if let field = top["provider"] {
            let name = try field.nonEmptyString()
            let live = LiveModel.providers.map(\.id)
            guard ["echo", "mock"].contains(name) || live.contains(name) else {
                throw field.error("provider \"\(name)\" is not available in this build; available: echo, mock, \(live.joined(separator: ", "))")
            }
            if let variable = LiveModel.keyVariable(for: name) {
                guard environment[variable].map({ !$0.isEmpty }) == true else {
                    throw field.error("provider \(name) needs \(variable) in the environment (keys are never read from the file)")
                }
                for entry in LiveModel.providers {
                    for variable in [entry.key, entry.baseURL] { config.liveEnvironment[variable] = environment[variable] }
                }
                for variable in ["CASCADE_STT_MODEL", "CASCADE_TTS_MODEL"] { config.liveEnvironment[variable] = environment[variable] }
            }
            config.provider = name
        }
        if let model = top["model"] {
            // Only a live provider reads it: never accepted and ignored.
            guard LiveModel.keyVariable(for: config.provider) != nil else {
                throw model.error("model: sets a live provider's model, voice and prompt; provider \(config.provider) has none")
            }
            let map = try model.mapping(allowed: ["name", "voice", "prompt", "answer_limit_ms"])
            config.liveModel.answerLimitMs = try map["answer_limit_ms"]?.int(in: 1000...120_000) ?? config.liveModel.answerLimitMs
            config.liveModel.name = try map["name"]?.nonEmptyString() ?? config.liveModel.name
            config.liveModel.voice = try map["voice"]?.nonEmptyString() ?? config.liveModel.voice
            if let field = map["prompt"] {
                var path = try field.nonEmptyString()
                if !path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path) && !folder.isEmpty { path = (folder as NSString).appendingPathComponent(path) }
                guard FileManager.default.fileExists(atPath: path) else { throw field.error("no prompt file at \(path)") }
                config.liveModel.promptFile = path
            }
        }
        if let stream = top["stream"] {
            let map = try stream.mapping(allowed: ["track", "rate", "output_rate"])
            if let field = map["track"] {
                let name = try field.nonEmptyString()
                guard let track = StreamTrack(rawValue: name), track != .outbound else {
                    throw field.error("track must be inbound_track or both_tracks, got \"\(name)\"")
                }
                config.track = track
            }
            for (key, keyPath) in [("rate", \ServeConfiguration.inputSampleRate), ("output_rate", \ServeConfiguration.outputSampleRate)] {
                if let field = map[key] {
                    let rate = try field.int(in: 8000...16000)
                    guard rate == 8000 || rate == 16000 else { throw field.error("must be 8000 or 16000, got \(rate)") }
                    config[keyPath: keyPath] = rate
                }
            }
        }
        if let greeting = top["greeting"] {
            for (language, text) in try greeting.entries() { config.greetings[language] = try text.nonEmptyString() }
        }
        config.handoffNumber = try top["handoff_number"]?.nonEmptyString()
        if let corpus = top["corpus"] {
            var path = try corpus.nonEmptyString()
            if !path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path) && !folder.isEmpty { path = (folder as NSString).appendingPathComponent(path) }
            config.corpusDirectory = path
        }
        if let pacing = top["pacing"] {
            config.leadMs = try pacing.mapping(allowed: ["lead_ms"])["lead_ms"]?.int(in: 40...2000) ?? config.leadMs
        }
        if let field = top["barge_in"] { config.bargeIn = try BargeInOverride(field).applied(to: config.bargeIn) }
        config.tracesDirectory = try top["traces"]?.nonEmptyString() ?? config.tracesDirectory
        if let field = top["fallback_audio"] {
            var path = try field.nonEmptyString()
            if !path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path) && !folder.isEmpty { path = (folder as NSString).appendingPathComponent(path) }
            guard FileManager.default.fileExists(atPath: path) else { throw field.error("no folder at \(path)") }
            config.fallbackAudioDirectory = path
        }
        config.drainSeconds = try top["drain_seconds"]?.int(in: 0...3600) ?? config.drainSeconds
        config.headTimeoutMs = try top["head_timeout_ms"]?.int(in: 100...120_000) ?? config.headTimeoutMs
        config.maxCallSeconds = try top["max_call_seconds"]?.int(in: 60...86_400) ?? config.maxCallSeconds
        config.unstreamedCallSeconds = try top["unstreamed_call_seconds"]?.int(in: 1...86_400) ?? config.unstreamedCallSeconds
        config.eventLoops = try top["event_loops"]?.int(in: 1...256) ?? config.eventLoops
        config.shedLagMs = try top["shed_lag_ms"]?.int(in: 20...60_000) ?? config.shedLagMs
        if let field = top["webhook_rate_limit"] {
            let map = try field.mapping(allowed: ["per_second", "burst"])
            var limit = config.webhookRateLimit ?? RateLimit(perSecond: 20, burst: 100)
            limit.perSecond = try map["per_second"]?.double(in: 0.01...100_000) ?? limit.perSecond
            limit.burst = try map["burst"]?.int(in: 1...1_000_000) ?? limit.burst
            config.webhookRateLimit = limit
        }
        if let field = top["record_provider"] {
            config.recordProviderMessages = try field.bool()
            guard !config.recordProviderMessages || ["openai-realtime", "gemini-live"].contains(config.provider) else {
                throw field.error("record_provider keeps a realtime provider's messages (openai-realtime, gemini-live); provider \(config.provider) has none to keep")
            }
        }
        return config
    }

    /// Why `secret` cannot be the webhook's secret path segment, or nil: at least 16 of
    /// `A-Z a-z 0-9 - _` (a URL path segment as it is, and not guessable).
    static func webhookSecretProblem(_ secret: String) -> String? {
        let allowed = secret.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "_" }
        guard allowed else { return "must be letters, digits, - and _ only (it is a URL path segment)" }
        guard secret.count >= 16 else { return "must be at least 16 characters, got \(secret.count) (make one with: openssl rand -hex 16)" }
        return nil
    }

    /// The stream session configuration for one call; the call machine sets the model's rates
    /// (and the first frame's rate, when it names one).
    func streamConfiguration(subprotocol: String) -> StreamConfiguration {
        var c = StreamConfiguration(inputSampleRate: inputSampleRate, track: track, outputSampleRate: outputSampleRate, providerInputRate: 16_000, providerOutputRate: 24_000)
        c.maximumLeadMs = leadMs
        c.maximumCallMs = maxCallSeconds * 1000
        c.bargeIn = bargeIn
        c.subprotocol = subprotocol
        return c
    }
}
