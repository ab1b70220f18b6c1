import Foundation
import MiadiAudio
import MiadiBooking
import MiadiLanguage
import MiadiProviders
@testable import MiadiServer
import MiadiTestSupport
import Testing

/// The server's side of `miadi run --target`: what a lab call announcement must hold, and the
/// calendars it makes (real in-memory SQLite engines).
@Suite("Lab control")
struct LabControlTests {
    static let root = Repository.root
    static let clinicFile = root + "/Scenarios/clinics/whitedent-nairobi.yaml"

    struct SilentSpeech: SpeechRenderer {
        func render(_ text: String, language: LanguageCode, sampleRate: Int) throws -> PCMBuffer { PCMBuffer(samples: [], sampleRate: sampleRate) }
    }

    static func control() -> LabControl {
        LabControl(directory: LabCallDirectory(), hearing: MockHearing(index: FingerprintIndex(), lines: [:]), speech: SilentSpeech())
    }

    static func request(_ sid: String = "CA-1", calendar: String = "cal-1", change: (inout LabCallRequest) -> Void = { _ in }) throws -> LabCallRequest {
        var request = LabCallRequest(
            callSID: sid, calendar: calendar, clinicFile: clinicFile, clinicYAML: try String(contentsOfFile: clinicFile, encoding: .utf8),
            now: "2026-03-02T08:30:00+03:00",
            appointments: [.init(id: "my-extraction", customer: "+254733000092", customerName: "Juma", service: "extraction", staff: "dr-kamau", start: "2026-03-05T15:00:00+03:00")],
            faults: [], toldAppointmentIDs: [], handoffNumber: nil, track: "both_tracks", rate: 16000, bookingLatencyMs: 0)
        change(&request)
        return request
    }

    static func refusal(_ request: LabCallRequest) async -> String {
        do { try await control().register(request) } catch { return error.description }
        return ""
    }

    @Test("a bad announcement is refused with the field or line that is wrong")
    func refusals() async throws {
        #expect(await Self.refusal(try Self.request { $0.track = "both" }).contains("track \"both\""))
        #expect(await Self.refusal(try Self.request { $0.rate = 44100 }).contains("rate 44100"))
        #expect(await Self.refusal(try Self.request { $0.faults = ["lazy"] }).contains("fault \"lazy\""))
        #expect(await Self.refusal(try Self.request { $0.now = "tomorrow" }).contains("now \"tomorrow\""))
        #expect(await Self.refusal(try Self.request { $0.calendar = "" }).contains("must not be empty"))
        let badStart = await Self.refusal(try Self.request { $0.appointments[0].start = "2026-03-05 15:00" })
        #expect(badStart.contains("appointment my-extraction"), "\(badStart)")
        let unknownStaff = await Self.refusal(try Self.request { $0.appointments[0].staff = "dr-nobody" })
        #expect(unknownStaff.contains("dr-nobody"), "\(unknownStaff)")
        let brokenClinic = await Self.refusal(try Self.request { $0.clinicYAML = "id: x\ntimezone: [oops\n" })
        #expect(brokenClinic.contains("whitedent-nairobi.yaml"), "the clinic's error names its file: \(brokenClinic)")
    }

    @Test("calls naming one calendar share it: seeded once, read back, forgotten on delete")
    func sharedCalendar() async throws {
        let control = Self.control()
        try await control.register(try Self.request("CA-1"))
        try await control.register(try Self.request("CA-2"))
        let snapshot = try await control.snapshot(of: "cal-1")
        #expect(snapshot.appointments.map(\.id) == ["my-extraction"])
        #expect(snapshot.takenAt == "2026-03-02T08:30:00+03:00")
        // The same call SID again while its call has not ended is refused.
        await #expect(throws: LabControl.ControlError.self) { try await control.register(try Self.request("CA-1")) }
        #expect(try await control.words(of: "CA-2", after: 0).events.isEmpty)
        try await control.delete(calendar: "cal-1")
        await #expect(throws: LabControl.ControlError.unknownCalendar("cal-1")) { try await control.snapshot(of: "cal-1") }
        await #expect(throws: LabControl.ControlError.unknownCall("CA-2")) { try await control.words(of: "CA-2", after: 0) }
    }
}
