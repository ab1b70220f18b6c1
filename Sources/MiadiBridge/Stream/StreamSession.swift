import MiadiAgent
import MiadiAudio
import MiadiProviders

/// One call's stream, as a machine with no I/O: the shell feeds it what arrives (frames,
/// provider events, ticks, close) with the call time in ms, and performs the actions it
/// returns. Tests drive it without sockets or sleeping; the lab drives it on virtual time.
///
/// ```
///  awaitingMetadata ──open(metadata)──▶ live ──handoff──▶ handingOff ──audio drained──▶ disconnecting
///        │  binary / bad text             │                  │        send disconnect        │
///        ▼                                ▼ closed(code)     ▼                               ▼
///     closed (1008)  ◀──────────────────────────────────── closed ◀───────────────── closed(code)
/// ```
/// In `disconnecting` the platform is about to close: no more model audio is queued or sent,
/// and a second handoff is refused (there is one `<Dial>`).
/// Inside `live`: caller audio is split (left channel of `both_tracks`), fed to the VAD and
/// resampled for the provider; provider audio is resampled, queued per utterance and paced;
/// caller speech over the agent that outlasts `BargeInPolicy.minimumSpeechMs` (or the
/// provider's "interrupted") flushes the agent at once with `killAudio`.
public struct StreamSession: Sendable {
    enum State: Sendable {
        case awaitingMetadata
        case live(metadata: StreamMetadata)
        case handingOff(metadata: StreamMetadata, target: String, reason: String)
        /// `disconnect` was sent; waiting for the platform to close the stream.
        case disconnecting(metadata: StreamMetadata)
        case closed
    }

    public let configuration: StreamConfiguration
    private var state: State = .awaitingMetadata
    private var assembler: PCMByteAssembler
    private var vad: VoiceActivityDetector
    private var toProvider: Resampler
    private var playout: OutboundPlayout
    private var recorder: LineRecorder
    private var recorderResampler: Resampler
    /// Call time of the first caller sample (the stream's zero on the line).
    private var streamStartMs = 0
    private var callerFrames = 0
    /// Caller speech that began over the agent, not yet long enough to be a barge-in.
    private var pendingOnsetMs: Int?
    private var speechOnsetMs: Int?
    private var speechOverAgent = false
    /// After a barge-in, the interrupted response's remaining audio is dropped until the
    /// provider ends or abandons it.
    private var discardingResponse = false
    /// Marks sent and not yet reported, by name.
    private var outstandingMarks: [String: Int] = [:]
    private var completedUtterances: Set<Int> = []
    public private(set) var bargeIns = 0
    public private(set) var framesIn = 0
    public private(set) var framesOut = 0

    public init(configuration: StreamConfiguration) {
        self.configuration = configuration
        assembler = PCMByteAssembler(sampleRate: configuration.inputSampleRate, channels: configuration.track.channels)
        vad = VoiceActivityDetector(sampleRate: configuration.inputSampleRate)
        toProvider = Resampler(from: configuration.inputSampleRate, to: configuration.providerInputRate, quality: .telephone)
        playout = OutboundPlayout(providerRate: configuration.providerOutputRate, outputRate: configuration.outputSampleRate, maximumLeadMs: configuration.maximumLeadMs)
        recorder = LineRecorder(sampleRate: configuration.inputSampleRate, rightFromPlatform: configuration.track == .both)
        recorderResampler = Resampler(from: configuration.outputSampleRate, to: configuration.inputSampleRate, quality: .telephone)
    }

    /// The call this stream belongs to, once the first frame named it.
    public var metadata: StreamMetadata? {
        switch state {
        case .live(let m), .handingOff(let m, _, _), .disconnecting(let m): return m
        case .awaitingMetadata, .closed: return nil
        }
    }

    public var isClosed: Bool { if case .closed = state { return true }; return false }

