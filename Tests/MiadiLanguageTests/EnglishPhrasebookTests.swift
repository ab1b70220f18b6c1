import MiadiLanguage
import Testing

/// Monday 2 March 2026 is "today" unless a case says otherwise.
let monday = CivilDate(year: 2026, month: 3, day: 2)

@Suite("English")
struct EnglishPhrasebookTests {
    let en = EnglishPhrasebook()

    static let dates: [(String, String?)] = [
        ("today", "2026-03-02"), ("tomorrow", "2026-03-03"), ("tomorrow morning", "2026-03-03"),
        ("the day after tomorrow", "2026-03-04"), ("day after tomorrow please", "2026-03-04"),
        ("next Thursday afternoon", "2026-03-05"), ("on Thursday", "2026-03-05"), ("Thursday", "2026-03-05"),
        ("this Thursday", "2026-03-05"), ("next Monday", "2026-03-09"), ("this Monday", "2026-03-02"),
        ("Monday", "2026-03-09"), ("Friday at ten", "2026-03-06"), ("on Saturday morning", "2026-03-07"),
        ("Sunday", "2026-03-08"), ("Tuesday", "2026-03-03"), ("Wednesday afternoon", "2026-03-04"),
        ("the 12th", "2026-03-12"), ("on the 12th", "2026-03-12"), ("the 1st", "2026-04-01"),
        ("the 2nd", "2026-03-02"), ("the 31st", "2026-03-31"), ("on the 30th", "2026-03-30"),
        ("the twelfth", "2026-03-12"), ("on the fifth", "2026-03-05"), ("the twenty first", "2026-03-21"),
        ("5 March", "2026-03-05"), ("5th of March", "2026-03-05"), ("the 5th of March", "2026-03-05"),
        ("March 5th", "2026-03-05"), ("March the 5th", "2026-03-05"), ("March 5", "2026-03-05"),
        ("Thursday the 5th of March", "2026-03-05"), ("Thursday the 5th of March at four p.m.", "2026-03-05"),
        ("1 March", "2027-03-01"), ("the 1st of April", "2026-04-01"), ("April 10th", "2026-04-10"),
        ("10 April", "2026-04-10"), ("the 25th of December", "2026-12-25"), ("January 3rd", "2027-01-03"),
        ("the 29th of February", nil), ("February 28th", "2027-02-28"), ("the thirtieth of April", "2026-04-30"),
        ("I'd like to come in", nil), ("the first one is fine", nil), ("yes please", nil), ("three o'clock", nil),
        ("Hi, I'd like to book a cleaning next Thursday afternoon.", "2026-03-05"),
        ("Good afternoon. Can I get a check-up tomorrow morning?", "2026-03-03"),
        ("Hello, I need to move my cleaning on Wednesday to Friday at four p.m.", "2026-03-04"),
        ("Saturday the 7th", "2026-03-07"), ("the 7th, Saturday", "2026-03-07"),
    ]

    @Test("recognises dates relative to Monday 2 March 2026", arguments: dates)
    func date(text: String, expected: String?) {
        #expect(en.recogniseDate(in: text, today: monday)?.description == expected)
    }

    @Test("next Friday said on a Friday is a week away; Friday said on a Friday too")
    func nextOnSameWeekday() {
        let friday = CivilDate(year: 2026, month: 3, day: 6)
        #expect(en.recogniseDate(in: "next Friday", today: friday)?.description == "2026-03-13")
        #expect(en.recogniseDate(in: "this Friday", today: friday)?.description == "2026-03-06")
        #expect(en.recogniseDate(in: "tomorrow", today: CivilDate(year: 2026, month: 12, day: 31))?.description == "2027-01-01")
        #expect(en.recogniseDate(in: "the 29th", today: CivilDate(year: 2026, month: 2, day: 10))?.description == "2026-03-29")
        #expect(en.recogniseDate(in: "the 29th of February", today: CivilDate(year: 2027, month: 6, day: 1))?.description == "2028-02-29")
    }

    static let times: [(String, String?)] = [
        ("three o'clock", "15:00"), ("Three o'clock would be great.", "15:00"), ("at 3", "15:00"), ("3 pm", "15:00"),
        ("3pm", "15:00"), ("3 p.m.", "15:00"), ("3 a.m.", "03:00"), ("at 3 in the afternoon", "15:00"),
        ("four in the afternoon", "16:00"), ("Four in the afternoon.", "16:00"), ("four p.m.", "16:00"),
        ("ten in the morning", "10:00"), ("ten o'clock", "10:00"), ("Ten o'clock.", "10:00"), ("at ten", "10:00"),
        ("Nine thirty, please.", "09:30"), ("nine thirty", "09:30"), ("9:30", "09:30"), ("9:30 pm", "21:30"),
        ("14:00", "14:00"), ("at 14:45", "14:45"), ("half past three", "15:30"), ("half past nine", "09:30"),
        ("quarter past ten", "10:15"), ("quarter to five", "16:45"), ("quarter to twelve", "11:45"),
        ("noon", "12:00"), ("at midday", "12:00"), ("midnight", "00:00"), ("12 pm", "12:00"), ("12 am", "00:00"),
        ("twelve thirty", "12:30"), ("eleven fifteen", "11:15"), ("two forty five", "14:45"), ("seven oh five", "07:05"),
        ("at 8", "08:00"), ("eight a.m.", "08:00"), ("at five in the evening", "17:00"), ("around 4", "16:00"),
        ("Friday at ten", "10:00"), ("Thursday the 5th of March at four p.m.", "16:00"),
        ("Can I book a check-up on Friday at ten in the morning?", "10:00"),
        ("the 5th", nil), ("two people", nil), ("I have 3 children", nil), ("next Thursday afternoon", nil),
        ("It's Amina.", nil), ("yes", nil), ("five thirty in the evening", "17:30"), ("at 6", "18:00"), ("at 7", "07:00"),
    ]

