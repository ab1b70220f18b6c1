import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBridge

/// The platform's side of one call, sans-I/O: the scripted caller, its phone line (rate, noise,
/// loss, delay, jitter) and the platform's playout buffer. It is told what the bridge sent and
/// asked, 20 ms at a time, what goes back; the in-process loop (`LabCall`) and the socket
/// transport drive the same machine, so both play a scenario the same way.
public struct PlatformEmulator: Sendable {
    public struct Configuration: Sendable {
        public var script: [Scenario.Step]
        /// The audio of each line of the script, 16 kHz mono, by its text.
        public var audio: [String: PCMBuffer]
        public var line: LabCall.LineModel
        /// Silence after the agent's last word before the caller speaks, ms.
        public var callerPauseMs: Int

        public init(script: [Scenario.Step], audio: [String: PCMBuffer], line: LabCall.LineModel, callerPauseMs: Int) {
            self.script = script
            self.audio = audio
            self.line = line
            self.callerPauseMs = callerPauseMs
        }
    }

    private let configuration: Configuration
    private var rate: Int { configuration.line.rate }
    private var caller: ScriptedCaller
    private var network: LineNetwork
    private var noise: SeededGenerator
    /// RMS of the line's noise (full scale 1), nil on a clean line: the caller's voiced level
    /// over all its lines, `noise_snr_db` below. The noise covers the whole inbound line,
    /// silences between lines included, so a VAD's noise floor is tested as on a real line.
    private let noiseRms: Double?
    private var playout = PlatformPlayout()
    private var newEvents: [TraceEvent] = []
    private var lastAgentText = ""
    private var turnHandled = true
    /// The line being said and how far into it the caller is (an offset, not a shrinking
    /// array: removing each frame from the front would copy the rest of the line every 20 ms).
    private var speaking: [Int16] = []
    private var spoken = 0
    private var isSpeaking: Bool { spoken < speaking.count }
    private var lastAgentSoundMs = 0
    private var agentTurnStartMs = 0
    private var lastLineEndMs = 0
    /// The end of the caller's last turn, backchannels left out: an agent turn that began
    /// after it is one the caller has not answered yet, even if it said "mm-hmm" over it.
    private var lastTurnLineEndMs = 0
    /// The caller keeps a scripted silence until then (no line, no giving up).
    private var quietUntilMs = 0
    private var resumeAfterQuiet = false
    /// The bridge cut the agent's turn short (`killAudio`): the caller did not hear it out, so
    /// it waits for the agent to go on rather than answer half a question.
    private var turnCut = false
    private var playedBefore = 0

    /// How much longer than its usual pause the caller waits for an utterance whose end mark has
    /// not played, ms: longer than a loaded bridge runs late, shorter than it takes to give up.
    static let unmarkedPatienceMs = 3000

    /// Why the caller left (hung up, or gave up on a silent agent); nil while on the line.
    public private(set) var callerLeft: String?
    /// The bridge sent `disconnect`: the platform ends the stream and follows its `<Dial>`.
    public private(set) var disconnected = false

    /// `startMs`: the call time at which the stream opens (0 in process; over sockets, however
    /// long the webhook and the handshake took), so that silence is counted from there.
    public init(_ configuration: Configuration, startMs: Int = 0) {
        self.configuration = configuration
        lastAgentSoundMs = startMs
        agentTurnStartMs = startMs
        lastLineEndMs = startMs
        lastTurnLineEndMs = startMs
        caller = ScriptedCaller(steps: configuration.script)
        network = LineNetwork(latencyMs: configuration.line.latencyMs, jitterMs: configuration.line.jitterMs, loss: configuration.line.loss, seed: configuration.line.seed,
                              dropouts: configuration.line.dropouts)
        noise = SeededGenerator(seed: configuration.line.seed, stream: "line-noise")
        if let snr = configuration.line.noiseSNR {
            let levels = configuration.audio.keys.sorted().compactMap { configuration.audio[$0] }.map(Impairment.voicedRms).filter { $0 > 0 }
            let speech = levels.isEmpty ? pow(10, -20.0 / 20) : levels.reduce(0, +) / Double(levels.count)
            noiseRms = speech / pow(10, snr / 20)
        } else {
            noiseRms = nil
        }
    }

    /// Trace events made since the last call, in order.
    public mutating func takeEvents() -> [TraceEvent] {
        defer { newEvents.removeAll() }
        return newEvents
    }

    /// Why the call ended when the bridge handed it off: a caller whose script says
    /// `hang_up: when_transferred` hangs up rather than wait for the transfer; any other stays
    /// on while the platform dials the `<Dial>` number (a leg the lab does not play).
    public var handoffEndReason: String {
        caller.wantsToHangUpWhenTransferred ? "caller hung up when transferred" : "handoff"
    }

    /// The agent's latest transcript: what the caller recognises questions from.
    public mutating func agentSaid(_ text: String) { lastAgentText = text }

    /// Audio from the bridge, at the stream's output rate.
    public mutating func bridgeSent(binary bytes: [UInt8]) {
        playout.received(audio: PCMBuffer(littleEndianBytes: bytes, sampleRate: rate).samples)
    }

