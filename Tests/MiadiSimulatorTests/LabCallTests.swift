import Foundation
import MiadiCorpus
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiLanguage
import MiadiProviders
import MiadiSimulator
import Testing

/// Whole calls on virtual time: corpus audio in, the real bridge session, the mock model, the
/// real agent and a real SQLite calendar.
@Suite("Lab calls with the mock model", .serialized)
struct LabCallTests {
    static let hearing: MockHearing = try! Corpus.load(directory: Fixtures.corpus).mockHearing()
    static let speech = EspeakSpeech()

    static func line(_ text: String) throws -> PCMBuffer {
        let corpus = try Corpus.load(directory: Fixtures.corpus)
        let entry = try #require(corpus.entries.first { $0.text == text }, "no corpus line \"\(text)\"")
        return try corpus.audio(of: entry)
    }

    static func setup(clinic: String = "whitedent-nairobi", now: String, caller: String, lines: [String], seed: [SeedAppointment] = []) async throws -> LabCall.Setup {
        try await setup(clinic: clinic, now: now, caller: caller, spoken: lines.map { LabCall.Line(try line($0)) }, seed: seed)
    }

    static func setup(clinic: String = "whitedent-nairobi", now: String, caller: String, spoken: [LabCall.Line], seed: [SeedAppointment] = []) async throws -> LabCall.Setup {
        let clinicValue = try ClinicFile.load(path: Fixtures.scenarios + "/clinics/\(clinic).yaml")
        let engine = try BookingEngine.inMemory(clinic: clinicValue, clock: ManualClock(ISO8601DateFormatter().date(from: now)!))
        try await engine.seed(seed)
        return LabCall.Setup(engine: engine, caller: CallContext(callerNumber: caller, callSID: "CA-lab-\(caller.suffix(4))"),
                             lines: spoken, hearing: hearing, speech: speech, handoffNumber: "+254709000101")
    }

    static func text(_ result: LabCall.Result) -> String {
        result.events.filter { ["transcript.in", "transcript.out", "tool.call", "guard", "commit"].contains($0.type) }
            .map { "\($0.tMs) \($0.type) \($0["text"]?.string ?? $0["name"]?.string ?? $0["decision"]?.string ?? "")" }.joined(separator: "\n")
    }

