/// `report.md` and `index.html`: the run for a person. A summary, success by tag, the latency
/// distribution and billed seconds per call as SVG charts (files under `charts/` for the
/// Markdown, inline in the HTML), and one section per call with its timeline and recording.
/// No JavaScript; equal results give equal bytes.
public enum RunReport {
    public struct Files: Sendable, Equatable {
        public let markdown: String
        public let html: String
        /// `charts/<name>.svg`, in a fixed order.
        public let charts: [(name: String, svg: String)]

        public static func == (a: Files, b: Files) -> Bool {
            a.markdown == b.markdown && a.html == b.html && a.charts.map(\.name) == b.charts.map(\.name) && a.charts.map(\.svg) == b.charts.map(\.svg)
        }
    }

    /// `pages`: each call's timeline and recording, by call name.
    public static func make(_ results: RunResults, pages: [String: CallPage]) -> Files {
        let s = results.summary
        let latency = SVGChart.histogram(results.calls.flatMap(\.turnLatenciesMs), binMs: 250, title: "Turn latency at the caller's ear (ms), all answered turns")
        let billed = SVGChart.bars(results.calls.map { ($0.call, $0.billedSeconds, !$0.passed) }, unit: "s", title: "Billed seconds per call (red: failed)")
        var charts: [(String, String)] = [("latency", latency), ("billed-seconds", billed)]
        for call in results.calls {
            if let page = pages[call.call] { charts.append(("call-" + fileName(call.call), SVGChart.timeline(page, durationMs: call.durationMs))) }
        }

        let title = "Miadi run: \(s.passed)/\(s.calls) calls passed"
        let runLine = "provider \(results.run.provider) (\(results.run.model)), transport \(results.run.transport), seed \(results.run.seed), repeats \(results.run.repeats)"
            + (results.run.faults.isEmpty ? "" : ", mock faults: " + results.run.faults.joined(separator: ", "))
            + (results.run.bargeIn.map { ", barge-in \($0)" } ?? "") + ", miadi \(results.run.miadiVersion)"
        let i = InterruptionSummary(results.calls)
        let bargeInHeader = ["barge-in stop p50", "p95", "pauses", "resumed", "resume gap p50", "p95", "backchannelled utterances completed", "words lost", "true interruptions resumed"]
        let bargeInRow = [ms(i.stopP50), ms(i.stopP95), "\(i.pauses)", "\(i.resumes)", ms(i.resumeGapP50), ms(i.resumeGapP95),
                          i.completedShare.map { percent($0) + " (\(i.backchannelUtterancesCompleted) of \(i.backchannelUtterances))" } ?? "-",
                          "\(i.wordsLost)", i.trueInterruptions == 0 ? "-" : "\(i.trueInterruptionsResumed) of \(i.trueInterruptions)"]
        let bargeInNote = "Stop: from the caller's first sound (a line meant to stop the agent) to the agent's silence at the caller's ear. "
            + "Backchannelled: agent utterances a scripted \"mm-hmm\", cough or noise fell in; completed means heard to the end."
        let summaryHeader = ["calls", "passed", "task success", "pass^k", "latency p50", "p95", "max", "billed seconds", "unconfirmed commits", "collateral changes", "double bookings"]
        let summaryRow = ["\(s.calls)", "\(s.passed)", percent(s.taskSuccessRate), percent(s.passK), ms(s.turnLatencyMs?.p50), ms(s.turnLatencyMs?.p95),
                          ms(s.turnLatencyMs?.max), "\(s.billedSeconds)", "\(s.unconfirmedCommits)", "\(s.collateralChanges)", "\(s.doubleBookings)"]
        let tagHeader = ["tag", "calls", "passed", "success"]
        let costHeader = ["provider", "model", "model USD", "with telephony KES", "USD", "per call KES", "USD", "per booking KES", "USD"]
        let reportedRows = results.costs?.reported.map { r in
            [["\(r.provider) as reported", r.model, money(r.modelUsd), "-", "-", money(r.perCallKes), money(r.perCallUsd), "-", "-"]]
        } ?? []
        let costRows = reportedRows + (results.costs?.projections ?? []).map { p in
            [p.provider, p.model, money(p.modelUsd), money(p.totalKes), money(p.totalUsd), money(p.perCallKes), money(p.perCallUsd),
             p.perBookingKes.map(money) ?? "-", p.perBookingUsd.map(money) ?? "-"]
        }
        let costNotes: [String] = results.costs.map { c in
            ["Projected from the audio seconds and text tokens these calls used, at \(c.priceTable): a lower bound, since both providers re-bill the conversation context every turn.",
             "Telephony: \(money(c.telephonyKes)) KES for the run at \(money(c.telephonyKesPerMinute)) KES/min billed per second" + (c.telephonyIsExample ? " (an example rate: put yours in the price table)." : "."),
             "USD→KES at \(money(c.usdToKes))" + (c.usdToKesIsExample ? " (an example rate)." : ".")]
                + (c.reported.map { r in ["As reported: the tokens \(r.provider) said these calls used (\(r.inputAudioTokens) audio and \(r.inputTextTokens) text in, \(r.cachedInputTokens) of them cached and priced as input; \(r.outputAudioTokens) audio and \(r.outputTextTokens) text out), at the table's prices for \(r.pricedAs); per call with telephony."] } ?? [])
                + c.projections.map { "\($0.provider): \($0.source), read \($0.read)." }
        } ?? ["No price table was given (miadi run --prices FILE): billed seconds only; Sautikit bills per second, rounded up."]
        let tagRows = results.tags.map { [$0.tag, "\($0.calls)", "\($0.passed)", percent(Double($0.passed) / Double(max(1, $0.calls)))] }
        func callFacts(_ c: RunResults.Call) -> [(String, String)] {
            [("outcome", c.outcome), ("duration", "\(c.durationMs) ms (billed \(c.billedSeconds) s)"), ("first audio", ms(c.firstAudioMs)),
             ("turn latency", c.turnLatenciesMs.isEmpty ? "-" : c.turnLatenciesMs.map(String.init).joined(separator: ", ") + " ms"),
             ("barge-in stop", c.bargeInStopMs.isEmpty ? "-" : c.bargeInStopMs.map(String.init).joined(separator: ", ") + " ms"),
             ("pauses, resumed, barge-ins", c.interruptions.map { i in
                 "\(i.pauses), \(i.resumes)" + (i.resumeGapsMs.isEmpty ? "" : " (gap " + i.resumeGapsMs.map(String.init).joined(separator: ", ") + " ms)") + ", \(i.bargeIns)"
             } ?? "-"),
             ("backchannels: utterances completed, words lost", c.interruptions.map { i in
                 i.backchannelUtterances == 0 ? "-" : "\(i.backchannelUtterancesCompleted) of \(i.backchannelUtterances), \(i.wordsLost)"
             } ?? "-"),
             ("true interruptions resumed", c.interruptions.map { i in i.trueInterruptions == 0 ? "-" : "\(i.trueInterruptionsResumed) of \(i.trueInterruptions)" } ?? "-"),
             ("talk-over / dead air", "\(c.talkOverMs) ms / \(c.deadAirMs) ms"), ("turns, words, tool calls", "\(c.turns), \(c.agentWords), \(c.toolCalls)"),
             ("unconfirmed commits", "\(c.unconfirmedCommits)"),
             ("slot correct, collateral changes, double bookings", "\(c.slotCorrect.value.map { $0 ? "yes" : "no" } ?? "n/a"), \(c.collateralChanges), \(c.doubleBookings)")]
        }

        // Markdown.
        var md = "# \(title)\n\n\(runLine).\n\n" + mdTable(summaryHeader, [summaryRow]) + "\n## Success by tag\n\n" + mdTable(tagHeader, tagRows)
        md += "\n## Barge-in\n\n" + mdTable(bargeInHeader, [bargeInRow]) + "\n" + bargeInNote + "\n"
        md += "\n## Latency\n\n![turn latency](charts/latency.svg)\n\n## Billed seconds\n\n![billed seconds per call](charts/billed-seconds.svg)\n"
        md += "\n## Cost\n\n" + (costRows.isEmpty ? "" : mdTable(costHeader, costRows) + "\n") + costNotes.map { "- \($0)\n" }.joined() + "\n## Calls\n"
        for c in results.calls {
            md += "\n### \(c.passed ? "✅" : "❌") \(c.call)\n\n" + (c.title.map { "\($0)\n\n" } ?? "")
            for failure in c.failures { md += "- **\(failure)**\n" }
            if !c.failures.isEmpty { md += "\n" }
            md += mdTable(["metric", "value"], callFacts(c).map { [$0.0, $0.1] })
            if pages[c.call] != nil {
                md += "\n![timeline of \(c.call)](charts/call-\(fileName(c.call)).svg)\n\n[recording](\(pages[c.call]!.recording)) (left the caller, right the agent as heard)\n"
            }
        }

        // HTML.
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        td:first-child,th:first-child{text-align:left}.pass{color:#2e8b57}.fail{color:#c0504d}
        section{border-top:1px solid #ddd;margin-top:1.5em}audio{width:100%}svg{max-width:100%;height:auto}
        </style></head><body>
        <h1>\(SVGChart.escape(title))</h1>
        <p>\(SVGChart.escape(runLine)).</p>

        """
        html += htmlTable(summaryHeader, [summaryRow]) + "<h2>Success by tag</h2>" + htmlTable(tagHeader, tagRows)
        html += "<h2>Barge-in</h2>" + htmlTable(bargeInHeader, [bargeInRow]) + "<p>\(SVGChart.escape(bargeInNote))</p>"
        html += "<h2>Latency</h2>" + latency + "<h2>Billed seconds</h2>" + billed
        html += "<h2>Cost</h2>" + (costRows.isEmpty ? "" : htmlTable(costHeader, costRows)) + "<ul>" + costNotes.map { "<li>\(SVGChart.escape($0))</li>" }.joined() + "</ul><h2>Calls</h2>\n"
        for c in results.calls {
            html += "<section id=\"\(SVGChart.escape(c.call))\"><h3 class=\"\(c.passed ? "pass" : "fail")\">\(c.passed ? "pass" : "FAIL") — \(SVGChart.escape(c.call))</h3>" + (c.title.map { "<p>\(SVGChart.escape($0))</p>" } ?? "")
            if !c.failures.isEmpty { html += "<ul>" + c.failures.map { "<li class=\"fail\">\(SVGChart.escape($0))</li>" }.joined() + "</ul>" }
            html += "<table>" + callFacts(c).map { "<tr><th>\(SVGChart.escape($0.0))</th><td>\(SVGChart.escape($0.1))</td></tr>" }.joined() + "</table>\n"
            if let page = pages[c.call] {
                html += SVGChart.timeline(page, durationMs: c.durationMs)
                html += "<audio controls preload=\"none\" src=\"\(SVGChart.escape(page.recording))\"></audio>"
            }
            html += "</section>\n"
        }
        html += "</body></html>\n"
        return Files(markdown: md, html: html, charts: charts)
    }

    static func mdTable(_ header: [String], _ rows: [[String]]) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        return line(header) + "|" + header.map { _ in "---|" }.joined() + "\n" + rows.map(line).joined()
    }

    static func htmlTable(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(SVGChart.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(SVGChart.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
    }

    static func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    static func ms(_ v: Int?) -> String { v.map { "\($0) ms" } ?? "-" }

    /// Two decimals (four below 0.01), fixed: the same text on every machine.
    static func money(_ x: Double) -> String {
        let places = abs(x) < 0.01 && x != 0 ? 4 : 2
        let scale = places == 4 ? 10_000.0 : 100.0
        let n = Int((x * scale).rounded())
        let whole = abs(n) / Int(scale), frac = abs(n) % Int(scale)
        let fracText = String(frac)
        return (n < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: places - fracText.count) + fracText
    }

    /// A call name as a file name: letters, digits, '-', '_' and '.'.
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
