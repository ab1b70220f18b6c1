import MiadiAgent

/// A moment worth seeing on a call's timeline: a tool call, a commit, a barge-in, a handoff.
public struct ReportMark: Sendable, Equatable {
    public enum Kind: String, Sendable { case tool, commit, bargeIn = "barge-in", handoff }
    public let tMs: Int
    public let kind: Kind
    public let label: String

    public init(tMs: Int, kind: Kind, label: String) {
        self.tMs = tMs
        self.kind = kind
        self.label = label
    }

    /// The marks of a call, from its trace events, in call order.
    public static func marks(of events: [TraceEvent]) -> [ReportMark] {
        events.compactMap { e in
            switch e.kind {
            case .toolCall: return ReportMark(tMs: e.tMs, kind: .tool, label: e["name"]?.string ?? "tool")
            case .commit: return ReportMark(tMs: e.tMs, kind: .commit, label: "commit " + (e["kind"]?.string ?? ""))
            case .bargeIn: return ReportMark(tMs: e.tMs, kind: .bargeIn, label: "barge-in")
            case .handoff: return ReportMark(tMs: e.tMs, kind: .handoff, label: "handoff")
            default: return nil
            }
        }
    }
}

/// What a report shows of one call beyond its results: who spoke when, the marks, and where
/// its recording is (relative to the report folder).
public struct CallPage: Sendable, Equatable {
    public let caller: [Range<Int>]
    public let agent: [Range<Int>]
    public let marks: [ReportMark]
    public let recording: String

    public init(caller: [Range<Int>], agent: [Range<Int>], marks: [ReportMark], recording: String) {
        self.caller = caller
        self.agent = agent
        self.marks = marks
        self.recording = recording
    }
}
