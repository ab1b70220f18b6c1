import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MiadiServer

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

    func run() async throws {
        let configuration: ServeConfiguration
        let app: MiadiServerApp
        var logger = Logger(label: "miadi.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        do {
            configuration = try ServeConfiguration.load(path: config)
            app = try MiadiServerApp(configuration: configuration, logger: logger)
        } catch {
            throw failOnBadInput(error.description)
        }
        if configuration.streamToken == nil {
            logger.warning("no stream_token: any client may open a stream; set MIADI_STREAM_TOKEN for real calls")
        }
        let log = logger
        let group = app.serviceGroup { channel in
            let address = channel.localAddress.map { "\($0)" } ?? "?"
            log.notice("miadi serve listening", metadata: ["address": "\(address)", "webhook": "\(configuration.publicURL)/voice", "stream": "\(configuration.streamURL)"])
        }
        try await group.run()
    }
}