    /// The line so far: left the caller, right the agent as played, at the stream's rate.
    public var recording: PCMBuffer { recorder.stereo() }

    /// The same line as two mono buffers, not interleaved (what scoring reads).
    public var lineChannels: (caller: PCMBuffer, agent: PCMBuffer) { recorder.channels() }

    // MARK: Events from the platform

    public mutating func textReceived(_ text: String, nowMs: Int) -> [StreamAction] {
        switch state {
        case .awaitingMetadata:
            guard let metadata = StreamMetadata.parse(text) else {
                state = .closed
                return [.trace(TraceEvent(tMs: nowMs, type: "error", fields: ["where": "bridge", "message": .string("first frame is not stream metadata with a call SID")])),
                        .close(code: 1008, reason: "first frame must be metadata with call_sid"), .ended(reason: "bad first frame")]
            }
            return open(metadata, nowMs: nowMs)
        case .live, .handingOff, .disconnecting:
            return platformMessage(PlatformMessage.parse(text), nowMs: nowMs)
        case .closed:
            return []
        }
    }

    /// The stream opens for the call its first frame named (parsed once, by whoever read it).
    public mutating func open(_ metadata: StreamMetadata, nowMs: Int) -> [StreamAction] {
        guard case .awaitingMetadata = state else { preconditionFailure("StreamSession.open in \(state)") }
        state = .live(metadata: metadata)
        streamStartMs = nowMs
        return [.trace(TraceEvent(tMs: nowMs, type: "stream.open", fields: [
            "subprotocol": .string(configuration.subprotocol), "rate": .int(configuration.inputSampleRate),
            "track": .string(configuration.track.rawValue), "output_rate": .int(configuration.outputSampleRate),
            "call_sid": .string(metadata.callSID),
        ]))]
    }

    public mutating func binaryReceived(_ bytes: [UInt8], nowMs: Int) -> [StreamAction] {
        switch state {
        case .awaitingMetadata:
            state = .closed
            return [.trace(TraceEvent(tMs: nowMs, type: "error", fields: ["where": "bridge", "message": "audio before the metadata frame"])),
                    .close(code: 1008, reason: "first frame must be metadata"), .ended(reason: "bad first frame")]
        case .closed:
            return []
        case .live, .handingOff, .disconnecting:
            guard !bytes.isEmpty else { return [] } // the platform's flush before a graceful stop
            framesIn += 1
            return callerAudio(assembler.append(bytes), nowMs: nowMs)
        }
    }

