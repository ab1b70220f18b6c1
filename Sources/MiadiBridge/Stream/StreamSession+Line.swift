import MiadiAgent
import MiadiAudio
import MiadiProviders

extension StreamSession {
    /// Everything one open stream keeps: what its first frame said, the caller's side (byte
    /// assembly, VAD, resampling for the model), the agent's side (paced playout, marks), the
    /// line's recording and the barge-in state. It exists only once the stream is open (kept
    /// beside the session's state, changed in place, and kept after the close).
    struct Line: Sendable {
        let configuration: StreamConfiguration
        let metadata: StreamMetadata
        var assembler: PCMByteAssembler
        var vad: VoiceActivityDetector
        var toProvider: Resampler
        var playout: OutboundPlayout
        var recorder: LineRecorder
        var recorderResampler: Resampler
        /// Call time of the first caller sample (the stream's zero on the line).
        let streamStartMs: Int
        var callerFrames = 0
        /// Caller speech that began over the agent, not yet long enough to be a barge-in.
        var pendingOnsetMs: Int?
        var speechOnsetMs: Int?
        var speechOverAgent = false
        /// After a barge-in, the interrupted response's remaining audio is dropped until the
        /// provider ends or abandons it.
        var discardingResponse = false
        /// `pause_resume`: the agent is paused at the caller's first syllable, waiting to know
        /// whether the sound was a backchannel.
        var pause: Pause?
        /// Marks sent and not yet reported, by name.
        var outstandingMarks: [String: Int] = [:]
        var completedUtterances: Set<Int> = []
        var bargeIns = 0
        var framesIn = 0
        var framesOut = 0

        init(configuration: StreamConfiguration, metadata: StreamMetadata, startMs: Int) {
            self.configuration = configuration
            self.metadata = metadata
            streamStartMs = startMs
            assembler = PCMByteAssembler(sampleRate: configuration.inputSampleRate, channels: configuration.track.channels)
            vad = VoiceActivityDetector(sampleRate: configuration.inputSampleRate)
            toProvider = Resampler(from: configuration.inputSampleRate, to: configuration.providerInputRate, quality: .telephone)
            playout = OutboundPlayout(providerRate: configuration.providerOutputRate, outputRate: configuration.outputSampleRate, maximumLeadMs: configuration.maximumLeadMs)
            recorder = LineRecorder(sampleRate: configuration.inputSampleRate, rightFromPlatform: configuration.track == .both)
            recorderResampler = Resampler(from: configuration.outputSampleRate, to: configuration.inputSampleRate, quality: .telephone)
        }

        /// Caller audio from a binary frame.
        mutating func received(_ bytes: [UInt8], nowMs: Int) -> [StreamAction] {
            framesIn += 1
            return callerAudio(assembler.append(bytes), nowMs: nowMs)
        }

        /// What the model said; after `disconnect` (`disconnecting`) its words go nowhere.
        /// `pumping: false`: audio is queued, and sent at the next `pump`.
        mutating func providerEvent(_ event: ProviderEvent, nowMs: Int, disconnecting: Bool, pumping: Bool = true) -> [StreamAction] {
            var actions: [StreamAction] = []
            switch event {
            case .audio(let buffer):
                if discardingResponse || disconnecting { return [] }
                _ = playout.audio(buffer)
                if pumping { actions += pump(nowMs: nowMs) }
            case .outputTranscript(let text, let final):
                if discardingResponse || disconnecting { return [] }
                _ = playout.transcript(text, final: final)
                if final {
                    actions.append(.trace(.transcriptOut(text), atMs: nowMs))
                    actions.append(.agentSaid(text))
                }
            case .inputTranscript(let text):
                actions.append(.trace(.transcriptIn(text), atMs: nowMs))
                actions.append(.evidence(.callerSaid(text: text, atMs: nowMs)))
                if pause != nil { actions += pauseHeard(text, nowMs: nowMs) }
            case .toolCall(let call):
                actions.append(.trace(.toolCall(id: call.id, name: call.name, arguments: call.argumentsJSON), atMs: nowMs))
                actions.append(.runTool(call))
            case .toolCallsCancelled(let ids):
                actions.append(.trace(.toolsCancelled(ids), atMs: nowMs))
            case .interrupted:
                // Already stopped by the bridge's own VAD: keep dropping until the turn ends.
                if discardingResponse { return [] }
                if pause != nil { return decideBargeIn(nowMs: nowMs, reason: "the model took the caller's sound as a turn") }
                if configuration.bargeIn.honourProviderInterruption && playout.isAudible(nowMs: nowMs) {
                    actions += bargeIn(onsetMs: speechOnsetMs ?? nowMs, nowMs: nowMs, source: "provider", reason: "the model stopped itself on the caller's speech")
                }
            case .turnDone:
                if disconnecting { return [] }
                if discardingResponse { discardingResponse = false; return [] }
                playout.closeCurrent()
                if pumping { actions += pump(nowMs: nowMs) }
            case .usage(let usage):
                actions.append(.trace(.usage(usage), atMs: nowMs))
            case .failed(let message, let fatal):
                actions.append(.trace(.error(where: "provider", message: message, fatal: fatal), atMs: nowMs))
            }
            return actions
        }

