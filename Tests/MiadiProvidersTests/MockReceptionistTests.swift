import Foundation
import MiadiBooking
import MiadiLanguage
@testable import MiadiProviders
import Testing

/// The mock as a receptionist meeting wording the bundled scenarios never used: corrections
/// carried in a no, "the Tuesday after", Swahili verb forms, a caller whose surname is a
/// dentist's, greetings, closed days, everyday service names, narrow windows, and lines it
/// cannot read (a safe "please repeat", never a guess that books).
@Suite("Mock receptionist: new wording")
struct MockReceptionistTests {
    static let now = "2026-03-02T09:15:00+03:00"   // Monday

    /// Books up to the read-back: returns the call waiting for the caller's answer.
    static func toReadBack(_ lines: [String], _ language: LanguageCode, clinic: String = "whitedent-nairobi", now: String = now) async throws -> TextCall {
        var call = try await TextCall(clinic: clinic, now: now, caller: "+254711000777")
        await call.run(call.policy.greet())
        for line in lines { await call.caller(line, language) }
        return call
    }

    static let corrections: [(LanguageCode, [String], String, String, String)] = [
        (.en, ["I'd like a cleaning on Wednesday at ten a.m.", "It's Amina."], "No, sorry, Thursday.", "Thursday the 5th of March", "2026-03-05"),
        (.fr, ["Je voudrais un détartrage mercredi à 10 heures.", "Je m'appelle Aya."], "Non, finalement vendredi.", "vendredi 6 mars", "2026-03-06"),
        (.sw, ["Nataka kusafisha meno Jumatano saa nne asubuhi.", "Naitwa Baraka."], "Hapana, Alhamisi.", "Alhamisi tarehe 5 Machi", "2026-03-05"),
    ]

    @Test("a no that carries the correction is taken in, and the corrected slot is booked", arguments: corrections)
    func correction(language: LanguageCode, lines: [String], no: String, corrected: String, date: String) async throws {
        var call = try await Self.toReadBack(lines, language)
        #expect(call.lastAgentLine.contains(language == .en ? "Wednesday" : language == .fr ? "mercredi" : "Jumatano"), "\(call.transcript)")
        await call.caller(no, language)
        // The corrected day is searched and offered, not the old one, and nothing is booked yet.
        #expect(try await call.engine.allAppointments().isEmpty)
        let offered = call.lastAgentLine
        await call.caller(language == .en ? "The first one." : language == .fr ? "Le premier." : "Ya kwanza.", language)
        #expect(call.lastAgentLine.contains(corrected), "\(call.transcript) (offered: \(offered))")
        await call.caller(language == .en ? "Yes." : language == .fr ? "Oui." : "Ndiyo.", language)
        let booked = try await call.engine.allAppointments()
        #expect(booked.count == 1)
        #expect(ClinicTime(zone: call.engine.clinic.timeZone).localISO(booked[0].start).hasPrefix(date), "\(call.transcript)")
    }

    @Test("'the Tuesday after' is a week after the coming Tuesday", arguments: [
        (LanguageCode.en, "Can I book a cleaning the Tuesday after at ten a.m.?"),
        (.fr, "Je voudrais un détartrage le mardi d'après à 10 heures."),
        (.sw, "Nataka kusafisha meno Jumanne inayofuata saa nne asubuhi."),
    ])
    func tuesdayAfter(language: LanguageCode, line: String) {
        #expect(language.phrasebook.recogniseDate(in: line, today: CivilDate(year: 2026, month: 3, day: 2))?.description == "2026-03-10")
    }

    @Test("Swahili verb forms name the intent", arguments: [
        ("Naomba ufute miadi yangu.", MockPolicy.Intent.cancel), ("Nifutie miadi ya kesho.", .cancel), ("Nataka kufuta miadi.", .cancel), ("Futa miadi yangu.", .cancel),
        ("Naomba unihamishie miadi.", .reschedule), ("Nibadilishie miadi yangu.", .reschedule), ("Nataka kubadilisha miadi.", .reschedule),
        ("Nipangie miadi kesho.", .book), ("Ningependa kupanga miadi.", .book),
    ])
    func swahiliVerbs(line: String, intent: MockPolicy.Intent) {
        #expect(MockPolicy.intent(Tokens(line)).map { "\($0)" } == "\(intent)", "\(line)")
    }

    @Test("a caller whose surname is a dentist's books with whoever is free, not that dentist")
    func surnameIsStaff() async throws {
        var call = try await Self.toReadBack(["I'd like a check-up tomorrow at nine a.m.", "My name is Amina Kamau."], .en)
        #expect(!call.transcript.contains { $0.contains("\"staff\":\"dr-kamau\"") && $0.hasPrefix("tool: propose_booking") } || call.lastAgentLine.contains("Dr Wanjiru"), "\(call.transcript)")
        #expect(call.lastAgentLine.contains("Dr Wanjiru"), "the first dentist free at nine, not the caller's namesake: \(call.transcript)")
        await call.caller("Yes.", .en)
        #expect(try await call.engine.allAppointments().first?.staffID == "dr-wanjiru")
        // Asked for by name, the dentist is chosen.
        var asked = try await Self.toReadBack(["I'd like a check-up tomorrow at nine a.m. with Kamau.", "It's Amina."], .en)
        #expect(asked.lastAgentLine.contains("Dr Kamau"), "\(asked.transcript)")
        await asked.caller("Yes.", .en)
        #expect(try await asked.engine.allAppointments().first?.staffID == "dr-kamau")
    }

