import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking

/// `miadi scenario from-call TRACE`: a served call (its trace, its stereo recording and the
/// calendar as it stood when the call began) made into a scenario, so a real call can be
/// replayed against a new prompt or model. The caller's lines are the caller's own audio, cut
/// from the recording's left channel (`audio:` beside each `say:`); their words are what the
/// model heard (`transcript.in`); the expectations are what the call did (its commits, or
/// the transfer).
public struct ScenarioFromCall: Sendable {
    /// One caller line: its words and its audio.
    public struct Line: Sendable, Equatable {
        public let text: String
        public let audio: PCMBuffer
        public let startMs: Int
    }

    public let id: String
    public let yaml: String
    public let lines: [Line]

    public enum FromCallError: Error, Equatable, CustomStringConvertible {
        case unreadable(String, String)
        case notServed(String)
        case noCaller(String)

        public var description: String {
            switch self {
            case .unreadable(let file, let why): return "\(file): \(why)"
            case .notServed(let file): return "\(file): not a served call's trace (its source is not serve, or it names no recording)"
            case .noCaller(let file): return "\(file): the caller said nothing the bridge heard: no lines to make a scenario of"
            }
        }
    }

    /// Reads `tracePath` and the files it names beside it; `clinicFile` is how the scenario
    /// names the clinic (under the scenarios folder).
    public init(tracePath: String, clinicFile: String? = nil) throws(FromCallError) {
        let trace: CallTrace
        do { trace = try CallTrace.load(path: tracePath) } catch { throw .unreadable(tracePath, "\(error)") }
        let folder = (tracePath as NSString).deletingLastPathComponent
        guard trace.header.source == "serve", let recordingName = trace.header.recording else { throw .notServed(tracePath) }
        let recording: PCMBuffer
        do { recording = try AudioFile.read(folder + "/" + recordingName) } catch { throw .unreadable(folder + "/" + recordingName, "\(error)") }
        var before: CalendarSnapshot?
        if let name = trace.header.calendarBefore {
            do { before = try CalendarSnapshot.load(path: folder + "/" + name) } catch { throw .unreadable(folder + "/" + name, "\(error)") }
        }
        let events = trace.orderedEvents
        let caller = recording.channels == 2 ? recording.channel(0) : recording
        // The recording starts when the stream opened.
        let streamStart = events.first { $0.is(.streamOpen) }?.tMs ?? 0
        lines = Self.lines(events: events, caller: caller, streamStartMs: streamStart)
        guard !lines.isEmpty else { throw .noCaller(tracePath) }
        let sid = trace.header.callSID
        id = "from-" + String(sid.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" ? Character($0) : "-" })
        let from = events.first { $0.is(.webhook) }?["from"]?.string ?? "+000000000000"
        yaml = Self.yaml(id: id, sid: sid, trace: trace, events: events, clinicFile: clinicFile ?? "clinics/\(trace.header.clinic).yaml",
                         caller: from, before: before, lines: lines)
    }

    /// Caller turns: runs of the bridge's speech segments less than a second apart, each with
    /// the words the model heard after it; a run with no words over the agent (a
    /// backchannel, a cough) is left out.
    static func lines(events: [TraceEvent], caller: PCMBuffer, streamStartMs: Int) -> [Line] {
        var runs: [(start: Int, end: Int, overAgent: Bool)] = []
        for e in events where e.is(.callerSpeech) {
            guard let start = e["start_ms"]?.int, let end = e["end_ms"]?.int else { continue }
            if let last = runs.last, start - last.end < 1_000 {
                runs[runs.count - 1].end = end
            } else {
                runs.append((start, end, e["over_agent"]?.bool ?? false))
            }
        }
        let heard = events.filter { $0.is(.transcriptIn) }
        var out: [Line] = []
        for (index, run) in runs.enumerated() {
            let nextStart = index + 1 < runs.count ? runs[index + 1].start : Int.max
            let words = heard.filter { $0.tMs >= run.start && $0.tMs < nextStart }.compactMap { $0["text"]?.string }.joined(separator: " ")
            if words.isEmpty && run.overAgent { continue }
            // A little before the onset and after the end, as the VAD trims them.
            let from = max(0, (run.start - streamStartMs - 150) * caller.sampleRate / 1000)
            let to = min(caller.frameCount, (run.end - streamStartMs + 250) * caller.sampleRate / 1000)
            guard to > from else { continue }
            out.append(Line(text: words.isEmpty ? "(caller line \(out.count + 1))" : words, audio: caller.slice(frames: from..<to), startMs: run.start))
        }
        return out
    }

    static func yaml(id: String, sid: String, trace: CallTrace, events: [TraceEvent], clinicFile: String, caller: String, before: CalendarSnapshot?, lines: [Line]) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        func local(_ iso: String) -> String { String(iso.prefix(16)) }
        let commits = events.filter { $0.is(.commit) }
        let outcome: String
        switch commits.last?["kind"]?.string {
        case "booking": outcome = "booked"
        case "reschedule": outcome = "rescheduled"
        case "cancellation": outcome = "cancelled"
        default: outcome = events.contains { $0.is(.handoff) } ? "transferred" : "nothing"
        }
        let duration = events.last { $0.is(.callEnded) }?["duration_ms"]?.int ?? 60_000
        let rate = trace.header.line["rate"]?.int ?? 16_000
        let track = trace.header.line["track"]?.string ?? "both_tracks"
        var y = "# Made by `miadi scenario from-call` from the served call \(sid) (\(trace.header.provider), \(trace.header.model)).\n"
        y += "# The caller's lines are their own audio cut from the recording; their words are what the model heard.\n"
        y += "id: \(id)\ntitle: \(quoted("Served call \(sid), replayed"))\ntags: [from-call, \(trace.header.language)]\n"
        y += "clinic: \(clinicFile)\nnow: \(quoted(trace.header.now))\n"
        let booked = (before?.appointments ?? []).filter { $0.status == .booked }
        if before == nil { y += "# The trace names no calendar_before: the calendar starts empty.\n" }
        if !booked.isEmpty {
            y += "calendar:\n"
            for a in booked { y += "  - {id: \(quoted(a.id)), customer: \(quoted(a.customer)), service: \(a.service), staff: \(a.staff), start: \(quoted(local(a.start)))}\n" }
        }
        y += "caller:\n  number: \(quoted(caller))\n  language: \(trace.header.language)\n"
        y += "line: {rate: \(rate), track: \(track)}\nscript:\n"
        for (index, line) in lines.enumerated() { y += "  - {say: \(quoted(line.text)), audio: \(id)/line-\(index + 1).wav}\n" }
        y += "  - hang_up: \(outcome == "transferred" ? "when_transferred" : "after_goodbye")\n"
        y += "limits: {call_seconds: \(max(60, duration / 1000 + 30))}\nexpect:\n  outcome: \(outcome)\n"
        let made = commits.filter { ["booking", "reschedule"].contains($0["kind"]?.string ?? "") }
        if outcome == "booked" || outcome == "rescheduled", !made.isEmpty {
            y += "  appointments:\n"
            for c in made { y += "    - {service: \(c["service"]?.string ?? "?"), start: \(quoted(local(c["start"]?.string ?? "")))}\n" }
        }
        y += "  confirm_before_commit: true\n"
        return y
    }

    /// Writes `<folder>/<id>.yaml` and its audio under `<folder>/<id>/`; returns the scenario's path.
    public func write(into folder: String) throws(FromCallError) -> String {
        let audioFolder = folder + "/" + id
        do {
            try FileManager.default.createDirectory(atPath: audioFolder, withIntermediateDirectories: true)
            for (index, line) in lines.enumerated() { try AudioFile.write(line.audio, to: audioFolder + "/line-\(index + 1).wav") }
            try yaml.write(toFile: folder + "/" + id + ".yaml", atomically: true, encoding: .utf8)
        } catch { throw .unreadable(folder, "cannot write the scenario: \(error)") }
        return folder + "/" + id + ".yaml"
    }
}
