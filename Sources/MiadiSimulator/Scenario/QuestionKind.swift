import MiadiLanguage

/// What the agent is asking, recognised from its words in any supported language, so that a
/// scripted caller answers a model that asks in another order or other words.
public enum QuestionKind: String, Sendable, CaseIterable {
    case confirm, rebook, which, name, staff, time, day, service

    /// The questions the text asks, most likely first: a caller answers the first it has an
    /// answer for ("Which one?" after a list of times may mean the appointment or the time).
    public static func candidates(in text: String) -> [QuestionKind] {
        let tokens = Tokens(text)
        var out: [QuestionKind] = []
        for cue in QuestionCues.table where !out.contains(cue.kind) && cue.phrases.contains(where: { tokens.contains(phrase: $0) }) {
            out.append(cue.kind)
            out += cue.alsoMeans.filter { !out.contains($0) }
        }
        return out
    }

    /// The question the text asks, if any.
    public static func asked(in text: String) -> QuestionKind? { candidates(in: text).first }

    /// Whether the agent asks the caller to say it again.
    public static func asksToRepeat(_ text: String) -> Bool {
        let tokens = Tokens(text)
        return QuestionCues.repeatRequests.contains { tokens.contains(phrase: $0) }
    }

    /// Whether the text says goodbye.
    public static func isGoodbye(_ text: String) -> Bool {
        let tokens = Tokens(text)
        return ["goodbye", "bye", "kwaheri", "au revoir"].contains { tokens.contains(phrase: $0) }
    }
}
