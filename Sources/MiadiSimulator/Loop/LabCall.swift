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
    /// A scenario's calendar as data: the clinic file, the scenario's "now" and the
    /// appointments that exist before the call. Calls with the same `key` share one calendar.
    public struct CalendarSpec: Sendable {
        public var key: String
        public var clinicFile: String
        public var now: Date
        public var appointments: [SeedAppointment]

        public init(key: String, clinicFile: String, now: Date, appointments: [SeedAppointment]) {
            self.key = key
            self.clinicFile = clinicFile
            self.now = now
            self.appointments = appointments
        }
    }

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
        /// How the mock model behaves, faults included (whether it stops itself on the
        /// caller's speech follows `bargeIn`).
        public var mock = MockConfiguration()
        /// What the bridge does when the caller speaks over the agent.
        public var bargeIn = BargeInPolicy()
        /// Another in-process model instead of the mock (a recorded session replayed).
        public var model: (any ProviderMachine)?
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
        /// How to build the same calendar elsewhere: what a server the lab did not start needs
        /// to give the call its scenario's calendar (`miadi run --target URL`).
        public var calendar: CalendarSpec?

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
        /// Spans of call time (ms) in which every caller packet is lost: a scripted outage.
        public var dropouts: [Range<Int>] = []
        public var seed: UInt64 = 1

        public init() {}
    }

    public struct Result: Sendable {
        public let events: [TraceEvent]
        /// The line at the stream's rate, one mono buffer per side: the caller as received and
        /// the agent as played. Kept apart because scoring reads them apart; `recording`
        /// interleaves them only when a file is written.
        public let caller: PCMBuffer
        public let agent: PCMBuffer
        public let effects: [CallAgent.Effect]
        public let endReason: String
        public let durationMs: Int

        public init(events: [TraceEvent], caller: PCMBuffer, agent: PCMBuffer, effects: [CallAgent.Effect], endReason: String, durationMs: Int) {
            self.events = events
            self.caller = caller
            self.agent = agent
            self.effects = effects
            self.endReason = endReason
            self.durationMs = durationMs
        }

        /// From a stereo recording (left the caller, right the agent).
        public init(events: [TraceEvent], recording: PCMBuffer, effects: [CallAgent.Effect], endReason: String, durationMs: Int) {
            let agent = recording.channels == 2 ? recording.channel(1) : PCMBuffer(samples: [], sampleRate: recording.sampleRate)
            self.init(events: events, caller: recording.channel(0), agent: agent, effects: effects, endReason: endReason, durationMs: durationMs)
        }

        /// The stereo recording of the line: left the caller, right the agent as played.
        public var recording: PCMBuffer { PCMBuffer.interleave(left: caller, right: agent) }
    }

    public static func run(_ setup: Setup) async -> Result {
        await runTogether([setup], startsMs: [0], clock: setup.clock)[0]
    }

    /// Several calls on one calendar in one loop: every 20 ms the shared clock moves, then each
    /// call that has begun takes its step, in the order given. Call `i` begins `startsMs[i]`
    /// after the first (a multiple of 20) and keeps its own call time from there.
    public static func runTogether(_ setups: [Setup], startsMs: [Int], clock: ManualClock?) async -> [Result] {
        var calls = setups.map { setup -> Machine in
            var own = setup
            own.clock = nil // the loop moves the shared clock
            return Machine(own)
        }
        var results = [Result?](repeating: nil, count: calls.count)
        let callStart = clock?.now()
        var now = 0
        while results.contains(where: { $0 == nil }) {
            if let clock, let callStart { clock.set(callStart.addingTimeInterval(Double(now) / 1000)) }
            for i in calls.indices where results[i] == nil {
                let local = now - startsMs[i]
                if local < 0 { continue }
                if local == 0 {
                    await calls[i].start()
                    if !calls[i].isRunning { results[i] = await calls[i].finish(nowMs: 0) }
                    continue
                }
                await calls[i].step(nowMs: local)
                if !calls[i].isRunning || local >= setups[i].timeLimitMs { results[i] = await calls[i].finish(nowMs: local) }
            }
            now += 20
        }
        return results.map { $0! }
    }

    /// One lab call stepped 20 ms at a time, so that one loop can drive several calls sharing
    /// one calendar in a fixed order (two callers racing for the last slot) without threads and
    /// with the same bytes every run. It is a shell: the call is the production `CallMachine`,
    /// the platform is the `PlatformEmulator`; this only moves frames, runs tools and timers on
    /// virtual time, and keeps the trace.
    public struct Machine {
        let setup: Setup
        private var call = CallMachine()
        private let callSetup: CallMachine.Setup
        private let tools: ToolRunner
        private var platform: PlatformEmulator
        private var events: [TraceEvent] = [ShellEvent.callAnswered.line(atMs: 0)]
        private var effects: [CallAgent.Effect] = []
        private var endReason = "time limit"
        private var ended = false
        private var openMetadata: String?
        /// The agent's words being played read back a slot and the shell fault is on.
        private var silencing = false
        private let today: CivilDate
        /// The machine's timers, in the order they were set (the order due ones fire in).
        private var timers: [(timer: CallTimer, atMs: Int)] = []

        public init(_ setup: Setup) {
            self.setup = setup
            let clinic = setup.engine.clinic
            let today = CivilDate(setup.engine.clock.now(), in: clinic.timeZone)
            self.today = today
            var mock = setup.mock
            mock.interruptsItself = setup.bargeIn.modelInterruptsItself
            let provider: any ProviderMachine = setup.model
                ?? MockProvider(brief: MockBrief(clinic: clinic, today: today, toldAppointmentIDs: setup.toldAppointmentIDs), hearing: setup.hearing, speech: setup.speech, configuration: mock)
            let agent = CallAgent(clinic: clinic, today: today, context: setup.caller, language: clinic.languages.first ?? .en, handoffNumber: setup.handoffNumber)
            tools = ToolRunner(engine: setup.engine)
            platform = PlatformEmulator(.init(script: setup.script, audio: setup.audio, line: setup.line, callerPauseMs: setup.callerPauseMs))
            // The platform asks the webhook what to do and reads the XML answer, as Sautikit does.
            var track: StreamTrack = setup.line.bothTracks ? .both : .inbound
            var outputRate = setup.line.rate
            do {
                let instructions = try WebhookInstructions.parse(LabCall.webhookResponse(for: setup).xml())
                events.append(LabCall.webhookEvent(instructions, setup: setup))
                track = instructions.track
                outputRate = instructions.outputSamplingRate
                openMetadata = instructions.openMetadata
            } catch {
                events.append(ShellEvent.error(where: "platform", message: error.description).line(atMs: 0))
                endReason = "webhook error"
                ended = true
            }
            var stream = StreamConfiguration(inputSampleRate: setup.line.rate, track: track, outputSampleRate: outputRate, providerInputRate: provider.inputSampleRate, providerOutputRate: provider.outputSampleRate)
            stream.subprotocol = "audio.drachtio.org"
            stream.bargeIn = setup.bargeIn
            callSetup = CallMachine.Setup(model: .inProcess(provider), agent: agent, stream: stream, toolLatencyMs: setup.bookingLatencyMs)
        }

        /// False once the call has ended (hang-up, handoff, the bridge closed).
        public var isRunning: Bool { !ended }

        /// Opens the stream: the platform's first frame is the call's metadata (`openMetadata`).
        public mutating func start() async {
            guard let openMetadata else { return }
            events.append(LabCall.streamStatus("stream-started", callSID: setup.caller.callSID, atMs: 0))
            await perform(call.opened(nowMs: 0), at: 0)
            await perform(call.textReceived(openMetadata, nowMs: 0), at: 0)
        }

        /// 20 ms of the call ending at `now`.
        public mutating func step(nowMs now: Int) async {
            guard !ended else { return }
            // The platform plays one frame and reports the marks it passed.
            for mark in platform.playoutTick(nowMs: now) { await perform(call.textReceived(mark, nowMs: now), at: now) }
            // The caller speaks after the agent's turn, or over it on cue; the line delivers.
            let arriving = platform.callerTick(nowMs: now)
            events += platform.takeEvents()
            if let left = platform.callerLeft {
                endReason = left
                ended = true
                return
            }
            if let arriving { await perform(call.binaryReceived(arriving, nowMs: now), at: now) }
            // The machine's timers that are due, in the order they were set.
            while let index = timers.firstIndex(where: { $0.atMs <= now }) {
                let due = timers.remove(at: index)
                await perform(call.timerFired(due.timer, nowMs: now), at: now)
            }
        }

        /// Ends the call at `now` (closing the stream if it is still open) and returns it.
        public mutating func finish(nowMs now: Int) async -> Result {
            let reason = endReason
            if !call.isEnded && openMetadata != nil { await perform(call.closed(code: 1000, reason: reason, nowMs: now), at: now) }
            endReason = reason
            if openMetadata != nil { events.append(LabCall.streamStatus("stream-stopped", callSID: setup.caller.callSID, atMs: now)) }
            events.append(ShellEvent.callEnded(reason: endReason, durationMs: now).line(atMs: now))
            let rate = setup.line.rate
            let line = call.session?.lineChannels ?? (caller: PCMBuffer(samples: [], sampleRate: rate), agent: PCMBuffer(samples: [], sampleRate: rate))
            return Result(events: events, caller: line.caller, agent: line.agent, effects: effects, endReason: endReason, durationMs: now)
        }

        /// Performs the machine's actions in order, at call time `t`. The platform's replies
        /// (marks a `killAudio` cleared) reach the bridge after the batch that caused them.
        private mutating func perform(_ actions: [CallAction], at t: Int) async {
            var replies: [String] = []
            for action in actions {
                switch action {
                case .sendBinary(let bytes):
                    // The `silent-read-back` shell fault: silence goes out in the read-back's place.
                    platform.bridgeSent(binary: silencing ? [UInt8](repeating: 0, count: bytes.count) : bytes)
                case .send(let command):
                    replies += platform.bridgeSent(text: command.text)
                    if command == .disconnect {
                        endReason = platform.handoffEndReason
                        ended = true
                    }
                case .close:
                    ended = true
                case .identify:
                    await perform(call.attach(callSetup, nowMs: t), at: t)
                case .toProvider:
                    preconditionFailure("the lab's mock runs inside the call machine; nothing is sent to a network model")
                case .runTool(let request):
                    await perform(call.toolCompleted(await tools.run(request), nowMs: t), at: t)
                case .trace(let event, let atMs):
                    events.append(event.line(atMs: atMs))
                case .agentSaid(let text):
                    platform.agentSaid(text)
                    silencing = setup.mock.faults.contains(.silentReadBack) && LanguageCode.allCases.contains { language in
                        language.phrasebook.recogniseDate(in: text, today: today) != nil && language.phrasebook.recogniseTime(in: text) != nil
                    }
                case .effect(let effect):
                    effects.append(effect)
                case .schedule(let timer, let atMs):
                    timers.removeAll { $0.timer == timer }
                    timers.append((timer, atMs))
                case .cancel(let timer):
                    timers.removeAll { $0.timer == timer }
                case .ended(let reason):
                    endReason = reason
                    ended = true
                }
            }
            for reply in replies { await perform(call.textReceived(reply, nowMs: t), at: t) }
        }
    }

    /// What `miadi serve` answers this call's webhook with, in the lab: the stream at the
    /// line's rate and track, and the handoff number as the `<Dial>` after it.
    static func webhookResponse(for setup: Setup) -> WebhookResponse {
        let request = WebhookRequest(callSID: setup.caller.callSID, from: setup.caller.callerNumber, to: setup.engine.clinic.phone)
        return WebhookResponse(stream: .init(url: "ws://lab.invalid/stream", track: setup.line.bothTracks ? .both : .inbound, outputSamplingRate: setup.line.rate,
                                             statusCallback: "http://lab.invalid/stream-status", openMetadata: WebhookResponse.openMetadata(for: request)),
                               dialNumber: setup.handoffNumber)
    }

    /// The `webhook` trace event, with the fields `miadi serve` writes.
    static func webhookEvent(_ instructions: WebhookInstructions, setup: Setup) -> TraceEvent {
        ShellEvent.webhook(.init(say: instructions.say, streamURL: instructions.streamURL, track: instructions.track.rawValue,
                                 outputRate: instructions.outputSamplingRate, dial: instructions.dial,
                                 from: setup.caller.callerNumber, to: setup.engine.clinic.phone)).line(atMs: 0)
    }

    /// A status callback as `miadi serve` records it.
    static func streamStatus(_ event: String, callSID: String, atMs t: Int) -> TraceEvent {
        ShellEvent.streamStatus(callSID: callSID, event: event, streamName: "miadi", reason: nil).line(atMs: t)
    }

    static func markName(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], object["type"] as? String == "mark",
              let data = object["data"] as? [String: Any] else { return nil }
        return data["name"] as? String
    }
}
