import MiadiLanguage
import Testing

/// Date-and-part-of-day windows as callers say them, relative to Monday 2 March 2026: what the
/// agent turns into a slot search.
@Suite("Windows, all languages")
struct WindowTableTests {
    static let cases: [(LanguageCode, String, String)] = [
        (.en, "next Thursday afternoon", "2026-03-05 12:00-18:00"), (.en, "tomorrow morning", "2026-03-03 06:00-12:00"),
        (.en, "Friday evening", "2026-03-06 16:00-21:00"), (.en, "this Saturday morning", "2026-03-07 06:00-12:00"),
        (.en, "the 12th in the afternoon", "2026-03-12 12:00-18:00"), (.en, "Monday morning", "2026-03-09 06:00-12:00"),
        (.en, "the day after tomorrow in the evening", "2026-03-04 16:00-21:00"), (.en, "Wednesday afternoon please", "2026-03-04 12:00-18:00"),
        (.en, "on the 20th of March in the morning", "2026-03-20 06:00-12:00"), (.en, "this afternoon", "2026-03-02 12:00-18:00"),
        (.en, "tonight", "2026-03-02 19:00-23:59"), (.en, "next Tuesday", "2026-03-03 00:00-23:59"),
        (.sw, "Alhamisi ijayo mchana", "2026-03-05 12:00-18:00"), (.sw, "kesho asubuhi", "2026-03-03 06:00-12:00"),
        (.sw, "Ijumaa jioni", "2026-03-06 16:00-21:00"), (.sw, "Jumamosi ijayo asubuhi", "2026-03-07 06:00-12:00"),
        (.sw, "tarehe 12 mchana", "2026-03-12 12:00-18:00"), (.sw, "keshokutwa jioni", "2026-03-04 16:00-21:00"),
        (.sw, "Jumatano mchana tafadhali", "2026-03-04 12:00-18:00"), (.sw, "tarehe 20 Machi asubuhi", "2026-03-20 06:00-12:00"),
        (.sw, "leo mchana", "2026-03-02 12:00-18:00"), (.sw, "Jumanne usiku", "2026-03-03 19:00-23:59"),
        (.sw, "Jumatatu asubuhi", "2026-03-09 06:00-12:00"), (.sw, "kesho", "2026-03-03 00:00-23:59"),
        (.fr, "jeudi prochain après-midi", "2026-03-05 12:00-18:00"), (.fr, "demain matin", "2026-03-03 06:00-12:00"),
        (.fr, "vendredi soir", "2026-03-06 16:00-21:00"), (.fr, "samedi matin", "2026-03-07 06:00-12:00"),
        (.fr, "le 12 dans l'après-midi", "2026-03-12 12:00-18:00"), (.fr, "après-demain dans la soirée", "2026-03-04 16:00-21:00"),
        (.fr, "mercredi après-midi s'il vous plaît", "2026-03-04 12:00-18:00"), (.fr, "le 20 mars au matin", "2026-03-20 06:00-12:00"),
        (.fr, "cet après-midi", "2026-03-02 12:00-18:00"), (.fr, "lundi matin", "2026-03-09 06:00-12:00"),
        (.fr, "ce soir", "2026-03-02 16:00-21:00"), (.fr, "demain", "2026-03-03 00:00-23:59"),
    ]

    @Test("recognises a day and a part of it", arguments: cases)
    func window(language: LanguageCode, text: String, expected: String) {
        let window = language.phrasebook.recogniseWindow(in: text, today: monday)
        #expect(window.map { "\($0.date) \($0.from)-\($0.to)" } == expected)
    }

    @Test("no day named, no window", arguments: [(LanguageCode.en, "yes please"), (.en, "at four"), (.sw, "Ndiyo, sawa."), (.sw, "saa nne"), (.fr, "oui d'accord"), (.fr, "à 15 heures")])
    func none(language: LanguageCode, text: String) {
        #expect(language.phrasebook.recogniseWindow(in: text, today: monday) == nil)
    }
}
