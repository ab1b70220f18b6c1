import Foundation
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("Clinic files")
struct ClinicFileTests {
    @Test("the bundled clinics load with their hours, services and staff", arguments: ["whitedent-nairobi", "lagos-hair-studio", "abidjan-sourire"])
    func bundled(name: String) throws {
        let clinic = try BookingFixtures.clinic(name)
        #expect(clinic.id == name)
        #expect(!clinic.services.isEmpty && !clinic.staff.isEmpty)
        for service in clinic.services { #expect(!clinic.staff(for: service).isEmpty) }
    }

    @Test("Whitedent: Nairobi zone, four services, three dentists, lunch break, holidays")
    func whitedent() throws {
        let clinic = try BookingFixtures.clinic()
        #expect(clinic.timeZone.identifier == "Africa/Nairobi")
        #expect(clinic.services.map(\.id) == ["check-up", "cleaning", "filling", "extraction"])
        #expect(clinic.staff.map(\.id) == ["dr-wanjiru", "dr-kamau", "dr-achieng"])
        #expect(clinic.openingHours[1]?.map(\.description) == ["08:00-13:00", "14:00-18:00"])
        #expect(clinic.openingHours[7] == nil)
        #expect(clinic.closure(on: CivilDate(year: 2026, month: 4, day: 3))?.isPublicHoliday == true)
        #expect(clinic.service("cleaning")?.name(in: .sw) == "kusafisha meno")
        #expect(clinic.service("filling")?.staffIDs == ["dr-kamau", "dr-achieng"])
    }

    @Test("Lagos has four stylists; Abidjan answers in French first")
    func others() throws {
        #expect(try BookingFixtures.clinic("lagos-hair-studio").staff.count == 4)
        #expect(try BookingFixtures.clinic("lagos-hair-studio").timeZone.identifier == "Africa/Lagos")
        #expect(try BookingFixtures.clinic("abidjan-sourire").languages == [.fr, .en])
    }

    /// Each broken variant of the Whitedent file, with the line and field the error must name.
    static let broken: [(name: String, find: String, replace: String, line: Int, field: String)] = [
        ("unknown zone", "time_zone: Africa/Nairobi", "time_zone: Africa/Narobi", 5, "time_zone"),
        ("bad phone", "phone: \"+254709000100\"", "phone: \"0709 000 100\"", 6, "phone"),
        ("unknown language", "languages: [en, sw]", "languages: [en, zz]", 7, "languages[1]"),
        ("misspelt field", "slot_step_minutes: 15", "slot_stepminutes: 15", 8, "slot_stepminutes"),
        ("bad range", "  mon: [\"08:00-13:00\", \"14:00-18:00\"]\n  tue", "  mon: [\"08:00-13:00\", \"18:00-14:00\"]\n  tue", 11, "opening_hours.mon[1]"),
        ("unknown weekday", "  sat: [\"09:00-13:00\"]\nclosures", "  sa: [\"09:00-13:00\"]\nclosures", 16, "opening_hours.sa"),
        ("bad date", "2026-03-20", "2026-03-32", 18, "closures[0].date"),
        ("zero duration", "    duration_minutes: 30", "    duration_minutes: 0", 30, "services[0].duration_minutes"),
        ("unknown staff in a service", "    staff: [dr-kamau, dr-achieng]", "    staff: [dr-kamau, dr-odhiambo]", 51, "services[2].staff[1]"),
        ("missing price", "    price_kes: 4500\n", "", 34, "services[1].price_kes"),
        ("duplicate staff id", "  - id: dr-achieng", "  - id: dr-kamau", 79, "staff[2].id"),
        ("not yaml", "name: Whitedent Clinic", "name: [Whitedent Clinic", 4, "(yaml)"),
    ]

    @Test("broken clinic files are refused with file:line:field", arguments: 0..<broken.count)
    func refusesBroken(index: Int) throws {
        let case_ = Self.broken[index]
        let text = try BookingFixtures.text()
        #expect(text.contains(case_.find), "fixture drifted: \(case_.name)")
        let mutated = text.replacingOccurrences(of: case_.find, with: case_.replace)
        do {
            _ = try ClinicFile.parse(text: mutated, file: "whitedent.yaml")
            Issue.record("\(case_.name) was accepted")
        } catch {
            #expect(error.file == "whitedent.yaml")
            #expect(error.field == case_.field, "\(case_.name): \(error)")
            if case_.field != "(yaml)" { #expect(error.line == case_.line, "\(case_.name): \(error)") }
            #expect(error.description.hasPrefix("whitedent.yaml:\(error.line): \(error.field): "))
        }
    }

    @Test("a missing clinic file names the path")
    func missing() {
        #expect(throws: YAMLFileError(file: "/nope/clinic.yaml", line: 1, field: "(file)", reason: "no such file")) {
            try ClinicFile.load(path: "/nope/clinic.yaml")
        }
    }
}
