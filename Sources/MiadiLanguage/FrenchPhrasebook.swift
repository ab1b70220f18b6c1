/// French as spoken in Abidjan or Dakar: 24-hour clock ("16 heures", "15h30"), dates as
/// "jeudi 5 mars".
public struct FrenchPhrasebook: Phrasebook {
    public let language = LanguageCode.fr
    public init() {}

    static let weekdayNames = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    static let monthNames = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    static let numbers = NumberWords(
        units: ["un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix sept": 17, "dix huit": 18, "dix neuf": 19],
        tens: ["vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50],
        joiners: ["et"]
    )

    static let vocabulary = DateVocabulary(
        weekdays: Dictionary(uniqueKeysWithValues: weekdayNames.enumerated().map { ($1, $0 + 1) }),
        months: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { (Tokens.normalise($1), $0 + 1) }),
        relative: [("aujourd hui", 0), ("ce matin", 0), ("cet apres midi", 0), ("ce soir", 0), ("demain", 1), ("apres demain", 2)],
        thisWords: ["ce", "cette"],
        dayCues: ["le"],
        ordinals: ["premier": 1, "1er": 1],
        numbers: numbers,
        weekAfter: ["d apres", "de la semaine d apres"],
        weekAfterEnds: ["a", "le", "dans", "matin", "apres", "soir", "plutot", "si", "s", "alors", "svp"]
    )

    // MARK: Speaking

    public func speak(date: CivilDate) -> String {
        "\(Self.weekdayNames[date.weekday - 1]) \(date.day == 1 ? "1er" : String(date.day)) \(Self.monthNames[date.month - 1])"
    }

    public func speak(time: ClockTime) -> String {
        if time.hour == 12 && time.minute == 0 { return "midi" }
        if time.hour == 0 { return time.minute == 0 ? "minuit" : "minuit \(time.minute)" }
        let hours = time.hour == 1 ? "1 heure" : "\(time.hour) heures"
        return time.minute == 0 ? hours : "\(hours) \(time.minute)"
    }

    public func speak(durationMinutes: Int) -> String {
        let h = durationMinutes / 60, m = durationMinutes % 60
        switch (h, m) {
        case (0, _): return "\(m) minutes"
        case (_, 0): return h == 1 ? "1 heure" : "\(h) heures"
        default: return "\(h == 1 ? "1 heure" : "\(h) heures") \(m)"
        }
    }

    public func speak(priceKES: Int) -> String {
        let grouped = EnglishPhrasebook.grouped(priceKES).replacingOccurrences(of: ",", with: " ")
        return "\(grouped) shillings"
    }

    public func speak(date: CivilDate, time: ClockTime) -> String {
        "\(speak(date: date)) à \(speak(time: time))"
    }

    // MARK: Recognising

    public func recogniseDate(in text: String, today: CivilDate) -> CivilDate? {
        Self.vocabulary.recognise(Tokens(text), today: today)
    }

    public func weekdayConflict(in text: String, today: CivilDate) -> (named: Int, actual: CivilDate)? {
        Self.vocabulary.weekdayConflict(Tokens(text), today: today)
    }

    /// "16 heures du matin", "20 heures de l'après-midi": a 24-hour hour the part of the day
    /// named beside it cannot hold.
    public func timeContradiction(in text: String) -> String? {
        let t = Tokens(text)
        guard let part = recogniseDayPart(in: text) else { return nil }
        for i in 0..<t.count {
            var hour: Int?
            let word = t.words[i]
            if let h = word.firstIndex(of: "h"), h != word.startIndex, let v = Int(word[word.startIndex..<h]) { hour = v }
            else if let (v, used) = Self.numbers.read(t, at: i), ["heure", "heures", "h"].contains(t[i + used] ?? "") { hour = v }
            guard let hour, (0...23).contains(hour) else { continue }
            switch part {
            case .morning where hour >= 13: return "\(hour) heures is not in the morning"
            case .afternoon where hour >= 19 || hour == 0: return "\(hour) heures is not in the afternoon"
            case .evening where (13..<17).contains(hour): return "\(hour) heures is not in the evening"
            default: return nil
            }
        }
        return nil
    }

