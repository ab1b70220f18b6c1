import MiadiLanguage
import Testing

@Suite("TermMatcher")
struct TermMatcherTests {
    static let services = TermMatcher(terms: [
        ("check-up", ["check-up", "checkup", "check", "uchunguzi", "contrôle", "visite de contrôle"]),
        ("cleaning", ["cleaning", "scale and polish", "kusafisha meno", "usafishaji", "détartrage", "nettoyage"]),
        ("filling", ["filling", "kuziba jino", "plombage"]),
        ("extraction", ["extraction", "pull a tooth", "kung'oa jino", "arracher une dent"]),
    ])

    static let cases: [(String, [String])] = [
        ("Hi, I'd like to book a cleaning next Thursday afternoon.", ["cleaning"]),
        ("Good afternoon. Can I get a check-up tomorrow morning?", ["check-up"]),
        ("Habari, nataka kupanga miadi ya kusafisha meno kesho asubuhi.", ["cleaning"]),
        ("Bonjour, je voudrais un rendez-vous pour un détartrage jeudi prochain après-midi.", ["cleaning"]),
        ("je dois déplacer mon plombage", ["filling"]),
        ("I need a filling and then a cleaning", ["filling", "cleaning"]),
        ("Bei ya kung'oa jino ni kiasi gani?", ["extraction"]),
        ("a CHECKUP please", ["check-up"]),
        ("une visite de contrôle", ["check-up"]),
        ("I'd like an extraction on Thursday.", ["extraction"]),
        ("Can you pull a tooth?", ["extraction"]),
        ("cleanings are expensive", []),
        ("nothing here", []),
    ]

    @Test("finds services by their synonyms in any language", arguments: cases)
    func services(text: String, expected: [String]) {
        #expect(Self.services.matches(in: text) == expected)
    }

    @Test("staff names match with or without a title, and longer names win")
    func staff() {
        let staff = TermMatcher(terms: [("dr-wanjiru", ["Dr Wanjiru", "Doctor Wanjiru", "Wanjiru"]), ("dr-wanjiru-kamau", ["Wanjiru Kamau"])])
        #expect(staff.firstMatch(in: "Can I see Doctor Wanjiru?") == "dr-wanjiru")
        #expect(staff.firstMatch(in: "with Wanjiru Kamau please") == "dr-wanjiru-kamau")
        #expect(staff.firstMatch(in: "anyone is fine") == nil)
    }
}
