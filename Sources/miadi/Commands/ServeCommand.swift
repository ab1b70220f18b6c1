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

    @Flag(help: "Also serve the /lab routes, so that `miadi run --target URL` on another machine can place scripted calls here, each on an in-memory calendar of its own (never this server's database), heard by the mock model with the configured corpus. Protected by the stream token when one is set.")
    var lab = false

    func run() async throws {
        let configuration: ServeConfiguration
        let app: MiadiServerApp
        var logger = Logger(label: "miadi.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        do {
            configuration = try ServeConfiguration.load(path: config)
            var control: LabControl?
            if lab {
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
        if lab {
            logger.notice("lab routes on: /lab/calls and /lab/calendars take scripted calls on in-memory calendars\(configuration.streamToken == nil ? " from anyone (no stream_token)" : " from holders of the stream token")")
        }
        let log = logger
        let group = app.serviceGroup { channel in
            let address = channel.localAddress.map { "\($0)" } ?? "?"
            let public_ = configuration.bound(to: channel.localAddress?.port)
            log.notice("miadi serve listening", metadata: ["address": "\(address)", "webhook": "\(public_.publicURL)/voice", "stream": "\(public_.streamURL)"])
        }
        try await group.run()
    }
}
