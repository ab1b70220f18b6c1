/// `calls.csv`: one row per call, for a spreadsheet. RFC 4180 quoting; failures joined by "; ".
public enum CallsCSV {
    static let columns = ["scenario", "call", "passed", "outcome", "duration_ms", "billed_seconds", "first_audio_ms", "latency_p50_ms", "latency_p95_ms",
                          "latency_max_ms", "barge_in_stop_ms", "talk_over_ms", "dead_air_ms", "turns", "tool_calls", "unconfirmed_commits", "failures"]

    public static func text(_ results: RunResults) -> String {
        var lines = [columns.joined(separator: ",")]
        for c in results.calls {
            let cells: [String] = [
                c.scenario, c.call, c.passed ? "true" : "false", c.outcome, "\(c.durationMs)", "\(c.billedSeconds)", c.firstAudioMs.map(String.init) ?? "",
                c.turnLatencyMs.map { "\($0.p50)" } ?? "", c.turnLatencyMs.map { "\($0.p95)" } ?? "", c.turnLatencyMs.map { "\($0.max)" } ?? "",
                c.bargeInStopMs.map(String.init).joined(separator: " "), "\(c.talkOverMs)", "\(c.deadAirMs)", "\(c.turns)", "\(c.toolCalls)",
                "\(c.unconfirmedCommits)", c.failures.joined(separator: "; "),
            ]
            lines.append(cells.map(quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
