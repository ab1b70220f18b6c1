/// Reads numbers written as digits or words ("twenty one", "kumi na mbili", "dix-sept") at a
/// position in a token list. Each language gives its words; the combining rule is shared:
/// a ten, optionally followed by a joiner ("na", "et") and a unit.
struct NumberWords: Sendable {
    /// Words with their value below the tens (1…19 or so).
    let units: [String: Int]
    /// Multiples of ten that can take a unit after them.
    let tens: [String: Int]
    /// Words that may sit between a ten and its unit ("na" in Swahili, "et" in French).
    let joiners: Set<String>

    /// The number at `i` and how many tokens it used.
    func read(_ tokens: Tokens, at i: Int) -> (value: Int, length: Int)? {
        guard let word = tokens[i] else { return nil }
        if let n = Int(word) { return (n, 1) }
        // Two-word units ("dix sept" = 17) before one-word ones.
        if let next = tokens[i + 1], let v = units["\(word) \(next)"] { return (v, 2) }
        if let ten = tens[word] {
            if let next = tokens[i + 1] {
                if joiners.contains(next), let after = tokens[i + 2], let u = units[after], u < 10 {
                    return (ten + u, 3)
                }
                if let u = units[next], u < 10 { return (ten + u, 2) }
                if let u2 = tokens[i + 2], let v = units["\(next) \(u2)"], v < 10 { return (ten + v, 3) }
            }
            return (ten, 1)
        }
        if let u = units[word] {
            // Swahili "kumi na mbili" = 12: kumi is a ten that also stands alone as a unit.
            return (u, 1)
        }
        return nil
    }
}
