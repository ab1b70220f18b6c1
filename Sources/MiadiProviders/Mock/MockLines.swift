import MiadiLanguage

/// What the mock agent says, per language. Each question carries a plain cue a caller (or the
/// lab's scripted caller) can recognise: name, service, day, time, confirm.
struct MockLines: Sendable {
    let greeting: String, askService: String, askName: String, askDay: String, askTime: String
    let offer: String, nothingFree: String, readBackBook: String, readBackMove: String, readBackCancel: String
    let booked: String, moved: String, cancelled: String, goodbye: String, repeatPlease: String
    let transfer: String, notFound: String, whichOne: String, anythingElse: String, hours: String
    let or: String
    /// Said into a caller's silence, then, after the second, a polite close.
    var stillThere = "", silentGoodbye = ""
    /// A closed day, the reason ({why} is `closedFor` with the closure's reason) and the next open day.
    var closed = "", closedFor = ""

    static func of(_ language: LanguageCode) -> MockLines {
        switch language {
        case .en: return MockLines(
            greeting: "Hello, this is {clinic}. How can I help you?", askService: "Which treatment would you like: {list}?",
            askName: "May I have your name, please?", askDay: "Which day would suit you?", askTime: "What time would you like?",
            offer: "I have {times}. Which time would you like?", nothingFree: "I'm sorry, nothing is free then. Would another day suit you?",
            readBackBook: "So that's {rb}. Shall I book it?", readBackMove: "So that's {rb}. Shall I move it?", readBackCancel: "You'd like to {rb}. Shall I cancel it?",
            booked: "You're booked. Thank you for calling, goodbye.", moved: "Done, it's moved. Thank you for calling, goodbye.",
            cancelled: "It's cancelled. Would you like to book another time?", goodbye: "Thank you for calling. Goodbye.",
            repeatPlease: "Sorry, I didn't catch that. Could you say it again?", transfer: "Let me put you through to a colleague.",
            notFound: "I can't find an appointment under the number you're calling from. I can only change appointments booked from this number.",
            whichOne: "Which appointment do you mean?", anythingElse: "Is there anything else?", hours: "We are open {hours}.", or: "or",
            stillThere: "Hello, are you still there?", silentGoodbye: "I can't hear you, so I'll end the call now. Please call us back. Goodbye.",
            closed: "I'm sorry, we're closed on {day}{why}. We're open again on {next}. Would another day suit you?", closedFor: " for {reason}")
        case .sw: return MockLines(
            greeting: "Habari, hapa ni {clinic}. Nikusaidie vipi?", askService: "Ungependa huduma gani: {list}?",
            askName: "Naomba jina lako tafadhali?", askDay: "Siku gani itakufaa?", askTime: "Saa ngapi ingekufaa?",
            offer: "Nina nafasi {times}. Saa ipi ingekufaa?", nothingFree: "Samahani, hakuna nafasi wakati huo. Siku nyingine itakufaa?",
            readBackBook: "Kwa hiyo ni {rb}. Nithibitishe?", readBackMove: "Kwa hiyo ni {rb}. Nithibitishe?", readBackCancel: "Ungependa {rb}. Nithibitishe?",
            booked: "Umepangiwa. Asante kwa kupiga simu, kwaheri.", moved: "Imehamishwa. Asante kwa kupiga simu, kwaheri.",
            cancelled: "Imefutwa. Ungependa kupanga siku nyingine?", goodbye: "Asante kwa kupiga simu. Kwaheri.",
            repeatPlease: "Samahani, sikusikia vizuri. Unaweza kurudia?", transfer: "Nakuunganisha na mwenzangu.",
            notFound: "Sioni miadi kwa namba unayopigia. Naweza kubadilisha miadi ya namba hii tu.",
            whichOne: "Ni miadi ipi?", anythingElse: "Kuna jambo lingine?", hours: "Tuko wazi {hours}.", or: "au",
            stillThere: "Haloo, bado uko hapo?", silentGoodbye: "Sikusikii, kwa hiyo nitakata simu sasa. Tafadhali piga tena. Kwaheri.",
            closed: "Samahani, tumefungwa {day}{why}. Tutakuwa wazi tena {next}. Siku nyingine itakufaa?", closedFor: " kwa sababu ya {reason}")
        case .fr: return MockLines(
            greeting: "Bonjour, ici {clinic}. Comment puis-je vous aider ?", askService: "Quel soin souhaitez-vous : {list} ?",
            askName: "Puis-je avoir votre nom, s'il vous plaît ?", askDay: "Quel jour vous conviendrait ?", askTime: "À quelle heure ?",
            offer: "J'ai {times}. Quelle heure vous convient ?", nothingFree: "Désolé, rien n'est libre à ce moment-là. Un autre jour vous conviendrait ?",
            readBackBook: "Donc un {rb}. Je confirme ?", readBackMove: "Donc {rb}. Je confirme ?", readBackCancel: "Vous souhaitez {rb}. Je confirme ?",
            booked: "C'est réservé. Merci de votre appel, au revoir.", moved: "C'est déplacé. Merci de votre appel, au revoir.",
            cancelled: "C'est annulé. Souhaitez-vous un autre rendez-vous ?", goodbye: "Merci de votre appel. Au revoir.",
            repeatPlease: "Pardon, je n'ai pas bien compris. Pouvez-vous répéter ?", transfer: "Je vous passe un collègue.",
            notFound: "Je ne trouve pas de rendez-vous pour le numéro qui appelle. Je ne peux modifier que les rendez-vous de ce numéro.",
            whichOne: "Quel rendez-vous ?", anythingElse: "Autre chose ?", hours: "Nous sommes ouverts {hours}.", or: "ou",
            stillThere: "Allô, vous êtes toujours là ?", silentGoodbye: "Je ne vous entends pas, je vais raccrocher. Rappelez-nous. Au revoir.",
            closed: "Désolé, nous sommes fermés le {day}{why}. Nous rouvrons le {next}. Un autre jour vous conviendrait ?", closedFor: " pour {reason}")
        }
    }

