import MiadiAgent
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiProviders

extension LabCallModels {
    /// The day a lab call's calendar says it is.
    var today: CivilDate { CivilDate(engine.clock.now(), in: engine.clinic.timeZone) }

    /// What a lab call runs with: the mock as the lab configured it (or a live model), on the scenario's own
    /// calendar, with the scenario's line and handoff number. The call machine is the same as
    /// for any other call.
    func callSetup(context: CallContext, stream: StreamConfiguration) -> CallMachine.Setup {
        let clinic = engine.clinic
        let today = CivilDate(engine.clock.now(), in: clinic.timeZone)
        var stream = stream
        stream.track = track
        stream.inputSampleRate = rate
        stream.outputSampleRate = rate
        if let bargeIn { stream.bargeIn = bargeIn }
        let agent = CallAgent(clinic: clinic, today: today, context: context, language: clinic.languages.first ?? .en, handoffNumber: handoffNumber)
        if let live {
            return CallMachine.Setup(model: .network(.init(providerID: live.providerID, model: live.model, inputSampleRate: live.inputSampleRate, outputSampleRate: live.outputSampleRate)),
                                     agent: agent, stream: stream, toolLatencyMs: bookingLatencyMs)
        }
        var mock = mock
        mock.interruptsItself = stream.bargeIn.modelInterruptsItself
        let model = MockProvider(brief: MockBrief(clinic: clinic, today: today, toldAppointmentIDs: toldAppointmentIDs), hearing: hearing, speech: speech, configuration: mock)
        return CallMachine.Setup(model: .inProcess(model), agent: agent, stream: stream, toolLatencyMs: bookingLatencyMs)
    }
}
