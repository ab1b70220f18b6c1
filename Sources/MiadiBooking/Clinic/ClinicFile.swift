import Foundation
import MiadiLanguage

/// Loads a clinic from its YAML file (`Scenarios/clinics/*.yaml`, documented in
/// `Scenarios/README.md`), checking every field and every cross-reference, so a broken file is
/// refused with file:line:field before anything is stored.
public enum ClinicFile {
    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    public static func load(path: String) throws(YAMLFileError) -> Clinic {
        try parse(YAMLField.root(file: path))
    }

    public static func parse(text: String, file: String) throws(YAMLFileError) -> Clinic {
        try parse(YAMLField.root(file: file, text: text))
    }

    static func parse(_ root: YAMLField) throws(YAMLFileError) -> Clinic {
        let top = try root.mapping(allowed: [
            "id", "name", "time_zone", "phone", "languages", "slot_step_minutes", "hold_seconds",
            "opening_hours", "closures", "holidays", "services", "staff",
        ])
        let id = try identifier(top.required("id", in: root, "the clinic's id, e.g. whitedent-nairobi"))
        let name = try top.required("name", in: root, "the clinic's name, as the agent says it").nonEmptyString()
        let zoneField = try top.required("time_zone", in: root, "an IANA zone such as Africa/Nairobi")
        let zoneName = try zoneField.nonEmptyString()
        guard let zone = TimeZone(identifier: zoneName) else {
            throw zoneField.error("unknown time zone \"\(zoneName)\"; use an IANA name such as Africa/Nairobi (needs tzdata)")
        }
        let phone = try phoneNumber(top.required("phone", in: root, "the clinic's number in E.164 form"))
        let languages = try languageList(top.required("languages", in: root, "the languages the clinic answers in, e.g. [en, sw]"))
        let step = try top["slot_step_minutes"]?.int(in: 5...120) ?? 15
        let hold = try top["hold_seconds"]?.int(in: 10...3600) ?? 120
        let opening = try weekly(top.required("opening_hours", in: root, "ranges per weekday, e.g. mon: [\"08:00-13:00\", \"14:00-18:00\"]"))
        var closures: [Closure] = []
        if let field = top["closures"] { closures += try closureList(field, reasonKey: "reason", holiday: false) }
        if let field = top["holidays"] { closures += try closureList(field, reasonKey: "name", holiday: true) }
        var seenDays: Set<CivilDate> = []
        for closure in closures where !seenDays.insert(closure.date).inserted {
            throw (top["holidays"] ?? top["closures"] ?? root).error("\(closure.date) is listed twice among closures and holidays")
        }
        let staffField = try top.required("staff", in: root, "the people who do the work, each with id, name and shifts")
        let staff = try staffList(staffField)
        let services = try serviceList(top.required("services", in: root, "what callers can book, each with id, names, duration_minutes, price_kes and staff"), staff: staff)
        return Clinic(
            id: id, name: name, timeZone: zone, phone: phone, languages: languages, slotStepMinutes: step,
            holdSeconds: hold, openingHours: opening, closures: closures.sorted { $0.date < $1.date },
            services: services, staff: staff
        )
    }

    // MARK: Pieces