    /// A control message from the bridge; returns the platform's replies (marks cleared by a
    /// `killAudio`).
    public mutating func bridgeSent(text: String) -> [String] {
        if text == BridgeCommand.killAudio.text {
            turnCut = true
            return playout.kill().map { #"{"type":"mark","data":{"name":"\#($0)","event":"cleared"}}"# }
        }
        if text == BridgeCommand.disconnect.text {
            disconnected = true
        } else if let mark = LabCall.markName(text) {
            playout.received(mark: mark)
        }
        return []
    }

    /// Plays one 20 ms frame to the caller; returns the marks it passed, as the platform's
    /// `playout` messages.
    public mutating func playoutTick(nowMs now: Int) -> [String] {
        playedBefore = playout.heard.count
        let resuming = playout.utteranceOpen
        let marks = playout.tick(nowMs: now).map { #"{"type":"mark","data":{"name":"\#($0)","event":"playout"}}"# }
        if playout.isPlaying || playout.playingUntilMs >= now {
            // Sound after a gap starts a new agent turn, unless the gap came inside an
            // utterance (the bridge ran late): that is the same turn going on.
            if lastAgentSoundMs < now - 40 && !resuming { agentTurnStartMs = now; turnHandled = false; turnCut = false }
            lastAgentSoundMs = now
        }
        return marks
    }

    /// The caller's 20 ms: decides whether to speak, puts the frame on the line, and returns
    /// what reaches the bridge now (nil: nothing arrives in this frame). Sets `callerLeft`
    /// when the caller hangs up or gives up, in which case nothing is sent.
    public mutating func callerTick(nowMs now: Int) -> [UInt8]? {
        if resumeAfterQuiet && now >= quietUntilMs {
            // The scripted silence is over: the caller takes the agent's last turn up again.
            resumeAfterQuiet = false
            turnHandled = false
        }
        if !isSpeaking && now >= quietUntilMs {
            var decision = ScriptedCaller.Decision.wait
            // The agent has finished when its audio has stopped for the caller's pause and the
            // utterance's end mark has played (a bridge that never marks is answered later).
            let quietMs = now - lastAgentSoundMs
            let utteranceOver = !playout.utteranceOpen || quietMs >= configuration.callerPauseMs + Self.unmarkedPatienceMs
            let agentAnswered = agentTurnStartMs > lastTurnLineEndMs && quietMs >= configuration.callerPauseMs && !playout.isPlaying && utteranceOver
            if playout.isPlaying && agentTurnStartMs > lastLineEndMs {
                decision = caller.duringTurn(msIntoTurn: now - agentTurnStartMs, agentText: lastAgentText)
            } else if agentAnswered && !turnHandled {
                turnHandled = true
                if !turnCut { decision = caller.turnEnded(agentText: lastAgentText) }
            }
            switch decision {
            case .pause(let ms):
                quietUntilMs = now + ms
                resumeAfterQuiet = true
            case .say(let text), .sayOver(let text), .backchannel(let text):
                let audio = (configuration.audio[text] ?? PCMBuffer(samples: [], sampleRate: 16_000)).resampled(to: rate, quality: .telephone)
                if configuration.audio[text] == nil { newEvents.append(ShellEvent.error(where: "platform", message: "no audio for the caller's line \"\(text)\"").line(atMs: now)) }
                speaking = audio.samples
                spoken = 0
                lastLineEndMs = now + audio.durationMs
                if decision != .backchannel(text) { lastTurnLineEndMs = lastLineEndMs }
                newEvents.append(ShellEvent.callerUtterance(text: text, startMs: now, endMs: lastLineEndMs, bargeIn: decision != .say(text),
                                                                 backchannel: decision == .backchannel(text)).line(atMs: now))
            case .hangUp(let reason):
                callerLeft = reason
                return nil
            case .wait:
                break
            }
        }
        if !isSpeaking, now - max(lastAgentSoundMs, lastLineEndMs, quietUntilMs) > 8000 {
            callerLeft = "caller gave up: " + (caller.stuckOn ?? "the agent said nothing")
            return nil
        }
        let perFrame = rate / 50
        var frame = [Int16](repeating: 0, count: perFrame)
        let take = min(perFrame, speaking.count - spoken)
        if take > 0 {
            frame.withUnsafeMutableBufferPointer { out in
                speaking.withUnsafeBufferPointer { line in
                    for i in 0..<take { out[i] = line[spoken + i] }
                }
            }
            spoken += take
        }
        let callerFrame = PCMBuffer(samples: frame, sampleRate: rate)
        if configuration.line.bothTracks {
            // The right channel is what the platform played to the caller in this 20 ms.
            var played = playout.heard.count > playedBefore ? playout.heard[playedBefore].samples : []
            played = Array(played.prefix(perFrame)) + [Int16](repeating: 0, count: max(0, perFrame - played.count))
            network.send(PCMBuffer.interleave(left: callerFrame, right: PCMBuffer(samples: played, sampleRate: rate)).samples, nowMs: now)
        } else {
            network.send(callerFrame.samples, nowMs: now)
        }
        var arriving = network.arrivals(nowMs: now)
        guard !arriving.isEmpty else { return nil }
        if let noiseRms {
            // The line's hiss is on whatever reaches the bridge, lost packets and outages
            // included (concealed as the platform does, with noise rather than digital zero,
            // which no real line carries and which would collapse any VAD's noise floor).
            let stride = configuration.line.bothTracks ? 2 : 1
            let hiss = noise.gaussians(count: arriving.count / stride, scale: noiseRms)
            for i in hiss.indices {
                let s = i * stride
                arriving[s] = Int16(max(-32768, min(32767, (Float(arriving[s]) + hiss[i] * 32768).rounded())))
            }
        }
        return PCMBuffer(samples: arriving, sampleRate: rate, channels: configuration.line.bothTracks ? 2 : 1).littleEndianBytes
    }
}
