import Foundation
import Synchronization

/// Text prepared for recognition: lower-cased, diacritics folded ("après" → "apres"),
/// punctuation turned into spaces except inside clock times ("15:30", "15h30"), hyphens and
/// apostrophes split ("dix-sept" → "dix sept", "l'après-midi" → "l apres midi"),
/// "a.m."/"p.m." joined to "am"/"pm".
public struct Tokens: Sendable {
    public let words: [String]

    public init(_ text: String) {
        if let hit = Self.memo.withLock({ $0[text] }) {
            words = hit
            return
        }
        let words = Self.tokenise(text)
        Self.memo.withLock { memo in
            if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[text] = words
        }
        self.words = words
    }

    /// Tokenised texts, because the same lines are read again and again (every phrasebook asks
    /// of the same transcript, the lab replays the same scripts) and folding through Foundation
    /// costs microseconds each time. Bounded: cleared when full, so a long `serve` never grows it.
    private static let memo = Mutex<[String: [String]]>([:])
    private static let memoLimit = 4096

    private static func tokenise(_ text: String) -> [String] {
        var s = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        for (from, to) in [("a.m.", " am "), ("p.m.", " pm "), ("o'clock", " oclock "), ("o’clock", " oclock "), ("’", "'")] {
            s = s.replacingOccurrences(of: from, with: to)
        }
        var out: [String] = []
        var current = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            let keepColon = c == ":" && i > 0 && i + 1 < chars.count && chars[i - 1].isNumber && chars[i + 1].isNumber
            if c.isLetter || c.isNumber || keepColon {
                current.append(c)
            } else {
                if !current.isEmpty { out.append(current); current = "" }
            }
        }
        if !current.isEmpty { out.append(current) }
        // "3pm" → "3", "pm"; "5th" stays (ordinals are matched whole).
        return out.flatMap { w -> [String] in
            for suffix in ["am", "pm"] where w.hasSuffix(suffix) && w.count > 2 && Int(w.dropLast(2)) != nil {
                return [String(w.dropLast(2)), suffix]
            }
            return [w]
        }
    }

    var count: Int { words.count }
    subscript(i: Int) -> String? { i >= 0 && i < words.count ? words[i] : nil }

    public func contains(_ word: String) -> Bool { words.contains(word) }

    /// Whether the words of `phrase` (already normalised, space-separated) occur in sequence.
    public func contains(phrase: String) -> Bool { firstIndex(of: phrase) != nil }

    public func firstIndex(of phrase: String) -> Int? {
        let parts = phrase.split(separator: " ").map(String.init)
        guard !parts.isEmpty, parts.count <= words.count else { return nil }
        for i in 0...(words.count - parts.count) where Array(words[i..<(i + parts.count)]) == parts { return i }
        return nil
    }

    /// The same words with every occurrence of these phrases (normalised) taken out: "good
    /// morning" is a greeting, not a part of the day.
    public func removing(_ phrases: [String]) -> Tokens {
        var words = self.words
        for phrase in phrases {
            let parts = phrase.split(separator: " ").map(String.init)
            var i = 0
            while i + parts.count <= words.count {
                if Array(words[i..<(i + parts.count)]) == parts { words.removeSubrange(i..<(i + parts.count)) } else { i += 1 }
            }
        }
        return words == self.words ? self : Tokens(words.joined(separator: " "))
    }

    /// Normalises a phrase the same way as text, for comparisons.
    public static func normalise(_ phrase: String) -> String { Tokens(phrase).words.joined(separator: " ") }
}