        /// A line the bridge says by itself, queued as an utterance of its own.
        mutating func sayLocally(_ spoken: SpokenLine, nowMs: Int) -> [StreamAction] {
            discardingResponse = false
            playout.closeCurrent()
            _ = playout.transcript(spoken.text, final: true)
            _ = playout.audio(spoken.audio)
            playout.closeCurrent()
            return [.agentSaid(spoken.text)] + pump(nowMs: nowMs)
        }

        /// The stream is closing: the VAD's last segment and what was heard of the agent.
        mutating func closing(nowMs: Int) -> [StreamAction] {
            var actions: [StreamAction] = []
            for event in vad.finish() { actions += speechEvent(event, nowMs: nowMs) }
            pause = nil // the call ended mid-pause: what was held is cut for good
            for (u, heard) in playout.flush(nowMs: nowMs, resumeGapMs: 0) where !completedUtterances.contains(u.id) && u.sentSamples > 0 {
                actions += utteranceTrace(u, nowMs: nowMs, completed: u.pendingCount == 0 && heard >= (u.endMs ?? 0) - (u.firstSampleMs ?? 0), heardMs: heard)
            }
            return actions
        }

        mutating func platformMessage(_ message: PlatformMessage, nowMs: Int) -> [StreamAction] {
            switch message {
            case .mark(let name, let event):
                var actions: [StreamAction] = [.trace(.mark(name: name, event: event.rawValue), atMs: nowMs)]
                if let id = outstandingMarks.removeValue(forKey: name), event == .playout, !completedUtterances.contains(id) {
                    completedUtterances.insert(id)
                    if let u = playout.utterances.first(where: { $0.id == id }) {
                        actions += utteranceTrace(u, nowMs: nowMs, completed: true, heardMs: (u.endMs ?? 0) - (u.firstSampleMs ?? 0))
                    }
                }
                return actions
            case .dtmf(let digit):
                return [.trace(.dtmf(digit), atMs: nowMs)]
            case .other(let type):
                return [.trace(.platformMessage(type: type), atMs: nowMs)]
            }
        }

        /// Line time of the next caller sample, in call ms.
        var lineNowMs: Int { streamStartMs + callerFrames * 1000 / configuration.inputSampleRate }

        mutating func callerAudio(_ buffer: PCMBuffer, nowMs: Int) -> [StreamAction] {
            guard buffer.frameCount > 0 else { return [] }
            var actions: [StreamAction] = []
            let caller: PCMBuffer
            if configuration.track == .both {
                // Recorded as it came (both sides at once); the caller's side alone goes on.
                recorder.platformStereo(buffer.samples)
                caller = buffer.channel(0)
            } else {
                caller = buffer
                recorder.caller(caller.samples)
            }
            // Feed the VAD in 10 ms steps so a barge-in is decided as soon as it is long enough,
            // even when the platform batches 100 ms of audio into one frame.
            let step = configuration.inputSampleRate / 100
            var offset = 0
            while offset < caller.frameCount {
                let end = min(caller.frameCount, offset + step)
                let events = caller.samples.withUnsafeBufferPointer { vad.process(samples: UnsafeBufferPointer(rebasing: $0[offset..<end])) }
                callerFrames += end - offset
                offset = end
                for event in events { actions += speechEvent(event, nowMs: nowMs) }
                if let onset = pendingOnsetMs, vad.isVoicedNow, lineNowMs - onset >= configuration.bargeIn.minimumSpeechMs {
                    actions += bargeIn(onsetMs: onset, nowMs: nowMs, source: "vad",
                                       reason: "speech over the agent lasted \(configuration.bargeIn.minimumSpeechMs) ms")
                }
                if pause != nil { actions += pauseHearing(voiced: vad.isVoicedNow, nowMs: nowMs) }
            }
            let resampled = configuration.inputSampleRate == configuration.providerInputRate
                ? caller : PCMBuffer(floatSamples: toProvider.process(caller.floatSamples()), sampleRate: configuration.providerInputRate)
            if !resampled.isEmpty { actions.append(.toProvider(.audio(resampled))) }
            return actions + pump(nowMs: nowMs)
        }

