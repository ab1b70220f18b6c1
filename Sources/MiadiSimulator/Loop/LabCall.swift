import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiProviders

/// One simulated call on virtual time: an emulated platform and a caller on one side, the real
/// bridge session, the mock model and the real agent and calendar on the other. Every 20 ms the
/// platform sends a caller frame and plays one agent frame; marks and `killAudio` behave as on
/// the platform. No threads and no sleeping: a three-minute call runs in well under a second
/// of CPU, and the same inputs give the same bytes.
///
/// This is the first slice of the simulator: the caller says its lines in order, each once the
/// agent has finished a turn. Answers keyed by question, barge-ins on cue, network impairments
/// and the webhook exchange join with the scenario format.
public struct LabCall {
    public struct Setup: Sendable {
        public var engine: BookingEngine
        public var caller: CallContext
        /// What the caller does (say, answers by question, barge-ins, hang-up).
        public var script: [Scenario.Step]
        /// The audio of each line of the script, 16 kHz mono, by its text.
        public var audio: [String: PCMBuffer]
        public var hearing: MockHearing
        public var speech: any SpeechRenderer
        public var handoffNumber: String?
        /// Silence after the agent's last word before the caller speaks, ms.
        public var callerPauseMs = 700
        public var timeLimitMs = 180_000
        /// How the mock model behaves, faults included.
        public var mock = MockConfiguration()
        /// Appointment ids the mock is told (see `MockFault.otherCallersAppointment`).
        public var toldAppointmentIDs: [String] = []
        /// The phone line between the caller and the bridge.
        public var line = LineModel()
        /// How long every booking operation takes, ms of call time: what the caller hears while
        /// the calendar is slow.
        public var bookingLatencyMs = 0
        /// The calendar's clock, moved with call time so holds lapse in the lab as they would
        /// on a real call (nil: the engine's clock stays where it is).
        public var clock: ManualClock?

        public init(engine: BookingEngine, caller: CallContext, script: [Scenario.Step], audio: [String: PCMBuffer], hearing: MockHearing, speech: any SpeechRenderer, handoffNumber: String? = nil) {
            self.engine = engine
            self.caller = caller
            self.script = script
            self.audio = audio
            self.hearing = hearing
            self.speech = speech
            self.handoffNumber = handoffNumber
        }

        /// Lines said in order, each after the agent's turn (or over it, with a barge-in delay).
        public init(engine: BookingEngine, caller: CallContext, lines: [Line], hearing: MockHearing, speech: any SpeechRenderer, handoffNumber: String? = nil) {
            var audio: [String: PCMBuffer] = [:]
            var script: [Scenario.Step] = []
            for (i, line) in lines.enumerated() {
                audio["line-\(i)"] = line.audio
                script.append(line.bargeInAfterMs.map { .bargeIn(afterMs: $0, say: "line-\(i)") } ?? .say("line-\(i)"))
            }
            self.init(engine: engine, caller: caller, script: script, audio: audio, hearing: hearing, speech: speech, handoffNumber: handoffNumber)
        }
    }

    /// One thing the caller says: 16 kHz mono audio, after the agent's turn ends, or, with
    /// `bargeInAfterMs`, that long into the agent's next turn (over it).
    public struct Line: Sendable {
        public var audio: PCMBuffer
        public var bargeInAfterMs: Int?

        public init(_ audio: PCMBuffer, bargeInAfterMs: Int? = nil) {
            self.audio = audio
            self.bargeInAfterMs = bargeInAfterMs
        }
    }

    /// The caller's side of the line: its rate, noise, and the network between the platform
    /// and the bridge (delay, jitter, loss). All randomness comes from `seed`.
    public struct LineModel: Sendable, Equatable {
        /// 8000 or 16000 Hz; the bridge answers at the same rate (`outputSamplingRate`).
        public var rate = 16_000
        /// `inbound_track` (the caller only) or `both_tracks` (stereo: the caller left, what the
        /// platform played right).
        public var bothTracks = false
        /// Noise added to the caller's speech, dB below its voiced level (nil: a clean line).
        public var noiseSNR: Double?
        /// Fraction of 20 ms packets lost on the way; the platform fills them with silence.
        public var loss = 0.0
        /// One-way delay of caller audio to the bridge, ms.
        public var latencyMs = 0
        /// Extra delay drawn uniformly from 0…jitterMs per packet; packets stay in order, so a
        /// late one arrives in a batch with the next (as the platform sends after a stall).
        public var jitterMs = 0
        public var seed: UInt64 = 1

        public init() {}
    }

