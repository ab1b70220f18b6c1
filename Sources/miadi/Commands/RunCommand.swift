import ArgumentParser
import Foundation
import Logging
import MiadiBooking
import MiadiBridge
import MiadiLive
import MiadiProviders
import MiadiReports
import MiadiSimulator
import MiadiSocketLab

/// `miadi run [PATHS…]`: plays the scenarios through the real bridge, agent and calendar with
/// the mock model, on virtual time, and reports which passed.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Play scenarios (default: all under Scenarios/) with the mock model and judge each call.",
        discussion: """
        Writes Reports/<out>/calls/<scenario>.trace.jsonl, .wav (left caller, right agent as heard) and \
        the calendar before and after, plus index.html, report.md, results.json, calls.csv and junit.xml. Exit 1 if any scenario failed. Fault modes \
        (--mock-fault) make the mock misbehave on purpose: \(MockFault.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
        """
    )

    @Argument(help: "Scenario files or folders (default: Scenarios/).")
    var paths: [String] = []

    @Option(name: .customLong("provider"), help: "The model: mock (offline, deterministic), openai-realtime (OPENAI_API_KEY, OPENAI_BASE_URL) gemini-live (GEMINI_API_KEY, GEMINI_BASE_URL) or cascade (CASCADE_BASE_URL, e.g. http://127.0.0.1:8000/v1 serving OpenAI-compatible transcriptions, chat completions and speech; CASCADE_API_KEY, CASCADE_STT_MODEL, CASCADE_TTS_MODEL optional); a live one runs over websocket on the real clock. Repeat it to compare providers: one run each under OUT/<provider>, and OUT/comparison.md (and .html) with a column per provider.")
    var providerOptions: [String] = []

    /// The providers to run, in the order given (the mock when none is).
    var providers: [String] { providerOptions.isEmpty ? ["mock"] : providerOptions }

    @Option(help: "A live provider's model (default: gpt-realtime, gemini-3.8-live; the cascade's chat model, gpt-4o-mini).")
    var model: String?

    @Option(help: "A live provider's voice (default: marin, Puck, alloy).")
    var voice: String?

    @Flag(help: "With a live provider: keep every message of each model session beside its trace (calls/<call>.provider.jsonl; keys are never written), for --provider replay.")
    var record = false

    @Option(help: "With --provider replay: the report folder of a run made with --record, whose sessions are played back in process, on virtual time.")
    var replay: String?

    @Option(name: .customLong("prompt"), help: "The system prompt's template for a live provider (default Prompts/system.md): run a prompt variant, then `miadi compare` the two runs.")
    var promptOption: String?

    /// The template a live provider's sessions are given.
    var prompt: String { promptOption ?? "Prompts/system.md" }

    @Option(help: "Seed written into traces (the mock is deterministic).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Only scenarios with this tag (repeatable).")
    var tag: [String] = []

    @Option(name: .customLong("mock-fault"), help: "Make the mock misbehave (repeatable): \(MockFault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mockFault: [String] = []

    @Option(name: .customLong("barge-in"), help: "What the bridge does when the caller speaks over the agent: pause_resume (the default: pause at the first syllable, resume after a backchannel, a cough or a noise) or stop_after (stop for good once the speech lasts 400 ms). A scenario's own barge_in: wins. Run each, then `miadi compare` the two.")
    var bargeIn: String = BargeInPolicy.Mode.pauseResume.rawValue

    @Option(help: "Play each scenario K times (seeds seed, seed+1, …).")
    var `repeat`: Int = 1

    @Option(name: .customLong("transport"), help: "How calls reach the bridge: inproc (virtual time, deterministic; the default with the mock) or websocket (a real `miadi serve` on 127.0.0.1, real sockets, the real clock; the default and the only way with a live provider).")
    var transportOption: String?

    func transport(for provider: String) -> String { transportOption ?? (Self.inProcess.contains(provider) ? "inproc" : "websocket") }

    /// Providers that run in process on virtual time.
    static let inProcess: Set<String> = ["mock", "replay"]

    var anyLive: Bool { providers.contains { !Self.inProcess.contains($0) } }

    @Option(help: "With --transport websocket: a running `miadi serve --lab` to call instead of one started on 127.0.0.1, e.g. http://10.0.0.5:8080. Its /lab routes take the lab token from MIADI_LAB_TOKEN; its webhook's secret path, if it has one, comes from MIADI_WEBHOOK_SECRET.")
    var target: String?

    @Option(help: "Calls played at once (in process the output is the same bytes whatever N; default 1 in process, 8 over websockets, where calls take real time).")
    var parallel: Int?

    @Option(help: "Report folder.")
    var out: String = "Reports/latest"

    @Option(help: "Price table for cost projections (default Pricing/prices.yaml when present; \"none\" for no costs).")
    var prices: String?

    @Option(help: "The corpus folder.")
    var corpus: String = "Corpora"

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard (parallel ?? 1) >= 1 else { throw ValidationError("--parallel must be at least 1") }
        if let transportOption, !["inproc", "websocket"].contains(transportOption) { throw ValidationError("--transport must be inproc or websocket, got \(transportOption)") }
        if let target {
            guard transportOption == "websocket" else { throw ValidationError("--target needs --transport websocket (a server is called over real sockets)") }
            guard let url = URL(string: target), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--target must be an http(s) URL such as http://127.0.0.1:8080, got \(target)")
            }
        }
        for provider in providers {
            guard Self.inProcess.contains(provider) || LiveModel.keyVariable(for: provider) != nil else {
                throw ValidationError("--provider \(provider) is not available; use mock, replay, \(LiveModel.providers.map(\.id).joined(separator: ", ")) ")
            }
            if provider == "replay" {
                guard replay != nil else { throw ValidationError("--provider replay needs --replay DIR: a run made with --record") }
                guard transport(for: provider) == "inproc" else { throw ValidationError("--provider replay runs in process, on virtual time") }
            }
            guard Self.inProcess.contains(provider) || transport(for: provider) == "websocket" else {
                throw ValidationError("--provider \(provider) runs on the real clock: use --transport websocket (the default with a live provider)")
            }
        }
        guard Set(providers).count == providers.count else { throw ValidationError("--provider names one provider twice") }
        if replay != nil && !providers.contains("replay") { throw ValidationError("--replay DIR goes with --provider replay") }
        if record && !anyLive { throw ValidationError("--record keeps a live provider's messages; give --provider openai-realtime or gemini-live (the cascade does not record yet)") }
        if anyLive {
            guard target == nil else { throw ValidationError("--target calls a server that answers with its own provider; drop --provider, or run without --target") }
            guard mockFault.isEmpty else { throw ValidationError("--mock-fault makes the mock misbehave; it does nothing to a live provider") }
            guard model == nil && voice == nil || providers.filter({ $0 != "mock" }).count == 1 else {
                throw ValidationError("--model and --voice name one live provider's model; give them with a single live --provider")
            }
        } else if model != nil || voice != nil || promptOption != nil {
            throw ValidationError("--model, --voice and --prompt choose a live provider's model and prompt; the mock has its own")
        }
        if record && providers.contains("cascade") {
            throw ValidationError("--record keeps the realtime providers' messages; the cascade does not record yet")
        }
        if mockFault.contains(MockFault.silentReadBack.rawValue), transport(for: "mock") != "inproc" {
            throw ValidationError("--mock-fault silent-read-back is a fault of the in-process lab's shell; run it with --transport inproc")
        }
        guard BargeInPolicy.Mode(rawValue: bargeIn) != nil else {
            throw ValidationError("--barge-in \(bargeIn) is not one of \(BargeInPolicy.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for name in mockFault where MockFault(rawValue: name) == nil {
            throw ValidationError("unknown --mock-fault \(name); known: \(MockFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var results: [RunResults] = []
        var failed = false
        for provider in providers {
            let folder = providers.count > 1 ? out + "/" + provider : out
            if providers.count > 1 && !quiet { FileHandle.standardError.write(Data("== \(provider) → \(folder)\n".utf8)) }
            let outcome = try await runSuite(provider: provider, out: folder)
            failed = failed || outcome.passed < outcome.verdicts.count
            if providers.count > 1 {
                do { results.append(try RunResults.load(folder)) } catch { throw failOnBadInput(error.description) }
            }
        }
        if providers.count > 1 {
            let comparison = ProviderComparison(results)
            do {
                try comparison.markdown.write(toFile: out + "/comparison.md", atomically: true, encoding: .utf8)
                try comparison.html.write(toFile: out + "/comparison.html", atomically: true, encoding: .utf8)
            } catch { throw failOnBadInput("cannot write the comparison into \(out): \(error)") }
            print("\n" + comparison.text, terminator: "")
            print("comparison in \(out)/comparison.html (and comparison.md); each provider's report in \(out)/<provider>/index.html")
        }
        if failed { throw ExitCode(1) }
    }

    /// Plays the suite with one provider into `out`; prints its calls.
    func runSuite(provider: String, out: String) async throws -> SuiteRunner.Outcome {
        let transport = transport(for: provider)
        let isLive = !Self.inProcess.contains(provider)
        var options = SuiteRunner.Options()
        options.paths = paths.isEmpty ? ["Scenarios"] : paths
        options.corpus = corpus
        options.output = out
        options.seed = seed
        options.tags = tag
        options.faults = Set(mockFault.compactMap(MockFault.init(rawValue:)))
        options.bargeIn.mode = BargeInPolicy.Mode(rawValue: bargeIn) ?? .pauseResume
        let priceFile = prices ?? (FileManager.default.fileExists(atPath: "Pricing/prices.yaml") ? "Pricing/prices.yaml" : "none")
        if priceFile != "none" {
            do { options.prices = try PriceTable.load(path: priceFile) } catch { throw failOnBadInput(error.description) }
        }
        options.repeats = `repeat`
        options.parallel = parallel ?? (transport == "websocket" ? (isLive ? 4 : 8) : 1)
        let progress = ProgressLine(quiet: quiet)
        let outcome: SuiteRunner.Outcome
        do {
            let report: @Sendable (Int, Int, ScenarioVerdict) -> Void = { done, total, verdict in
                progress.update(done: done, total: total, label: "\(verdict.passed ? "pass" : "FAIL") \(verdict.scenarioID)")
            }
            if transport == "websocket", let target {
                // A server the lab did not start: each call's calendar is sent to it first.
                _ = try SuiteRunner(options: options).loadScenarios()
                let environment = ProcessInfo.processInfo.environment
                let remote = SocketTransport(target: target, token: environment["MIADI_LAB_TOKEN"], webhookSecret: environment["MIADI_WEBHOOK_SECRET"])
                do { try await remote.checkTarget() } catch { throw failOnBadInput("--target: \(error)") }
                options.transport = remote
                outcome = try await SuiteRunner(options: options).run(progress: report)
            } else if transport == "websocket" {
                // A real server on 127.0.0.1 answers every call; scenarios are checked before it starts.
                let scenarios = try SuiteRunner(options: options).loadScenarios()
                guard let first = scenarios.first else { throw failOnBadInput("no scenarios to run under \(options.paths.joined(separator: ", "))") }
                var planned = options
                let live = try await liveModel(provider, clinic: first.clinic)
                if let live {
                    planned.provider = live.providerID
                    planned.model = live.model
                }
                let plannedOptions = planned
                outcome = try await SocketLabServer.withServer(clinic: first.clinic, tracesDirectory: out + "/serve", live: live, recordProviderMessages: record && isLive) { transport in
                    var options = plannedOptions
                    options.transport = transport
                    return try await SuiteRunner(options: options).run(progress: report)
                }
                if record && isLive { try keepProviderLogs(outcome, out: out) }
            } else {
                if provider == "replay", let replay {
                    options.provider = "replay"
                    options.model = "recorded in \(replay)"
                    options.makeModel = { call in
                        try ReplayProvider(log: try ProviderLog.load(path: replay + "/calls/\(call).provider.jsonl"))
                    }
                }
                outcome = try await SuiteRunner(options: options).run(progress: report)
            }
        } catch let error as SuiteRunner.RunError {
            throw failOnBadInput(error.description)
        }
        for v in outcome.verdicts {
            let latency = v.maxTurnLatencyMs.map { "\($0) ms" } ?? "-"
            print("\(v.passed ? "pass" : "FAIL")  \(v.run.padding(toLength: 36, withPad: " ", startingAt: 0)) \(v.outcome.padding(toLength: 12, withPad: " ", startingAt: 0)) worst turn \(latency)")
            for failure in v.failures { print("        - \(failure)") }
        }
        print("\(outcome.passed)/\(outcome.verdicts.count) calls passed on \(provider); report in \(out)/index.html (and report.md), results in \(out)/results.json, calls in \(out)/calls")
        return outcome
    }
}

extension RunCommand {
    /// Moves each call's provider log from the server's folder to beside the call's trace.
    func keepProviderLogs(_ outcome: SuiteRunner.Outcome, out: String) throws {
        let files = FileManager.default
        for verdict in outcome.verdicts {
            let sid = "CA-\(verdict.run)".unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" }
            let served = out + "/serve/" + String(sid) + ".provider.jsonl"
            let kept = out + "/calls/\(verdict.run).provider.jsonl"
            guard files.fileExists(atPath: served) else { continue }
            try? files.removeItem(atPath: kept)
            do { try files.copyItem(atPath: served, toPath: kept) } catch { throw failOnBadInput("cannot keep \(served) as \(kept): \(error)") }
        }
    }

    /// The live model `--provider` names, checked before any call: its key, its prompt, and
    /// its endpoint (one session set up and closed). Nil for the mock.
    func liveModel(_ provider: String, clinic: Clinic) async throws -> LiveModel? {
        guard !Self.inProcess.contains(provider) else { return nil }
        let template: String
        do { template = try String(contentsOfFile: prompt, encoding: .utf8) } catch { throw failOnBadInput("--prompt: cannot read \(prompt)") }
        do {
            let live = try LiveModel.named(provider, environment: ProcessInfo.processInfo.environment, model: model, voice: voice, template: template, templateFile: prompt,
                                           clinic: clinic, logger: Logger(label: "miadi.live"))
            try await LivePreflight.check(live)
            return live
        } catch {
            throw failOnBadInput(error.description)
        }
    }
}
