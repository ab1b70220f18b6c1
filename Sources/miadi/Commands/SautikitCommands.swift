import ArgumentParser
import Foundation
import MiadiAgent
import MiadiServer

/// Options shared by the Sautikit REST commands.
struct SautikitOptions: ParsableArguments {
    @Option(help: "API base URL (default: $SAUTIKIT_API_URL or https://api.sautikit.com).")
    var apiURL: String?

    func client() throws -> SautikitClient {
        var environment = ProcessInfo.processInfo.environment
        if let apiURL { environment["SAUTIKIT_API_URL"] = apiURL }
        do { return try SautikitClient.fromEnvironment(environment) } catch { throw failOnBadInput(error.description) }
    }
}

/// `miadi numbers …`: claim a Sautikit number and point it at the webhook.
struct NumbersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "numbers", abstract: "Claim a Sautikit number and route its calls to miadi serve (needs SAUTIKIT_API_KEY).",
        subcommands: [Claim.self, Route.self])

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Claim a number: POST /v1/numbers.")
        @OptionGroup var options: SautikitOptions
        @Option(help: "ISO country code of the number, e.g. KE.")
        var country: String?

        func run() async throws {
            do {
                let number = try await options.client().claimNumber(country: country)
                print("claimed \(number.number) (id \(number.id)); route it with: miadi numbers route \(number.id) https://YOUR-HOST/voice")
            } catch let error as SautikitError { throw failOnBadInput(error.description) }
        }
    }

    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point a number's calls at the webhook: PATCH /v1/numbers/{id}.")
        @OptionGroup var options: SautikitOptions
        @Argument(help: "The number's id (from `numbers claim`).") var numberID: String
        @Argument(help: "The webhook URL, e.g. https://miadi.example.com/voice.") var url: String

        func validate() throws {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw ValidationError("URL must start with https://, got \(url)") }
        }

        func run() async throws {
            do {
                let number = try await options.client().route(numberID: numberID, to: url)
                print("\(number.number) now routes to \(number.routingURL ?? url)")
            } catch let error as SautikitError { throw failOnBadInput(error.description) }
        }
    }
}

/// `miadi calls show CALL_SID [--trace FILE]`: the call detail record, reconciled with a trace.
struct CallsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calls", abstract: "Sautikit call records.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a call's record: GET /v1/calls/{sid}; with --trace, compare its billing with the trace.")
        @OptionGroup var options: SautikitOptions
        @Argument(help: "The call SID.") var callSID: String
        @Option(help: "The call's trace (traces/<sid>.trace.jsonl) to reconcile billed seconds with.") var trace: String?

        func run() async throws {
            let record: SautikitCallRecord
            do { record = try await options.client().call(callSID) } catch let error as SautikitError { throw failOnBadInput(error.description) }
            print("call \(record.callSID): status \(record.status ?? "?"), duration \(record.durationSeconds.map { "\($0) s" } ?? "?"), billed \(record.billedSeconds.map { "\($0) s" } ?? "?"), cost \(record.costKES.map { String(format: "%.2f KES", $0) } ?? "?")")
            if let trace {
                let loaded: CallTrace
                do { loaded = try CallTrace.load(path: trace) } catch { throw failOnBadInput(error.description) }
                let reconciliation = CallReconciliation(record: record, trace: loaded)
                print(reconciliation.summary)
                if !reconciliation.agrees { throw ExitCode(1) }
            }
        }
    }
}
