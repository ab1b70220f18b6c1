import MiadiLanguage
import Testing

@Suite("Backchannels: words that are not a turn")
struct BackchannelLexiconTests {
    @Test("nods in en, sw and fr are backchannels", arguments: ["Mm-hmm.", "Okay.", "Uh-huh, yeah.", "Sawa.", "Ndiyo.", "Eeh, sawa sawa.", "D'accord.", "Oui.", "Hum, d'accord.", "OK, right."])
    func nods(text: String) {
        #expect(BackchannelLexicon.isBackchannel(text))
    }

    @Test("anything with a word of its own is a turn", arguments: ["No.", "Wait.", "Mm-hmm, actually no.", "Okay, Thursday then.", "Hapana.", "Non, jeudi.", "", "Okay okay okay okay okay."])
    func turns(text: String) {
        #expect(!BackchannelLexicon.isBackchannel(text))
    }
}
