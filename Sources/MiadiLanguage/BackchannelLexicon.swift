/// The words a listener says over a speaker to show they follow ("mm-hmm", "sawa", "d'accord"):
/// not a turn of their own. The bridge asks it when the caller made a short sound over the
/// agent and the model wrote down what it heard: a backchannel lets the agent resume, any other
/// words ("no", "wait") are a barge-in.
///
/// One list for the three languages, because a caller may nod in another language than the
/// call's ("okay" in a Swahili call) and no word here means anything else in the others.
public enum BackchannelLexicon {
    /// Normalised as `Tokens` normalises ("mm-hmm" → "mm hmm", "d'accord" → "d accord").
    public static let phrases: [LanguageCode: [String]] = [
        .en: ["mm hmm", "mhm", "mm", "hmm", "uh huh", "okay", "ok", "right", "yeah", "yep", "sure", "i see", "got it", "alright"],
        .sw: ["sawa", "ndiyo", "ndio", "eeh", "ee", "aha", "mhm", "mm", "naam", "haya", "sawa sawa"],
        .fr: ["d accord", "oui", "ouais", "mm", "hum", "ok", "okay", "entendu", "je vois", "bien sur"],
    ]

    /// Every phrase, longest first (so "sawa sawa" is taken whole before "sawa").
    private static let all: [[String]] = {
        var seen: Set<String> = []
        var out: [[String]] = []
        for language in LanguageCode.allCases {
            for phrase in phrases[language] ?? [] where seen.insert(phrase).inserted {
                out.append(phrase.split(separator: " ").map(String.init))
            }
        }
        return out.sorted { $0.count > $1.count }
    }()

    /// Whether `text` is nothing but backchannel words (at most four), in any of the languages.
    /// Empty text is not: a sound with no words is judged by the caller of this, not here.
    public static func isBackchannel(_ text: String) -> Bool {
        var words = Tokens(text).words[...]
        guard !words.isEmpty, words.count <= 4 else { return false }
        while !words.isEmpty {
            guard let phrase = all.first(where: { words.starts(with: $0) }) else { return false }
            words = words.dropFirst(phrase.count)
        }
        return true
    }
}
