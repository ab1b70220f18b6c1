/// Swahili, with Swahili clock time: hours are counted from dawn and dusk, so "saa moja
/// asubuhi" is 07:00, "saa sita mchana" 12:00, "saa tisa mchana" 15:00, "saa kumi jioni" 16:00
/// and "saa mbili usiku" 20:00. Swahili hour = (24-hour hour + 6) mod 12, with 0 read as 12.
public struct SwahiliPhrasebook: Phrasebook {
    public let language = LanguageCode.sw
    public init() {}

    static let weekdayNames = ["Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili"]
    static let monthNames = ["Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba", "Desemba"]
    static let hourWords = ["moja", "mbili", "tatu", "nne", "tano", "sita", "saba", "nane", "tisa", "kumi", "kumi na moja", "kumi na mbili"]

    static let numbers = NumberWords(
        units: ["moja": 1, "mbili": 2, "tatu": 3, "nne": 4, "tano": 5, "sita": 6, "saba": 7, "nane": 8, "tisa": 9],
        tens: ["kumi": 10, "ishirini": 20, "thelathini": 30, "arobaini": 40, "hamsini": 50],
        joiners: ["na"]
    )

    static let vocabulary = DateVocabulary(
        weekdays: Dictionary(uniqueKeysWithValues: weekdayNames.enumerated().map { ($1.lowercased(), $0 + 1) }),
        months: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1.lowercased(), $0 + 1) }),
        relative: [("leo", 0), ("kesho", 1), ("kesho kutwa", 2), ("keshokutwa", 2)],
        thisWords: ["hii", "huu"],
        dayCues: ["tarehe"],
        ordinals: [:],
        numbers: numbers,
        weekAfter: ["inayofuata", "ya wiki inayofuata", "ya wiki ijayo"],
        weekAfterEnds: ["saa", "asubuhi", "mchana", "jioni", "tafadhali", "basi", "badala"]
    )

    // MARK: Speaking

    public func speak(date: CivilDate) -> String {
        "\(Self.weekdayNames[date.weekday - 1]) tarehe \(date.day) \(Self.monthNames[date.month - 1])"
    }

    public func speak(time: ClockTime) -> String {
        let swahiliHour = { let h = (time.hour + 6) % 12; return h == 0 ? 12 : h }()
        var words = "saa \(Self.hourWords[swahiliHour - 1])"
        switch time.minute {
        case 0: break
        case 15: words += " na robo"
        case 30: words += " na nusu"
        case 45:
            // "saa nne kasorobo" is 09:45: a quarter before the next hour.
            let next = ClockTime(minutesSinceMidnight: time.minutesSinceMidnight + 15)
            let nh = (next.hour + 6) % 12
            words = "saa \(Self.hourWords[(nh == 0 ? 12 : nh) - 1]) kasorobo"
            return "\(words) \(Self.dayPartWord(next.hour))"
        default: words += " na dakika \(time.minute)"
        }
        return "\(words) \(Self.dayPartWord(time.hour))"
    }

    /// The part of the day a 24-hour hour is spoken with.
    static func dayPartWord(_ hour: Int) -> String {
        switch hour {
        case 4..<12: return "asubuhi"
        case 12..<16: return "mchana"
        case 16..<19: return "jioni"
        default: return "usiku"
        }
    }

    public func speak(durationMinutes: Int) -> String {
        let h = durationMinutes / 60, m = durationMinutes % 60
        switch (h, m) {
        case (0, _): return "dakika \(m)"
        case (_, 0): return "saa \(Self.hourWords[h - 1])"
        case (_, 30): return "saa \(Self.hourWords[h - 1]) na nusu"
        default: return "saa \(Self.hourWords[h - 1]) na dakika \(m)"
        }
    }

    public func speak(priceKES: Int) -> String { "shilingi \(EnglishPhrasebook.grouped(priceKES))" }

    public func speak(date: CivilDate, time: ClockTime) -> String {
        "\(speak(date: date)) \(speak(time: time))"
    }

    // MARK: Recognising

    public func recogniseDate(in text: String, today: CivilDate) -> CivilDate? {
        let t = Tokens(text)
        // "Jumamosi ijayo" (the coming Saturday) and "wiki ijayo" both use ijayo; the shared rule
        // already takes the first weekday after today.
        return Self.vocabulary.recognise(t, today: today)
    }

    public func weekdayConflict(in text: String, today: CivilDate) -> (named: Int, actual: CivilDate)? {
        Self.vocabulary.weekdayConflict(Tokens(text), today: today)
    }

    /// "saa nne mchana" (10:00 or 22:00, neither of them midday): a Swahili hour whose two
    /// 24-hour readings both fall outside the part of the day named beside it.
    public func timeContradiction(in text: String) -> String? {
        let t = Tokens(text)
        guard let part = recogniseDayPart(in: text) else { return nil }
        for i in 0..<t.count where t.words[i] == "saa" {
            guard let (h, _) = Self.numbers.read(t, at: i + 1), (1...12).contains(h) else { continue }
            let day = (h + 6) % 12 == 0 ? 12 : (h + 6) % 12
            let candidates = [day % 24, (day + 12) % 24]
            guard !candidates.contains(where: { Self.hour($0, isIn: part) }) else { return nil }
            return "saa \(Self.hourWords[h - 1]) is not \(part.rawValue)"
        }
        return nil
    }

    /// The 24-hour hours each part of the day holds when Swahili time is read.
    static func hour(_ hour24: Int, isIn part: DayPart) -> Bool {
        switch part {
        case .morning: return (4..<12).contains(hour24)
        case .afternoon: return (12..<17).contains(hour24)
        case .evening: return (15..<20).contains(hour24)
        case .night: return hour24 >= 19 || hour24 < 5
        }
    }

    /// Greetings that name a part of the day without meaning one.
    static let greetings = ["habari za asubuhi", "habari za mchana", "habari za jioni", "za asubuhi", "za mchana", "za jioni", "usiku mwema"]

    public func recogniseDayPart(in text: String) -> DayPart? {
        let t = Tokens(text).removing(Self.greetings)
        if t.contains("asubuhi") || t.contains("alfajiri") { return .morning }
        if t.contains("mchana") || t.contains("adhuhuri") { return .afternoon }
        if t.contains("jioni") { return .evening }
        if t.contains("usiku") { return .night }
        return nil
    }

    /// "saa" + hour (word or digit) + optional "na nusu" / "na robo" / "kasorobo" / "na dakika N"
    /// + optional part of the day. Without a part of the day, the daytime reading (07:00–18:59)
    /// is taken, as a clinic would.
    public func recogniseTime(in text: String) -> ClockTime? {
        let t = Tokens(text)
        for i in 0..<t.count where t.words[i] == "saa" {
            guard let (h, used) = Self.numbers.read(t, at: i + 1), (1...12).contains(h) else { continue }
            var next = i + 1 + used
            var minute = 0
            var hourOffset = 0
            if t[next] == "na", t[next + 1] == "nusu" { minute = 30; next += 2 } else if t[next] == "na", t[next + 1] == "robo" { minute = 15; next += 2 } else if t[next] == "kasorobo" || t[next] == "kasoro" {
                minute = 45; hourOffset = -1; next += 1
            } else if t[next] == "na", t[next + 1] == "dakika", let (m, n) = Self.numbers.read(t, at: next + 2), m < 60 {
                minute = m; next += 2 + n
            }
            // The 24-hour readings of this Swahili hour: morning/day, or evening/night.
            let early = (h + 6) % 12           // 1 → 7, 6 → 12 → 0? handled below
            let day = early == 0 ? 12 : early  // saa sita = 12:00
            let candidates = [day % 24, (day + 12) % 24]
            let part = recogniseDayPart(in: text)
            let hour24: Int
            switch part {
            case .morning?, .afternoon?: hour24 = candidates.first { Self.hour($0, isIn: part!) } ?? candidates[0]
            case .evening?, .night?: hour24 = candidates.first { Self.hour($0, isIn: part!) } ?? candidates[1]
            case nil: hour24 = candidates.first { (7..<19).contains($0) } ?? candidates[0]
            }
            return ClockTime(minutesSinceMidnight: hour24 * 60 + minute + hourOffset * 60)
        }
        return nil
    }

    public func recogniseAnswer(in text: String) -> Answer? {
        let t = Tokens(text)
        let no = ["hapana", "la", "sitaki", "si sawa", "siyo", "sio"]
        let yes = ["ndiyo", "ndio", "sawa", "naam", "ee", "eeh", "kabisa", "vizuri", "hakika", "poa", "sahihi"]
        if no.contains(where: { t.contains(phrase: $0) }) { return .no }
        if yes.contains(where: { t.contains(phrase: $0) }) { return .yes }
        return nil
    }
}
