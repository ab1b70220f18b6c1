/// The words one language uses for dates, and the shared rules that turn them into a date.
///
/// Rules, in order of precedence (the first that applies wins):
/// 1. a day of the month with a month ("5 March", "March the 5th", "tarehe 5 Machi", "le 5 mars"):
///    the next such date on or after today;
/// 2. a relative day ("tomorrow", "kesho kutwa", "après-demain");
/// 3. a day of the month with its cue ("the 12th", "tarehe 12", "le 12"): the next such date;
/// 4. a weekday: with a "this" word, today or the next one; otherwise the first one strictly
///    after today, so "next Friday" said on a Friday is a week away, and "Thursday" said on a
///    Monday is in three days.
struct DateVocabulary: Sendable {
    let weekdays: [String: Int]
    let months: [String: Int]
    /// Normalised phrases → days from today; longer phrases are tried first.
    let relative: [(String, Int)]
    let thisWords: Set<String>
    /// Words that announce a day of the month ("the", "tarehe", "le").
    let dayCues: Set<String>
    /// Ordinal words → day ("first" → 1, "premier" → 1).
    let ordinals: [String: Int]
    let numbers: NumberWords
    /// Words after a weekday that put it a week later: "the Tuesday after", "le mardi
    /// d'après", "Jumanne inayofuata".
    var weekAfter: [String] = []
    /// Words that may follow those (anything else, as in "Tuesday after lunch", is not one).
    var weekAfterEnds: Set<String> = []

    func recognise(_ tokens: Tokens, today: CivilDate) -> CivilDate? {
        if let date = fixedDate(tokens, today: today) { return date }
        for (i, word) in tokens.words.enumerated() {
            guard let weekday = weekdays[word] else { continue }
            let near = [tokens[i - 1], tokens[i + 1]].compactMap { $0 }
            for phrase in weekAfter {
                let parts = phrase.split(separator: " ").map(String.init)
                let end = i + 1 + parts.count
                if (0..<parts.count).allSatisfy({ tokens[i + 1 + $0] == parts[$0] }), tokens[end].map(weekAfterEnds.contains) ?? true {
                    return today.next(weekday: weekday).adding(days: 7)
                }
            }
            if near.contains(where: thisWords.contains) { return today.onOrAfter(weekday: weekday) }
            return today.next(weekday: weekday)
        }
        return nil
    }

    /// The date rules 1–3 name (a day of the month, or a relative day), without the weekday.
    func fixedDate(_ tokens: Tokens, today: CivilDate) -> CivilDate? {
        if let (day, month) = dayAndMonth(tokens) { return today.upcoming(day: day, month: month) }
        for (phrase, offset) in relative.sorted(by: { $0.0.count > $1.0.count }) where tokens.contains(phrase: phrase) {
            return today.adding(days: offset)
        }
        if let day = cuedDay(tokens) { return today.upcoming(day: day) }
        return nil
    }

    /// A weekday the text names that the date it also names does not fall on ("Saturday the
    /// 6th of March" when the 6th is a Friday): the named weekday and the date's own, ISO.
    /// A caller who hears both cannot know which was meant, so it is no read-back at all.
    func weekdayConflict(_ tokens: Tokens, today: CivilDate) -> (named: Int, actual: CivilDate)? {
        // Each weekday is checked against the date said next to it (a reschedule read-back
        // names two days, each with its own date), never crossing another weekday.
        let words = tokens.words
        let at = words.indices.filter { weekdays[words[$0]] != nil }
        for (k, i) in at.enumerated() {
            let lower = max(k > 0 ? at[k - 1] + 1 : 0, i - 4)
            let upper = min(k + 1 < at.count ? at[k + 1] : words.count, i + 7)
            let named = weekdays[words[i]]!
            if let date = fixedDate(Tokens(words[lower..<upper].joined(separator: " ")), today: today), date.weekday != named { return (named, date) }
        }
        return nil
    }

    /// A day number (digits, ordinal, number word) at `i`, with how many tokens it used.
    private func day(at i: Int, in tokens: Tokens) -> (Int, Int)? {
        guard let word = tokens[i] else { return nil }
        if let d = ordinals[word] { return (d, 1) }
        if let next = tokens[i + 1], let d = ordinals["\(word) \(next)"] { return (d, 2) }
        for suffix in ["st", "nd", "rd", "th", "er", "e"] where word.hasSuffix(suffix) {
            if let d = Int(word.dropLast(suffix.count)), (1...31).contains(d) { return (d, 1) }
        }
        if let (v, n) = numbers.read(tokens, at: i), (1...31).contains(v) { return (v, n) }
        return nil
    }

    private func dayAndMonth(_ tokens: Tokens) -> (Int, Int)? {
        for (i, word) in tokens.words.enumerated() {
            guard let month = months[word] else { continue }
            // "5 March", "5th of March", "tarehe 5 Machi", "le 5 mars": the day comes before.
            for back in 1...4 {
                let start = i - back
                guard start >= 0 else { break }
                if let (d, n) = day(at: start, in: tokens), start + n == i || (start + n == i - 1 && ["of", "de"].contains(tokens[i - 1] ?? "")) {
                    return (d, month)
                }
            }
            // "March 5th", "March the 5th".
            if let (d, _) = day(at: i + 1, in: tokens) { return (d, month) }
            if tokens[i + 1] == "the", let (d, _) = day(at: i + 2, in: tokens) { return (d, month) }
        }
        return nil
    }

    private func cuedDay(_ tokens: Tokens) -> Int? {
        // "the first one", "le premier créneau" pick an item from a list, not a date.
        let listNouns: Set<String> = ["one", "ones", "slot", "option", "time", "creneau", "horaire"]
        for (i, word) in tokens.words.enumerated() {
            if let d = ordinals[word], i > 0, dayCues.contains(tokens[i - 1] ?? ""), !listNouns.contains(tokens[i + 1] ?? "") { return d }
            for suffix in ["st", "nd", "rd", "th"] where word.hasSuffix(suffix) {
                if let d = Int(word.dropLast(suffix.count)), (1...31).contains(d) { return d }
            }
            if dayCues.contains(word), let (d, n) = day(at: i + 1, in: tokens) {
                // "le 12" is a day unless a clock word follows ("le 12 heures" is not French for a date).
                let after = tokens[i + 1 + n] ?? ""
                if ["heures", "heure", "h", "oclock", "am", "pm"].contains(after) || listNouns.contains(after) { continue }
                return d
            }
        }
        return nil
    }
}
