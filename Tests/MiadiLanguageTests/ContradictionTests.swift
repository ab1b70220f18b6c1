import MiadiLanguage
import Testing

/// A read-back that contradicts itself is no read-back: its weekday against its date, or its
/// part of the day against its hour, in every language. Monday 2 March 2026 is today; the 6th
/// of March is a Friday.
@Suite("Contradictory read-backs")
struct ContradictionTests {
    static let contradictory: [(LanguageCode, String)] = [
        (.en, "So that's a cleaning with Dr Wanjiru on Saturday the 6th of March at ten a.m."),
        (.en, "Friday the 7th of March at ten a.m."),
        (.en, "Friday the 6th of March at four p.m. in the morning"),
        (.en, "Friday the 6th of March at nine a.m. in the evening"),
        (.en, "Friday the 6th of March at 16:00 a.m."),
        (.en, "Tomorrow, Thursday, at ten a.m."),
        (.sw, "kusafisha meno na Dr Wanjiru, Jumamosi tarehe 6 Machi saa nne asubuhi"),
        (.sw, "Ijumaa tarehe 6 Machi saa nne mchana"),
        (.sw, "Ijumaa tarehe 6 Machi saa tano jioni"),
        (.fr, "détartrage avec Dr Koné le samedi 6 mars à 10 heures"),
        (.fr, "vendredi 6 mars à 16 heures du matin"),
        (.fr, "vendredi 6 mars à 20 heures de l'après-midi"),
    ]

    @Test("names the contradiction and reads back nothing", arguments: contradictory)
    func contradicts(language: LanguageCode, text: String) {
        let book = language.phrasebook
        #expect(book.contradiction(in: text, today: monday) != nil, "\(text)")
        if let date = book.recogniseDate(in: text, today: monday), let time = book.recogniseTime(in: text) {
            #expect(!book.readsBack(date: date, time: time, in: text, today: monday))
        }
    }

    static let consistent: [(LanguageCode, String)] = [
        (.en, "So that's a cleaning with Dr Wanjiru on Friday the 6th of March at ten a.m."),
        (.en, "your cleaning moved to Friday the 6th of March at four p.m., instead of Wednesday the 4th of March at nine a.m."),
        (.en, "the 7th, Saturday, at ten in the morning"),
        (.en, "Tomorrow, Tuesday, at three p.m."),
        (.en, "Thursday the 5th of March at noon"),
        (.sw, "Ijumaa tarehe 6 Machi saa nne asubuhi"),
        (.sw, "Ijumaa tarehe 6 Machi saa kumi jioni"),
        (.sw, "Ijumaa tarehe 6 Machi saa sita mchana"),
        (.sw, "Ijumaa tarehe 6 Machi saa moja usiku"),
        (.fr, "vendredi 6 mars à 10 heures"),
        (.fr, "vendredi 6 mars à 9 heures du matin"),
        (.fr, "vendredi 6 mars à 3 heures de l'après-midi"),
        (.fr, "votre détartrage déplacé au vendredi 6 mars à 16 heures, au lieu du mercredi 4 mars à 9 heures"),
    ]

    @Test("a consistent read-back has no contradiction", arguments: consistent)
    func consistentReadBack(language: LanguageCode, text: String) {
        #expect(language.phrasebook.contradiction(in: text, today: monday) == nil, "\(text)")
    }

    @Test("every read-back the agent speaks is consistent, in every language, all year")
    func spokenReadBacksAreConsistent() {
        for language in LanguageCode.allCases {
            let book = language.phrasebook
            for offset in stride(from: 0, to: 365, by: 5) {
                let date = monday.adding(days: offset)
                for minutes in stride(from: 7 * 60, to: 21 * 60, by: 15) {
                    let time = ClockTime(minutesSinceMidnight: minutes)
                    let text = book.speak(date: date, time: time)
                    #expect(book.readsBack(date: date, time: time, in: text, today: monday), "\(language): \(text)")
                }
            }
        }
    }
}
