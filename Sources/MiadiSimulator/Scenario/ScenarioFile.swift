import Foundation
import MiadiAudio
import MiadiBooking
import MiadiLanguage

/// Reads and checks scenario files: every field, every reference (clinic, services, staff),
/// with file:line:field errors, before anything runs.
public enum ScenarioFile {
    public static func load(path: String, scenariosRoot: String) throws(YAMLFileError) -> Scenario {
        let root = try YAMLField.root(file: path)
        let top = try root.mapping(allowed: ["id", "title", "tags", "clinic", "now", "calendar", "caller", "line", "script", "limits", "expect", "calls"])
        if let calls = top["calls"] { throw calls.error("several calls in one file are not supported by this version of miadi run yet") }
        let id = try top.required("id", in: root, "a unique scenario id").nonEmptyString()
        let clinicField = try top.required("clinic", in: root, "the clinic file, e.g. clinics/whitedent-nairobi.yaml")
        let clinicPath = (scenariosRoot as NSString).appendingPathComponent(try clinicField.nonEmptyString())
        guard FileManager.default.fileExists(atPath: clinicPath) else { throw clinicField.error("no clinic file at \(clinicPath)") }
        let clinic = try ClinicFile.load(path: clinicPath)
        let time = ClinicTime(zone: clinic.timeZone)
        let nowField = try top.required("now", in: root, "\"today\" for the call, ISO 8601 with offset")
        guard let now = ISO8601DateFormatter().date(from: try nowField.nonEmptyString()) else {
            throw nowField.error("an instant with its offset, e.g. \"2026-03-02T09:15:00+03:00\"")
        }
        var calendar: [SeedAppointment] = []
        if let list = top["calendar"] {
            for item in try list.list() {
                let map = try item.mapping(allowed: ["id", "customer", "name", "service", "staff", "start"])
                let serviceField = try map.required("service", in: item, "a service id of the clinic")
                let service = try serviceField.nonEmptyString()
                guard let known = clinic.service(service) else { throw serviceField.error("the clinic has no service \"\(service)\"") }
                let staffField = try map.required("staff", in: item, "a staff id of the clinic")
                let staff = try staffField.nonEmptyString()
                guard known.staffIDs.contains(staff) else { throw staffField.error("\"\(staff)\" does not do \(service) at \(clinic.id)") }
                let startField = try map.required("start", in: item, "clinic-local start, YYYY-MM-DDTHH:MM")
                guard let start = time.parseLocal(try startField.nonEmptyString()) else { throw startField.error("a clinic-local time such as 2026-03-05T14:00") }
                calendar.append(SeedAppointment(id: try map.required("id", in: item, "an id other lines refer to").nonEmptyString(),
                                                customer: try map.required("customer", in: item, "the owner's number").nonEmptyString(),
                                                customerName: try map["name"]?.nonEmptyString(), serviceID: service, staffID: staff, start: start))
            }
        }
        let callerField = try top.required("caller", in: root, "number, language and voice")
        let caller = try callerField.mapping(allowed: ["number", "name", "language", "voice"])
        let languageField = try caller.required("language", in: callerField, "en, sw or fr")
        guard let language = LanguageCode(rawValue: try languageField.nonEmptyString()) else { throw languageField.error("en, sw or fr") }
        var rate = 16_000, track = "both_tracks"
        var snr: Double?
        var latency = 0, jitter = 0
        var loss = 0.0
        if let lineField = top["line"] {
            let line = try lineField.mapping(allowed: ["rate", "track", "network", "noise_snr_db"])
            if let r = line["rate"] {
                rate = try r.int(in: 8000...16000)
                guard rate == 8000 || rate == 16000 else { throw r.error("8000 or 16000") }
            }
            if let t = line["track"] {
                track = try t.nonEmptyString()
                guard ["inbound_track", "both_tracks"].contains(track) else { throw t.error("inbound_track or both_tracks") }
            }
            snr = try line["noise_snr_db"]?.double(in: -10...100)
            if let net = line["network"] {
                let n = try net.mapping(allowed: ["latency_ms", "jitter_ms", "loss"])
                latency = try n["latency_ms"]?.int(in: 0...5000) ?? 0
                jitter = try n["jitter_ms"]?.int(in: 0...2000) ?? 0
                loss = try n["loss"]?.double(in: 0...0.5) ?? 0
            }
        }
        let scriptField = try top.required("script", in: root, "what the caller says")
        var script: [Scenario.Step] = []
        for item in try scriptField.list() {
            let map = try item.mapping(allowed: ["say", "answers", "barge_in", "backchannel", "silence", "hang_up", "audio"])
            if let say = map["say"] { script.append(.say(try say.nonEmptyString())) }
            else if let answers = map["answers"] {
                var pool: [String: String] = [:]
                for (key, value) in try answers.entries() {
                    guard QuestionKind(rawValue: key) != nil else { throw value.error("unknown question \"\(key)\"; known: \(QuestionKind.allCases.map(\.rawValue).joined(separator: ", "))") }
                    pool[key] = try value.nonEmptyString()
                }
                script.append(.answers(pool))
            } else if let b = map["barge_in"] ?? map["backchannel"] {
                let m = try b.mapping(allowed: ["after_ms", "say"])
                let after = try m.required("after_ms", in: b, "ms into the agent's turn").int(in: 0...60_000)
                let say = try m.required("say", in: b, "what the caller says").nonEmptyString()
                script.append(map["barge_in"] != nil ? .bargeIn(afterMs: after, say: say) : .backchannel(afterMs: after, say: say))
            } else if let s = map["silence"] { script.append(.silence(ms: try s.int(in: 0...600_000))) }
            else if let h = map["hang_up"] {
                let when = try h.nonEmptyString()
                guard ["after_goodbye", "when_transferred"].contains(when) else { throw h.error("after_goodbye or when_transferred") }
                script.append(.hangUp(when))
            } else { throw item.error("a step is one of say, answers, barge_in, backchannel, silence, hang_up") }
        }
        var seconds = 180, bookingLatency = 0
        if let limits = top["limits"] {
            let map = try limits.mapping(allowed: ["call_seconds", "booking_latency_ms"])
            seconds = try map["call_seconds"]?.int(in: 5...3600) ?? seconds
            bookingLatency = try map["booking_latency_ms"]?.int(in: 0...60_000) ?? 0
        }
        let expectField = try top.required("expect", in: root, "what must hold after the call")
        let expect = try expectations(expectField, clinic: clinic, time: time, calendar: calendar)
        return Scenario(
            id: id, title: try top["title"]?.nonEmptyString() ?? id, tags: try top["tags"]?.strings() ?? [], file: path, clinic: clinic, now: now,
            calendar: calendar, callerNumber: try caller.required("number", in: callerField, "the caller's number").nonEmptyString(),
            callerName: try caller["name"]?.nonEmptyString(), language: language,
            voice: try caller["voice"]?.nonEmptyString() ?? EspeakSynthesizer.defaultVoice(language: language.rawValue),
            lineRate: rate, track: track, noiseSNR: snr, latencyMs: latency, jitterMs: jitter, loss: loss, script: script, callSeconds: seconds, bookingLatencyMs: bookingLatency, expect: expect)
    }