    public struct Result: Sendable {
        public let events: [TraceEvent]
        /// Left the caller, right the agent as played, 16 kHz.
        public let recording: PCMBuffer
        public let effects: [CallAgent.Effect]
        public let endReason: String
        public let durationMs: Int
    }

    public static func run(_ setup: Setup) async -> Result {
        let clinic = setup.engine.clinic
        let today = CivilDate(setup.engine.clock.now(), in: clinic.timeZone)
        var provider = MockProvider(brief: MockBrief(clinic: clinic, today: today, toldAppointmentIDs: setup.toldAppointmentIDs), hearing: setup.hearing, speech: setup.speech, configuration: setup.mock)
        var agent = CallAgent(engine: setup.engine, context: setup.caller, language: clinic.languages.first ?? .en, handoffNumber: setup.handoffNumber)
        let rate = setup.line.rate
        var noise = SeededGenerator(seed: setup.line.seed, stream: "line-noise")
        var network = LineNetwork(latencyMs: setup.line.latencyMs, jitterMs: setup.line.jitterMs, loss: setup.line.loss, seed: setup.line.seed)
        var config = StreamConfiguration(inputSampleRate: rate, track: setup.line.bothTracks ? .both : .inbound, outputSampleRate: rate, providerInputRate: provider.inputSampleRate, providerOutputRate: provider.outputSampleRate)
        config.subprotocol = "audio.drachtio.org"
        var session = StreamSession(configuration: config)
        var platform = PlatformPlayout()
        var events: [TraceEvent] = [TraceEvent(tMs: 0, type: "call.answered")]
        var effects: [CallAgent.Effect] = []
        var caller = ScriptedCaller(steps: setup.script)
        var lastAgentText = ""
        var turnHandled = true
        var speaking: [Int16] = []
        var lastAgentSoundMs = 0
        var agentTurnStartMs = 0
        var lastLineEndMs = 0
        var endReason = "time limit"
        // The platform's first frame: the call's metadata (`openMetadata`).
        let opening = session.textReceived(#"{"call_sid":"\#(setup.caller.callSID)","from":"\#(setup.caller.callerNumber)","to":"\#(clinic.phone)"}"#, nowMs: 0)
        var now = 0
        var ended = false

        var slowTools: [(dueMs: Int, call: ToolCall)] = []

        func runTool(_ call: ToolCall, at t: Int) async -> [StreamAction] {
            let outcome = await agent.execute(call, nowMs: t)
            events += outcome.trace
            var actions: [StreamAction] = []
            if let effect = outcome.effect {
                effects.append(effect)
                if case .handoff(let target, let reason) = effect { actions += session.handoff(target: target, reason: reason, nowMs: t) }
            }
            for e in provider.receive(.toolResult(outcome.result), nowMs: t) { actions += session.providerEvent(e, nowMs: t) }
            return actions
        }

        func handle(_ actions: [StreamAction], at t: Int) async {
            var queue = actions[...]
            while let action = queue.popFirst() {
                switch action {
                case .sendBinary(let bytes):
                    platform.received(audio: PCMBuffer(littleEndianBytes: bytes, sampleRate: rate).samples)
                case .sendText(let text):
                    if text == BridgeCommand.killAudio {
                        for name in platform.kill() {
                            queue.append(contentsOf: session.textReceived(#"{"type":"mark","data":{"name":"\#(name)","event":"cleared"}}"#, nowMs: t))
                        }
                    } else if text == BridgeCommand.disconnect {
                        endReason = "handoff"
                        ended = true
                    } else if let mark = Self.markName(text) {
                        platform.received(mark: mark)
                    }
                case .toProvider(let input):
                    for e in provider.receive(input, nowMs: t) { queue.append(contentsOf: session.providerEvent(e, nowMs: t)) }
                case .runTool(let call):
                    if setup.bookingLatencyMs > 0 {
                        // A slow calendar: the operation answers later, in call time.
                        slowTools.append((t + setup.bookingLatencyMs, call))
                        continue
                    }
                    queue.append(contentsOf: await runTool(call, at: t))
                case .trace(let event):
                    events.append(event)
                    agent.observe(event)
                    if event.type == "transcript.out", let text = event["text"]?.string { lastAgentText = text }
                case .close:
                    ended = true
                case .ended(let reason):
                    endReason = reason
                    ended = true
                }
            }
        }

        await handle(opening, at: 0)
        let callStart = setup.clock?.now()
        while !ended && now < setup.timeLimitMs {
            now += 20
            if let clock = setup.clock, let callStart { clock.set(callStart.addingTimeInterval(Double(now) / 1000)) }
            // The platform plays one frame and reports the marks it passed.
            let playedBefore = platform.heard.count
            for mark in platform.tick(nowMs: now) {
                await handle(session.textReceived(#"{"type":"mark","data":{"name":"\#(mark)","event":"playout"}}"#, nowMs: now), at: now)
            }
            if platform.isPlaying || platform.playingUntilMs >= now {
                if lastAgentSoundMs < now - 40 { agentTurnStartMs = now; turnHandled = false }
                lastAgentSoundMs = now
            }
            // The caller speaks after the agent's turn, or over it on cue.
            if speaking.isEmpty {
                var decision = ScriptedCaller.Decision.wait
                let agentAnswered = agentTurnStartMs > lastLineEndMs && now - lastAgentSoundMs >= setup.callerPauseMs && !platform.isPlaying
                if platform.isPlaying && agentTurnStartMs > lastLineEndMs {
                    decision = caller.duringTurn(msIntoTurn: now - agentTurnStartMs, agentText: lastAgentText)
                } else if agentAnswered && !turnHandled {
                    turnHandled = true
                    decision = caller.turnEnded(agentText: lastAgentText)
                }
                switch decision {
                case .say(let text), .sayOver(let text):
                    var audio = (setup.audio[text] ?? PCMBuffer(samples: [], sampleRate: 16_000)).resampled(to: rate)
                    if let snr = setup.line.noiseSNR, !audio.isEmpty { audio = Impairment.addNoise(to: audio, snrDb: snr, generator: &noise) }
                    if setup.audio[text] == nil { events.append(TraceEvent(tMs: now, type: "error", fields: ["where": "platform", "message": .string("no audio for the caller's line \"\(text)\"")])) }
                    speaking = audio.samples
                    lastLineEndMs = now + audio.durationMs
                    events.append(TraceEvent(tMs: now, type: "caller.utterance", fields: ["text": .string(text), "start_ms": .int(now), "end_ms": .int(lastLineEndMs), "barge_in": .bool(decision == .sayOver(text))]))
                case .hangUp(let reason):
                    endReason = reason
                    break
                case .wait:
                    break
                }
                if case .hangUp = decision { break }
            }
            if speaking.isEmpty, now - lastAgentSoundMs > 8000, now - lastLineEndMs > 8000 {
                endReason = "caller gave up: " + (caller.stuckOn ?? "the agent said nothing")
                break
            }
            let perFrame = rate / 50
            let frame = Array(speaking.prefix(perFrame))
            speaking.removeFirst(frame.count)
            let callerFrame = PCMBuffer(samples: frame + [Int16](repeating: 0, count: perFrame - frame.count), sampleRate: rate)
            if setup.line.bothTracks {
                // The right channel is what the platform played to the caller in this 20 ms.
                var played = platform.heard.count > playedBefore ? platform.heard[playedBefore].samples : []
                played = Array(played.prefix(perFrame)) + [Int16](repeating: 0, count: max(0, perFrame - played.count))
                network.send(PCMBuffer.interleave(left: callerFrame, right: PCMBuffer(samples: played, sampleRate: rate)).samples, nowMs: now)
            } else {
                network.send(callerFrame.samples, nowMs: now)
            }
            let arriving = network.arrivals(nowMs: now)
            if !arriving.isEmpty {
                let channels = setup.line.bothTracks ? 2 : 1
                await handle(session.binaryReceived(PCMBuffer(samples: arriving, sampleRate: rate, channels: channels).littleEndianBytes, nowMs: now), at: now)
            }
            while let index = slowTools.firstIndex(where: { $0.dueMs <= now }) {
                let due = slowTools.remove(at: index)
                await handle(await runTool(due.call, at: now), at: now)
            }
            var providerEvents: [StreamAction] = []
            for e in provider.tick(nowMs: now) { providerEvents += session.providerEvent(e, nowMs: now) }
            await handle(providerEvents, at: now)
            await handle(session.tick(nowMs: now), at: now)
        }
        let reason = endReason
        if !session.isClosed { await handle(session.closed(code: 1000, reason: reason, nowMs: now), at: now) }
        endReason = reason
        events.append(TraceEvent(tMs: now, type: "call.ended", fields: ["reason": .string(endReason), "duration_ms": .int(now), "billed_seconds": .int((now + 999) / 1000)]))
        return Result(events: events, recording: session.recording, effects: effects, endReason: endReason, durationMs: now)
    }

    static func markName(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], object["type"] as? String == "mark",
              let data = object["data"] as? [String: Any] else { return nil }
        return data["name"] as? String
    }
}
