import MiadiBridge
import Foundation
import MiadiBooking
import MiadiLanguage

/// One simulated call, as a scenario file describes it (`Scenarios/README.md`).
public struct Scenario: Sendable {
    public enum Step: Sendable, Equatable {
        /// Said once the agent has finished a turn.
        case say(String)
        /// Answers to the agent's questions, by kind (`name`, `time`, `confirm`, …), used when
        /// asked; a kind with several answers gives the next one each time it is asked again.
        case answers([String: [String]])
        /// Said over the agent, this long into a turn the caller has no answer for.
        case bargeIn(afterMs: Int, say: String)
        /// A short sound over the agent that must not stop it.
        case backchannel(afterMs: Int, say: String)
        case silence(ms: Int)
        /// `after_goodbye` or `when_transferred`.
        case hangUp(String)
    }

    public struct ExpectedAppointment: Sendable, Equatable {
        public let service: String
        /// Exact clinic-local start, or a window.
        public let start: String?
        public let startWithin: (String, String)?
        /// The member of staff it must be with (nil: anyone who does the service).
        public var staff: String?

        public static func == (a: Self, b: Self) -> Bool {
            a.service == b.service && a.start == b.start && a.startWithin?.0 == b.startWithin?.0 && a.startWithin?.1 == b.startWithin?.1 && a.staff == b.staff
        }

        /// Whether an appointment (service, staff, clinic-local start `YYYY-MM-DDTHH:MM`) is
        /// this one.
        public func matches(service other: String, staff otherStaff: String, start: String) -> Bool {
            guard other == service, staff == nil || staff == otherStaff else { return false }
            if let exact = self.start { return start == exact }
            if let (from, to) = startWithin { return start >= from && start <= to }
            return false
        }

        /// "cleaning with dr-kamau at 2026-03-05T14:00", for a failure.
        var described: String {
            let when = start ?? startWithin.map { "between \($0.0) and \($0.1)" } ?? "?"
            return "\(service)\(staff.map { " with \($0)" } ?? "") at \(when)"
        }
    }

    public struct Expectations: Sendable, Equatable {
        public var outcome: String
        public var appointments: [ExpectedAppointment]
        public var unchanged: [String]
        public var confirmBeforeCommit: Bool
        public var maxTurnLatencyMs: Int?
        /// At most this many words from the agent over the call (a verbose agent costs time and money).
        public var maxAgentWords: Int?
        public var maxCostKES: Double?
        /// Whether the agent must (true) or must not (false) speak again into the caller's
        /// silence; nil: not checked.
        public var agentReprompted: Bool?
    }

    /// The outcomes `expect.outcome` can name.
    public static let outcomes = ["booked", "rescheduled", "cancelled", "transferred", "nothing", "caller_gave_up"]

    public let id: String
    public let title: String
    public let tags: [String]
    public let file: String
    public let clinic: Clinic
    /// The clinic file as found from the scenarios folder.
    public let clinicFile: String
    public let now: Date
    public let calendar: [SeedAppointment]
    public let callerNumber: String
    public let callerName: String?
    public let language: LanguageCode
    public let voice: String
    public let lineRate: Int
    public let track: String
    public let noiseSNR: Double?
    /// The network between platform and bridge: one-way delay, jitter (ms) and packet loss (0…1).
    public let latencyMs: Int
    public let jitterMs: Int
    public let loss: Double
    public let script: [Step]
    public let callSeconds: Int
    /// Latency injected into every booking operation, ms.
    public let bookingLatencyMs: Int
    public let expect: Expectations
    /// When this call begins, ms after the file's first call (0 for the first).
    public let startMs: Int
    /// The file's other calls (`calls:` after the first), played at the same time on the same
    /// calendar; empty for a one-call file.
    public let companions: [Scenario]
    /// Caller lines said from a recording instead of the corpus (`audio:` beside a `say:`):
    /// the line's text → the audio file's path.
    public var audioFiles: [String: String] = [:]
    /// Spans of call time (ms) in which the line drops every caller packet: a scripted outage.
    public var dropouts: [Range<Int>] = []

    /// The file's `barge_in:`: what it sets of the bridge's policy, over the run's.
    public var bargeIn = BargeInOverride()

    /// Every call of the file, this one first.
    public var calls: [Scenario] { [self] + companions }

    func with(companions: [Scenario]) -> Scenario {
        Scenario(id: id, title: title, tags: tags, file: file, clinic: clinic, clinicFile: clinicFile, now: now, calendar: calendar, callerNumber: callerNumber, callerName: callerName,
                 language: language, voice: voice, lineRate: lineRate, track: track, noiseSNR: noiseSNR, latencyMs: latencyMs, jitterMs: jitterMs, loss: loss,
                 script: script, callSeconds: callSeconds, bookingLatencyMs: bookingLatencyMs, expect: expect, startMs: startMs, companions: companions,
                 audioFiles: audioFiles, dropouts: dropouts, bargeIn: bargeIn)
    }
}