    /// Greetings that name a part of the day without meaning one.
    static let greetings = ["bon apres midi", "bonne apres midi", "bonne soiree", "bonne nuit", "bonne matinee"]

    public func recogniseDayPart(in text: String) -> DayPart? {
        let t = Tokens(text).removing(Self.greetings)
        if t.contains("matin") || t.contains("matinee") { return .morning }
        if t.contains(phrase: "apres midi") { return .afternoon }
        if t.contains("soir") || t.contains("soiree") { return .evening }
        if t.contains("nuit") { return .night }
        return nil
    }

    /// "15 heures", "quinze heures trente", "15h30", "15h", "dix heures et demie", "onze heures
    /// moins le quart", "trois heures de l'après-midi", "midi", "minuit".
    public func recogniseTime(in text: String) -> ClockTime? {
        let t = Tokens(text)
        let part = recogniseDayPart(in: text)
        for i in 0..<t.count {
            let word = t.words[i]
            if word == "midi" || word == "minuit" {
                let base = word == "midi" ? 12 : 0
                if t[i + 1] == "et", t[i + 2] == "demi" || t[i + 2] == "demie" { return ClockTime(hour: base, minute: 30) }
                // "minuit 30", "midi quinze"
                if let (m, _) = Self.numbers.read(t, at: i + 1), (1...59).contains(m) { return ClockTime(hour: base, minute: m) }
                return ClockTime(hour: base)
            }
            // "15h30", "15h"
            if let hIndex = word.firstIndex(of: "h"), let h = Int(word[word.startIndex..<hIndex]), (0...23).contains(h) {
                let rest = word[word.index(after: hIndex)...]
                if rest.isEmpty { return Self.resolve(h, 0, part) }
                if let m = Int(rest), (0...59).contains(m) { return Self.resolve(h, m, part) }
            }
            if word.contains(":") {
                let parts = word.split(separator: ":").compactMap { Int($0) }
                if parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) { return Self.resolve(parts[0], parts[1], part) }
            }
            guard let (h, used) = Self.numbers.read(t, at: i), (0...23).contains(h), t[i + used] == "heure" || t[i + used] == "heures" || t[i + used] == "h" else { continue }
            let next = i + used + 1
            var minute = 0
            if t[next] == "et", t[next + 1] == "demie" || t[next + 1] == "demi" { minute = 30 } else if t[next] == "et", t[next + 1] == "quart" { minute = 15 } else if t[next] == "moins", t[next + 1] == "le", t[next + 2] == "quart" {
                minute = -15
            } else if let (m, _) = Self.numbers.read(t, at: next), (1...59).contains(m) { minute = m }
            guard let base = Self.resolve(h, 0, part) else { return nil }
            return ClockTime(minutesSinceMidnight: base.minutesSinceMidnight + minute)
        }
        return nil
    }

    /// 24-hour by habit; "3 heures de l'après-midi" or "8 heures du soir" move 1–11 to the afternoon.
    static func resolve(_ hour: Int, _ minute: Int, _ part: DayPart?) -> ClockTime? {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        switch part {
        case .afternoon?, .evening?, .night?: return ClockTime(hour: hour < 12 ? hour + 12 : hour, minute: minute)
        default: return ClockTime(hour: hour, minute: minute)
        }
    }

    public func recogniseAnswer(in text: String) -> Answer? {
        let t = Tokens(text)
        let no = ["non", "pas", "jamais", "ne"]
        let yes = ["oui", "d accord", "daccord", "ok", "parfait", "tres bien", "bien sur", "exactement", "c est ca", "c est bon", "volontiers", "ca marche", "entendu", "ouais", "allez y"]
        // "Pas de problème" and "pas de souci" agree, although they contain "pas".
        if t.contains(phrase: "pas de probleme") || t.contains(phrase: "pas de souci") { return .yes }
        if no.contains(where: { t.contains(phrase: $0) }) { return .no }
        if yes.contains(where: { t.contains(phrase: $0) }) { return .yes }
        return nil
    }
}
