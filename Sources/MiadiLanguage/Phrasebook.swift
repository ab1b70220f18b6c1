/// Speaks and recognises dates, times, numbers and answers in one language.
///
/// The agent reads slots back with `speak…`; the mock model, the scripted caller, the
/// confirm-before-commit guard and the scorer all recognise with `recognise…`. One type per
/// language, so the habits of each (Swahili hours counted from dawn, French 24-hour times,
/// English a.m./p.m.) live in one place.
public protocol Phrasebook: Sendable {
    var language: LanguageCode { get }

    /// "Thursday the 5th of March", "Alhamisi tarehe 5 Machi", "jeudi 5 mars".
    func speak(date: CivilDate) -> String
    /// "four p.m.", "saa kumi jioni", "16 heures".
    func speak(time: ClockTime) -> String
    /// "45 minutes", "saa moja", "1 heure 30".
    func speak(durationMinutes: Int) -> String
    /// "2,500 shillings", "shilingi 2,500", "2 500 shillings".
    func speak(priceKES: Int) -> String
    /// The read-back of a slot: date and time together, as the agent says it before committing.
    func speak(date: CivilDate, time: ClockTime) -> String

    /// The date a text names, relative to `today` (the clinic's local date): relative words,
    /// weekdays with "next"/"this", day of month with or without a month.
    func recogniseDate(in text: String, today: CivilDate) -> CivilDate?
    /// The clock time a text names, in this language's habits.
    func recogniseTime(in text: String) -> ClockTime?
    /// A part of the day named in the text ("afternoon", "asubuhi", "après-midi").
    func recogniseDayPart(in text: String) -> DayPart?
    /// Whether the text answers yes or no; `nil` when it does neither.
    func recogniseAnswer(in text: String) -> Answer?

    /// A weekday the text names that the date it names does not fall on (ISO weekday, and the
    /// date), nil when they agree or the text does not name both.
    func weekdayConflict(in text: String, today: CivilDate) -> (named: Int, actual: CivilDate)?
    /// Why the clock time the text names contradicts itself ("four p.m. in the morning", "16
    /// heures du matin", "saa nne mchana"), nil when it does not.
    func timeContradiction(in text: String) -> String?
}

extension Phrasebook {
    /// A date and the window of the day the text names ("next Thursday afternoon").
    public func recogniseWindow(in text: String, today: CivilDate) -> (date: CivilDate, from: ClockTime, to: ClockTime)? {
        guard let date = recogniseDate(in: text, today: today) else { return nil }
        if let narrow = NarrowWindow.recognise(in: text, language: language) { return (date, narrow.from, narrow.to) }
        if let part = recogniseDayPart(in: text) { return (date, part.window.from, part.window.to) }
        return (date, ClockTime(hour: 0), ClockTime(hour: 23, minute: 59))
    }

    /// Whether a text reads back exactly this date and time (the guard's and the scorer's test).
    /// A text that contradicts itself reads back nothing: "Saturday the 6th of March" when the
    /// 6th is a Friday leaves the caller agreeing to one of two days, so neither counts.
    public func readsBack(date: CivilDate, time: ClockTime, in text: String, today: CivilDate) -> Bool {
        recogniseDate(in: text, today: today) == date && recogniseTime(in: text) == time && contradiction(in: text, today: today) == nil
    }

    /// Why a read-back contradicts itself — its weekday against its date, or its part of the
    /// day against its hour — in words for a refusal or a failed check; nil when it does not.
    public func contradiction(in text: String, today: CivilDate) -> String? {
        if let (named, actual) = weekdayConflict(in: text, today: today) {
            let names = EnglishPhrasebook.weekdayNames
            return "it says \(names[named - 1]) but \(actual) is a \(names[actual.weekday - 1])"
        }
        return timeContradiction(in: text)
    }
}
