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
}

extension Phrasebook {
    /// A date and the window of the day the text names ("next Thursday afternoon").
    public func recogniseWindow(in text: String, today: CivilDate) -> (date: CivilDate, from: ClockTime, to: ClockTime)? {
        guard let date = recogniseDate(in: text, today: today) else { return nil }
        if let part = recogniseDayPart(in: text) { return (date, part.window.from, part.window.to) }
        return (date, ClockTime(hour: 0), ClockTime(hour: 23, minute: 59))
    }

    /// Whether a text reads back exactly this date and time (the guard's and the scorer's test).
    public func readsBack(date: CivilDate, time: ClockTime, in text: String, today: CivilDate) -> Bool {
        recogniseDate(in: text, today: today) == date && recogniseTime(in: text) == time
    }
}
