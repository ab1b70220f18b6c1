import MiadiLanguage
import Testing

@Suite("French")
struct FrenchPhrasebookTests {
    let fr = FrenchPhrasebook()

    static let dates: [(String, String?)] = [
        ("aujourd'hui", "2026-03-02"), ("demain", "2026-03-03"), ("demain matin", "2026-03-03"), ("après-demain", "2026-03-04"),
        ("apres demain", "2026-03-04"), ("jeudi prochain après-midi", "2026-03-05"), ("jeudi", "2026-03-05"), ("ce jeudi", "2026-03-05"),
        ("lundi", "2026-03-09"), ("ce lundi", "2026-03-02"), ("lundi prochain", "2026-03-09"), ("mardi", "2026-03-03"), ("mercredi", "2026-03-04"),
        ("vendredi matin", "2026-03-06"), ("samedi", "2026-03-07"), ("dimanche", "2026-03-08"), ("le 12", "2026-03-12"), ("le premier", "2026-04-01"),
        ("le 1er avril", "2026-04-01"), ("le 5 mars", "2026-03-05"), ("5 mars", "2026-03-05"), ("jeudi 5 mars", "2026-03-05"),
        ("le 25 décembre", "2026-12-25"), ("le 3 janvier", "2027-01-03"), ("le 15 août", "2026-08-15"), ("le 30 avril", "2026-04-30"),
        ("le vingt et un", "2026-03-21"), ("le douze mars", "2026-03-12"), ("jeudi 5 mars à 16 heures", "2026-03-05"),
        ("Bonjour, je voudrais un rendez-vous pour un détartrage jeudi prochain après-midi.", "2026-03-05"),
        ("Bonjour, je dois annuler mon rendez-vous de mercredi.", "2026-03-04"),
        ("Bonjour, est-ce que je peux déplacer mon plombage de demain à vendredi matin ?", "2026-03-03"),
        ("Oui, d'accord.", nil), ("quinze heures", nil), ("le 12 heures", nil), ("le premier créneau", nil), ("Je m'appelle Aya Kouassi.", nil),
    ]

    @Test("recognises dates relative to Monday 2 March 2026", arguments: dates)
    func date(text: String, expected: String?) {
        #expect(fr.recogniseDate(in: text, today: monday)?.description == expected)
    }

    static let times: [(String, String?)] = [
        ("16 heures", "16:00"), ("seize heures", "16:00"), ("15h30", "15:30"), ("15h", "15:00"), ("15:30", "15:30"),
        ("Quinze heures, s'il vous plaît.", "15:00"), ("quinze heures trente", "15:30"), ("dix heures", "10:00"), ("Dix heures.", "10:00"),
        ("dix heures et demie", "10:30"), ("dix heures et quart", "10:15"), ("onze heures moins le quart", "10:45"), ("midi", "12:00"),
        ("midi et demi", "12:30"), ("minuit", "00:00"), ("trois heures de l'après-midi", "15:00"), ("huit heures du soir", "20:00"),
        ("neuf heures du matin", "09:00"), ("à 9 heures", "09:00"), ("1 heure", "01:00"), ("une heure de l'après-midi", "13:00"),
        ("dix-sept heures", "17:00"), ("dix sept heures quinze", "17:15"), ("vingt heures", "20:00"), ("vingt et une heures", "21:00"),
        ("14 heures 45", "14:45"), ("jeudi 5 mars à 16 heures", "16:00"), ("16 heures 30", "16:30"), ("8h15", "08:15"),
        ("demain matin", nil), ("le 12", nil), ("Oui, d'accord.", nil), ("trois enfants", nil), ("Je m'appelle Aya.", nil),
    ]

    @Test("recognises French clock times", arguments: times)
    func time(text: String, expected: String?) {
        #expect(fr.recogniseTime(in: text)?.description == expected)
    }

    static let answers: [(String, Answer?)] = [
        ("oui", .yes), ("Oui, d'accord.", .yes), ("d'accord", .yes), ("Oui, c'est parfait.", .yes), ("Oui, annulez-le s'il vous plaît.", .yes),
        ("c'est ça", .yes), ("exactement", .yes), ("très bien", .yes), ("pas de problème", .yes), ("ça marche", .yes), ("non", .no),
        ("Non merci.", .no), ("non merci", .no), ("ce n'est pas ça", .no), ("pas du tout", .no), ("Je m'appelle Aya.", nil), ("quinze heures", nil),
    ]

    @Test("recognises yes and no", arguments: answers)
    func answer(text: String, expected: Answer?) {
        #expect(fr.recogniseAnswer(in: text) == expected)
    }

    static let spokenTimes: [(String, String)] = [
        ("16:00", "16 heures"), ("09:00", "9 heures"), ("01:00", "1 heure"), ("12:00", "midi"), ("00:00", "minuit"),
        ("16:30", "16 heures 30"), ("10:15", "10 heures 15"), ("14:45", "14 heures 45"), ("08:05", "8 heures 5"), ("23:00", "23 heures"),
    ]

    @Test("speaks times and recognises what it says", arguments: spokenTimes)
    func speakTime(iso: String, spoken: String) {
        let time = ClockTime(iso: iso)!
        #expect(fr.speak(time: time) == spoken)
        #expect(fr.recogniseTime(in: spoken) == time)
    }

    static let spokenDates: [(String, String)] = [
        ("2026-03-05", "jeudi 5 mars"), ("2026-03-02", "lundi 2 mars"), ("2026-04-01", "mercredi 1er avril"), ("2026-08-15", "samedi 15 août"),
        ("2026-12-25", "vendredi 25 décembre"), ("2027-01-01", "vendredi 1er janvier"), ("2026-02-10", "mardi 10 février"), ("2026-03-06", "vendredi 6 mars"),
    ]

    @Test("speaks dates and reads them back", arguments: spokenDates)
    func speakDate(iso: String, spoken: String) {
        let date = CivilDate(iso: iso)!
        #expect(fr.speak(date: date) == spoken)
        #expect(fr.recogniseDate(in: spoken, today: CivilDate(year: 2026, month: 2, day: 1)) == date)
    }

    @Test("speaks a read-back, durations and prices")
    func readBack() {
        #expect(fr.speak(date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 16)) == "jeudi 5 mars à 16 heures")
        #expect(fr.readsBack(date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 16), in: "C'est noté : jeudi 5 mars à 16 heures. C'est bien ça ?", today: monday))
        #expect(fr.speak(durationMinutes: 45) == "45 minutes")
        #expect(fr.speak(durationMinutes: 60) == "1 heure")
        #expect(fr.speak(durationMinutes: 90) == "1 heure 30")
        #expect(fr.speak(priceKES: 15000) == "15 000 shillings")
    }
}