    @Test("recognises clock times with cues; bare numbers are not times", arguments: times)
    func time(text: String, expected: String?) {
        #expect(en.recogniseTime(in: text)?.description == expected)
    }

    static let answers: [(String, Answer?)] = [
        ("yes", .yes), ("Yes, that's right.", .yes), ("yes please", .yes), ("Yes please, book it.", .yes),
        ("yeah", .yes), ("sure", .yes), ("that's correct", .yes), ("Yes, that's correct.", .yes), ("perfect", .yes),
        ("Yes, perfect.", .yes), ("Yes, exactly.", .yes), ("Yes, that works.", .yes), ("ok", .yes), ("okay go ahead", .yes),
        ("Yes, cancel it please.", .yes), ("alright", .yes), ("no", .no), ("No thanks, I'll call back later.", .no),
        ("no thanks", .no), ("that's not right", .no), ("nope", .no), ("that's wrong", .no), ("I don't want that", .no),
        ("It's Amina.", nil), ("Three o'clock would be great.", .yes), ("The first one is fine.", .yes), ("hmm", nil),
    ]

    @Test("recognises yes and no, with refusals winning over politeness", arguments: answers)
    func answer(text: String, expected: Answer?) {
        #expect(en.recogniseAnswer(in: text) == expected)
    }

    static let spokenTimes: [(String, String)] = [
        ("16:00", "four p.m."), ("09:00", "nine a.m."), ("09:30", "nine thirty a.m."), ("12:00", "noon"),
        ("00:00", "midnight"), ("12:30", "twelve thirty p.m."), ("00:15", "twelve fifteen a.m."), ("15:05", "three oh five p.m."),
        ("10:45", "ten forty five a.m."), ("23:59", "eleven fifty nine p.m."), ("13:00", "one p.m."), ("07:10", "seven ten a.m."),
    ]

    @Test("speaks times the way it recognises them", arguments: spokenTimes)
    func speakTime(iso: String, spoken: String) {
        let time = ClockTime(iso: iso)!
        #expect(en.speak(time: time) == spoken)
        #expect(en.recogniseTime(in: spoken) == time)
    }

    static let spokenDates: [(String, String)] = [
        ("2026-03-05", "Thursday the 5th of March"), ("2026-03-01", "Sunday the 1st of March"), ("2026-03-02", "Monday the 2nd of March"),
        ("2026-03-03", "Tuesday the 3rd of March"), ("2026-03-11", "Wednesday the 11th of March"), ("2026-03-12", "Thursday the 12th of March"),
        ("2026-03-13", "Friday the 13th of March"), ("2026-03-21", "Saturday the 21st of March"), ("2026-03-22", "Sunday the 22nd of March"),
        ("2026-03-23", "Monday the 23rd of March"), ("2026-12-31", "Thursday the 31st of December"), ("2027-01-01", "Friday the 1st of January"),
    ]

    @Test("speaks dates and reads them back", arguments: spokenDates)
    func speakDate(iso: String, spoken: String) {
        let date = CivilDate(iso: iso)!
        #expect(en.speak(date: date) == spoken)
        #expect(en.recogniseDate(in: spoken, today: CivilDate(year: 2026, month: 3, day: 1)) == date)
    }

    @Test("speaks durations and prices")
    func durationsAndPrices() {
        #expect(en.speak(durationMinutes: 30) == "30 minutes")
        #expect(en.speak(durationMinutes: 60) == "one hour")
        #expect(en.speak(durationMinutes: 90) == "an hour and a half")
        #expect(en.speak(durationMinutes: 120) == "2 hours")
        #expect(en.speak(durationMinutes: 75) == "1 hour and 15 minutes")
        #expect(en.speak(priceKES: 2500) == "2,500 shillings")
        #expect(en.speak(priceKES: 1_250_000) == "1,250,000 shillings")
        #expect(en.speak(priceKES: 800) == "800 shillings")
    }

    @Test("a read-back names the slot; the wrong day does not")
    func readBack() {
        let slot = (CivilDate(year: 2026, month: 3, day: 5), ClockTime(hour: 16))
        let text = "So that's a cleaning on " + en.speak(date: slot.0, time: slot.1) + ". Shall I book it?"
        #expect(en.readsBack(date: slot.0, time: slot.1, in: text, today: monday))
        #expect(!en.readsBack(date: slot.0.adding(days: 1), time: slot.1, in: text, today: monday))
        #expect(!en.readsBack(date: slot.0, time: ClockTime(hour: 4), in: text, today: monday))
    }
}
