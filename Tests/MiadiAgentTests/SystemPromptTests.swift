import Foundation
import MiadiAgent
import MiadiBooking
import MiadiLanguage
import Testing

@Suite("System prompt")
struct SystemPromptTests {
    @Test("the bundled template renders with the clinic's facts")
    func bundled() throws {
        let clinic = try ClinicFile.load(path: AgentHarness.root + "/Scenarios/clinics/whitedent-nairobi.yaml")
        let template = try String(contentsOfFile: AgentHarness.root + "/Prompts/system.md", encoding: .utf8)
        let prompt = try SystemPrompt.render(template: template, clinic: clinic, today: CivilDate(year: 2026, month: 3, day: 2), language: .en)
        #expect(prompt.contains("You are the receptionist of Whitedent Clinic"))
        #expect(prompt.contains("Today is Monday the 2nd of March (2026-03-02) (Africa/Nairobi)"))
        #expect(prompt.contains("- cleaning (id cleaning): 45 minutes, 4,500 shillings; with Dr Wanjiru, Dr Kamau, Dr Achieng"))
        #expect(prompt.contains("- Sunday: closed"))
        #expect(prompt.contains("- closed on 2026-03-20: staff training"))
        #expect(prompt.contains("English, Swahili"))
        #expect(!prompt.contains("{{"))
    }

    @Test("an unknown placeholder names its line")
    func unknown() throws {
        let clinic = try ClinicFile.load(path: AgentHarness.root + "/Scenarios/clinics/whitedent-nairobi.yaml")
        #expect(throws: SystemPrompt.TemplateError(file: "my.md", line: 2, placeholder: "clinic_nmae")) {
            try SystemPrompt.render(template: "Hello\nThis is {{clinic_nmae}}.", file: "my.md", clinic: clinic, today: CivilDate(year: 2026, month: 3, day: 2), language: .en)
        }
    }
}
