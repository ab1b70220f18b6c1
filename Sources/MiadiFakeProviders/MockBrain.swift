import Foundation
import MiadiBooking
import MiadiLanguage
import MiadiProviders

/// The mock as a test service's brain: it reads the clinic and the day from the session's
/// instructions, as a real model would from the system prompt (`Prompts/system.md` names the
/// clinic and says "Today is … (YYYY-MM-DD)").
public enum MockBrain {
    /// A brain for sessions whose instructions name one of `clinics` (the first one otherwise).
    public static func reading(clinics: [Clinic], hearing: MockHearing, speech: any SpeechRenderer, configuration: MockConfiguration = .init()) -> FakeRealtimeSession.Brain {
        precondition(!clinics.isEmpty, "a mock brain needs a clinic")
        return { instructions, interruptsItself in
            var configuration = configuration
            configuration.interruptsItself = interruptsItself
            let clinic = clinics.first { instructions.contains($0.name) } ?? clinics[0]
            let today = day(in: instructions) ?? CivilDate(year: 2026, month: 1, day: 5)
            return MockProvider(brief: MockBrief(clinic: clinic, today: today), hearing: hearing, speech: speech, configuration: configuration)
        }
    }

    /// The first `(YYYY-MM-DD)` in the text.
    static func day(in text: String) -> CivilDate? {
        guard let match = text.firstMatch(of: /\((\d{4}-\d{2}-\d{2})\)/) else { return nil }
        return CivilDate(iso: String(match.1))
    }
}
