/// Finds which known terms (services, staff) a transcript names, by their synonyms in any
/// language: "a cleaning", "kusafisha meno" and "un détartrage" all name `cleaning`.
///
/// Matching is on whole words after the same normalisation as dates and times (case and
/// accents folded, hyphens split), longest phrase first, so "check-up" is not read as "check".
public struct TermMatcher: Sendable {
    private let phrases: [(id: String, words: [String])]

    /// `terms`: each id with its phrases. Ids keep the order given; phrases may repeat across ids
    /// (the first id wins).
    public init(terms: [(id: String, phrases: [String])]) {
        var list: [(String, [String])] = []
        for term in terms {
            for phrase in term.phrases {
                let words = Tokens(phrase).words
                if !words.isEmpty { list.append((term.id, words)) }
            }
        }
        // Stable sort: longer phrases first, then the given order.
        phrases = list.enumerated().sorted { a, b in
            a.element.1.count != b.element.1.count ? a.element.1.count > b.element.1.count : a.offset < b.offset
        }.map { (id: $0.element.0, words: $0.element.1) }
    }

    /// The ids named in `text`, in the order they first appear, each once.
    public func matches(in text: String) -> [String] {
        let tokens = Tokens(text).words
        var taken = [Bool](repeating: false, count: tokens.count)
        var found: [(position: Int, id: String)] = []
        for (id, words) in phrases where words.count <= tokens.count {
            for start in 0...(tokens.count - words.count) {
                let range = start..<(start + words.count)
                guard !range.contains(where: { taken[$0] }), Array(tokens[range]) == words else { continue }
                for i in range { taken[i] = true }
                found.append((start, id))
            }
        }
        var seen = Set<String>()
        return found.sorted { $0.position < $1.position }.compactMap { seen.insert($0.id).inserted ? $0.id : nil }
    }

    /// The first id named in `text`, if any.
    public func firstMatch(in text: String) -> String? { matches(in: text).first }
}
