import MiadiLanguage

/// The words an agent reads back before a commit, in the call's language. The new date and
/// time come first, so that the guard (and a scorer) recognise the right ones.
public enum ReadBack {
    public static func booking(service: String, staff: String, date: CivilDate, time: ClockTime, language: LanguageCode) -> String {
        let when = language.phrasebook.speak(date: date, time: time)
        switch language {
        case .en: return "\("aeiou".contains(service.prefix(1).lowercased()) ? "an" : "a") \(service) with \(staff) on \(when)"
        case .sw: return "\(service) na \(staff), \(when)"
        case .fr: return "\(service) avec \(staff) le \(when)"
        }
    }

    public static func reschedule(service: String, date: CivilDate, time: ClockTime, from oldDate: CivilDate, _ oldTime: ClockTime, language: LanguageCode) -> String {
        let book = language.phrasebook
        let new = book.speak(date: date, time: time), old = book.speak(date: oldDate, time: oldTime)
        switch language {
        case .en: return "your \(service) moved to \(new), instead of \(old)"
        case .sw: return "\(service) yako kuhamishwa hadi \(new), badala ya \(old)"
        case .fr: return "votre \(service) déplacé au \(new), au lieu du \(old)"
        }
    }

    public static func cancellation(service: String, date: CivilDate, time: ClockTime, language: LanguageCode) -> String {
        let when = language.phrasebook.speak(date: date, time: time)
        switch language {
        case .en: return "cancel your \(service) on \(when)"
        case .sw: return "kufuta \(service) yako ya \(when)"
        case .fr: return "annuler votre \(service) du \(when)"
        }
    }
}
