/// Parts of parts of the day: "late morning", "en fin de matinée", "asubuhi sana". A caller
/// who says one means a narrower window than the part of the day, and an agent that offers
/// eight o'clock for "late morning" has not listened.
public enum NarrowWindow {
    /// Phrase (folded as `Tokens` folds) → [from, to) hours, per language; longest first.
    static let table: [LanguageCode: [(String, Int, Int)]] = [
        .en: [("late morning", 10, 12), ("early morning", 6, 10), ("mid morning", 9, 11), ("early afternoon", 12, 15), ("late afternoon", 15, 18),
              ("early evening", 16, 19), ("late evening", 19, 21)],
        .fr: [("en fin de matinee", 10, 12), ("fin de matinee", 10, 12), ("en debut de matinee", 6, 10), ("debut de matinee", 6, 10), ("tot le matin", 6, 10),
              ("en debut d apres midi", 12, 15), ("debut d apres midi", 12, 15), ("en fin d apres midi", 15, 18), ("fin d apres midi", 15, 18),
              ("en debut de soiree", 16, 19), ("debut de soiree", 16, 19)],
        .sw: [("asubuhi sana", 6, 9), ("asubuhi na mapema", 6, 9), ("mwisho wa asubuhi", 10, 12), ("mchana mapema", 12, 14), ("jioni mapema", 16, 18)],
    ]

    /// The narrow window a text names in `language`, as clock times [from, to).
    public static func recognise(in text: String, language: LanguageCode) -> (from: ClockTime, to: ClockTime)? {
        let tokens = Tokens(text)
        for (phrase, from, to) in table[language] ?? [] where tokens.contains(phrase: phrase) {
            return (ClockTime(hour: from), ClockTime(hour: to))
        }
        return nil
    }
}
