import MiadiCorpus
import MiadiLanguage

extension MockHearing {
    /// The mock model's ears for a corpus: the fingerprint of every line, with its text and
    /// language.
    public init(corpus: Corpus) throws(CorpusError) {
        var lines: [String: (text: String, language: LanguageCode)] = [:]
        for entry in corpus.entries { lines[entry.id] = (entry.text, LanguageCode(rawValue: entry.language) ?? .en) }
        self.init(index: try corpus.fingerprintIndex(), lines: lines)
    }

    /// The ears for the corpus in `corpusDirectory` (its `manifest.json` and audio files).
    public static func load(corpusDirectory: String) throws(CorpusError) -> MockHearing {
        try MockHearing(corpus: Corpus.load(directory: corpusDirectory))
    }
}

extension Corpus {
    /// The mock model's ears for this corpus.
    public func mockHearing() throws(CorpusError) -> MockHearing { try MockHearing(corpus: self) }
}
