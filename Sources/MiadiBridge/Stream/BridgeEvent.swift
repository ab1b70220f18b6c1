import MiadiAgent
import MiadiProviders

/// What the bridge records, typed: each case is one of the bridge's trace lines
/// (`Docs/trace.md`), rendered by `line(atMs:)` with the schema's own field names. The
/// machines emit these; only the shells that write a trace turn them into lines.
public enum BridgeEvent: Sendable, Equatable {
    case streamOpen(subprotocol: String, rate: Int, track: String, outputRate: Int, callSID: String)
    case streamClose(code: Int, reason: String)
    /// `fatal` is said for the provider's errors only.
    case error(where: String, message: String, fatal: Bool?)
    case callerSpeech(startMs: Int, endMs: Int, overAgent: Bool)
    /// Speech over the agent too short to stop it.
    case bargeInIgnored(reason: String, onsetMs: Int, endMs: Int)
    /// The agent stopped for good. `killAudioMs` is when it went silent (in `pause_resume`, the
    /// pause at the onset; the trace line's time is when the decision was made).
    case bargeIn(callerOnsetMs: Int, detectedMs: Int, killAudioMs: Int, lastAgentSampleMs: Int, source: String, reason: String)
    /// `pause_resume`: the agent paused at the caller's first syllable (`killAudio`), its
    /// unplayed rest kept. `utterance` is the one cut, `heardMs` how much of it was heard.
    case bargeInPause(callerOnsetMs: Int, detectedMs: Int, utterance: String?, heardMs: Int)
    /// `pause_resume`: the sound was a backchannel, a cough or a noise; the agent plays on,
    /// `rewoundMs` before the last sample heard, from the line's time. `soundEndMs`: when the
    /// caller's sound ended.
    case bargeInResume(callerOnsetMs: Int, soundEndMs: Int, pausedAtMs: Int, rewoundMs: Int, reason: String)
    /// `status`: `completed` or `cut`; start and end are when its first and last heard samples
    /// played; `plannedMs` how long all of it is.
    case agentUtterance(id: String, text: String, startMs: Int?, endMs: Int?, status: String, heardMs: Int, plannedMs: Int)
    /// `event`: `sent`, `playout` or `cleared`.
    case mark(name: String, event: String)
    case transcriptIn(String)
    case transcriptOut(String)
    case toolCall(id: String, name: String, arguments: String)
    case toolsCancelled([String])
    case usage(ProviderUsage)
    case dtmf(String)
    case platformMessage(type: String)
    case handoff(target: String, reason: String)
    case handoffRefused(target: String, reason: String)

    /// The trace line, at call time `atMs`.
    public func line(atMs t: Int) -> TraceEvent {
        switch self {
        case .streamOpen(let subprotocol, let rate, let track, let outputRate, let callSID):
            return TraceEvent(tMs: t, type: .streamOpen, fields: [
                "subprotocol": .string(subprotocol), "rate": .int(rate), "track": .string(track), "output_rate": .int(outputRate), "call_sid": .string(callSID),
            ])
        case .streamClose(let code, let reason):
            return TraceEvent(tMs: t, type: .streamClose, fields: ["code": .int(code), "reason": .string(reason)])
        case .error(let place, let message, let fatal):
            var fields: [String: TraceValue] = ["where": .string(place), "message": .string(message)]
            if let fatal { fields["fatal"] = .bool(fatal) }
            return TraceEvent(tMs: t, type: .error, fields: fields)
        case .callerSpeech(let start, let end, let overAgent):
            return TraceEvent(tMs: t, type: .callerSpeech, fields: ["start_ms": .int(start), "end_ms": .int(end), "over_agent": .bool(overAgent)])
        case .bargeInIgnored(let reason, let onset, let end):
            return TraceEvent(tMs: t, type: .guardBargeIn, fields: ["decision": "ignored", "reason": .string(reason), "onset_ms": .int(onset), "end_ms": .int(end)])
        case .bargeIn(let onset, let detected, let kill, let lastHeard, let source, let reason):
            return TraceEvent(tMs: t, type: .bargeIn, fields: [
                "caller_onset_ms": .int(onset), "detected_ms": .int(detected), "kill_audio_ms": .int(kill),
                "last_agent_sample_ms": .int(lastHeard), "source": .string(source), "reason": .string(reason),
            ])
        case .bargeInPause(let onset, let detected, let utterance, let heard):
            return TraceEvent(tMs: t, type: .bargeInPause, fields: [
                "caller_onset_ms": .int(onset), "detected_ms": .int(detected), "utterance": .optional(utterance), "heard_ms": .int(heard),
            ])
        case .bargeInResume(let onset, let soundEnd, let pausedAt, let rewound, let reason):
            return TraceEvent(tMs: t, type: .bargeInResume, fields: [
                "caller_onset_ms": .int(onset), "sound_end_ms": .int(soundEnd), "paused_at_ms": .int(pausedAt), "rewound_ms": .int(rewound), "reason": .string(reason),
            ])
        case .agentUtterance(let id, let text, let start, let end, let status, let heard, let planned):
            return TraceEvent(tMs: t, type: .agentUtterance, fields: [
                "id": .string(id), "text": .string(text), "start_ms": .optional(start), "end_ms": .optional(end), "status": .string(status), "heard_ms": .int(heard),
                "planned_ms": .int(planned),
            ])
        case .mark(let name, let event):
            return TraceEvent(tMs: t, type: .mark, fields: ["name": .string(name), "event": .string(event)])
        case .transcriptIn(let text):
            return TraceEvent(tMs: t, type: .transcriptIn, fields: ["text": .string(text)])
        case .transcriptOut(let text):
            return TraceEvent(tMs: t, type: .transcriptOut, fields: ["text": .string(text)])
        case .toolCall(let id, let name, let arguments):
            return TraceEvent(tMs: t, type: .toolCall, fields: ["id": .string(id), "name": .string(name), "arguments": .string(arguments)])
        case .toolsCancelled(let ids):
            return TraceEvent(tMs: t, type: .toolCancelled, fields: ["ids": .array(ids.map(TraceValue.string))])
        case .usage(let usage):
            return TraceEvent(tMs: t, type: .usage, fields: [
                "input_audio_tokens": .int(usage.inputAudioTokens), "input_text_tokens": .int(usage.inputTextTokens),
                "cached_input_tokens": .int(usage.cachedInputTokens), "output_audio_tokens": .int(usage.outputAudioTokens),
                "output_text_tokens": .int(usage.outputTextTokens), "input_audio_seconds": .double(usage.inputAudioSeconds),
                "output_audio_seconds": .double(usage.outputAudioSeconds),
            ])
        case .dtmf(let digit):
            return TraceEvent(tMs: t, type: .dtmf, fields: ["digit": .string(digit)])
        case .platformMessage(let type):
            return TraceEvent(tMs: t, type: .platformMessage, fields: ["message_type": .string(type)])
        case .handoff(let target, let reason):
            return TraceEvent(tMs: t, type: .handoff, fields: ["target": .string(target), "reason": .string(reason)])
        case .handoffRefused(let target, let reason):
            return TraceEvent(tMs: t, type: .handoffRefused, fields: ["target": .string(target), "reason": .string(reason)])
        }
    }
}

/// Anything a call records: the bridge's events and the agent's.
public enum CallEvent: Sendable, Equatable {
    case bridge(BridgeEvent)
    case agent(AgentEvent)

    /// The trace line, at call time `atMs`.
    public func line(atMs t: Int) -> TraceEvent {
        switch self {
        case .bridge(let event): return event.line(atMs: t)
        case .agent(let event): return event.line(atMs: t)
        }
    }
}
