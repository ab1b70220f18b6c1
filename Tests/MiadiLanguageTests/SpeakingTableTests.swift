import MiadiLanguage
import Testing

/// What the agent says, per language: durations, prices, times across the whole day (midnight,
/// noon, the Swahili day boundaries), dates across the year and date-and-time read-backs.
/// Times and dates must also be recognised back from what was spoken, since the confirmation
/// guard reads the agent's own transcript.
@Suite("Speaking, all languages")
struct SpeakingTableTests {
    enum Kind: String, Sendable { case duration, price, time, date, dateTime }

    struct Case: Sendable, CustomTestStringConvertible {
        let language: LanguageCode
        let kind: Kind
        let input: String
        let spoken: String
        var testDescription: String { "\(language) \(kind.rawValue) \(input) → \(spoken)" }
    }

    static func table(_ language: LanguageCode, _ kind: Kind, _ pairs: [(String, String)]) -> [Case] {
        pairs.map { Case(language: language, kind: kind, input: $0.0, spoken: $0.1) }
    }

    static let english: [Case] =
        table(.en, .duration, [("5", "5 minutes"), ("10", "10 minutes"), ("15", "15 minutes"), ("20", "20 minutes"), ("30", "30 minutes"), ("45", "45 minutes"), ("60", "one hour"), ("75", "1 hour and 15 minutes"), ("90", "an hour and a half"), ("120", "2 hours"), ("150", "2 hours and 30 minutes"), ("180", "3 hours")])
        + table(.en, .price, [("500", "500 shillings"), ("1500", "1,500 shillings"), ("2000", "2,000 shillings"), ("2500", "2,500 shillings"), ("4500", "4,500 shillings"), ("6000", "6,000 shillings"), ("12500", "12,500 shillings"), ("100000", "100,000 shillings")])
        + table(.en, .time, [("00:00", "midnight"), ("00:30", "twelve thirty a.m."), ("06:00", "six a.m."), ("07:00", "seven a.m."), ("08:15", "eight fifteen a.m."), ("11:45", "eleven forty five a.m."), ("12:00", "noon"), ("12:30", "twelve thirty p.m."), ("13:00", "one p.m."), ("14:00", "two p.m."), ("15:30", "three thirty p.m."), ("16:00", "four p.m."), ("17:45", "five forty five p.m."), ("18:00", "six p.m."), ("19:00", "seven p.m."), ("21:30", "nine thirty p.m."), ("23:00", "eleven p.m."), ("23:59", "eleven fifty nine p.m.")])
        + table(.en, .date, [("2026-03-09", "Monday the 9th of March"), ("2026-03-10", "Tuesday the 10th of March"), ("2026-03-11", "Wednesday the 11th of March"), ("2026-03-12", "Thursday the 12th of March"), ("2026-03-13", "Friday the 13th of March"), ("2026-03-14", "Saturday the 14th of March"), ("2026-03-15", "Sunday the 15th of March"), ("2026-05-01", "Friday the 1st of May"), ("2026-06-30", "Tuesday the 30th of June"), ("2026-07-22", "Wednesday the 22nd of July"), ("2026-08-03", "Monday the 3rd of August"), ("2026-09-11", "Friday the 11th of September"), ("2026-10-31", "Saturday the 31st of October"), ("2026-11-02", "Monday the 2nd of November"), ("2027-02-28", "Sunday the 28th of February")])
        + table(.en, .dateTime, [("2026-03-05 14:00", "Thursday the 5th of March at two p.m."), ("2026-03-06 10:00", "Friday the 6th of March at ten a.m."), ("2026-03-07 09:00", "Saturday the 7th of March at nine a.m."), ("2026-03-03 16:00", "Tuesday the 3rd of March at four p.m."), ("2026-03-10 15:00", "Tuesday the 10th of March at three p.m."), ("2026-03-04 08:30", "Wednesday the 4th of March at eight thirty a.m.")])

    static let swahili: [Case] =
        table(.sw, .duration, [("5", "dakika 5"), ("10", "dakika 10"), ("15", "dakika 15"), ("20", "dakika 20"), ("30", "dakika 30"), ("45", "dakika 45"), ("60", "saa moja"), ("75", "saa moja na dakika 15"), ("90", "saa moja na nusu"), ("120", "saa mbili"), ("150", "saa mbili na nusu"), ("180", "saa tatu")])
        + table(.sw, .price, [("500", "shilingi 500"), ("1500", "shilingi 1,500"), ("2000", "shilingi 2,000"), ("2500", "shilingi 2,500"), ("4500", "shilingi 4,500"), ("6000", "shilingi 6,000"), ("12500", "shilingi 12,500"), ("100000", "shilingi 100,000")])
        + table(.sw, .time, [("00:00", "saa sita usiku"), ("00:30", "saa sita na nusu usiku"), ("06:00", "saa kumi na mbili asubuhi"), ("07:00", "saa moja asubuhi"), ("08:15", "saa mbili na robo asubuhi"), ("11:45", "saa sita kasorobo mchana"), ("12:00", "saa sita mchana"), ("12:30", "saa sita na nusu mchana"), ("13:00", "saa saba mchana"), ("14:00", "saa nane mchana"), ("15:30", "saa tisa na nusu mchana"), ("16:00", "saa kumi jioni"), ("17:45", "saa kumi na mbili kasorobo jioni"), ("18:00", "saa kumi na mbili jioni"), ("19:00", "saa moja usiku"), ("21:30", "saa tatu na nusu usiku"), ("23:00", "saa tano usiku"), ("23:59", "saa tano na dakika 59 usiku")])
        + table(.sw, .date, [("2026-03-09", "Jumatatu tarehe 9 Machi"), ("2026-03-10", "Jumanne tarehe 10 Machi"), ("2026-03-11", "Jumatano tarehe 11 Machi"), ("2026-03-12", "Alhamisi tarehe 12 Machi"), ("2026-03-13", "Ijumaa tarehe 13 Machi"), ("2026-03-14", "Jumamosi tarehe 14 Machi"), ("2026-03-15", "Jumapili tarehe 15 Machi"), ("2026-05-01", "Ijumaa tarehe 1 Mei"), ("2026-06-30", "Jumanne tarehe 30 Juni"), ("2026-07-22", "Jumatano tarehe 22 Julai"), ("2026-08-03", "Jumatatu tarehe 3 Agosti"), ("2026-09-11", "Ijumaa tarehe 11 Septemba"), ("2026-10-31", "Jumamosi tarehe 31 Oktoba"), ("2026-11-02", "Jumatatu tarehe 2 Novemba"), ("2027-02-28", "Jumapili tarehe 28 Februari")])
        + table(.sw, .dateTime, [("2026-03-05 14:00", "Alhamisi tarehe 5 Machi saa nane mchana"), ("2026-03-06 10:00", "Ijumaa tarehe 6 Machi saa nne asubuhi"), ("2026-03-07 09:00", "Jumamosi tarehe 7 Machi saa tatu asubuhi"), ("2026-03-03 16:00", "Jumanne tarehe 3 Machi saa kumi jioni"), ("2026-03-10 15:00", "Jumanne tarehe 10 Machi saa tisa mchana"), ("2026-03-04 08:30", "Jumatano tarehe 4 Machi saa mbili na nusu asubuhi")])

