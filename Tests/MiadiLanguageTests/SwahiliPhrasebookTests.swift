import MiadiLanguage
import Testing

@Suite("Swahili")
struct SwahiliPhrasebookTests {
    let sw = SwahiliPhrasebook()

    static let dates: [(String, String?)] = [
        ("leo", "2026-03-02"), ("kesho", "2026-03-03"), ("kesho asubuhi", "2026-03-03"), ("kesho kutwa", "2026-03-04"),
        ("keshokutwa jioni", "2026-03-04"), ("Jumatatu", "2026-03-09"), ("Jumatatu hii", "2026-03-02"), ("Jumanne", "2026-03-03"),
        ("Jumatano", "2026-03-04"), ("Alhamisi", "2026-03-05"), ("Alhamisi ijayo", "2026-03-05"), ("Ijumaa", "2026-03-06"),
        ("Jumamosi ijayo", "2026-03-07"), ("Jumapili", "2026-03-08"), ("tarehe 12", "2026-03-12"), ("tarehe kumi na mbili", "2026-03-12"),
        ("tarehe 5 Machi", "2026-03-05"), ("tarehe tano Machi", "2026-03-05"), ("tarehe 1 Aprili", "2026-04-01"), ("tarehe 1", "2026-04-01"),
        ("Alhamisi tarehe 5 Machi", "2026-03-05"), ("tarehe 25 Desemba", "2026-12-25"), ("tarehe 3 Januari", "2027-01-03"),
        ("tarehe ishirini na moja", "2026-03-21"), ("tarehe 30 Aprili", "2026-04-30"), ("Habari, nataka kupanga miadi ya kusafisha meno kesho asubuhi.", "2026-03-03"),
        ("Habari, naomba kuhamisha miadi yangu ya Jumatano hadi Jumamosi ijayo.", "2026-03-04"), ("Nataka kufuta miadi yangu ya Alhamisi.", "2026-03-05"),
        ("Ndiyo, sawa.", nil), ("Naitwa Baraka.", nil), ("saa nne asubuhi", nil), ("Ijumaa saa tisa mchana", "2026-03-06"),
        ("Jumamosi asubuhi", "2026-03-07"), ("tarehe 2 Machi", "2026-03-02"), ("Jumapili hii", "2026-03-08"),
    ]

    @Test("recognises dates relative to Monday 2 March 2026", arguments: dates)
    func date(text: String, expected: String?) {
        #expect(sw.recogniseDate(in: text, today: monday)?.description == expected)
    }

    static let times: [(String, String?)] = [
        ("saa moja asubuhi", "07:00"), ("saa mbili asubuhi", "08:00"), ("saa tatu asubuhi", "09:00"), ("Saa tatu asubuhi.", "09:00"),
        ("saa nne asubuhi", "10:00"), ("Saa nne asubuhi.", "10:00"), ("saa tano asubuhi", "11:00"), ("saa sita mchana", "12:00"),
        ("saa saba mchana", "13:00"), ("saa nane mchana", "14:00"), ("saa tisa mchana", "15:00"), ("saa kumi jioni", "16:00"),
        ("saa kumi na moja jioni", "17:00"), ("saa kumi na mbili jioni", "18:00"), ("saa moja usiku", "19:00"), ("saa mbili usiku", "20:00"),
        ("saa sita usiku", "00:00"), ("saa kumi na mbili asubuhi", "06:00"), ("saa nne na nusu asubuhi", "10:30"), ("saa tatu na robo", "09:15"),
        ("saa nne kasorobo", "09:45"), ("saa tisa na nusu mchana", "15:30"), ("saa tano na dakika kumi", "11:10"), ("saa 4 asubuhi", "10:00"),
        ("saa 9 mchana", "15:00"), ("saa tisa", "15:00"), ("saa tatu", "09:00"), ("saa moja", "07:00"), ("saa kumi", "16:00"),
        ("saa kumi na mbili", "18:00"), ("saa nane", "14:00"), ("Kesho saa nne asubuhi tafadhali", "10:00"), ("Ijumaa saa tisa mchana", "15:00"),
        ("kesho asubuhi", nil), ("Naitwa Baraka.", nil), ("tarehe 5 Machi", nil), ("Ndiyo", nil), ("saa ngapi?", nil),
    ]