    /// The socket closed (the platform hung up or ended the stream), at any state.
    public mutating func closed(code: UInt16, reason: String, nowMs: Int) -> [StreamAction] {
        var actions: [StreamAction] = []
        switch state {
        case .closed:
            return []
        case .awaitingMetadata:
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "stream.close", fields: ["code": .int(Int(code)), "reason": .string(reason)])))
            state = .closed
            return actions + [.ended(reason: "closed before metadata")]
        case .live, .handingOff, .disconnecting:
            let handoff: Bool
            switch state {
            case .handingOff, .disconnecting: handoff = true
            case .awaitingMetadata, .live, .closed: handoff = false
            }
            for event in vad.finish() { actions += speechEvent(event, nowMs: nowMs) }
            for (u, heard) in playout.flush(nowMs: nowMs, resumeGapMs: 0) where !completedUtterances.contains(u.id) && u.sentSamples > 0 {
                actions += utteranceTrace(u, nowMs: nowMs, completed: heard >= (u.endMs ?? 0) - (u.firstSampleMs ?? 0), heardMs: heard)
            }
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "stream.close", fields: ["code": .int(Int(code)), "reason": .string(reason)])))
            actions.append(.toProvider(.endOfCall))
            state = .closed
            actions.append(.ended(reason: handoff ? "handoff" : "stream closed"))
            return actions
        }
    }

    // MARK: Events from the model and the agent

    public mutating func providerEvent(_ event: ProviderEvent, nowMs: Int) -> [StreamAction] {
        // After `disconnect` the model's words go nowhere: the platform is leaving the stream.
        let disconnecting: Bool
        switch state {
        case .awaitingMetadata, .closed: return []
        case .live, .handingOff: disconnecting = false
        case .disconnecting: disconnecting = true
        }
        var actions: [StreamAction] = []
        switch event {
        case .audio(let buffer):
            if discardingResponse || disconnecting { return [] }
            _ = playout.audio(buffer)
            actions += pump(nowMs: nowMs)
        case .outputTranscript(let text, let final):
            if discardingResponse || disconnecting { return [] }
            _ = playout.transcript(text, final: final)
            if final {
                actions.append(.trace(TraceEvent(tMs: nowMs, type: "transcript.out", fields: ["text": .string(text)])))
                actions.append(.agentSaid(text))
            }
        case .inputTranscript(let text):
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "transcript.in", fields: ["text": .string(text)])))
            actions.append(.evidence(.callerSaid(text: text, atMs: nowMs)))
        case .toolCall(let call):
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "tool.call", fields: ["id": .string(call.id), "name": .string(call.name), "arguments": .string(call.argumentsJSON)])))
            actions.append(.runTool(call))
        case .toolCallsCancelled(let ids):
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "tool.cancelled", fields: ["ids": .array(ids.map(TraceValue.string))])))
        case .interrupted:
            // Already stopped by the bridge's own VAD: keep dropping until the turn ends.
            if discardingResponse { return [] }
            if configuration.bargeIn.honourProviderInterruption && playout.isAudible(nowMs: nowMs) {
                actions += bargeIn(onsetMs: speechOnsetMs ?? nowMs, nowMs: nowMs, source: "provider")
            }
        case .turnDone:
            if disconnecting { return [] }
            if discardingResponse { discardingResponse = false; return [] }
            playout.closeCurrent()
            actions += pump(nowMs: nowMs)
        case .usage(let usage):
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "usage", fields: [
                "input_audio_tokens": .int(usage.inputAudioTokens), "input_text_tokens": .int(usage.inputTextTokens),
                "cached_input_tokens": .int(usage.cachedInputTokens), "output_audio_tokens": .int(usage.outputAudioTokens),
                "output_text_tokens": .int(usage.outputTextTokens), "input_audio_seconds": .double(usage.inputAudioSeconds),
                "output_audio_seconds": .double(usage.outputAudioSeconds),
            ])))
        case .failed(let message, let fatal):
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "error", fields: ["where": "provider", "message": .string(message), "fatal": .bool(fatal)])))
        }
        return actions
    }

    /// The agent's transfer: once what is queued has played, end the stream so the platform
    /// continues with the webhook's `<Dial>`. Only one: a second handoff, or one after the
    /// stream began to close, is refused (traced, nothing else happens).
    public mutating func handoff(target: String, reason: String, nowMs: Int) -> [StreamAction] {
        let metadata: StreamMetadata
        switch state {
        case .live(let m): metadata = m
        case .handingOff, .disconnecting:
            return [.trace(TraceEvent(tMs: nowMs, type: "handoff.refused", fields: ["target": .string(target), "reason": "a handoff is already under way"]))]
        case .awaitingMetadata, .closed:
            return []
        }
        state = .handingOff(metadata: metadata, target: target, reason: reason)
        return tick(nowMs: nowMs)
    }

    /// Time passes: call at least every 20 ms while the stream is open.
    public mutating func tick(nowMs: Int) -> [StreamAction] {
        switch state {
        case .awaitingMetadata, .closed:
            return []
        case .live, .disconnecting:
            return pump(nowMs: nowMs)
        case .handingOff(let metadata, let target, let reason):
            var actions = pump(nowMs: nowMs)
            if !playout.isAudible(nowMs: nowMs) {
                actions.append(.trace(TraceEvent(tMs: nowMs, type: "handoff", fields: ["target": .string(target), "reason": .string(reason)])))
                actions.append(.send(.disconnect))
                // Wait for the platform to close; no more audio will be queued.
                state = .disconnecting(metadata: metadata)
            }
            return actions
        }
    }

    // MARK: Inside

    private mutating func platformMessage(_ message: PlatformMessage, nowMs: Int) -> [StreamAction] {
        switch message {
        case .mark(let name, let event):
            var actions: [StreamAction] = [.trace(TraceEvent(tMs: nowMs, type: "mark", fields: ["name": .string(name), "event": .string(event.rawValue)]))]
            if let id = outstandingMarks.removeValue(forKey: name), event == .playout, !completedUtterances.contains(id) {
                completedUtterances.insert(id)
                if let u = playout.utterances.first(where: { $0.id == id }) {
                    actions += utteranceTrace(u, nowMs: nowMs, completed: true, heardMs: (u.endMs ?? 0) - (u.firstSampleMs ?? 0))
                }
            }
            return actions
        case .dtmf(let digit):
            return [.trace(TraceEvent(tMs: nowMs, type: "dtmf", fields: ["digit": .string(digit)]))]
        case .other(let type):
            return [.trace(TraceEvent(tMs: nowMs, type: "platform.message", fields: ["message_type": .string(type)]))]
        }
    }

    /// Line time of the next caller sample, in call ms.
    private var lineNowMs: Int { streamStartMs + callerFrames * 1000 / configuration.inputSampleRate }

    private mutating func callerAudio(_ buffer: PCMBuffer, nowMs: Int) -> [StreamAction] {
        guard buffer.frameCount > 0 else { return [] }
        var actions: [StreamAction] = []
        let caller: PCMBuffer
        if configuration.track == .both {
            let (left, right) = buffer.deinterleave()
            caller = left
            recorder.platformRight(right.samples)
        } else {
            caller = buffer
        }
        recorder.caller(caller.samples)
        // Feed the VAD in 10 ms steps so a barge-in is decided as soon as it is long enough,
        // even when the platform batches 100 ms of audio into one frame.
        let step = configuration.inputSampleRate / 100
        var offset = 0
        while offset < caller.frameCount {
            let piece = caller.slice(frames: offset..<min(caller.frameCount, offset + step))
            offset += piece.frameCount
            let events = vad.process(piece)
            callerFrames += piece.frameCount
            for event in events { actions += speechEvent(event, nowMs: nowMs) }
            if let onset = pendingOnsetMs, vad.isVoicedNow, lineNowMs - onset >= configuration.bargeIn.minimumSpeechMs {
                actions += bargeIn(onsetMs: onset, nowMs: nowMs, source: "vad")
            }
        }
        let resampled = configuration.inputSampleRate == configuration.providerInputRate
            ? caller : PCMBuffer(floatSamples: toProvider.process(caller.floatSamples()), sampleRate: configuration.providerInputRate)
        if !resampled.isEmpty { actions.append(.toProvider(.audio(resampled))) }
        return actions + pump(nowMs: nowMs)
    }

    private mutating func speechEvent(_ event: VoiceActivityDetector.Event, nowMs: Int) -> [StreamAction] {
        switch event {
        case .speechStarted(let atMs):
            let onset = streamStartMs + atMs
            speechOnsetMs = onset
            speechOverAgent = playout.isAudible(nowMs: nowMs)
            pendingOnsetMs = speechOverAgent ? onset : nil
            return []
        case .speechEnded(let atMs):
            let end = streamStartMs + atMs
            let start = speechOnsetMs ?? end
            var actions: [StreamAction] = []
            if let onset = pendingOnsetMs {
                actions.append(.trace(TraceEvent(tMs: nowMs, type: "guard.barge_in", fields: [
                    "decision": "ignored", "reason": .string("speech over the agent lasted \(end - onset) ms, under \(configuration.bargeIn.minimumSpeechMs) ms: a backchannel or noise"),
                    "onset_ms": .int(onset), "end_ms": .int(end),
                ])))
            }
            actions.append(.trace(TraceEvent(tMs: nowMs, type: "caller.speech", fields: ["start_ms": .int(start), "end_ms": .int(end), "over_agent": .bool(speechOverAgent)])))
            pendingOnsetMs = nil
            speechOnsetMs = nil
            speechOverAgent = false
            return actions
        }
    }

    private mutating func bargeIn(onsetMs: Int, nowMs: Int, source: String) -> [StreamAction] {
        pendingOnsetMs = nil
        bargeIns += 1
        let lastHeard = min(playout.playedUntilMs, nowMs)
        // Audio still to come for a response the caller interrupted is dropped until the
        // provider ends it; a response already complete has nothing more to drop.
        discardingResponse = playout.hasOpenResponse
        let cut = playout.flush(nowMs: nowMs, resumeGapMs: configuration.bargeIn.resumeGapMs)
        recorder.cutAgent(atMs: nowMs - streamStartMs)
        var actions: [StreamAction] = [
            .send(.killAudio),
            .trace(TraceEvent(tMs: nowMs, type: "barge_in", fields: [
                "caller_onset_ms": .int(onsetMs), "detected_ms": .int(nowMs), "kill_audio_ms": .int(nowMs),
                "last_agent_sample_ms": .int(lastHeard), "source": .string(source),
            ])),
        ]
        let heardCurrent = cut.first { $0.utterance.firstSampleMs != nil }?.heardMs ?? 0
        actions.append(.toProvider(.heardUpTo(ms: heardCurrent)))
        for (u, heard) in cut where !completedUtterances.contains(u.id) {
            completedUtterances.insert(u.id)
            actions += utteranceTrace(u, nowMs: nowMs, completed: false, heardMs: heard)
        }
        return actions
    }

    private mutating func pump(nowMs: Int) -> [StreamAction] {
        var actions: [StreamAction] = []
        for output in playout.pump(nowMs: nowMs) {
            switch output {
            case .frame(let samples, let atMs, _):
                framesOut += 1
                let buffer = PCMBuffer(samples: samples, sampleRate: configuration.outputSampleRate)
                actions.append(.sendBinary(buffer.littleEndianBytes))
                let forLine = configuration.outputSampleRate == configuration.inputSampleRate
                    ? samples : PCMBuffer.quantize(recorderResampler.process(buffer.floatSamples()))
                recorder.agent(forLine, atMs: atMs - streamStartMs)
            case .endMark(let name, let id):
                if outstandingMarks.count < 30 {
                    outstandingMarks[name] = id
                    actions.append(.send(.mark(name)))
                    actions.append(.trace(TraceEvent(tMs: nowMs, type: "mark", fields: ["name": .string(name), "event": "sent"])))
                }
            }
        }
        return actions
    }

    /// An utterance as the caller heard it: its trace event, and the same facts as evidence
    /// for the confirmation guard.
    private func utteranceTrace(_ u: OutboundPlayout.Utterance, nowMs: Int, completed: Bool, heardMs: Int) -> [StreamAction] {
        let endMs = completed ? u.endMs : u.firstSampleMs.map { $0 + heardMs }
        return [
            .trace(TraceEvent(tMs: nowMs, type: "agent.utterance", fields: [
                "id": .string("agent-\(u.id)"), "text": .string(u.text), "start_ms": .optional(u.firstSampleMs),
                "end_ms": .optional(endMs), "status": .string(completed ? "completed" : "cut"), "heard_ms": .int(heardMs),
            ])),
            .evidence(.agentUtterance(id: "agent-\(u.id)", text: u.text, endMs: endMs ?? nowMs, completed: completed)),
        ]
    }
}