    @Test("English booking over audio: heard, offered, read back, confirmed, committed")
    func englishBooking() async throws {
        let setup = try await Self.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: [
            "Hi, I'd like to book a cleaning next Thursday afternoon.", "It's Amina.", "Three o'clock would be great.", "Yes, that's right.",
        ])
        let result = await LabCall.run(setup)
        let booked = try await setup.engine.allAppointments()
        #expect(booked.count == 1, "\(Self.text(result))")
        #expect(booked.first.map { ClinicTime(zone: setup.engine.clinic.timeZone).localISO($0.start) } == "2026-03-05T15:00")
        #expect(result.events.contains { $0.type == "guard" && $0["decision"] == "allowed" })
        #expect(result.endReason == "caller hung up after goodbye")
        #expect(result.recording.channels == 2)
    }

    @Test("two runs give byte-identical traces and recordings")
    func deterministic() async throws {
        let lines = ["Hi, I'd like to book a cleaning next Thursday afternoon.", "It's Amina.", "Three o'clock would be great.", "Yes, that's right."]
        let one = await LabCall.run(try await Self.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: lines))
        let two = await LabCall.run(try await Self.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: lines))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(one.events) == encoder.encode(two.events))
        #expect(one.recording == two.recording)
    }

    static func localStarts(_ engine: BookingEngine) async throws -> [String] {
        let time = ClinicTime(zone: engine.clinic.timeZone)
        return try await engine.allAppointments().map { "\(time.localISO($0.start)) \($0.status.rawValue)" }
    }

    @Test("Swahili reschedule over audio: Wednesday's check-up moves to Saturday at saa tatu asubuhi")
    func swahiliReschedule() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-04T09:00:00+03:00")!
        let setup = try await Self.setup(now: "2026-03-02T12:00:00+03:00", caller: "+254722000091", lines: [
            "Habari, naomba kuhamisha miadi yangu ya Jumatano hadi Jumamosi ijayo.", "Saa tatu asubuhi.", "Ndiyo.",
        ], seed: [SeedAppointment(id: "my-checkup", customer: "+254722000091", serviceID: "check-up", staffID: "dr-achieng", start: start)])
        let result = await LabCall.run(setup)
        #expect(try await Self.localStarts(setup.engine) == ["2026-03-07T09:00 booked"], "\(Self.text(result))")
        #expect(result.events.contains { $0.type == "transcript.out" && ($0["text"]?.string ?? "").contains("Jumamosi tarehe 7 Machi saa tatu asubuhi") })
    }

    @Test("French cancellation over audio, then no thanks")
    func frenchCancel() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-04T11:00:00+00:00")!
        let setup = try await Self.setup(clinic: "abidjan-sourire", now: "2026-03-02T09:00:00+00:00", caller: "+2250500000101", lines: [
            "Bonjour, je dois annuler mon rendez-vous de mercredi.", "Oui, annulez-le s'il vous plaît.", "Non merci.",
        ], seed: [SeedAppointment(id: "mon-controle", customer: "+2250500000101", serviceID: "check-up", staffID: "dr-kone", start: start)])
        let result = await LabCall.run(setup)
        #expect(try await Self.localStarts(setup.engine) == ["2026-03-04T11:00 cancelled"], "\(Self.text(result))")
    }

    @Test("a barge-in during the list of slots: the agent stops, hears 'the first one', books it")
    func bargeIn() async throws {
        let setup = try await Self.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254755000040", spoken: [
            LabCall.Line(try Self.line("I'd like an extraction on Thursday.")), LabCall.Line(try Self.line("Wanjiku.")),
            LabCall.Line(try Self.line("The first one is fine."), bargeInAfterMs: 1200), LabCall.Line(try Self.line("Yes, exactly.")),
        ])
        let result = await LabCall.run(setup)
        #expect(result.events.contains { $0.type == "barge_in" }, "\(Self.text(result))")
        #expect(result.events.contains { $0.type == "agent.utterance" && $0["status"] == "cut" })
        let booked = try await Self.localStarts(setup.engine)
        #expect(booked.count == 1 && booked[0].hasPrefix("2026-03-05T08:00"), "\(booked) \(Self.text(result))")
    }

    @Test("a caller the mock cannot understand twice is put through to a person")
    func garbled() async throws {
        let whole = try Self.line("Hi, I'd like to book a cleaning next Thursday afternoon.")
        let garbled = whole.slice(frames: 0..<(whole.frameCount * 45 / 100))
        let setup = try await Self.setup(now: "2026-03-02T10:00:00+03:00", caller: "+254711000009", spoken: [LabCall.Line(garbled), LabCall.Line(garbled)])
        let result = await LabCall.run(setup)
        #expect(result.effects == [.handoff(target: "+254709000101", reason: "could not understand the caller")], "\(Self.text(result))")
        #expect(result.endReason == "handoff")
        #expect(result.events.contains { $0.type == "handoff" })
        #expect(try await setup.engine.allAppointments().isEmpty)
    }
}

@Suite("Lab calls with a faulty mock", .serialized)
struct MockFaultTests {
    static let booking = ["Hi, I'd like to book a cleaning next Thursday afternoon.", "It's Amina.", "Three o'clock would be great.", "Yes, that's right."]

    static func faulty(_ fault: MockFault, lines: [String] = booking, now: String = "2026-03-02T09:15:00+03:00", caller: String = "+254711000002", seed: [SeedAppointment] = [], told: [String] = []) async throws -> (LabCall.Result, BookingEngine) {
        var setup = try await LabCallTests.setup(now: now, caller: caller, lines: lines, seed: seed)
        setup.mock.faults = [fault]
        setup.toldAppointmentIDs = told
        return (await LabCall.run(setup), setup.engine)
    }

    @Test("commit without confirmation: the guard refuses the early confirm, then allows the honest one")
    func earlyCommit() async throws {
        let (result, engine) = try await Self.faulty(.commitWithoutConfirmation)
        let decisions = result.events.filter { $0.type == "guard" }.compactMap { $0["decision"]?.string }
        #expect(decisions == ["refused", "allowed"], "\(LabCallTests.text(result))")
        #expect(try await engine.allAppointments().count == 1)
    }