        mutating func speechEvent(_ event: VoiceActivityDetector.Event, nowMs: Int) -> [StreamAction] {
            switch event {
            case .speechStarted(let atMs):
                let onset = streamStartMs + atMs
                speechOnsetMs = onset
                if configuration.bargeIn.mode == .pauseResume {
                    if pause != nil {
                        speechOverAgent = true
                        pause!.soundStarted(onsetMs: onset)
                        return []
                    }
                    speechOverAgent = playout.isAudible(nowMs: nowMs)
                    return speechOverAgent ? startPause(onsetMs: onset, nowMs: nowMs) : []
                }
                speechOverAgent = playout.isAudible(nowMs: nowMs)
                pendingOnsetMs = speechOverAgent ? onset : nil
                return []
            case .speechEnded(let atMs):
                let end = streamStartMs + atMs
                let start = speechOnsetMs ?? end
                var actions: [StreamAction] = []
                if let onset = pendingOnsetMs {
                    actions.append(.trace(.bargeInIgnored(
                        reason: "speech over the agent lasted \(end - onset) ms, under \(configuration.bargeIn.minimumSpeechMs) ms: a backchannel or noise",
                        onsetMs: onset, endMs: end), atMs: nowMs))
                }
                actions.append(.trace(.callerSpeech(startMs: start, endMs: end, overAgent: speechOverAgent), atMs: nowMs))
                if pause != nil { actions += pauseSoundEnded(endMs: end, nowMs: nowMs) }
                pendingOnsetMs = nil
                speechOnsetMs = nil
                speechOverAgent = false
                return actions
            }
        }

        /// The agent stops for good: `killAudio` now (or, after a pause, the one already sent at
        /// `killedAtMs`), the rest of its response dropped, the model told what was heard.
        mutating func bargeIn(onsetMs: Int, nowMs: Int, source: String, reason: String, killedAtMs: Int? = nil) -> [StreamAction] {
            pendingOnsetMs = nil
            bargeIns += 1
            let lastHeard = killedAtMs ?? min(playout.playedUntilMs, nowMs)
            // Audio still to come for a response the caller interrupted is dropped until the
            // provider ends it; a response already complete has nothing more to drop.
            discardingResponse = playout.hasOpenResponse
            let cut = playout.flush(nowMs: nowMs, resumeGapMs: configuration.bargeIn.resumeGapMs)
            var actions: [StreamAction] = []
            if killedAtMs == nil {
                recorder.cutAgent(atMs: nowMs - streamStartMs)
                actions.append(.send(.killAudio))
            }
            actions.append(.trace(.bargeIn(callerOnsetMs: onsetMs, detectedMs: killedAtMs ?? nowMs, killAudioMs: killedAtMs ?? nowMs, lastAgentSampleMs: lastHeard,
                                           source: source, reason: reason), atMs: nowMs))
            let heardCurrent = cut.first { $0.utterance.firstSampleMs != nil }?.heardMs ?? 0
            actions.append(.toProvider(.heardUpTo(ms: heardCurrent)))
            for (u, heard) in cut where !completedUtterances.contains(u.id) {
                completedUtterances.insert(u.id)
                actions += utteranceTrace(u, nowMs: nowMs, completed: false, heardMs: heard)
            }
            return actions
        }

        mutating func pump(nowMs: Int) -> [StreamAction] {
            var actions: [StreamAction] = pause != nil ? pauseTick(nowMs: nowMs) : []
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
                        actions.append(.trace(.mark(name: name, event: "sent"), atMs: nowMs))
                    }
                }
            }
            return actions
        }

        /// An utterance as the caller heard it: its trace event, and the same facts as evidence
        /// for the confirmation guard.
        func utteranceTrace(_ u: OutboundPlayout.Utterance, nowMs: Int, completed: Bool, heardMs: Int) -> [StreamAction] {
            let endMs = completed ? u.endMs : u.firstSampleMs.map { $0 + heardMs }
            let planned = u.plannedMs(rate: configuration.outputSampleRate)
            return [
                .trace(.agentUtterance(id: "agent-\(u.id)", text: u.text, startMs: u.firstSampleMs, endMs: endMs, status: completed ? "completed" : "cut", heardMs: heardMs,
                                       plannedMs: completed ? max(planned, heardMs) : planned), atMs: nowMs),
                .evidence(.agentUtterance(id: "agent-\(u.id)", text: u.text, endMs: endMs ?? nowMs, completed: completed)),
            ]
        }
    }
}
