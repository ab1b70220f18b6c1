import ArgumentParser
import Foundation
import MiadiAgent
import MiadiAudio
import MiadiScoring

/// `miadi score TRACE…`: the per-call metrics of any trace — one `miadi run` wrote, or one
/// `miadi serve` wrote for a real call — from the trace and the stereo recording beside it.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score call traces: latency at the caller's ear, barge-in stops, talk-over, dead air, confirmation before commit, billed seconds.",
        discussion: """
        Each trace's recording is the file its header names, in the trace's folder (else TRACE with \
        .trace.jsonl replaced by .wav). Timing comes from the recording, not from log stamps. \
        Exit 1 if any call committed without a confirmed read-back.
        """
    )

    @Argument(help: "Trace files (*.trace.jsonl).")
    var traces: [String]

    @Flag(help: "Print JSON (one object per call, keys sorted) instead of a table.")
    var json = false

    @Option(help: "Telephony rate per minute in KES, billed per second (an example rate: replace it with yours).")
    var ratePerMinute: Double = 6.0

    func run() throws {
        var rows: [(String, CallMetrics)] = []
        for path in traces {
            let trace: CallTrace
            do { trace = try CallTrace.load(path: path) } catch { throw failOnBadInput("\(path): \(error)") }
            let folder = (path as NSString).deletingLastPathComponent
            let recordingPath = trace.header.recording.map { (folder as NSString).appendingPathComponent($0) }
                ?? (path.hasSuffix(".trace.jsonl") ? String(path.dropLast(".trace.jsonl".count)) + ".wav" : path + ".wav")
            let recording: PCMBuffer
            do { recording = try AudioFile.read(recordingPath) } catch { throw failOnBadInput("\(path): recording \(recordingPath): \(error)") }
            do { rows.append((trace.header.callSID, try CallScorer.score(trace: trace, recording: recording))) } catch {
                throw failOnBadInput("\(path): \(error.description)")
            }
        }
        if json {
            let objects = rows.map { sid, m in Self.object(sid: sid, m, ratePerMinute: ratePerMinute) }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("call                                   secs  first  p50   p95   max   barge-stop  talk-over  dead-air  confirmed")
            for (sid, m) in rows {
                let p = m.latency
                func ms(_ v: Int?) -> String { v.map { "\($0)" } ?? "-" }
                let stops = m.bargeInStopsMs.isEmpty ? "-" : m.bargeInStopsMs.map(String.init).joined(separator: ",")
                let confirmed = "\(m.confirmations.count - m.unconfirmedCommits)/\(m.confirmations.count)"
                print([sid.padding(toLength: 38, withPad: " ", startingAt: 0), String(m.billedSeconds).leftPadded(5), ms(m.firstAudioMs).leftPadded(6), ms(p?.p50).leftPadded(5),
                       ms(p?.p95).leftPadded(5), ms(p?.max).leftPadded(5), stops.leftPadded(11), "\(m.talkOverMs)".leftPadded(10), "\(m.deadAirMs)".leftPadded(9), confirmed.leftPadded(10)].joined(separator: " "))
                for v in m.confirmations where !v.confirmed { print("    unconfirmed commit \(v.proposalID) at \(v.committedAtMs) ms: \(v.reason ?? "")") }
            }
        }
        if rows.contains(where: { $0.1.unconfirmedCommits > 0 }) { throw ExitCode(1) }
    }

    static func object(sid: String, _ m: CallMetrics, ratePerMinute: Double) -> [String: Any] {
        let p = m.latency
        return [
            "call_sid": sid, "duration_ms": m.durationMs, "billed_seconds": m.billedSeconds,
            "telephony_cost_kes": (m.telephonyCost(ratePerMinute: ratePerMinute) * 100).rounded() / 100,
            "first_audio_ms": m.firstAudioMs.map { $0 as Any } ?? NSNull(),
            "turn_latency_ms": p.map { ["p50": $0.p50, "p90": $0.p90, "p95": $0.p95, "max": $0.max] as Any } ?? NSNull(),
            "barge_in_stop_ms": m.bargeInStopsMs, "talk_over_ms": m.talkOverMs, "dead_air_ms": m.deadAirMs,
            "turns": m.turns, "agent_words": m.agentWords, "tool_calls": m.toolCalls,
            "confirmed_before_commit": m.confirmedBeforeCommit, "unconfirmed_commits": m.unconfirmedCommits,
            "unconfirmed": m.confirmations.filter { !$0.confirmed }.map { ["proposal_id": $0.proposalID, "t_ms": $0.committedAtMs, "reason": $0.reason ?? ""] },
        ]
    }
}