    static func expectations(_ field: YAMLField, clinic: Clinic, time: ClinicTime, calendar: [SeedAppointment]) throws(YAMLFileError) -> Scenario.Expectations {
        let map = try field.mapping(allowed: ["outcome", "appointments", "unchanged", "confirm_before_commit", "max_turn_latency_ms", "max_cost_kes"])
        let outcomeField = try map.required("outcome", in: field, "booked, rescheduled, cancelled, transferred or nothing")
        let outcome = try outcomeField.nonEmptyString()
        guard ["booked", "rescheduled", "cancelled", "transferred", "nothing"].contains(outcome) else { throw outcomeField.error("booked, rescheduled, cancelled, transferred or nothing") }
        var appointments: [Scenario.ExpectedAppointment] = []
        if let list = map["appointments"] {
            for item in try list.list() {
                let m = try item.mapping(allowed: ["service", "start", "start_within", "staff"])
                let sf = try m.required("service", in: item, "a service id")
                let service = try sf.nonEmptyString()
                guard clinic.service(service) != nil else { throw sf.error("the clinic has no service \"\(service)\"") }
                var start: String?
                var within: (String, String)?
                if let s = m["start"] {
                    start = try s.nonEmptyString()
                    guard time.parseLocal(start!) != nil else { throw s.error("a clinic-local time such as 2026-03-05T14:00") }
                } else if let w = m["start_within"] {
                    let pair = try w.strings()
                    guard pair.count == 2, time.parseLocal(pair[0]) != nil, time.parseLocal(pair[1]) != nil else { throw w.error("two clinic-local times [from, to]") }
                    within = (pair[0], pair[1])
                } else { throw item.error("give start or start_within") }
                appointments.append(.init(service: service, start: start, startWithin: within))
            }
        }
        var unchanged: [String] = []
        if let u = map["unchanged"] {
            for (i, id) in try u.strings().enumerated() where !calendar.contains(where: { $0.id == id }) {
                throw ((try? u.list()[i]) ?? u).error("no appointment \"\(id)\" in this scenario's calendar")
            }
            unchanged = try u.strings()
        }
        return Scenario.Expectations(
            outcome: outcome, appointments: appointments, unchanged: unchanged,
            confirmBeforeCommit: try map["confirm_before_commit"]?.bool() ?? true,
            maxTurnLatencyMs: try map["max_turn_latency_ms"]?.int(in: 0...60_000), maxCostKES: try map["max_cost_kes"]?.double(in: 0...1_000_000))
    }
}
