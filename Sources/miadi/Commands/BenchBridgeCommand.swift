import ArgumentParser
import Foundation
import MiadiAudio
import MiadiLoad

/// `miadi bench bridge`: N platform streams against `miadi serve` (and, in the same run, the
/// peers in `Benchmarks/peers/`), each server started fresh for each run and measured from
/// outside: clean streams, playout underruns, reply start against the same server unloaded,
/// its CPU per stream-second and its memory per stream.
struct BenchBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Concurrent platform streams against miadi serve and its peers (build with -c release for real figures).",
        discussion: """
        Each stream does what Sautikit does: the voice webhook (Miadi) or a fixed token (the \
        peers), the WebSocket handshake with audio.drachtio.org, the open metadata, then 20 ms \
        stereo frames at 16 kHz on the platform's clock, the caller's utterance on the left and \
        the platform's playout of the server's reply on the right (80 ms prebuffer, marks, \
        killAudio). The generator is a C epoll loop on one thread (CMiadiLoad). A run is clean \
        when every stream lasts its length with no failed handshake or drop, playout starves at \
        most once a minute per stream, and reply start p99 is within 100 ms of the same server \
        with one stream (measured first).
        """
    )

    @Option(help: "Concurrent stream counts, comma-separated: one run per count and server.")
    var streams: String = "100"

    @Option(help: "How long each stream lasts, seconds.")
    var seconds: Double = 60

    @Option(help: "Stream starts spread over this many seconds (default: 50 new calls a second, at least 1 s).")
    var ramp: Double?

    @Option(help: "Servers to measure, comma-separated: miadi, node, python.")
    var servers: String = "miadi"

    @Option(help: "An already running server to measure instead (its base URL, e.g. http://127.0.0.1:8080); streams go through its /voice webhook unless --token is given.")
    var url: String?

    @Option(help: "With --url: the server's process id, for its CPU and memory.")
    var pid: Int32?

    @Option(help: "With --url: skip the webhook and open /stream with this bearer token.")
    var token: String?

    @Option(help: "What each caller says, looped with quiet between (a WAV or FLAC file).")
    var caller: String = "Corpora/en/5d3ce16ee18bfb5f.flac"

    @Option(help: "Seconds of the one-stream run that gives each server's unloaded reply start (0: none).")
    var unloadedSeconds: Double = 20

    @Option(help: "The repository root (the clinic, the fallback audio and the peers are read from it).")
    var root: String = "."

    func validate() throws {
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--streams must be positive counts, comma-separated (e.g. 100,250,500), got \(streams)") }
        guard seconds >= 15 else { throw ValidationError("--seconds must be at least 15 (the measurement is taken while every stream is live)") }
        for count in counts where seconds < rampSeconds(count) + 10 {
            throw ValidationError("--seconds \(seconds) leaves under 10 s with all \(count) streams live after a \(rampSeconds(count)) s ramp; raise --seconds or lower --ramp")
        }
        guard url != nil || !kinds.isEmpty else { throw ValidationError("--servers must name miadi, node or python, got \(servers)") }
        if let url, Self.hostPort(url) == nil { throw ValidationError("--url must look like http://127.0.0.1:8080, got \(url)") }
    }

    var counts: [Int] { streams.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var kinds: [BenchServer.Kind] { servers.split(separator: ",").compactMap { BenchServer.Kind(rawValue: $0.trimmingCharacters(in: .whitespaces)) } }
    func rampSeconds(_ count: Int) -> Double { ramp ?? max(1, Double(count) / 50) }

    static func hostPort(_ url: String) -> (String, Int)? {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port ?? (components.scheme == "http" ? 80 : nil) else { return nil }
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }

    func run() async throws {
        let clip: PCMBuffer
        do { clip = try AudioFile.read(caller) } catch { throw failOnBadInput("--caller \(caller): \(error)") }
        let line = CallerLine(clip: clip, sampleRate: 16_000)
        let names = url != nil ? ["external"] : kinds.map(\.rawValue)
        var unloaded: [String: Int] = [:]
        var rows: [(server: String, outcome: BridgeLoad.Outcome)] = []
        let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        if unloadedSeconds > 0 {
            for name in names {
                say("\(name): 1 stream for \(Int(unloadedSeconds)) s (the unloaded reply start)")
                let outcome = try await measure(name, streams: 1, seconds: unloadedSeconds, ramp: 0, line: line, say: say)
                unloaded[name] = outcome.replyP99Ms
                rows.append((name, outcome))
            }
        }
        // Counts outside, servers inside: the servers of one count run back to back, under the
        // same conditions of the machine.
        for count in counts {
            for name in names {
                say("\(name): \(count) streams for \(Int(seconds)) s, ramp \(rampSeconds(count)) s")
                let outcome = try await measure(name, streams: count, seconds: seconds, ramp: rampSeconds(count), line: line, say: say)
                rows.append((name, outcome))
                say("\(name) at \(count): \(outcome.clean)/\(count) clean, reply p99 \(outcome.replyP99Ms.map { "\($0) ms" } ?? "–") (on arrival \(outcome.replyArrivalP99Ms.map { "\($0) ms" } ?? "–"), less the generator's lag \(outcome.replyServerP99Ms.map { "\($0) ms" } ?? "–")), server CPU \(outcome.serverCPUPercent.map { String(format: "%.0f %%", $0) } ?? "–"); the generator sent \(outcome.lateFrames) of \(outcome.framesSent) frames over 10 ms late (at worst \(Int(outcome.maxSendLagMs)) ms)")
            }
        }
        print(Self.table(rows, unloaded: unloaded))
        let aged = rows.filter { $0.outcome.minutes.count >= 2 }
        if !aged.isEmpty { print(Self.ageTable(aged)) }
    }

    private func measure(_ name: String, streams count: Int, seconds: Double, ramp: Double, line: CallerLine, say: @escaping @Sendable (String) -> Void) async throws -> BridgeLoad.Outcome {
        var options = BridgeLoad.Options(streams: count, seconds: seconds, rampSeconds: ramp)
        options.stereo = true
        if let url {
            let (host, port) = Self.hostPort(url)!
            var target = BridgeLoad.Target(port: port, webhookPath: token == nil ? "/voice" : nil, token: token, pid: pid)
            target.host = host
            return await BridgeLoad.run(target: target, options: options, line: line, progress: say)
        }
        let server: BenchServer
        do { server = try BenchServer(kind: BenchServer.Kind(rawValue: name)!, root: root) } catch { throw failOnBadInput("\(error)") }
        defer { server.stop() }
        // A moment for the fresh process to settle before its memory is read.
        try? await Task.sleep(for: .milliseconds(500))
        return await BridgeLoad.run(target: server.target, options: options, line: line, progress: say)
    }

    static func table(_ rows: [(server: String, outcome: BridgeLoad.Outcome)], unloaded: [String: Int]) -> String {
        var lines = [
            "| server | streams | clean | failed / dropped | underruns per stream-min | reply start p50 / p99 (unloaded p99) | server CPU, % of a core | CPU per stream-second | RSS | RSS per stream | generator CPU | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for (server, o) in rows {
            let base = unloaded[server]
            let withinLatency = o.replyP99Ms.map { p99 in base.map { p99 <= $0 + 100 } ?? true } ?? false
            let verdict = o.isClean && withinLatency ? "clean" : o.clean < o.streams ? "streams failed" : !withinLatency ? "late replies" : "underruns"
            let p = "\(o.replyP50Ms.map(String.init) ?? "–") / \(o.replyP99Ms.map(String.init) ?? "–") ms" + (o.streams > 1 ? " (\(base.map(String.init) ?? "–"))" : "")
            lines.append("| \(server) | \(o.streams) | \(o.clean) | \(o.failedWebhook + o.failedHandshake) / \(o.dropped) | \(String(format: "%.2f", o.underrunsPerMinute)) | \(p) | "
                + "\(o.serverCPUPercent.map { String(format: "%.0f", $0) } ?? "–") | \(o.cpuMsPerStreamSecond.map { String(format: "%.2f ms", $0) } ?? "–") | "
                + "\(o.residentLoaded.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "–") | \(o.residentPerStream.map { "\($0 / 1024) KiB" } ?? "–") | "
                + "\(String(format: "%.0f %%", o.generatorCPUPercent)) | \(o.streams == 1 ? "unloaded" : verdict) |")
        }
        if let error = rows.compactMap({ row in row.outcome.firstError.map { "\(row.server) at \(row.outcome.streams): \($0)" } }).first {
            lines.append("")
            lines.append("First error: \(error)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func ageTable(_ rows: [(server: String, outcome: BridgeLoad.Outcome)]) -> String {
        var lines = ["| server | streams | minute of call age | server CPU, % of a core | RSS |", "|---|---:|---:|---:|---:|"]
        for (server, o) in rows {
            for m in o.minutes {
                lines.append("| \(server) | \(o.streams) | \(m.minute) | \(String(format: "%.1f", m.cpuPercent)) | \(String(format: "%.1f MiB", Double(m.residentBytes) / 1_048_576)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