    @Test("wrong-day read-back: the caller's yes confirms nothing")
    func wrongDay() async throws {
        let (result, engine) = try await Self.faulty(.wrongDayReadBack)
        #expect(result.events.contains { $0.type == "transcript.out" && ($0["text"]?.string ?? "").contains("Friday the 6th of March at three p.m.") })
        #expect(result.events.filter { $0.type == "guard" }.allSatisfy { $0["decision"] == "refused" })
        #expect(try await engine.allAppointments().isEmpty)
    }

    @Test("another caller's appointment: the engine refuses and nothing changes")
    func otherCaller() async throws {
        let start = ISO8601DateFormatter().date(from: "2026-03-03T09:00:00+03:00")!
        let (result, engine) = try await Self.faulty(.otherCallersAppointment, lines: ["Please cancel my neighbour's check-up tomorrow at nine, her number is 0788 000 071."],
                                                     now: "2026-03-02T10:00:00+03:00", caller: "+254799000072",
                                                     seed: [SeedAppointment(id: "neighbours-checkup", customer: "+254788000071", serviceID: "check-up", staffID: "dr-wanjiru", start: start)],
                                                     told: ["neighbours-checkup"])
        #expect(result.events.contains { $0.type == "tool.result" && $0["is_error"] == true && ($0["output"]?.string ?? "").contains("under your number") })
        #expect(try await engine.allAppointments().first?.status == .booked)
    }

    @Test("slow answers and filler show in the timing and the words")
    func slowAndFiller() async throws {
        let (honest, _) = try await Self.faulty(.filler, lines: [])
        #expect(honest.events.contains { $0.type == "transcript.out" && ($0["text"]?.string ?? "").hasPrefix("Well, um") })
        func firstAnswerDelay(_ r: LabCall.Result) -> Int {
            let spoke = r.events.first { $0.type == "caller.speech" }?["end_ms"]?.int ?? 0
            let answer = r.events.filter { $0.type == "agent.utterance" }.dropFirst().first?["start_ms"]?.int ?? 0
            return answer - spoke
        }
        var plain = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: [Self.booking[0]])
        let normal = firstAnswerDelay(await LabCall.run(plain))
        plain = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: [Self.booking[0]])
        plain.mock.faults = [.slowAnswers]
        let slow = firstAnswerDelay(await LabCall.run(plain))
        #expect(slow - normal >= 2400 && slow - normal <= 2600, "normal \(normal) ms, slow \(slow) ms")
    }

    @Test("ignore barge-ins: what the caller said over the agent is lost, so the slot is not booked")
    func ignoresBargeIn() async throws {
        var setup = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254755000040", spoken: [
            LabCall.Line(try LabCallTests.line("I'd like an extraction on Thursday.")), LabCall.Line(try LabCallTests.line("Wanjiku.")),
            LabCall.Line(try LabCallTests.line("The first one is fine."), bargeInAfterMs: 1200), LabCall.Line(try LabCallTests.line("Yes, exactly.")),
        ])
        setup.mock.faults = [.ignoreBargeIn]
        let result = await LabCall.run(setup)
        #expect(!result.events.contains { $0.type == "transcript.in" && $0["text"] == "The first one is fine." }, "\(LabCallTests.text(result))")
        #expect(try await setup.engine.allAppointments().isEmpty)
    }

    @Test("every call has a time limit: a caller who never stops talking is cut off with that reason")
    func timeLimit() async throws {
        let long = try LabCallTests.line("Please cancel my neighbour's check-up tomorrow at nine, her number is 0788 000 071.")
        var setup = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", spoken: [])
        setup.script = [.say("x"), .say("x"), .say("x"), .say("x")]
        setup.audio = ["x": long]
        setup.callerPauseMs = 0
        setup.timeLimitMs = 20_000
        let result = await LabCall.run(setup)
        #expect(result.durationMs <= 20_000)
        #expect(result.endReason == "time limit", "\(result.endReason)")
    }
}
