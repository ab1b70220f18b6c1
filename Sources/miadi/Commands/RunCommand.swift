import ArgumentParser
import Foundation
import MiadiProviders
import MiadiSimulator

/// `miadi run [PATHS…]`: plays the scenarios through the real bridge, agent and calendar with
/// the mock model, on virtual time, and reports which passed.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Play scenarios (default: all under Scenarios/) with the mock model and judge each call.",
        discussion: """
        Writes Reports/<out>/calls/<scenario>.trace.jsonl, .wav (left caller, right agent as heard) and \
        the calendar before and after, plus results.json. Exit 1 if any scenario failed. Fault modes \
        (--mock-fault) make the mock misbehave on purpose: \(MockFault.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
        """
    )

    @Argument(help: "Scenario files or folders (default: Scenarios/).")
    var paths: [String] = []

    @Option(help: "The model: mock (the only one offline).")
    var provider: String = "mock"

    @Option(help: "Seed written into traces (the mock is deterministic).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Only scenarios with this tag (repeatable).")
    var tag: [String] = []

    @Option(name: .customLong("mock-fault"), help: "Make the mock misbehave (repeatable): \(MockFault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mockFault: [String] = []

    @Option(help: "Play each scenario K times (seeds seed, seed+1, …).")
    var `repeat`: Int = 1

    @Option(help: "Calls played at once (the output is the same bytes whatever N).")
    var parallel: Int = 1

    @Option(help: "Report folder.")
    var out: String = "Reports/latest"

    @Option(help: "The corpus folder.")
    var corpus: String = "Corpora"

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard provider == "mock" else { throw ValidationError("--provider \(provider) is not available yet; use mock") }
        for name in mockFault where MockFault(rawValue: name) == nil {
            throw ValidationError("unknown --mock-fault \(name); known: \(MockFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var options = SuiteRunner.Options()
        options.paths = paths.isEmpty ? ["Scenarios"] : paths
        options.corpus = corpus
        options.output = out
        options.seed = seed
        options.tags = tag
        options.faults = Set(mockFault.compactMap(MockFault.init(rawValue:)))
        options.repeats = `repeat`
        options.parallel = parallel
        let progress = ProgressLine(quiet: quiet)
        let outcome: SuiteRunner.Outcome
        do {
            outcome = try await SuiteRunner(options: options).run { done, total, verdict in
                progress.update(done: done, total: total, label: "\(verdict.passed ? "pass" : "FAIL") \(verdict.scenarioID)")
            }
        } catch let error as SuiteRunner.RunError {
            throw failOnBadInput(error.description)
        }
        for v in outcome.verdicts {
            let latency = v.maxTurnLatencyMs.map { "\($0) ms" } ?? "-"
            print("\(v.passed ? "pass" : "FAIL")  \(v.run.padding(toLength: 36, withPad: " ", startingAt: 0)) \(v.outcome.padding(toLength: 12, withPad: " ", startingAt: 0)) worst turn \(latency)")
            for failure in v.failures { print("        - \(failure)") }
        }
        print("\(outcome.passed)/\(outcome.verdicts.count) calls passed; traces, recordings and calendars in \(out)/calls, summary in \(out)/results.json")
        if outcome.passed < outcome.verdicts.count { throw ExitCode(1) }
    }
}
