/// English as spoken on Kenyan and Nigerian phone lines: 12-hour times with "a.m."/"p.m.",
/// dates as "Thursday the 5th of March".
public struct EnglishPhrasebook: Phrasebook {
    public let language = LanguageCode.en
    public init() {}

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let unitWords = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    static let ordinalWords = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]

    static let numbers = NumberWords(
        units: Dictionary(uniqueKeysWithValues: unitWords.enumerated().map { ($1, $0 + 1) }),
        tens: ["twenty": 20, "thirty": 30, "forty": 40, "fifty": 50],
        joiners: []
    )

    static let vocabulary: DateVocabulary = {
        var ordinals = Dictionary(uniqueKeysWithValues: ordinalWords.enumerated().map { ($1, $0 + 1) })
        for (i, w) in ordinalWords.prefix(9).enumerated() {
            ordinals["twenty \(w)"] = 21 + i
        }
        ordinals["thirtieth"] = 30
        ordinals["thirty first"] = 31
        return DateVocabulary(
            weekdays: Dictionary(uniqueKeysWithValues: weekdayNames.enumerated().map { ($1.lowercased(), $0 + 1) }),
            months: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1.lowercased(), $0 + 1) }),
            relative: [("today", 0), ("tonight", 0), ("this morning", 0), ("this afternoon", 0), ("this evening", 0), ("tomorrow", 1), ("day after tomorrow", 2), ("the day after tomorrow", 2)],
            thisWords: ["this"],
            dayCues: ["the", "on"],
            ordinals: ordinals,
            numbers: numbers,
            weekAfter: ["after", "after next"],
            weekAfterEnds: ["please", "then", "at", "in", "morning", "afternoon", "evening", "would", "if", "is", "instead", "maybe"]
        )
    }()

    // MARK: Speaking

    public func speak(date: CivilDate) -> String {
        "\(Self.weekdayNames[date.weekday - 1]) the \(Self.ordinalSuffix(date.day)) of \(Self.monthNames[date.month - 1])"
    }

    public func speak(time: ClockTime) -> String {
        if time.hour == 12 && time.minute == 0 { return "noon" }
        if time.hour == 0 && time.minute == 0 { return "midnight" }
        let h12 = time.hour % 12 == 0 ? 12 : time.hour % 12
        let suffix = time.hour < 12 ? "a.m." : "p.m."
        let hourWord = Self.unitWords[h12 - 1]
        if time.minute == 0 { return "\(hourWord) \(suffix)" }
        return "\(hourWord) \(Self.minuteWords(time.minute)) \(suffix)"
    }

    public func speak(durationMinutes: Int) -> String {
        let h = durationMinutes / 60, m = durationMinutes % 60
        switch (h, m) {
        case (0, _): return "\(m) minutes"
        case (1, 0): return "one hour"
        case (1, 30): return "an hour and a half"
        case (_, 0): return "\(h) hours"
        default: return "\(h) hour\(h == 1 ? "" : "s") and \(m) minutes"
        }
    }

    public func speak(priceKES: Int) -> String { "\(Self.grouped(priceKES)) shillings" }

    public func speak(date: CivilDate, time: ClockTime) -> String {
        "\(speak(date: date)) at \(speak(time: time))"
    }

    static func ordinalSuffix(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    static func minuteWords(_ m: Int) -> String {
        if m < 10 { return "oh \(unitWords[m - 1])" }
        if m < 20 { return unitWords[m - 1] }
        let tens = ["twenty", "thirty", "forty", "fifty"][m / 10 - 2]
        return m % 10 == 0 ? tens : "\(tens) \(unitWords[m % 10 - 1])"
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    // MARK: Recognising

    public func recogniseDate(in text: String, today: CivilDate) -> CivilDate? {
        Self.vocabulary.recognise(Tokens(text), today: today)
    }

    public func weekdayConflict(in text: String, today: CivilDate) -> (named: Int, actual: CivilDate)? {
        Self.vocabulary.weekdayConflict(Tokens(text), today: today)
    }

    /// "four p.m. in the morning", "nine a.m. in the evening", "16:00 a.m.": a marker and the
    /// part of the day said right after it, or a 24-hour hour and its marker, that disagree.
    public func timeContradiction(in text: String) -> String? {
        let t = Tokens(text)
        let later: Set<String> = ["afternoon", "evening", "night", "tonight"]
        for (i, word) in t.words.enumerated() where word == "am" || word == "pm" {
            let after = (1...3).compactMap { t[i + $0] }
            if word == "pm", after.contains("morning") { return "it says p.m. in the morning" }
            if word == "am", let part = after.first(where: later.contains) { return "it says a.m. in the \(part)" }
            if i > 0, let hour = t[i - 1].flatMap({ Int($0.split(separator: ":")[0]) }), hour > 12, word == "am" { return "\(t[i - 1]!) is not a.m." }
        }
        for (i, word) in t.words.enumerated() where word.contains(":") {
            if let hour = Int(word.split(separator: ":")[0]), hour > 12, (1...4).contains(where: { t[i + $0] == "morning" }) { return "\(word) is not in the morning" }
        }
        return nil
    }

    /// Greetings that name a part of the day without meaning one.
    static let greetings = ["good morning", "good afternoon", "good evening", "good night"]

    public func recogniseDayPart(in text: String) -> DayPart? {
        let t = Tokens(text).removing(Self.greetings)
        // "am" is a.m. only after a time ("nine am", "9 am"), never in "I am".
        let am = t.words.indices.contains { t.words[$0] == "am" && $0 > 0 && (Self.numbers.read(t, at: $0 - 1) != nil || Int(t.words[$0 - 1].split(separator: ":").first ?? "") != nil || t.words[$0 - 1] == "oclock") }
        if t.contains("morning") || am { return .morning }
        if t.contains("afternoon") || t.contains("lunchtime") { return .afternoon }
        if t.contains("evening") { return .evening }
        if t.contains("night") || t.contains("tonight") { return .night }
        return nil
    }

    /// Times with a cue: "3 pm", "9:30", "nine thirty", "half past three", "quarter to five",
    /// "ten o'clock", "at four in the afternoon", "noon". Without a.m./p.m. or a part of the day,
    /// 7–11 are morning and 1–6 afternoon (clinic hours); 12 is noon.
    public func recogniseTime(in text: String) -> ClockTime? {
        let t = Tokens(text)
        if t.contains("noon") || t.contains("midday") { return ClockTime(hour: 12) }
        if t.contains("midnight") { return ClockTime(hour: 0) }
        let part = recogniseDayPart(in: text)
        for i in 0..<t.count {
            let word = t.words[i]
            // "half past three", "quarter past/to five"
            if (word == "half" || word == "quarter"), let rel = t[i + 1], rel == "past" || rel == "to", let (h, _) = Self.hour(t, at: i + 2) {
                let offset = word == "half" ? 30 : 15
                let minutes = rel == "past" ? h * 60 + offset : h * 60 - offset
                let base = ClockTime(minutesSinceMidnight: minutes)
                return Self.resolve(hour: base.hour, minute: base.minute, marker: nil, part: part)
            }
            // "9:30"
            if word.contains(":") {
                let parts = word.split(separator: ":").compactMap { Int($0) }
                if parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) {
                    return Self.resolve(hour: parts[0], minute: parts[1], marker: Self.marker(t, after: i + 1), part: part)
                }
            }
            guard let (h, used) = Self.hour(t, at: i) else { continue }
            var next = i + used
            var minute = 0
            var hasMinuteWords = false
            if t[next] == "oh", let (m, n) = Self.numbers.read(t, at: next + 1), m < 10 { minute = m; next += 1 + n; hasMinuteWords = true } else if let (m, n) = Self.numbers.read(t, at: next), (10...59).contains(m) {
                minute = m; next += n; hasMinuteWords = true
            }
            let marker = Self.marker(t, after: next)
            let clockWord = t[next] == "oclock"
            let atCue = i > 0 && ["at", "around", "about", "by"].contains(t[i - 1] ?? "")
            let partFollows = t[next] == "in" && ["morning", "afternoon", "evening"].contains(t[next + 2] ?? "")
            // A bare number is a time only with a cue; "the 5th" and "two people" are not times.
            guard marker != nil || clockWord || hasMinuteWords || atCue || partFollows else { continue }
            return Self.resolve(hour: h, minute: minute, marker: marker, part: part)
        }
        return nil
    }

    private static func hour(_ t: Tokens, at i: Int) -> (Int, Int)? {
        guard let (v, n) = numbers.read(t, at: i), (0...23).contains(v) else { return nil }
        if let w = t[i], Int(w) == nil, v > 12 { return nil }
        return (v, n)
    }

    private static func marker(_ t: Tokens, after i: Int) -> String? {
        if let w = t[i], w == "am" || w == "pm" { return w }
        return nil
    }

    static func resolve(hour: Int, minute: Int, marker: String?, part: DayPart?) -> ClockTime? {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        if hour > 12 { return ClockTime(hour: hour, minute: minute) }
        let isPM: Bool
        switch (marker, part) {
        case ("pm", _): isPM = true
        case ("am", _): isPM = false
        case (_, .afternoon?), (_, .evening?), (_, .night?): isPM = hour != 12
        case (_, .morning?): isPM = false
        default: isPM = (1...6).contains(hour)
        }
        if hour == 12 { return ClockTime(hour: marker == "am" ? 0 : 12, minute: minute) }
        return ClockTime(hour: isPM ? hour + 12 : hour, minute: minute)
    }

    public func recogniseAnswer(in text: String) -> Answer? {
        let t = Tokens(text)
        let noPhrases = ["no", "nope", "not", "dont", "don t", "wrong", "cancel that", "that s not", "never mind", "incorrect"]
        let yesPhrases = ["yes", "yeah", "yep", "sure", "correct", "right", "ok", "okay", "fine", "perfect", "great", "please do", "go ahead", "book it", "that works", "exactly", "absolutely", "confirm", "alright", "good"]
        // A refusal anywhere outweighs polite words around it ("no thanks, that's fine").
        if noPhrases.contains(where: { t.contains(phrase: $0) }) { return .no }
        if yesPhrases.contains(where: { t.contains(phrase: $0) }) { return .yes }
        return nil
    }
}
