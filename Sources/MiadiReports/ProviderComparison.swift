import Foundation

/// Runs of the same scenarios on several providers (or models, or prompts) side by side, one
/// column each: `miadi run --provider a --provider b` writes it as `comparison.md` and
/// `comparison.html`, and `miadi compare` prints it for three runs or more.
public struct ProviderComparison: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        /// `provider (model)`.
        public let label: String
        public let results: RunResults

        public init(results: RunResults) {
            label = "\(results.run.provider) (\(results.run.model))"
            self.results = results
        }
    }

    public let columns: [Column]
    /// One row per metric, a cell per column.
    public let rows: [(metric: String, cells: [String])]

    public static func == (a: ProviderComparison, b: ProviderComparison) -> Bool {
        a.columns == b.columns && a.rows.map(\.metric) == b.rows.map(\.metric) && a.rows.map(\.cells) == b.rows.map(\.cells)
    }

    public init(_ runs: [RunResults]) {
        columns = runs.map(Column.init)
        func cells(_ value: (RunResults) -> String) -> [String] { runs.map(value) }
        func perCall(_ r: RunResults, _ total: Int) -> String { r.summary.calls == 0 ? "-" : String(format: "%.1f", Double(total) / Double(r.summary.calls)) }
        rows = [
            ("calls", cells { "\($0.summary.calls)" }),
            ("passed", cells { "\($0.summary.passed)" }),
            ("success", cells { RunReport.percent($0.summary.successRate) }),
            ("pass^k", cells { RunReport.percent($0.summary.passK) }),
            ("task success", cells { RunReport.percent($0.summary.taskSuccessRate) }),
            ("turn latency p50", cells { RunReport.ms($0.summary.turnLatencyMs?.p50) }),
            ("turn latency p95", cells { RunReport.ms($0.summary.turnLatencyMs?.p95) }),
            ("barge-in stop p50", cells { RunReport.ms(InterruptionSummary($0.calls).stopP50) }),
            ("barge-in stop p95", cells { RunReport.ms(InterruptionSummary($0.calls).stopP95) }),
            ("backchannelled utterances completed", cells { r in
                let s = InterruptionSummary(r.calls)
                return s.completedShare.map { RunReport.percent($0) + " (\(s.backchannelUtterancesCompleted)/\(s.backchannelUtterances))" } ?? "-"
            }),
            ("words lost to backchannels", cells { "\(InterruptionSummary($0.calls).wordsLost)" }),
            ("resume gap p50", cells { RunReport.ms(InterruptionSummary($0.calls).resumeGapP50) }),
            ("true interruptions resumed", cells { r in
                let s = InterruptionSummary(r.calls)
                return "\(s.trueInterruptionsResumed) of \(s.trueInterruptions)"
            }),
            ("unconfirmed commits", cells { "\($0.summary.unconfirmedCommits)" }),
            ("agent words per call", cells { perCall($0, $0.calls.reduce(0) { $0 + $1.agentWords }) }),
            ("billed seconds per call", cells { perCall($0, $0.summary.billedSeconds) }),
            ("cost per call, as reported (KES)", cells { $0.costs?.reported.map { RunReport.money($0.perCallKes) } ?? "-" }),
            ("cost per call, projected (KES)", cells { r in
                r.costs?.projections.first { $0.provider == r.run.provider }.map { RunReport.money($0.perCallKes) } ?? "-"
            }),
        ]
    }

    /// The calls that passed in some columns and failed in others.
    public var disagreements: [(call: String, passedIn: [String], failedIn: [String])] {
        var names: [String] = []
        for column in columns { for call in column.results.calls where !names.contains(call.call) { names.append(call.call) } }
        return names.compactMap { name in
            var passed: [String] = [], failed: [String] = []
            for column in columns {
                guard let call = column.results.calls.first(where: { $0.call == name }) else { continue }
                if call.passed { passed.append(column.label) } else { failed.append(column.label) }
            }
            return passed.isEmpty || failed.isEmpty ? nil : (name, passed, failed)
        }
    }

    public var markdown: String {
        var md = "# Provider comparison\n\n" + RunReport.mdTable(["metric"] + columns.map(\.label), rows.map { [$0.metric] + $0.cells })
        md += "\nCost as reported: the tokens each provider said it used, at the price table's prices for it; projected: the calls' audio seconds and text tokens at the table's prices (a lower bound).\n"
        let split = disagreements
        if !split.isEmpty {
            md += "\n## Calls the providers disagree on\n\n"
            for d in split { md += "- \(d.call): passed on \(d.passedIn.joined(separator: ", ")); failed on \(d.failedIn.joined(separator: ", "))\n" }
        }
        return md
    }

    public var html: String {
        var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Provider comparison</title>"
        html += "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head><body>"
        html += "<h1>Provider comparison</h1>" + RunReport.htmlTable(["metric"] + columns.map(\.label), rows.map { [$0.metric] + $0.cells })
        let split = disagreements
        if !split.isEmpty {
            html += "<h2>Calls the providers disagree on</h2><ul>"
            for d in split { html += "<li>\(SVGChart.escape(d.call)): passed on \(SVGChart.escape(d.passedIn.joined(separator: ", "))); failed on \(SVGChart.escape(d.failedIn.joined(separator: ", ")))</li>" }
            html += "</ul>"
        }
        return html + "</body></html>\n"
    }

    /// A plain-text table for the terminal.
    public var text: String {
        let width = max(32, (rows.map(\.metric.count).max() ?? 0) + 2)
        let cell = max(14, (columns.map(\.label.count).max() ?? 0)) + 2
        var out = "metric".padding(toLength: width, withPad: " ", startingAt: 0) + columns.map { String(repeating: " ", count: max(0, cell - $0.label.count)) + $0.label }.joined() + "\n"
        for row in rows {
            out += row.metric.padding(toLength: width, withPad: " ", startingAt: 0) + row.cells.map { String(repeating: " ", count: max(0, cell - $0.count)) + $0 }.joined() + "\n"
        }
        return out
    }
}
