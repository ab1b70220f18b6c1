import ArgumentParser
import Foundation
import MiadiReports

/// `miadi compare BASE CANDIDATE`: two runs side by side; exit 1 when the candidate regresses.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs (report folders or results.json); exit 1 on a regression.",
        discussion: """
        A regression: a call that passed in BASE and fails in CANDIDATE, more unconfirmed commits, \
        and, when given, a p95 turn-latency rise or a rise in billed seconds per call beyond the \
        percentage. Exit 0 when the candidate passes the gate, 1 when it regresses, 2 on bad input.
        """
    )

    @Argument(help: "BASE and CANDIDATE: report folders or their results.json. Three runs or more (or --table): a column each, no gate.")
    var runs: [String]

    @Flag(help: "A column per run (provider, model, prompt) instead of the base/candidate gate.")
    var table = false

    @Option(help: "Fail when the p95 turn latency rises more than this many percent.")
    var maxLatencyRise: Double?

    @Option(help: "Fail when the billed seconds per call (telephony cost) rise more than this many percent.")
    var maxCostRise: Double?

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("give two runs (BASE CANDIDATE), or more for a table") }
    }

    func run() throws {
        let loaded: [RunResults]
        do { loaded = try runs.map(RunResults.load) } catch { throw failOnBadInput("\(error)") }
        if table || loaded.count > 2 {
            print(ProviderComparison(loaded).text, terminator: "")
            return
        }
        let a = loaded[0], b = loaded[1]
        let comparison = RunComparison(base: a, candidate: b, maxLatencyRisePercent: maxLatencyRise, maxCostRisePercent: maxCostRise)
        func cell(_ v: Double?) -> String {
            guard let v else { return "-" }
            return v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String((v * 1000).rounded() / 1000)
        }
        print("metric".padding(toLength: 26, withPad: " ", startingAt: 0) + "base".leftPadded(12) + "candidate".leftPadded(12) + "change".leftPadded(12))
        for row in comparison.rows {
            print(row.metric.padding(toLength: 26, withPad: " ", startingAt: 0) + cell(row.base).leftPadded(12) + cell(row.candidate).leftPadded(12)
                  + (row.changePercent.map(RunComparison.percent) ?? "").leftPadded(12))
        }
        for call in comparison.newlyFailing { print("now failing:  \(call)") }
        for call in comparison.newlyPassing { print("now passing:  \(call)") }
        for call in comparison.onlyInBase { print("only in base: \(call)") }
        for call in comparison.onlyInCandidate { print("only in candidate: \(call)") }
        if comparison.regressions.isEmpty {
            print("no regression")
        } else {
            for reason in comparison.regressions { print("REGRESSION: \(reason)") }
            throw ExitCode(1)
        }
    }
}
