import Foundation
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLanguage

/// Reads and checks scenario files: every field, every reference (clinic, services, staff),
/// with file:line:field errors, before anything runs.
public enum ScenarioFile {
    public static func load(path: String, scenariosRoot: String) throws(YAMLFileError) -> Scenario {
        let root = try YAMLField.root(file: path)
        let top = try root.mapping(allowed: Keys.top)
        let id = try top.required("id", in: root, "a unique scenario id").nonEmptyString()
        let clinicField = try top.required("clinic", in: root, "the clinic file, e.g. clinics/whitedent-nairobi.yaml")
        let clinicPath = (scenariosRoot as NSString).appendingPathComponent(try clinicField.nonEmptyString())
        // A clinic file lives under the scenarios folder: "../../etc/…" is not one.
        let scenariosFolder = (scenariosRoot as NSString).standardizingPath + "/"
        guard (clinicPath as NSString).standardizingPath.hasPrefix(scenariosFolder) else { throw clinicField.error("the clinic file must be under \(scenariosRoot), got \(try clinicField.nonEmptyString())") }
        guard FileManager.default.fileExists(atPath: clinicPath) else { throw clinicField.error("no clinic file at \(clinicPath)") }
        let clinic = try ClinicFile.load(path: clinicPath)
        let time = ClinicTime(zone: clinic.timeZone)
        let nowField = try top.required("now", in: root, "\"today\" for the call, ISO 8601 with offset")
        let now = try Self.instant(nowField, clinic: clinic)
        var calendar: [SeedAppointment] = []
        var seededIDs = Set<String>()
        var busy: [(staff: String, span: Range<Date>, id: String)] = []
        if let list = top["calendar"] {
            for item in try list.list() {
                let map = try item.mapping(allowed: Keys.calendarEntry)
                let serviceField = try map.required("service", in: item, "a service id of the clinic")
                let service = try serviceField.nonEmptyString()
                guard let known = clinic.service(service) else { throw serviceField.error("the clinic has no service \"\(service)\"") }
                let staffField = try map.required("staff", in: item, "a staff id of the clinic")
                let staff = try staffField.nonEmptyString()
                guard known.staffIDs.contains(staff) else { throw staffField.error("\"\(staff)\" does not do \(service) at \(clinic.id)") }
                let startField = try map.required("start", in: item, "clinic-local start, YYYY-MM-DDTHH:MM")
                guard let start = time.parseLocal(try startField.nonEmptyString()) else { throw startField.error("a clinic-local time such as 2026-03-05T14:00") }
                let day = CivilDate(start, in: clinic.timeZone)
                if let closure = clinic.closure(on: day) { throw startField.error("the clinic is closed on \(day) (\(closure.reason)); no appointment can be there") }
                if (clinic.openingHours[day.weekday] ?? []).isEmpty { throw startField.error("the clinic is closed on \(day) (a \(EnglishPhrasebook().speak(date: day).prefix { $0 != " " })); no appointment can be there") }
                let idField = try map.required("id", in: item, "an id other lines refer to")
                guard seededIDs.insert(try idField.nonEmptyString()).inserted else { throw idField.error("\"\(try idField.nonEmptyString())\" is the id of an earlier appointment too") }
                // The chair is busy for the service and its buffer: two seeded appointments may not share it.
                let span = start..<start.addingTimeInterval(Double((known.durationMinutes + known.bufferMinutes) * 60))
                if let clash = busy.first(where: { $0.staff == staff && $0.span.overlaps(span) }) {
                    throw startField.error("overlaps \(clash.id) on \(staff) (a \(service) takes \(known.durationMinutes) min plus \(known.bufferMinutes) min buffer)")
                }
                busy.append((staff, span, try idField.nonEmptyString()))
                calendar.append(SeedAppointment(id: try idField.nonEmptyString(),
                                                customer: try map.required("customer", in: item, "the owner's number").nonEmptyString(),
                                                customerName: try map["name"]?.nonEmptyString(), serviceID: service, staffID: staff, start: start))
            }
        }
        var seconds = 180, bookingLatency = 0
        if let limits = top["limits"] {
            let map = try limits.mapping(allowed: Keys.limits)
            seconds = try map["call_seconds"]?.int(in: 5...3600) ?? seconds
            bookingLatency = try map["booking_latency_ms"]?.int(in: 0...60_000) ?? 0
        }
        var bargeIn = BargeInOverride()
        if let field = top["barge_in"] { bargeIn = try BargeInOverride(field) }
        let sharedLine = try line(top["line"], base: Line())
        var parts: [CallPart] = []
        if let callsField = top["calls"] {
            // Several callers at once on one calendar: each item is a call of its own.
            for key in ["caller", "script", "expect"] where top[key] != nil {
                throw top[key]!.error("with calls:, give \(key) in each call instead")
            }
            let items = try callsField.list()
            guard items.count >= 2 else { throw callsField.error("calls: needs at least two calls (a single call goes at the top level)") }
            for item in items {
                let map = try item.mapping(allowed: Keys.call)
                parts.append(try call(map, in: item, line: sharedLine, clinic: clinic, time: time, calendar: calendar, folder: (path as NSString).deletingLastPathComponent))
            }
            let numbers = parts.map(\.callerNumber)
            if Set(numbers).count < numbers.count, let item = items.last { throw item.error("every call needs its own caller number (the calendar tells callers apart by number)") }
        } else {
            parts.append(try call(top, in: root, line: sharedLine, clinic: clinic, time: time, calendar: calendar, folder: (path as NSString).deletingLastPathComponent))
        }
        let title = try top["title"]?.nonEmptyString() ?? id
        let tags = try top["tags"]?.stringList() ?? []
        let calls = parts.map { part in
            Scenario(
                id: id, title: title, tags: tags, file: path, clinic: clinic, clinicFile: clinicPath, now: now, calendar: calendar,
                callerNumber: part.callerNumber, callerName: part.callerName, language: part.language, voice: part.voice,
                lineRate: part.line.rate, track: part.line.track, noiseSNR: part.line.snr, latencyMs: part.line.latency, jitterMs: part.line.jitter, loss: part.line.loss,
                script: part.script, callSeconds: seconds, bookingLatencyMs: bookingLatency, expect: part.expect, startMs: part.startMs, companions: [],
                audioFiles: part.audioFiles, dropouts: part.line.dropouts, bargeIn: bargeIn)
        }
        return calls[0].with(companions: Array(calls.dropFirst()))
    }