    @Test("recognises Swahili clock time, counted from dawn", arguments: times)
    func time(text: String, expected: String?) {
        #expect(sw.recogniseTime(in: text)?.description == expected)
    }

    static let answers: [(String, Answer?)] = [
        ("ndiyo", .yes), ("Ndiyo, sawa.", .yes), ("Ndiyo.", .yes), ("sawa", .yes), ("sawa sawa", .yes), ("ndio", .yes), ("naam", .yes),
        ("kabisa", .yes), ("Ndiyo, tafadhali ifute.", .yes), ("poa", .yes), ("hapana", .no), ("Hapana, asante.", .no), ("siyo hiyo", .no),
        ("si sawa", .no), ("sitaki", .no), ("Naitwa Baraka.", nil), ("saa nne", nil),
    ]

    @Test("recognises yes and no", arguments: answers)
    func answer(text: String, expected: Answer?) {
        #expect(sw.recogniseAnswer(in: text) == expected)
    }

    static let spokenTimes: [(String, String)] = [
        ("07:00", "saa moja asubuhi"), ("09:00", "saa tatu asubuhi"), ("10:00", "saa nne asubuhi"), ("12:00", "saa sita mchana"),
        ("13:00", "saa saba mchana"), ("15:00", "saa tisa mchana"), ("16:00", "saa kumi jioni"), ("17:00", "saa kumi na moja jioni"),
        ("18:00", "saa kumi na mbili jioni"), ("19:00", "saa moja usiku"), ("20:00", "saa mbili usiku"), ("00:00", "saa sita usiku"),
        ("10:30", "saa nne na nusu asubuhi"), ("09:15", "saa tatu na robo asubuhi"), ("09:45", "saa nne kasorobo asubuhi"),
        ("14:30", "saa nane na nusu mchana"), ("11:10", "saa tano na dakika 10 asubuhi"), ("06:00", "saa kumi na mbili asubuhi"),
    ]

    @Test("speaks Swahili clock time and recognises what it says", arguments: spokenTimes)
    func speakTime(iso: String, spoken: String) {
        let time = ClockTime(iso: iso)!
        #expect(sw.speak(time: time) == spoken)
        #expect(sw.recogniseTime(in: spoken) == time)
    }

    static let spokenDates: [(String, String)] = [
        ("2026-03-05", "Alhamisi tarehe 5 Machi"), ("2026-03-02", "Jumatatu tarehe 2 Machi"), ("2026-03-03", "Jumanne tarehe 3 Machi"),
        ("2026-03-04", "Jumatano tarehe 4 Machi"), ("2026-03-06", "Ijumaa tarehe 6 Machi"), ("2026-03-07", "Jumamosi tarehe 7 Machi"),
        ("2026-03-08", "Jumapili tarehe 8 Machi"), ("2026-04-01", "Jumatano tarehe 1 Aprili"), ("2026-12-25", "Ijumaa tarehe 25 Desemba"),
        ("2027-01-01", "Ijumaa tarehe 1 Januari"),
    ]

    @Test("speaks dates and reads them back", arguments: spokenDates)
    func speakDate(iso: String, spoken: String) {
        let date = CivilDate(iso: iso)!
        #expect(sw.speak(date: date) == spoken)
        #expect(sw.recogniseDate(in: spoken, today: monday) == date)
    }

    @Test("a Swahili read-back 'saa kumi jioni' confirms 16:00, not 10:00")
    func readBack() {
        let text = "Nimekuwekea " + sw.speak(date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 16)) + ". Ni sawa?"
        #expect(text.contains("saa kumi jioni"))
        #expect(sw.readsBack(date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 16), in: text, today: monday))
        #expect(!sw.readsBack(date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 10), in: text, today: monday))
        #expect(sw.speak(durationMinutes: 30) == "dakika 30")
        #expect(sw.speak(durationMinutes: 60) == "saa moja")
        #expect(sw.speak(durationMinutes: 90) == "saa moja na nusu")
        #expect(sw.speak(priceKES: 2500) == "shilingi 2,500")
    }
}
