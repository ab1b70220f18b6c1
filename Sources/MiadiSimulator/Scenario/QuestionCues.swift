/// How agents really ask each kind of question, per language: the table the scripted caller
/// recognises questions by (phrases folded as `Tokens` folds: lower case, no accents, no
/// punctuation). Rows are checked in order, so a more specific question (a read-back's
/// "shall I book it", an offer to book again) wins over the words it contains ("book", "day").
/// Every row is tested with real wording (`QuestionCueTests`); add the wording a new model
/// uses here, with a test.
enum QuestionCues {
    struct Cue: Sendable {
        let kind: QuestionKind
        let language: LanguageTag
        let phrases: [String]
        /// Other questions the same words may be, tried when the caller has no answer to this one.
        var alsoMeans: [QuestionKind] = []
    }

    enum LanguageTag: String, Sendable { case en, sw, fr }

    static let table: [Cue] = [
        Cue(kind: .confirm, language: .en, phrases: ["shall i", "is that right", "is that correct", "can i confirm", "should i go ahead", "do you confirm", "does that sound right", "confirm"]),
        Cue(kind: .confirm, language: .sw, phrases: ["nithibitishe", "uthibitishe", "unathibitisha", "ni sahihi"]),
        Cue(kind: .confirm, language: .fr, phrases: ["je confirme", "c est bien ca", "vous confirmez", "confirmez vous", "je valide", "c est correct"]),
        Cue(kind: .rebook, language: .en, phrases: ["book another", "another appointment", "make another"]),
        Cue(kind: .rebook, language: .sw, phrases: ["kupanga siku nyingine", "miadi nyingine", "kupanga tena"]),
        Cue(kind: .rebook, language: .fr, phrases: ["autre rendez vous", "reprendre rendez vous"]),
        Cue(kind: .which, language: .en, phrases: ["which appointment", "which booking", "which one"], alsoMeans: [.time]),
        Cue(kind: .which, language: .sw, phrases: ["miadi ipi", "ipi kati ya", "ni ipi"], alsoMeans: [.time]),
        Cue(kind: .which, language: .fr, phrases: ["quel rendez vous", "lequel", "laquelle"], alsoMeans: [.time]),
        Cue(kind: .staff, language: .en, phrases: ["which dentist", "which doctor", "which stylist", "who would you like", "preference for"]),
        Cue(kind: .staff, language: .sw, phrases: ["daktari gani", "daktari yupi", "ungependa nani"]),
        Cue(kind: .staff, language: .fr, phrases: ["quel praticien", "quel medecin", "quel docteur", "quelle coiffeuse", "avec qui"]),
        Cue(kind: .name, language: .en, phrases: ["your name", "who am i speaking", "name"]),
        Cue(kind: .name, language: .sw, phrases: ["jina lako", "jina"]),
        Cue(kind: .name, language: .fr, phrases: ["votre nom", "nom"]),
        Cue(kind: .time, language: .en, phrases: ["what time", "which time", "another time", "what hour", "which slot", "which of these", "which suits"]),
        Cue(kind: .time, language: .sw, phrases: ["saa ngapi", "saa ipi", "muda gani", "wakati gani", "nafasi ipi"]),
        Cue(kind: .time, language: .fr, phrases: ["quelle heure", "quel horaire", "quel creneau", "autre heure"]),
        Cue(kind: .day, language: .en, phrases: ["which day", "what day", "another day", "which date", "what date", "when would you like", "when would suit"]),
        Cue(kind: .day, language: .sw, phrases: ["siku gani", "siku nyingine", "siku ipi", "tarehe gani", "lini"]),
        Cue(kind: .day, language: .fr, phrases: ["quel jour", "autre jour", "quelle date", "quand souhaitez vous", "quand voulez vous"]),
        Cue(kind: .service, language: .en, phrases: ["which treatment", "which service", "what treatment", "what service", "what can we do for you"]),
        Cue(kind: .service, language: .sw, phrases: ["huduma gani", "huduma ipi", "matibabu gani"]),
        Cue(kind: .service, language: .fr, phrases: ["quel soin", "quel service", "quelle prestation"]),
    ]

    /// An agent that did not catch the caller: the caller says its last line again.
    static let repeatRequests: [String] = [
        "repeat", "say that again", "say it again", "didn t catch", "did not catch", "come again", "pardon",
        "kurudia", "rudia", "sikusikia", "sijasikia",
        "repeter", "repetez", "pas bien compris", "pas compris", "redire",
    ]
}
