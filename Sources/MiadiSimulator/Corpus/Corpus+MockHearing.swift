import MiadiLanguage
import MiadiProviders

extension Corpus {
    /// The mock model's ears for this corpus: the fingerprint of every line, with its text and
    /// language.
    public func mockHearing() throws(CorpusError) -> MockHearing {
        var lines: [String: (text: String, language: LanguageCode)] = [:]
        for entry in entries { lines[entry.id] = (entry.text, LanguageCode(rawValue: entry.language) ?? .en) }
        return MockHearing(index: try fingerprintIndex(), lines: lines)
    }
}
