import MiadiAgent
import MiadiAudio
import MiadiLanguage
@testable import MiadiBridge
import MiadiProviders
import Testing

/// The call machine driven with no I/O: no sockets, no clock, no sleeping. Each test is a
/// sequence of inputs and the actions they give.
@Suite("Call machine")
struct CallMachineTests {
    @Test("the first frame is due within the deadline: without it the stream closes 1008; with it the deadline is cancelled")
    func metadataDeadline() {
        let (model, _) = MachineHarness.scripted([])
        var silent = MachineHarness(model: model, deadlineMs: 10_000)
        #expect(silent.timers.map(\.timer) == [.metadataDeadline])
        silent.advance(to: 9_980)
        #expect(silent.closes.isEmpty)
        silent.advance(to: 10_000)
        #expect(silent.closes.map(\.code) == [1008])
        #expect(silent.endings == ["bad first frame"])
        #expect(silent.traces("error").first?["message"]?.string?.contains("no metadata frame within 10000 ms") == true)
        #expect(silent.machine.isEnded)

        let (model2, _) = MachineHarness.scripted([])
        var prompt = MachineHarness(model: model2, deadlineMs: 10_000)
        prompt.advance(to: 200)
        prompt.metadata()
        #expect(!prompt.timers.contains { $0.timer == .metadataDeadline })
        #expect(prompt.traces("stream.open").count == 1)
        prompt.advance(to: 12_000)
        #expect(prompt.closes.isEmpty && prompt.endings.isEmpty)
    }