    static func identifier(_ field: YAMLField) throws(YAMLFileError) -> String {
        let value = try field.nonEmptyString()
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard value.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw field.error("ids use lower-case letters, digits, - and _ only, got \"\(value)\"")
        }
        return value
    }

    static func phoneNumber(_ field: YAMLField) throws(YAMLFileError) -> String {
        let value = try field.nonEmptyString()
        guard value.hasPrefix("+"), value.count >= 8, value.dropFirst().allSatisfy(\.isNumber) else {
            throw field.error("a phone number in E.164 form, e.g. \"+254709000100\", got \"\(value)\"")
        }
        return value
    }

    static func languageList(_ field: YAMLField) throws(YAMLFileError) -> [LanguageCode] {
        var out: [LanguageCode] = []
        for (i, code) in try field.strings().enumerated() {
            guard let language = LanguageCode(rawValue: code) else {
                let item = (try? field.list()[i]) ?? field
                throw item.error("unsupported language \"\(code)\"; supported: \(LanguageCode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !out.contains(language) { out.append(language) }
        }
        guard !out.isEmpty else { throw field.error("name at least one language") }
        return out
    }

    /// `mon: [...]` … `sun: [...]`; missing weekdays are closed.
    static func weekly(_ field: YAMLField) throws(YAMLFileError) -> [Int: [TimeRange]] {
        var out: [Int: [TimeRange]] = [:]
        for (key, value) in try field.entries() {
            guard let index = weekdays.firstIndex(of: key.lowercased()) else {
                throw value.error("unknown weekday \"\(key)\"; use mon, tue, wed, thu, fri, sat, sun")
            }
            var ranges: [TimeRange] = []
            let items: [YAMLField] = (value.node.scalar != nil) ? [value] : try value.list()
            for item in items {
                let text = try item.nonEmptyString()
                guard let range = TimeRange(text: text) else {
                    throw item.error("a range is \"HH:MM-HH:MM\" with the end after the start, got \"\(text)\"")
                }
                if let last = ranges.last, range.from < last.to {
                    throw item.error("\(range) overlaps or precedes \(last); list the ranges in order, gaps are breaks")
                }
                ranges.append(range)
            }
            out[index + 1] = ranges
        }
        return out
    }

    static func date(_ field: YAMLField) throws(YAMLFileError) -> CivilDate {
        let text = try field.nonEmptyString()
        guard let date = CivilDate(iso: text) else { throw field.error("a date is \"YYYY-MM-DD\", got \"\(text)\"") }
        return date
    }

    static func closureList(_ field: YAMLField, reasonKey: String, holiday: Bool) throws(YAMLFileError) -> [Closure] {
        var out: [Closure] = []
        for item in try field.list() {
            let map = try item.mapping(allowed: ["date", reasonKey])
            let day = try date(map.required("date", in: item, "the day, YYYY-MM-DD"))
            let reason = try map[reasonKey]?.nonEmptyString() ?? (holiday ? "public holiday" : "closed")
            out.append(Closure(date: day, reason: reason, isPublicHoliday: holiday))
        }
        return out
    }

    static func staffList(_ field: YAMLField) throws(YAMLFileError) -> [StaffMember] {
        var out: [StaffMember] = []
        for item in try field.list() {
            let map = try item.mapping(allowed: ["id", "name", "shifts", "days_off"])
            let idField = try map.required("id", in: item, "the staff member's id, e.g. dr-wanjiru")
            let id = try identifier(idField)
            guard !out.contains(where: { $0.id == id }) else { throw idField.error("staff id \"\(id)\" is used twice") }
            let name = try map.required("name", in: item, "the name callers use").nonEmptyString()
            let shifts = try weekly(map.required("shifts", in: item, "working ranges per weekday"))
            var off: Set<CivilDate> = []
            if let days = map["days_off"] { for day in try days.list() { off.insert(try date(day)) } }
            out.append(StaffMember(id: id, name: name, shifts: shifts, daysOff: off))
        }
        guard !out.isEmpty else { throw field.error("a clinic needs at least one member of staff") }
        return out
    }

    static func serviceList(_ field: YAMLField, staff: [StaffMember]) throws(YAMLFileError) -> [Service] {
        var out: [Service] = []
        for item in try field.list() {
            let map = try item.mapping(allowed: ["id", "names", "duration_minutes", "buffer_minutes", "price_kes", "staff"])
            let idField = try map.required("id", in: item, "the service's id, e.g. check-up")
            let id = try identifier(idField)
            guard !out.contains(where: { $0.id == id }) else { throw idField.error("service id \"\(id)\" is used twice") }
            let namesField = try map.required("names", in: item, "how callers say it, per language: en: [cleaning, scale and polish]")
            var names: [LanguageCode: [String]] = [:]
            for (code, value) in try namesField.entries() {
                guard let language = LanguageCode(rawValue: code) else {
                    throw value.error("unsupported language \"\(code)\"")
                }
                names[language] = try value.strings()
            }
            guard !names.isEmpty else { throw namesField.error("give at least one name") }
            let duration = try map.required("duration_minutes", in: item, "how long it takes").int(in: 5...600)
            let buffer = try map["buffer_minutes"]?.int(in: 0...240) ?? 0
            let price = try map.required("price_kes", in: item, "the price in Kenyan shillings").int(in: 0...10_000_000)
            let staffField = try map.required("staff", in: item, "the ids of the staff who do it")
            let staffIDs = try staffField.strings()
            for (i, staffID) in staffIDs.enumerated() where !staff.contains(where: { $0.id == staffID }) {
                let at = (try? staffField.list()[i]) ?? staffField
                throw at.error("no staff member \"\(staffID)\"; known: \(staff.map(\.id).joined(separator: ", "))")
            }
            guard !staffIDs.isEmpty else { throw staffField.error("name at least one member of staff") }
            out.append(Service(id: id, names: names, durationMinutes: duration, bufferMinutes: buffer, priceKES: price, staffIDs: staffIDs))
        }
        guard !out.isEmpty else { throw field.error("a clinic needs at least one service") }
        return out
    }
}
