import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MiadiCorpus
import MiadiProviders
import MiadiServer
import MiadiSimulator

/// `miadi serve --config FILE`: the production bridge answering real calls.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer calls: the voice webhook, the stream WebSocket, status callbacks, /healthz and /metrics.",
        discussion: "Stops gracefully on SIGTERM or SIGINT, letting live calls finish for drain_seconds."
    )

    @Option(help: "The server configuration file (see Config/serve.example.yaml).")
    var config: String = "Config/serve.example.yaml"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Flag(help: "Also serve the /lab routes, so that `miadi run --target URL` on another machine can place scripted calls here, each on an in-memory calendar of its own (never this server's database), heard by the mock model with the configured corpus. Protected by the lab token (lab_token, or MIADI_LAB_TOKEN), which it requires.")
    var lab = false

    func run() async throws {
        // As many open files as the system allows this process: each call holds a socket, its
        // recording and its trace (the connection cap keeps the server below the limit).
        var files = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
            files.rlim_cur = files.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        }
        let configuration: ServeConfiguration
        let app: MiadiServerApp
        var logger = Logger(label: "miadi.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        do {
            configuration = try ServeConfiguration.load(path: config)
            var control: LabControl?
            if lab {
                guard configuration.labToken != nil else {
                    throw failOnBadInput("--lab needs a lab token: set lab_token in \(config) or MIADI_LAB_TOKEN (the /lab routes create calendars and place calls; the stream token does not open them)")
                }
                let loaded = try Corpus.load(directory: configuration.corpusDirectory)
                // An empty corpus would load, and then the mock would understand no caller.
                guard !loaded.entries.isEmpty else {
                    throw failOnBadInput("--lab: no corpus at \(configuration.corpusDirectory) (no manifest.json with entries): the mock model could not hear the lab's callers; set `corpus` in \(config)")
                }
                control = LabControl(directory: LabCallDirectory(), hearing: try loaded.mockHearing(), speech: EspeakSpeech())
            }
            app = try MiadiServerApp(configuration: configuration, logger: logger, labControl: control)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failOnBadInput("\(error)")
        }
        if configuration.streamToken == nil {
            logger.warning("no stream_token: any client may open a stream; set MIADI_STREAM_TOKEN for real calls")
        }
        if configuration.webhookSecret == nil {
            logger.warning("no webhook_secret: anyone who can reach /voice gets a stream ticket; set MIADI_WEBHOOK_SECRET for real calls")
        }
        if lab {
            logger.notice("lab routes on: /lab/calls and /lab/calendars take scripted calls on in-memory calendars from holders of the lab token")
        }
        let log = logger
        // SIGTERM stops the process within drain_seconds (+10 s for the server to close its
        // channels) even when a call loop is stuck and the server cannot close its own.
        let watchdog = ShutdownWatchdog(seconds: Double(configuration.drainSeconds + 10)) {
            log.error("shutdown overran drain_seconds + 10 s (a call loop is stuck): exiting now", metadata: ["drain_seconds": "\(configuration.drainSeconds)"])
            Foundation.exit(0)
        }
        let group = app.serviceGroup(watchdog: watchdog) { channel in
            let address = channel.localAddress.map { "\($0)" } ?? "?"
            let public_ = configuration.bound(to: channel.localAddress?.port)
            log.notice("miadi serve listening", metadata: ["address": "\(address)", "webhook": "\(public_.webhookSecret == nil ? public_.webhookURL : public_.publicURL + "/voice/<webhook_secret>")", "stream": "\(public_.streamURL)"])
        }
        try await group.run()
    }
}
