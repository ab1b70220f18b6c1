import MiadiLanguage

/// What the agent is asking, recognised from its words in any supported language, so that a
/// scripted caller answers a model that asks in another order or other words.
public enum QuestionKind: String, Sendable, CaseIterable {
    case confirm, rebook, which, name, staff, time, day, service

    /// Cue phrases per kind (folded as `Tokens` folds), checked in this order.
    static let cues: [(QuestionKind, [String])] = [
        (.confirm, ["shall i", "is that right", "is that correct", "can i confirm", "nithibitishe", "je confirme", "c est bien ca", "confirm"]),
        (.rebook, ["book another", "another time", "kupanga siku nyingine", "autre rendez vous"]),
        (.which, ["which appointment", "miadi ipi", "quel rendez vous"]),
        (.name, ["your name", "jina lako", "votre nom", "name"]),
        (.staff, ["which dentist", "who would you like", "daktari gani", "quel praticien", "which stylist"]),
        (.time, ["what time", "which time", "saa ngapi", "saa ipi", "quelle heure"]),
        (.day, ["which day", "what day", "siku gani", "quel jour"]),
        (.service, ["which treatment", "which service", "huduma gani", "quel soin"]),
    ]

    /// The question the text asks, if any.
    public static func asked(in text: String) -> QuestionKind? {
        let tokens = Tokens(text)
        for (kind, phrases) in cues where phrases.contains(where: { tokens.contains(phrase: $0) }) { return kind }
        return nil
    }

    /// Whether the text says goodbye.
    public static func isGoodbye(_ text: String) -> Bool {
        let tokens = Tokens(text)
        return ["goodbye", "kwaheri", "au revoir"].contains { tokens.contains(phrase: $0) }
    }
}
