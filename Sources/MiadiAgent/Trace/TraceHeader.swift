import Foundation

/// Line 1 of a trace: what call this was and how to read the rest.
public struct TraceHeader: Sendable, Equatable, Codable {
    public static let schemaName = "miadi.trace/1"

    public var schema: String = TraceHeader.schemaName
    public var callSID: String
    /// `lab` or `serve`.
    public var source: String
    public var scenarioID: String?
    public var scenarioFile: String?
    public var clinic: String
    public var language: String
    /// "now" for the call, ISO 8601 with the clinic's offset.
    public var now: String
    public var seed: UInt64?
    public var provider: String
    public var model: String
    public var line: TraceValue
    /// The stereo recording beside the trace (left caller, right agent as played).
    public var recording: String?
    public var calendarBefore: String?
    public var calendarAfter: String?
    public var miadiVersion: String

    public init(callSID: String, source: String, scenarioID: String? = nil, scenarioFile: String? = nil, clinic: String, language: String, now: String, seed: UInt64? = nil, provider: String, model: String, line: TraceValue, recording: String? = nil, calendarBefore: String? = nil, calendarAfter: String? = nil, miadiVersion: String) {
        self.callSID = callSID
        self.source = source
        self.scenarioID = scenarioID
        self.scenarioFile = scenarioFile
        self.clinic = clinic
        self.language = language
        self.now = now
        self.seed = seed
        self.provider = provider
        self.model = model
        self.line = line
        self.recording = recording
        self.calendarBefore = calendarBefore
        self.calendarAfter = calendarAfter
        self.miadiVersion = miadiVersion
    }

    enum CodingKeys: String, CodingKey {
        case schema, source, clinic, language, now, seed, provider, model, line, recording
        case callSID = "call_sid"
        case scenarioID = "scenario_id"
        case scenarioFile = "scenario_file"
        case calendarBefore = "calendar_before"
        case calendarAfter = "calendar_after"
        case miadiVersion = "miadi_version"
    }
}