    @Test("a greeting is not a window of the day", arguments: [
        (LanguageCode.en, "Good morning, I'd like a cleaning tomorrow at three p.m."),
        (.sw, "Habari za asubuhi, nataka kusafisha meno kesho saa tisa mchana."),
        (.fr, "Bonjour, je voudrais un détartrage demain à 15 heures."),
    ])
    func greeting(language: LanguageCode, line: String) async throws {
        let book = language.phrasebook
        let window = try #require(book.recogniseWindow(in: line, today: CivilDate(year: 2026, month: 3, day: 2)))
        #expect(window.from == ClockTime(hour: 0) || window.from == ClockTime(hour: 12), "\(line)")
        #expect(book.recogniseTime(in: line) == ClockTime(hour: 15), "\(line)")
        #expect(EnglishPhrasebook().recogniseDayPart(in: "I am free tomorrow") == nil)
    }

    @Test("a closed day is said as closed, with the next open day offered", arguments: [
        (LanguageCode.en, "I'd like a cleaning on the 20th of March in the morning.", "closed on Friday the 20th of March for staff training", "Saturday the 21st of March", "Yes, that's fine."),
        (.en, "I'd like a check-up on Sunday morning.", "closed on Sunday the 8th of March", "Monday the 9th of March", "Yes, that's fine."),
        (.fr, "Je voudrais un détartrage dimanche matin.", "fermés le dimanche 8 mars", "lundi 9 mars", "Oui, d'accord."),
        (.sw, "Nataka kusafisha meno Jumapili asubuhi.", "tumefungwa Jumapili tarehe 8 Machi", "Jumatatu tarehe 9 Machi", "Ndiyo, sawa."),
    ])
    func closedDay(language: LanguageCode, line: String, closed: String, next: String, yes: String) async throws {
        var call = try await Self.toReadBack([line, language == .en ? "It's Amina." : language == .fr ? "Je m'appelle Aya." : "Naitwa Baraka."], language)
        #expect(call.lastAgentLine.contains(closed), "\(call.transcript)")
        #expect(call.lastAgentLine.contains(next), "\(call.transcript)")
        #expect(!call.transcript.contains { $0.contains("nothing is free") || $0.contains("rien n'est libre") || $0.contains("hakuna nafasi") })
        await call.caller(yes, language)
        // The next open day's slots are offered.
        #expect(call.transcript.contains { $0.hasPrefix("tool: find_slots") && $0.contains(language == .en && line.contains("20th") ? "2026-03-21" : "2026-03-09") }, "\(call.transcript)")
    }

    @Test("everyday names of a service", arguments: [
        (LanguageCode.en, "Hi, I need to get my teeth cleaned tomorrow.", "cleaning"),
        (.en, "I have to have a tooth pulled on Friday.", "extraction"),
        (.sw, "Nataka kung'oa jino kesho.", "extraction"),
        (.fr, "Je voudrais faire nettoyer les dents demain.", "cleaning"),
    ])
    func colloquial(language: LanguageCode, line: String, service: String) async throws {
        let call = try await Self.toReadBack([line], language)
        #expect(call.policy.understood.service == service, "\(call.transcript)")
    }

    @Test("'late morning' is a narrower window than the morning", arguments: [
        (LanguageCode.en, "I'd like a cleaning tomorrow, late morning please.", 10, 12),
        (.fr, "Je voudrais un détartrage demain en fin de matinée.", 10, 12),
        (.en, "A check-up on Thursday in the late afternoon.", 15, 18),
    ])
    func narrow(language: LanguageCode, line: String, from: Int, to: Int) async throws {
        var call = try await Self.toReadBack([line, language == .en ? "It's Amina." : "Je m'appelle Aya."], language)
        let offer = call.lastAgentLine
        let times = call.transcript.filter { $0.hasPrefix("tool: find_slots") }
        #expect(!times.isEmpty, "\(call.transcript)")
        await call.caller(language == .en ? "The first one." : "Le premier.", language)
        let readBack = call.lastAgentLine
        let time = try #require(language.phrasebook.recogniseTime(in: readBack), "\(call.transcript)")
        #expect(time >= ClockTime(hour: from) && time < ClockTime(hour: to), "offered \(offer); read back \(readBack)")
    }

    @Test("wording it cannot read gets a safe 'please repeat', and never books")
    func unknownWording() async throws {
        var call = try await Self.toReadBack(["I'd like a cleaning tomorrow at ten a.m.", "It's Amina."], .en)
        #expect(call.lastAgentLine.contains("Shall I book it?"))
        await call.caller("Hmm, well, the thing is, you know.", .en)
        #expect(call.lastAgentLine.contains("So that's"), "the read-back again: \(call.transcript)")
        await call.caller("Hmm, well, the thing is, you know.", .en)
        #expect(call.lastAgentLine.contains("didn't catch"), "\(call.transcript)")
        #expect(try await call.engine.allAppointments().isEmpty)
        var fresh = try await TextCall(now: Self.now, caller: "+254711000778")
        await fresh.run(fresh.policy.greet())
        await fresh.caller("Hmm, well, the thing is, you know.", .en)
        #expect(fresh.lastAgentLine.contains("didn't catch"), "\(fresh.transcript)")
    }
}