    /// Padding for the `.filler` fault.
    static func filler(_ language: LanguageCode) -> String {
        switch language {
        case .en: return "Well, um, let me see, right, okay. "
        case .sw: return "Eeh, sawa, ngoja kidogo, basi. "
        case .fr: return "Alors, euh, voyons voir, bon. "
        }
    }

    static func fillerTail(_ language: LanguageCode) -> String {
        switch language {
        case .en: return "I hope that all makes sense, just let me know."
        case .sw: return "Natumaini umenielewa vizuri."
        case .fr: return "J'espère que c'est bien clair pour vous."
        }
    }

    /// "a, b or c".
    func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(or) " + items.last!
    }
}

/// What callers say to mean each intent, per language (folded, as `Tokens` folds).
enum MockIntentWords {
    /// Swahili verbs take their object and mood as prefixes and suffixes: futa, kufuta, ufute,
    /// nifutie, ifute, uifute, kuifuta are all "cancel", so each form is listed.
    static let cancel = ["cancel", "call off", "kufuta", "futa", "ifute", "ufute", "uifute", "nifutie", "unifutie", "niifutie", "kuifuta", "futilia", "nifutilie", "sitaki tena",
                         "annuler", "annulez", "annule"]
    static let reschedule = ["move", "reschedule", "change", "push", "bring forward", "kuhamisha", "hamisha", "uhamishe", "nihamishie", "unihamishie", "unihamishe", "ihamishe", "kuihamisha",
                             "badilisha", "kubadilisha", "ubadilishe", "nibadilishie", "unibadilishie", "ibadilishe", "kuibadilisha", "sogeza", "kusogeza", "nisogezee",
                             "deplacer", "changer", "reporter", "decaler", "avancer"]
    static let human = ["person", "human", "someone", "receptionist", "mtu", "binadamu", "mhudumu", "quelqu un", "personne", "humain", "conseiller"]
    static let book = ["book", "appointment", "like", "want", "get", "need", "kupanga", "panga", "nipangie", "unipangie", "nipange", "kuweka", "niwekee", "nataka", "naomba",
                       "ningependa", "miadi", "rendez vous", "voudrais", "prendre", "reserver"]
    /// Sounds that keep a conversation going without saying anything.
    static let fillers: Set<String> = ["mm", "mmm", "mhm", "mmh", "hm", "hmm", "uh", "um", "umm", "ah", "eh", "euh", "huh", "aha", "ehe", "mm hmm", "uh huh"]
    /// Everyday ways to name a service → the plain word the clinic's names use.
    static let colloquialServices: [(String, String)] = [
        ("teeth cleaned", "cleaning"), ("clean my teeth", "cleaning"), ("cleaned", "cleaning"), ("tooth out", "extraction"), ("tooth pulled", "extraction"),
        ("tooth taken out", "extraction"), ("check my teeth", "check-up"), ("look at my teeth", "check-up"), ("teeth checked", "check-up"),
        ("hole in my tooth", "filling"), ("hair braided", "braids"), ("braid my hair", "braids"), ("hair cut", "haircut"), ("cut my hair", "haircut"),
        ("kusafishwa meno", "cleaning"), ("nisafishwe meno", "cleaning"), ("kung oa jino", "extraction"), ("kung olewa jino", "extraction"), ("kuangaliwa meno", "check up"),
        ("nettoyer les dents", "nettoyage"), ("nettoyer mes dents", "nettoyage"), ("arracher une dent", "extraction"), ("enlever une dent", "extraction"),
        ("controler mes dents", "controle"), ("verifier mes dents", "controle"),
    ]
    static let first = ["first", "kwanza", "premier", "premiere"]
    static let second = ["second", "pili", "deuxieme"]
    static let third = ["third", "last", "tatu", "mwisho", "troisieme", "dernier"]
    static let nameIntro = ["my name is", "it s", "it is", "this is", "i am", "i m", "naitwa", "jina langu ni", "mimi ni", "je m appelle", "je suis", "c est"]
    static let rescheduleJoiners = ["to", "hadi", "mpaka", "a", "au", "pour"]
}