    static let french: [Case] =
        table(.fr, .duration, [("5", "5 minutes"), ("10", "10 minutes"), ("15", "15 minutes"), ("20", "20 minutes"), ("30", "30 minutes"), ("45", "45 minutes"), ("60", "1 heure"), ("75", "1 heure 15"), ("90", "1 heure 30"), ("120", "2 heures"), ("150", "2 heures 30"), ("180", "3 heures")])
        + table(.fr, .price, [("500", "500 shillings"), ("1500", "1 500 shillings"), ("2000", "2 000 shillings"), ("2500", "2 500 shillings"), ("4500", "4 500 shillings"), ("6000", "6 000 shillings"), ("12500", "12 500 shillings"), ("100000", "100 000 shillings")])
        + table(.fr, .time, [("00:00", "minuit"), ("00:30", "minuit 30"), ("06:00", "6 heures"), ("07:00", "7 heures"), ("08:15", "8 heures 15"), ("11:45", "11 heures 45"), ("12:00", "midi"), ("12:30", "12 heures 30"), ("13:00", "13 heures"), ("14:00", "14 heures"), ("15:30", "15 heures 30"), ("16:00", "16 heures"), ("17:45", "17 heures 45"), ("18:00", "18 heures"), ("19:00", "19 heures"), ("21:30", "21 heures 30"), ("23:00", "23 heures"), ("23:59", "23 heures 59")])
        + table(.fr, .date, [("2026-03-09", "lundi 9 mars"), ("2026-03-10", "mardi 10 mars"), ("2026-03-11", "mercredi 11 mars"), ("2026-03-12", "jeudi 12 mars"), ("2026-03-13", "vendredi 13 mars"), ("2026-03-14", "samedi 14 mars"), ("2026-03-15", "dimanche 15 mars"), ("2026-05-01", "vendredi 1er mai"), ("2026-06-30", "mardi 30 juin"), ("2026-07-22", "mercredi 22 juillet"), ("2026-08-03", "lundi 3 août"), ("2026-09-11", "vendredi 11 septembre"), ("2026-10-31", "samedi 31 octobre"), ("2026-11-02", "lundi 2 novembre"), ("2027-02-28", "dimanche 28 février")])
        + table(.fr, .dateTime, [("2026-03-05 14:00", "jeudi 5 mars à 14 heures"), ("2026-03-06 10:00", "vendredi 6 mars à 10 heures"), ("2026-03-07 09:00", "samedi 7 mars à 9 heures"), ("2026-03-03 16:00", "mardi 3 mars à 16 heures"), ("2026-03-10 15:00", "mardi 10 mars à 15 heures"), ("2026-03-04 08:30", "mercredi 4 mars à 8 heures 30")])

    @Test("at least 50 speaking cases per language")
    func counts() {
        for table in [Self.english, Self.swahili, Self.french] { #expect(table.count >= 50) }
    }

    @Test("speaks, and recognises its own times and dates", arguments: english + swahili + french)
    func speaks(_ c: Case) {
        let book = c.language.phrasebook
        switch c.kind {
        case .duration:
            #expect(book.speak(durationMinutes: Int(c.input)!) == c.spoken)
        case .price:
            #expect(book.speak(priceKES: Int(c.input)!) == c.spoken)
        case .time:
            let time = ClockTime(iso: c.input)!
            #expect(book.speak(time: time) == c.spoken)
            #expect(book.recogniseTime(in: c.spoken) == time)
        case .date:
            let date = CivilDate(iso: c.input)!
            #expect(book.speak(date: date) == c.spoken)
            #expect(book.recogniseDate(in: c.spoken, today: monday) == date)
        case .dateTime:
            let parts = c.input.split(separator: " ").map(String.init)
            let date = CivilDate(iso: parts[0])!, time = ClockTime(iso: parts[1])!
            #expect(book.speak(date: date, time: time) == c.spoken)
            #expect(book.readsBack(date: date, time: time, in: c.spoken, today: monday))
            #expect(!book.readsBack(date: date.adding(days: 7), time: time, in: c.spoken, today: monday))
        }
    }
}