    /// `now`: an ISO 8601 instant whose date exists (no 30 February), whose offset is a real one
    /// (±14:00 at most) and is the clinic's own at that instant, so "today" is the day the
    /// scenario means.
    static func instant(_ field: YAMLField, clinic: Clinic) throws(YAMLFileError) -> Date {
        let text = try field.nonEmptyString()
        let example = "an instant with its offset, e.g. \"2026-03-02T09:15:00+03:00\""
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = CivilDate(iso: parts[0]), date.description == parts[0] else { throw field.error("\(example); \"\(text)\" has no such date") }
        var clock = parts[1], offset = 0
        if clock.hasSuffix("Z") {
            clock.removeLast()
        } else if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = clock[sign...].dropFirst().split(separator: ":").compactMap { Int($0) }
            guard zone.count == 2, zone[0] <= 14, zone[1] < 60 else { throw field.error("\(example); \"\(clock[sign...])\" is not an offset") }
            offset = (clock[sign] == "+" ? 1 : -1) * (zone[0] * 3600 + zone[1] * 60)
            clock = String(clock[..<sign])
        } else {
            throw field.error("\(example); it has no offset")
        }
        let hms = clock.split(separator: ":").compactMap { Int($0) }
        guard (2...3).contains(hms.count), hms.count == clock.split(separator: ":").count, (0...23).contains(hms[0]), (0...59).contains(hms[1]), hms.count == 2 || (0...59).contains(hms[2]) else {
            throw field.error("\(example); \"\(clock)\" is not a time of day")
        }
        let seconds = date.daysSinceEpoch * 86_400 + hms[0] * 3600 + hms[1] * 60 + (hms.count == 3 ? hms[2] : 0) - offset
        let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
        let clinicOffset = clinic.timeZone.secondsFromGMT(for: instant)
        guard clinicOffset == offset else {
            let h = abs(clinicOffset) / 3600, m = abs(clinicOffset) % 3600 / 60
            throw field.error("the offset is not \(clinic.id)'s at that instant (\(clinic.timeZone.identifier) is \(clinicOffset < 0 ? "-" : "+")\(String(format: "%02d:%02d", h, m)) then)")
        }
        return instant
    }

    /// Every key the loader reads, by where it goes: the schema (`scenario.schema.json`) must
    /// name exactly these, which a test checks, so neither can accept what the other ignores.
    public enum Keys {
        public static let top = ["id", "title", "tags", "clinic", "now", "calendar", "caller", "line", "script", "limits", "expect", "calls", "barge_in"]
        /// The bridge's barge-in policy for the file's calls (`BargeInPolicy`'s keys).
        public static let bargeInPolicy = BargeInPolicy.keys
        public static let calendarEntry = ["id", "customer", "name", "service", "staff", "start"]
        public static let limits = ["call_seconds", "booking_latency_ms"]
        public static let call = ["caller", "line", "script", "expect", "start_ms"]
        public static let line = ["rate", "track", "network", "noise_snr_db"]
        public static let network = ["latency_ms", "jitter_ms", "loss", "dropouts"]
        public static let dropout = ["at_ms", "ms"]
        public static let caller = ["number", "name", "language", "voice"]
        public static let step = ["say", "answers", "barge_in", "backchannel", "silence", "hang_up", "audio"]
        public static let overAgent = ["after_ms", "say", "audio"]
        public static let expect = ["outcome", "appointments", "unchanged", "confirm_before_commit", "max_turn_latency_ms", "max_agent_words", "max_cost_kes", "agent_reprompted"]
        public static let expectedAppointment = ["service", "start", "start_within", "staff"]
    }

    /// The line of a call: the file's `line:`, or a call's own over it.
    struct Line {
        var rate = 16_000, track = "both_tracks"
        var snr: Double?
        var latency = 0, jitter = 0
        var loss = 0.0
        var dropouts: [Range<Int>] = []
    }

    /// One caller's part of a file: who calls, on which line, what they say, what must hold.
    struct CallPart {
        var callerNumber: String
        var callerName: String?
        var language: LanguageCode
        var voice: String
        var line: Line
        var script: [Scenario.Step]
        var expect: Scenario.Expectations
        var startMs: Int
        var audioFiles: [String: String] = [:]
    }

    static func line(_ field: YAMLField?, base: Line) throws(YAMLFileError) -> Line {
        guard let lineField = field else { return base }
        var out = base
        let line = try lineField.mapping(allowed: Keys.line)
        if let r = line["rate"] {
            out.rate = try r.int(in: 8000...16000)
            guard out.rate == 8000 || out.rate == 16000 else { throw r.error("8000 or 16000") }
        }
        if let t = line["track"] {
            out.track = try t.nonEmptyString()
            guard ["inbound_track", "both_tracks"].contains(out.track) else { throw t.error("inbound_track or both_tracks") }
        }
        if let n = line["noise_snr_db"] { out.snr = try n.double(in: -10...100) }
        if let net = line["network"] {
            let n = try net.mapping(allowed: Keys.network)
            out.latency = try n["latency_ms"]?.int(in: 0...5000) ?? 0
            out.jitter = try n["jitter_ms"]?.int(in: 0...2000) ?? 0
            out.loss = try n["loss"]?.double(in: 0...0.5) ?? 0
            out.dropouts = []
            for item in try n["dropouts"]?.list() ?? [] {
                let d = try item.mapping(allowed: Keys.dropout)
                let at = try d.required("at_ms", in: item, "when the outage begins, ms of call time").int(in: 0...3_600_000)
                let length = try d.required("ms", in: item, "how long it lasts").int(in: 20...60_000)
                out.dropouts.append(at..<(at + length))
            }
        }
        return out
    }

    static func call(_ map: [String: YAMLField], in container: YAMLField, line sharedLine: Line, clinic: Clinic, time: ClinicTime, calendar: [SeedAppointment], folder: String) throws(YAMLFileError) -> CallPart {
        var audioFiles: [String: String] = [:]
        let callerField = try map.required("caller", in: container, "number, language and voice")
        let caller = try callerField.mapping(allowed: Keys.caller)
        let languageField = try caller.required("language", in: callerField, "en, sw or fr")
        guard let language = LanguageCode(rawValue: try languageField.nonEmptyString()) else { throw languageField.error("en, sw or fr") }
        let scriptField = try map.required("script", in: container, "what the caller says")
        var script: [Scenario.Step] = []
        guard !(try scriptField.list()).isEmpty else { throw scriptField.error("at least one step (a caller who says nothing is `- silence: 30000`)") }
        for item in try scriptField.list() {
            let step = try item.mapping(allowed: Keys.step)
            if let say = step["say"] {
                let text = try say.nonEmptyString()
                if let audio = step["audio"] {
                    // A recording of the line: beside the scenario (a served call's caller,
                    // `miadi scenario from-call`), or a user's recording in the corpus folder.
                    let file = try audio.nonEmptyString()
                    let beside = file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
                    audioFiles[text] = FileManager.default.fileExists(atPath: beside) ? beside : "corpus:" + file
                }
                script.append(.say(text))
            } else if let audio = step["audio"] {
                throw audio.error("audio: goes beside a say: (the line's words, which the scripted caller keys on)")
            }
            if step["say"] != nil || step["audio"] != nil { continue }
            if let answers = step["answers"] {
                var pool: [String: [String]] = [:]
                for (key, value) in try answers.entries() {
                    guard QuestionKind(rawValue: key) != nil else { throw value.error("unknown question \"\(key)\"; known: \(QuestionKind.allCases.map(\.rawValue).joined(separator: ", "))") }
                    // One answer, or a list said in turn each time the question comes again.
                    if case .sequence = value.node {
                        let list = try value.strings()
                        guard !list.isEmpty, !list.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else { throw value.error("a list of lines the caller says, none empty") }
                        pool[key] = list
                    } else {
                        pool[key] = [try value.nonEmptyString()]
                    }
                }
                script.append(.answers(pool))
            } else if let b = step["barge_in"] ?? step["backchannel"] {
                let m = try b.mapping(allowed: Keys.overAgent)
                let after = try m.required("after_ms", in: b, "ms into the agent's turn").int(in: 0...60_000)
                let say = try m.required("say", in: b, "what the caller says").nonEmptyString()
                if let audio = m["audio"] {
                    // A sound with no corpus line (a cough, a noise burst): a recording beside the
                    // scenario or in the corpus folder, keyed by the step's `say`.
                    let file = try audio.nonEmptyString()
                    let beside = file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
                    audioFiles[say] = FileManager.default.fileExists(atPath: beside) ? beside : "corpus:" + file
                }
                script.append(step["barge_in"] != nil ? .bargeIn(afterMs: after, say: say) : .backchannel(afterMs: after, say: say))
            } else if let s = step["silence"] { script.append(.silence(ms: try s.int(in: 0...600_000))) }
            else if let h = step["hang_up"] {
                let when = try h.nonEmptyString()
                guard ["after_goodbye", "when_transferred"].contains(when) else { throw h.error("after_goodbye or when_transferred") }
                script.append(.hangUp(when))
            } else { throw item.error("a step is one of say, answers, barge_in, backchannel, silence, hang_up") }
        }
        let expectField = try map.required("expect", in: container, "what must hold after the call")
        var startMs = 0
        if let start = map["start_ms"] {
            startMs = try start.int(in: 0...600_000)
            guard startMs % 20 == 0 else { throw start.error("a multiple of 20 ms (the platform's frame), got \(startMs)") }
        }
        return CallPart(
            callerNumber: try caller.required("number", in: callerField, "the caller's number").nonEmptyString(),
            callerName: try caller["name"]?.nonEmptyString(), language: language,
            voice: try caller["voice"]?.nonEmptyString() ?? EspeakSynthesizer.defaultVoice(language: language.rawValue),
            line: try line(map["line"], base: sharedLine), script: script,
            expect: try expectations(expectField, clinic: clinic, time: time, calendar: calendar), startMs: startMs, audioFiles: audioFiles)
    }

    static func expectations(_ field: YAMLField, clinic: Clinic, time: ClinicTime, calendar: [SeedAppointment]) throws(YAMLFileError) -> Scenario.Expectations {
        let map = try field.mapping(allowed: Keys.expect)
        let outcomes = Scenario.outcomes.dropLast().joined(separator: ", ") + " or " + Scenario.outcomes.last!
        let outcomeField = try map.required("outcome", in: field, outcomes)
        let outcome = try outcomeField.nonEmptyString()
        guard Scenario.outcomes.contains(outcome) else { throw outcomeField.error(outcomes) }
        var appointments: [Scenario.ExpectedAppointment] = []
        if let list = map["appointments"] {
            for item in try list.list() {
                let m = try item.mapping(allowed: Keys.expectedAppointment)
                let sf = try m.required("service", in: item, "a service id")
                let service = try sf.nonEmptyString()
                guard clinic.service(service) != nil else { throw sf.error("the clinic has no service \"\(service)\"") }
                var start: String?
                var within: (String, String)?
                if let s = m["start"] {
                    start = try s.nonEmptyString()
                    guard time.parseLocal(start!) != nil else { throw s.error("a clinic-local time such as 2026-03-05T14:00") }
                } else if let w = m["start_within"] {
                    let pair = try w.stringList()
                    guard pair.count == 2, time.parseLocal(pair[0]) != nil, time.parseLocal(pair[1]) != nil else { throw w.error("two clinic-local times [from, to]") }
                    within = (pair[0], pair[1])
                } else { throw item.error("give start or start_within") }
                var expected = Scenario.ExpectedAppointment(service: service, start: start, startWithin: within)
                if let staffField = m["staff"] {
                    let staff = try staffField.nonEmptyString()
                    guard clinic.service(service)?.staffIDs.contains(staff) == true else { throw staffField.error("\"\(staff)\" does not do \(service) at \(clinic.id)") }
                    expected.staff = staff
                }
                appointments.append(expected)
            }
        }
        var unchanged: [String] = []
        if let u = map["unchanged"] {
            for (i, id) in try u.stringList().enumerated() where !calendar.contains(where: { $0.id == id }) {
                throw ((try? u.list()[i]) ?? u).error("no appointment \"\(id)\" in this scenario's calendar")
            }
            unchanged = try u.stringList()
        }
        return Scenario.Expectations(
            outcome: outcome, appointments: appointments, unchanged: unchanged,
            confirmBeforeCommit: try map["confirm_before_commit"]?.bool() ?? true,
            maxTurnLatencyMs: try map["max_turn_latency_ms"]?.int(in: 0...60_000), maxAgentWords: try map["max_agent_words"]?.int(in: 1...100_000), maxCostKES: try map["max_cost_kes"]?.double(in: 0...1_000_000),
            agentReprompted: try map["agent_reprompted"]?.bool())
    }
}
