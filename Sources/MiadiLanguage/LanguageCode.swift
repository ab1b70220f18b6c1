/// A language Miadi speaks and understands. The design leaves room for more (am, yo, ha): a new
/// language is one new `Phrasebook`.
public enum LanguageCode: String, Sendable, CaseIterable, Codable, Comparable {
    case en, sw, fr

    public static func < (a: LanguageCode, b: LanguageCode) -> Bool { a.rawValue < b.rawValue }

    /// The phrasebook that speaks and recognises this language.
    public var phrasebook: any Phrasebook {
        switch self {
        case .en: return EnglishPhrasebook()
        case .sw: return SwahiliPhrasebook()
        case .fr: return FrenchPhrasebook()
        }
    }
}
