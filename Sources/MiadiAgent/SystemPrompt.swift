import Foundation
import MiadiBooking
import MiadiLanguage

/// The instructions a live model gets, from a template users can edit (`Prompts/system.md`),
/// with the clinic's facts filled in: `{{clinic_name}}`, `{{today}}`, `{{time_zone}}`,
/// `{{language_name}}`, `{{languages}}`, `{{services}}`, `{{staff}}`, `{{hours}}`.
/// An unknown placeholder is an error naming its line, so a typo never reaches a caller.
public enum SystemPrompt {
    public struct TemplateError: Error, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let placeholder: String

        public init(file: String, line: Int, placeholder: String) {
            self.file = file
            self.line = line
            self.placeholder = placeholder
        }

        public var description: String { "\(file):\(line): unknown placeholder {{\(placeholder)}}; known: \(SystemPrompt.placeholders.joined(separator: ", "))" }
    }

    public static let placeholders = ["clinic_name", "today", "time_zone", "language_name", "languages", "services", "staff", "hours"]

    public static func render(template: String, file: String = "Prompts/system.md", clinic: Clinic, today: CivilDate, language: LanguageCode) throws(TemplateError) -> String {
        let values = facts(clinic: clinic, today: today, language: language)
        var out = ""
        for (index, line) in template.components(separatedBy: "\n").enumerated() {
            var rest = Substring(line)
            var rendered = ""
            while let open = rest.range(of: "{{") {
                rendered += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else { rendered += rest[open.lowerBound...]; rest = ""; break }
                let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                guard let value = values[name] else { throw TemplateError(file: file, line: index + 1, placeholder: name) }
                rendered += value
                rest = rest[close.upperBound...]
            }
            out += rendered + rest + "\n"
        }
        return String(out.dropLast())
    }

    static func facts(clinic: Clinic, today: CivilDate, language: LanguageCode) -> [String: String] {
        let book = language.phrasebook
        let names: [LanguageCode: String] = [.en: "English", .sw: "Swahili", .fr: "French"]
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let services = clinic.services.map { s in
            "- \(s.name(in: language)) (id \(s.id)): \(book.speak(durationMinutes: s.durationMinutes)), \(book.speak(priceKES: s.priceKES)); with " +
                clinic.staff(for: s).map(\.name).joined(separator: ", ")
        }
        let staff = clinic.staff.map { "- \($0.name) (id \($0.id))" }
        let hours = (1...7).map { day -> String in
            let ranges = clinic.openingHours[day] ?? []
            return "- \(weekdays[day - 1]): " + (ranges.isEmpty ? "closed" : ranges.map(\.description).joined(separator: ", "))
        } + clinic.closures.filter { $0.date >= today }.prefix(5).map { "- closed on \($0.date): \($0.reason)" }
        return [
            "clinic_name": clinic.name, "today": "\(book.speak(date: today)) (\(today))", "time_zone": clinic.timeZone.identifier,
            "language_name": names[language] ?? language.rawValue, "languages": clinic.languages.map { names[$0] ?? $0.rawValue }.joined(separator: ", "),
            "services": services.joined(separator: "\n"), "staff": staff.joined(separator: "\n"), "hours": hours.joined(separator: "\n"),
        ]
    }
}
