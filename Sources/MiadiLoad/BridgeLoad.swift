import CMiadiLoad
import Foundation
import Synchronization

/// One load run: N platform streams against a server that is already listening, played by the
/// C generator on a thread of its own while this samples the server's CPU and memory once a
/// second. What a stream is, and what "clean" means, is in `include/miadi_load.h`.
public enum BridgeLoad {
    /// Where the streams go.
    public struct Target: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        /// POST here first and take the stream's path, ticket and metadata from the `<Stream>`;
        /// nil: connect to `streamPath` with `token`.
        public var webhookPath: String?
        public var streamPath = "/stream"
        public var token: String?
        /// The server's process, for its CPU and memory (nil: not measured).
        public var pid: Int32?

        public init(port: Int, webhookPath: String? = nil, token: String? = nil, pid: Int32? = nil) {
            self.port = port
            self.webhookPath = webhookPath
            self.token = token
            self.pid = pid
        }
    }

    public struct Options: Sendable {
        public var streams: Int
        public var seconds: Double
        /// Stream starts are spread over this (the platform's calls arrive; they do not all
        /// open in the same millisecond).
        public var rampSeconds: Double
        public var stereo = true
        public var prebufferMs = 80
        public var connectTimeoutMs = 10_000

        public init(streams: Int, seconds: Double, rampSeconds: Double) {
            self.streams = streams
            self.seconds = seconds
            self.rampSeconds = rampSeconds
        }
    }

    /// The server over one minute of call age (every stream live).
    public struct Minute: Sendable, Equatable {
        public let minute: Int
        /// Of one core, %.
        public let cpuPercent: Double
        public let residentBytes: Int
    }

    public struct Outcome: Sendable {
        public let streams: Int
        public let started: Int
        public let clean: Int
        public let failedWebhook: Int
        public let failedHandshake: Int
        public let dropped: Int
        public let underruns: Int64
        /// Per stream-minute.
        public let underrunsPerMinute: Double
        public let replies: Int64
        public let missedReplies: Int64
        /// Reply start, from the end of the caller's utterance to the generator reading the
        /// reply's first audio (its own waits for the cores it shares with the server included).
        public let replyP50Ms: Int?
        public let replyP99Ms: Int?
        /// The same to the reply's arrival on the generator's socket (the kernel's receive
        /// time): how much of the figure above is the generator's own lateness in reading.
        public let replyArrivalP99Ms: Int?
        /// The server's own share: to the reply's arrival, less how late the generator was
        /// sending then (short of the cores, it sends some frames late, and the server cannot
        /// hear the caller stop before the silence after the last word has come).
        public let replyServerP99Ms: Int?
        public let framesSent: Int64
        public let framesReceived: Int64
        public let marksReceived: Int64
        public let killAudioReceived: Int64
        /// The server while every stream was live, % of one core (nil: no pid).
        public let serverCPUPercent: Double?
        /// Server CPU per stream-second, ms.
        public let cpuMsPerStreamSecond: Double?
        public let residentBefore: Int?
        public let residentLoaded: Int?
        public let minutes: [Minute]
        public let generatorCPUPercent: Double
        public let maxSendLagMs: Double
        public let lateFrames: Int64
        public let firstError: String?

        /// Every stream ran its length, none failed or dropped, and playout starved at most
        /// once a minute per stream.
        public var isClean: Bool { clean == streams && underrunsPerMinute <= 1 }

        public var residentPerStream: Int? {
            guard let before = residentBefore, let loaded = residentLoaded, streams > 0 else { return nil }
            return (loaded - before) / streams
        }
    }

    /// Plays the streams; `progress` hears a line every few seconds.
    public static func run(target: Target, options: Options, line: CallerLine, progress: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        let shared = Shared()
        let live = shared.live
        let before = target.pid.flatMap { ProcessSample.read(pid: $0) }
        let started = ContinuousClock.now
        let done = Atomic<Bool>(false)
        let thread = Thread {
            shared.result = generate(target: target, options: options, line: line, shared: shared)
            done.store(true, ordering: .releasing)
        }
        thread.stackSize = 1 << 20
        thread.start()
        var samples: [(t: Double, sample: ProcessSample)] = []
        if let before { samples.append((0, before)) }
        var lastReport = 0.0
        while !done.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(250))
            let t = seconds(ContinuousClock.now - started)
            if let pid = target.pid, let sample = ProcessSample.read(pid: pid), (samples.last.map { t - $0.t >= 1 } ?? true) { samples.append((t, sample)) }
            if t - lastReport >= 5 {
                lastReport = t
                progress(String(format: "%.0f s: %d streams live", t, live.pointee))
            }
        }
        let r = shared.result
        // While every stream was live: from the last start to the first end.
        let from = options.rampSeconds + 1, to = options.seconds - 0.5
        func at(_ t: Double) -> (t: Double, sample: ProcessSample)? { samples.min { abs($0.t - t) < abs($1.t - t) } }
        var cpu: Double?, perStream: Double?, loaded: Int?
        if let a = at(from), let b = at(to), b.t > a.t {
            let busy = b.sample.cpuSeconds - a.sample.cpuSeconds
            cpu = busy / (b.t - a.t) * 100
            perStream = busy * 1000 / (b.t - a.t) / Double(options.streams)
            loaded = b.sample.residentBytes
        }
        var minutes: [Minute] = []
        var k = 0
        while from + Double(k + 1) * 60 <= to + 0.5, let a = at(from + Double(k) * 60), let b = at(from + Double(k + 1) * 60), b.t > a.t {
            minutes.append(Minute(minute: k + 1, cpuPercent: (b.sample.cpuSeconds - a.sample.cpuSeconds) / (b.t - a.t) * 100, residentBytes: b.sample.residentBytes))
            k += 1
        }
        let replies = r.replies
        let histogram = Array(UnsafeBufferPointer(start: shared.latency, count: Int(MLOAD_LATENCY_BUCKETS)))
        let streamMinutes = Double(options.streams) * options.seconds / 60
        return Outcome(
            streams: options.streams, started: Int(r.started), clean: Int(r.clean), failedWebhook: Int(r.failed_webhook), failedHandshake: Int(r.failed_handshake),
            dropped: Int(r.dropped), underruns: r.underruns, underrunsPerMinute: streamMinutes > 0 ? Double(r.underruns) / streamMinutes : 0,
            replies: replies, missedReplies: r.missed_replies,
            replyP50Ms: percentile(histogram, 0.50), replyP99Ms: percentile(histogram, 0.99),
            replyArrivalP99Ms: percentile(Array(UnsafeBufferPointer(start: shared.arrivalLatency, count: Int(MLOAD_LATENCY_BUCKETS))), 0.99),
            replyServerP99Ms: percentile(Array(UnsafeBufferPointer(start: shared.serverLatency, count: Int(MLOAD_LATENCY_BUCKETS))), 0.99),
            framesSent: r.frames_sent, framesReceived: r.frames_received, marksReceived: r.marks_received, killAudioReceived: r.kill_audio_received,
            serverCPUPercent: cpu, cpuMsPerStreamSecond: perStream, residentBefore: before?.residentBytes, residentLoaded: loaded, minutes: minutes,
            generatorCPUPercent: r.ended_at_s > 0 ? r.generator_cpu_seconds / r.ended_at_s * 100 : 0,
            maxSendLagMs: r.max_send_lag_ms, lateFrames: r.late_frames,
            firstError: withUnsafeBytes(of: r.first_error) { raw in
                let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                return text.isEmpty ? nil : text
            })
    }

    /// The value below which `fraction` of the counted replies fall, ms.
    static func percentile(_ histogram: [UInt32], _ fraction: Double) -> Int? {
        let total = histogram.reduce(0) { $0 + Int($1) }
        guard total > 0 else { return nil }
        let rank = Int((Double(total) * fraction).rounded(.up))
        var seen = 0
        for (ms, count) in histogram.enumerated() {
            seen += Int(count)
            if seen >= rank { return ms }
        }
        return histogram.count - 1
    }

    private static func generate(target: Target, options: Options, line: CallerLine, shared: Shared) -> mload_result {
        var result = mload_result()
        let host = strdup(target.host), webhook = target.webhookPath.map { strdup($0) }, stream = strdup(target.streamPath), token = target.token.map { strdup($0) }
        defer { free(host); webhook.map { free($0) }; free(stream); token.map { free($0) } }
        line.samples.withUnsafeBufferPointer { caller in
            line.utteranceEnds.withUnsafeBufferPointer { ends in
                var config = mload_config()
                config.host = UnsafePointer(host)
                config.port = Int32(target.port)
                config.webhook_path = webhook.map { UnsafePointer($0) } ?? nil
                config.stream_path = UnsafePointer(stream)
                config.token = token.map { UnsafePointer($0) } ?? nil
                config.streams = Int32(options.streams)
                config.seconds = options.seconds
                config.ramp_seconds = options.rampSeconds
                config.sample_rate = Int32(line.sampleRate)
                config.stereo = options.stereo ? 1 : 0
                config.caller = caller.baseAddress
                config.caller_count = caller.count
                config.utterance_ends = ends.baseAddress
                config.utterance_end_count = ends.count
                config.prebuffer_ms = Int32(options.prebufferMs)
                config.connect_timeout_ms = Int32(options.connectTimeoutMs)
                config.live = shared.live
                config.latency_ms = shared.latency
                config.arrival_latency_ms = shared.arrivalLatency
                config.server_latency_ms = shared.serverLatency
                config.stop = nil
                _ = mload_run(&config, &result)
            }
        }
        return result
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// What the generator's thread and this one share: its live count (read while it runs,
    /// a racy read of a counter, for progress only), its reply histogram and its answer (read
    /// only after `done` is set).
    private final class Shared: @unchecked Sendable {
        var result = mload_result()
        let live = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        let latency = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(MLOAD_LATENCY_BUCKETS))
        let arrivalLatency = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(MLOAD_LATENCY_BUCKETS))
        let serverLatency = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(MLOAD_LATENCY_BUCKETS))

        init() {
            live.initialize(to: 0)
            latency.initialize(repeating: 0, count: Int(MLOAD_LATENCY_BUCKETS))
            arrivalLatency.initialize(repeating: 0, count: Int(MLOAD_LATENCY_BUCKETS))
            serverLatency.initialize(repeating: 0, count: Int(MLOAD_LATENCY_BUCKETS))
        }

        deinit {
            live.deallocate()
            latency.deallocate()
            arrivalLatency.deallocate()
            serverLatency.deallocate()
        }
    }
}
