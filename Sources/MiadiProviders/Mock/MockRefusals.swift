import MiadiLanguage

extension MockLines {
    /// What the mock says when a tool refuses, in the call's language. The engine's refusals
    /// are English sentences with a `code` beside them: a live model says them in the caller's
    /// language, the rule-based mock cannot translate, so it has a line of its own for each
    /// refusal a caller can meet and a plain apology for the rest. `nil` in English: the
    /// engine's own sentence is said as it is.
    static func refusal(code: String?, language: LanguageCode) -> String? {
        switch language {
        case .en:
            return nil
        case .fr:
            switch code {
            case "slot_unavailable": return "Ce créneau n'est pas disponible."
            case "slot_taken": return "Ce créneau vient d'être pris."
            case "in_the_past": return "Cette heure est déjà passée."
            case "not_your_appointment", "no_such_appointment": return "Je ne peux pas modifier ce rendez-vous depuis ce numéro."
            case "proposal_expired", "proposal_released": return "La réservation provisoire a expiré."
            default: return "Désolé, cela n'a pas marché."
            }
        case .sw:
            switch code {
            case "slot_unavailable": return "Nafasi hiyo haipatikani."
            case "slot_taken": return "Nafasi hiyo imechukuliwa sasa hivi."
            case "in_the_past": return "Saa hiyo imeshapita."
            case "not_your_appointment", "no_such_appointment": return "Siwezi kubadilisha miadi hiyo kwa namba hii."
            case "proposal_expired", "proposal_released": return "Nafasi uliyoshikiliwa imeisha muda."
            default: return "Samahani, hilo halikufaulu."
            }
        }
    }
}