    @Test("audio before the metadata frame, or a first frame naming no call, is refused")
    func badFirstFrames() {
        let (model, _) = MachineHarness.scripted([])
        var audio = MachineHarness(model: model)
        audio.record(audio.machine.binaryReceived([0, 0, 0, 0], nowMs: 20))
        #expect(audio.closes.map(\.code) == [1008])
        #expect(audio.endings == ["bad first frame"])

        let (model2, _) = MachineHarness.scripted([])
        var text = MachineHarness(model: model2)
        text.record(text.machine.textReceived(#"{"hello":"world"}"#, nowMs: 20))
        #expect(text.closes.map(\.code) == [1008])
        #expect(text.log.allSatisfy { if case .identify = $0.action { return false }; return true })
    }

    @Test("the first frame's sampleRate sets the stream's rate; the model's rates are its own")
    func ratesFromMetadataAndModel() {
        let (model, _) = MachineHarness.scripted([])
        var h = MachineHarness(model: model)
        h.record(h.machine.textReceived(#"{"callSid":"CA-8k","from":"+254711000002","sampleRate":8000}"#, nowMs: 0))
        let configuration = h.machine.session?.configuration
        #expect(configuration?.inputSampleRate == 8000)
        #expect(configuration?.providerInputRate == 16_000 && configuration?.providerOutputRate == 24_000)
    }

    @Test("caller speech over the agent: killAudio, the barge-in traced, and the model told what was heard")
    func bargeIn() throws {
        let (model, inputs) = MachineHarness.scripted([(100, [.outputTranscript("We have Thursday at two, three or four p.m.", final: true), .audio(BridgeFixtures.agentSpeech(ms: 5000)), .turnDone])])
        var h = MachineHarness(model: model)
        h.metadata()
        h.advance(to: 800)
        let framesBefore = h.binaryTimes.count
        #expect(framesBefore > 0)
        h.caller(try BridgeFixtures.bargeLine())
        let kill = try #require(h.sent.first { $0.command == .killAudio })
        let bargeIn = try #require(h.traces("barge_in").first)
        // pause_resume: silent at the onset (the pause), a barge-in once the speech outlasts the window.
        #expect(bargeIn["source"] == "pause")
        #expect(bargeIn["kill_audio_ms"]?.int == kill.t)
        #expect(inputs.all.contains { if case .heardUpTo(let ms) = $0 { return ms > 0 }; return false })
        // Nothing of the interrupted response is sent once the kill is decided.
        #expect(h.binaryTimes.filter { $0 > kill.t }.isEmpty)
        #expect(h.traces("agent.utterance").first?["status"] == "cut")
    }

    @Test("the guard's evidence comes from the session: a read-back cut by a barge-in is no confirmation")
    func cutReadBackIsNoConfirmation() throws {
        let propose = ToolCall(id: "p1", name: "propose_booking", argumentsJSON: #"{"service":"cleaning","start":"2026-03-05T14:00"}"#)
        let confirm = ToolCall(id: "c1", name: "confirm_proposal", argumentsJSON: #"{"proposal_id":"P-1"}"#)
        let (model, inputs) = MachineHarness.scripted([
            (100, [.toolCall(propose)]),
            (200, [.outputTranscript("A cleaning on Thursday the 5th of March at two p.m. Shall I book it?", final: true), .audio(BridgeFixtures.agentSpeech(ms: 4000)), .turnDone]),
            (3_000, [.inputTranscript("yes"), .toolCall(confirm)]),
        ])
        var h = MachineHarness(model: model, agent: try MachineHarness.agent())
        h.metadata()
        h.advance(to: 100)
        h.completeTool { request in
            ToolCompletion(result: ToolResult(callID: request.call.id, name: request.call.name, outputJSON: #"{"proposal_id":"P-1"}"#), events: [], atMs: request.calledAtMs,
                           proposal: .init(id: "P-1", date: CivilDate(year: 2026, month: 3, day: 5), time: ClockTime(hour: 14, minute: 0), madeAtMs: 100))
        }
        h.advance(to: 900)
        h.caller(try BridgeFixtures.bargeLine())
        h.advance(to: 3_100)
        #expect(h.sent.contains { $0.command == .killAudio })
        #expect(h.pendingTools.isEmpty, "nothing reaches the calendar")
        let refusal = try #require(h.traces("guard").first)
        #expect(refusal["decision"] == "refused")
        #expect(refusal["reason"]?.string?.contains("cut off") == true)
        #expect(inputs.toolResults.last?.isError == true)
    }

    @Test("handoff, then disconnect: no audio after it, and a second handoff is refused")
    func handoffThenDisconnect() throws {
        let transfer = ToolCall(id: "t1", name: "transfer_to_human", argumentsJSON: #"{"reason":"asked for a person"}"#)
        let again = ToolCall(id: "t2", name: "transfer_to_human", argumentsJSON: #"{"reason":"asked again"}"#)
        let (model, inputs) = MachineHarness.scripted([
            (100, [.outputTranscript("Let me put you through.", final: true), .audio(BridgeFixtures.agentSpeech(ms: 600)), .turnDone, .toolCall(transfer)]),
            // Words the model goes on with after the stream began to close must go nowhere.
            (1_500, [.outputTranscript("Are you still there?", final: true), .audio(BridgeFixtures.agentSpeech(ms: 800)), .turnDone, .audio(BridgeFixtures.agentSpeech(ms: 400)), .toolCall(again)]),
        ])
        var h = MachineHarness(model: model, agent: try MachineHarness.agent())
        h.metadata()
        h.advance(to: 3_000)
        let disconnects = h.sent.filter { $0.command == .disconnect }
        #expect(disconnects.count == 1)
        let at = try #require(disconnects.first?.t)
        #expect(at >= 700, "not before the goodbye played")
        #expect(h.binaryTimes.allSatisfy { $0 <= at }, "no model audio after disconnect")
        #expect(h.traces("handoff").count == 1)
        #expect(h.traces("handoff.refused").count == 1)
        #expect(h.log.contains { $0.action == .effect(.handoff(target: "+254709000101", reason: "asked for a person")) })
        #expect(inputs.toolResults.map(\.callID) == ["t1", "t2"])
        // The platform closes the stream: the call ended as a handoff.
        h.record(h.machine.closed(code: 1000, reason: "platform closed the stream", nowMs: h.nowMs))
        #expect(h.endings == ["handoff"])
    }

    @Test("a slow calendar: the tool runs when due, audio keeps flowing meanwhile, and the answer reaches the model")
    func slowTool() throws {
        let find = ToolCall(id: "f1", name: "find_slots", argumentsJSON: #"{"service":"cleaning","date":"2026-03-05"}"#)
        let (model, inputs) = MachineHarness.scripted([(100, [.toolCall(find), .outputTranscript("Let me look.", final: true), .audio(BridgeFixtures.agentSpeech(ms: 1000)), .turnDone])])
        var h = MachineHarness(model: model, agent: try MachineHarness.agent(), toolLatencyMs: 700)
        h.metadata()
        h.advance(to: 100)
        #expect(h.timers.contains { $0.timer == .toolDue("f1") && $0.atMs == 800 })
        #expect(h.pendingTools.isEmpty)
        h.advance(to: 780)
        #expect(h.pendingTools.isEmpty, "not before the calendar's latency has passed")
        #expect(h.binaryTimes.count >= 30, "the agent's words play while the calendar is slow")
        h.advance(to: 800)
        let request = try #require(h.pendingTools.first)
        #expect(request.tool == .findSlots && request.calledAtMs == 800)
        h.completeTool { request in ToolCompletion(result: ToolResult(callID: request.call.id, name: request.call.name, outputJSON: #"{"slots":[]}"#), events: [], atMs: request.calledAtMs) }
        #expect(inputs.toolResults.map(\.outputJSON) == [#"{"slots":[]}"#])
    }

    @Test("a confirmation the guard refuses never reaches the calendar")
    func guardRefusesWithoutCalendar() throws {
        let confirm = ToolCall(id: "c1", name: "confirm_proposal", argumentsJSON: #"{"proposal_id":"P-1"}"#)
        let (model, inputs) = MachineHarness.scripted([(100, [.toolCall(confirm)])])
        var h = MachineHarness(model: model, agent: try MachineHarness.agent())
        h.metadata()
        h.advance(to: 200)
        #expect(h.pendingTools.isEmpty)
        #expect(h.traces("guard").first?["decision"] == "refused")
        #expect(inputs.toolResults.first?.isError == true)
    }

    @Test("a model that fails mid-call: the call goes to a person, and the model hears nothing more")
    func providerFailureHandsOff() throws {
        let (model, inputs) = MachineHarness.scripted([
            (100, [.outputTranscript("Hello, how can I help?", final: true), .audio(BridgeFixtures.agentSpeech(ms: 500)), .turnDone]),
            (1_000, [.failed(message: "socket dropped", fatal: true)]),
        ])
        var h = MachineHarness(model: model, agent: try MachineHarness.agent())
        h.metadata()
        h.advance(to: 1_000)
        let heardBefore = inputs.all.count
        h.advance(to: 1_500)
        #expect(h.traces("error").first { $0["where"] == "provider" }?["fatal"] == .bool(true))
        #expect(h.sent.contains { $0.command == .disconnect })
        #expect(h.traces("handoff").first?["reason"]?.string?.contains("the model failed") == true)
        #expect(inputs.all.count == heardBefore, "no caller audio is sent to a dead model")
    }

    @Test("a model that fails with nobody to hand off to: the stream closes 1011")
    func providerFailureCloses() {
        let (model, _) = MachineHarness.scripted([(300, [.failed(message: "quota exceeded", fatal: true)])])
        var h = MachineHarness(model: model, agent: nil)
        h.metadata()
        h.advance(to: 400)
        #expect(h.closes.map(\.code) == [1011])
        #expect(h.endings.count == 1)
        #expect(h.machine.isEnded)
        #expect(h.machine.session?.isClosed == true, "the recording is kept after the end")
    }

    @Test("a network model: caller audio goes out as actions, its events come back as input")
    func networkModel() throws {
        let network = CallModel.NetworkModel(providerID: "remote", model: "remote-1", inputSampleRate: 24_000, outputSampleRate: 24_000)
        var h = MachineHarness(model: .network(network))
        h.metadata()
        h.advance(to: 200)
        let audioOut = h.log.filter { if case .toProvider(.audio(let b)) = $0.action { return b.sampleRate == 24_000 }; return false }
        #expect(!audioOut.isEmpty)
        h.record(h.machine.providerEvents([.outputTranscript("Hello.", final: true), .audio(BridgeFixtures.agentSpeech(ms: 300)), .turnDone], nowMs: h.nowMs))
        #expect(h.log.contains { $0.action == .agentSaid("Hello.") })
        h.advance(to: 700)
        #expect(h.binaryTimes.count == 15)
        #expect(h.machine.modelDescription?.provider == "remote")
    }

    @Test("a network model silent after the caller's turn is taken as lost: the fallback line, then the handoff")
    func silentNetworkModel() throws {
        let network = CallModel.NetworkModel(providerID: "remote", model: "remote-1", inputSampleRate: 24_000, outputSampleRate: 24_000)
        var h = MachineHarness(model: .network(network), agent: try MachineHarness.agent())
        h.setup.modelAnswerLimitMs = 2_000
        h.setup.fallback = SpokenLine(text: "Sorry, let me put you through.", audio: BridgeFixtures.agentSpeech(ms: 600, rate: 16_000))
        h.metadata()
        h.advance(to: 200)
        h.caller(try BridgeFixtures.bargeLine())
        h.advance(to: h.nowMs + 1_000)
        #expect(h.traces("caller.speech").count == 1)
        #expect(h.traces("error").isEmpty, "not yet: the model has 2 s")
        // An answer in time resets the count: the model is alive.
        h.record(h.machine.providerEvents([.outputTranscript("Sure.", final: true), .audio(BridgeFixtures.agentSpeech(ms: 200)), .turnDone], nowMs: h.nowMs))
        h.advance(to: h.nowMs + 2_500)
        #expect(h.traces("error").isEmpty)
        // The next turn gets no answer at all.
        h.caller(try BridgeFixtures.bargeLine())
        h.advance(to: h.nowMs + 3_500)
        let error = try #require(h.traces("error").first)
        #expect(error["fatal"] == true)
        #expect(error["message"]?.string?.contains("stopped answering") == true)
        #expect(h.log.contains { $0.action == .agentSaid("Sorry, let me put you through.") })
        let failedAt = error.tMs
        h.advance(to: h.nowMs + 1_500)
        // The apology's 600 ms went out before the platform was told to disconnect.
        let disconnect = try #require(h.sent.first { $0.command == .disconnect })
        #expect(h.binaryTimes.filter { $0 >= failedAt - 20 && $0 <= disconnect.t }.count >= 600 / 20 - 1)
        #expect(h.traces("handoff").first?["target"] == "+254709000101")
    }
}
