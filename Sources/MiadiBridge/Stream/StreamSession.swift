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
/// caller sound over the agent pauses it at once (`pause_resume`: `killAudio`, the rest held
/// until the sound is known to be a backchannel or a turn; see `Pause`) or, in `stop_after`,
/// stops it once the speech outlasts `BargeInPolicy.minimumSpeechMs` (or the provider says
/// "interrupted").
public struct StreamSession: Sendable {
    enum State: Sendable {
        case awaitingMetadata
        case live
        case handingOff(target: String, reason: String)
        /// `disconnect` was sent; waiting for the platform to close the stream.
        case disconnecting
        case closed
    }

    public let configuration: StreamConfiguration
    private var state: State = .awaitingMetadata
    /// The open stream's data: set by `open`, kept after the close (the recording, the
    /// counters). A stored optional beside the state rather than an enum payload, so that each
    /// frame changes it in place: taken out of an enum, the recording was copied on every
    /// append (the lab ran three times slower).
    private var line: Line?

    public init(configuration: StreamConfiguration) {
        self.configuration = configuration
    }

    /// The call this stream belongs to, once the first frame named it (nil again once closed).
    public var metadata: StreamMetadata? {
        switch state {
        case .live, .handingOff, .disconnecting: return line?.metadata
        case .awaitingMetadata, .closed: return nil
        }
    }

    public var isClosed: Bool { if case .closed = state { return true }; return false }

    /// The line so far: left the caller, right the agent as played, at the stream's rate.
    public var recording: PCMBuffer { line?.recorder.stereo() ?? PCMBuffer(samples: [], sampleRate: configuration.inputSampleRate, channels: 2) }

    /// The same line as two mono buffers, not interleaved (what scoring reads).
    public var lineChannels: (caller: PCMBuffer, agent: PCMBuffer) {
        line?.recorder.channels() ?? (PCMBuffer(samples: [], sampleRate: configuration.inputSampleRate), PCMBuffer(samples: [], sampleRate: configuration.inputSampleRate))
    }

    /// Takes the recording up to `nowMs` (interleaved stereo at the stream's rate) out of the
    /// session, for the shell to write as the call goes; with `final`, all of it. What was
    /// taken is no longer in `recording` or `lineChannels`.
    public mutating func takeRecording(nowMs: Int, final: Bool = false) -> PCMBuffer {
        let rate = configuration.inputSampleRate
        guard line != nil else { return PCMBuffer(samples: [], sampleRate: rate, channels: 2) }
        let samples = final ? line!.recorder.takeAll() : line!.recorder.take(settledAtMs: nowMs - line!.streamStartMs)
        return PCMBuffer(samples: samples, sampleRate: rate, channels: 2)
    }

    /// Audio samples the session holds (the recording not yet taken, the agent's queued and
    /// not yet played audio): what a live call costs in memory, which must not grow with its
    /// age when the shell takes the recording as it goes.
    public var heldSamples: Int {
        guard let line else { return 0 }
        return line.recorder.heldSamples + line.playout.heldSamples
    }

    public var bargeIns: Int { line?.bargeIns ?? 0 }
    public var framesIn: Int { line?.framesIn ?? 0 }
    public var framesOut: Int { line?.framesOut ?? 0 }

    // MARK: Events from the platform

    public mutating func textReceived(_ text: String, nowMs: Int) -> [StreamAction] {
        switch state {
        case .awaitingMetadata:
            guard let metadata = StreamMetadata.parse(text) else {
                state = .closed
                return [.trace(.error(where: "bridge", message: "first frame is not stream metadata with a call SID", fatal: nil), atMs: nowMs),
                        .close(code: 1008, reason: "first frame must be metadata with call_sid"), .ended(reason: "bad first frame")]
            }
            return open(metadata, nowMs: nowMs)
        case .live, .handingOff, .disconnecting:
            return withLine { line in line.platformMessage(PlatformMessage.parse(text), nowMs: nowMs) }
        case .closed:
            return []
        }
    }

    /// The stream opens for the call its first frame named (parsed once, by whoever read it).
    /// `lineStartMs`: when that frame arrived, if the call was identified later (the line's
    /// zero: the first caller sample follows the metadata).
    public mutating func open(_ metadata: StreamMetadata, nowMs: Int, lineStartMs: Int? = nil) -> [StreamAction] {
        guard case .awaitingMetadata = state else { preconditionFailure("StreamSession.open in \(state)") }
        line = Line(configuration: configuration, metadata: metadata, startMs: lineStartMs ?? nowMs)
        state = .live
        return [.trace(.streamOpen(subprotocol: configuration.subprotocol, rate: configuration.inputSampleRate, track: configuration.track.rawValue,
                             outputRate: configuration.outputSampleRate, callSID: metadata.callSID), atMs: nowMs)]
    }

    public mutating func binaryReceived(_ bytes: [UInt8], nowMs: Int) -> [StreamAction] {
        switch state {
        case .awaitingMetadata:
            state = .closed
            return [.trace(.error(where: "bridge", message: "audio before the metadata frame", fatal: nil), atMs: nowMs),
                    .close(code: 1008, reason: "first frame must be metadata"), .ended(reason: "bad first frame")]
        case .closed:
            return []
        case .live, .handingOff, .disconnecting:
            guard !bytes.isEmpty else { return [] } // the platform's flush before a graceful stop
            // Checked before the frame is taken: audio past the limit is never recorded.
            let frameMs = bytes.count / (2 * configuration.track.channels) * 1000 / configuration.inputSampleRate
            let aheadMs = line!.lineNowMs + frameMs - nowMs
            guard aheadMs > configuration.maximumAudioAheadMs else { return withLine { line in line.received(bytes, nowMs: nowMs) } }
            return shutDown(code: 1008, reason: "audio faster than real time",
                            message: "the platform sent \(aheadMs) ms of audio ahead of real time (at most \(configuration.maximumAudioAheadMs) ms): the stream is closed", nowMs: nowMs)
        }
    }

    /// The bridge ends the stream itself: why, in the trace; the close frame; then the call
    /// ends as on any close.
    private mutating func shutDown(code: UInt16, reason: String, message: String, nowMs: Int) -> [StreamAction] {
        [.trace(.error(where: "bridge", message: message, fatal: true), atMs: nowMs), .close(code: code, reason: reason)]
            + closed(code: code, reason: reason, nowMs: nowMs)
    }

    /// The socket closed (the platform hung up or ended the stream), at any state.
    public mutating func closed(code: UInt16, reason: String, nowMs: Int) -> [StreamAction] {
        let close = StreamAction.trace(.streamClose(code: Int(code), reason: reason), atMs: nowMs)
        let handoff: Bool
        switch state {
        case .closed:
            return []
        case .awaitingMetadata:
            state = .closed
            return [close, .ended(reason: "closed before metadata")]
        case .live: handoff = false
        case .handingOff, .disconnecting: handoff = true
        }
        var actions = withLine { line in line.closing(nowMs: nowMs) }
        state = .closed
        actions += [close, .toProvider(.endOfCall), .ended(reason: handoff ? "handoff" : "stream closed")]
        return actions
    }

    // MARK: Events from the model and the agent

    ///
    /// `pumping: false` queues the model's audio without sending any: the next `tick` sends it.
    /// An in-process model's words come that way: it may take a while to make them (the mock
    /// speaks with espeak-ng), and the frames must go out on a clock read after that, or the
    /// bridge counts as heard audio the platform has not yet received.
    public mutating func providerEvent(_ event: ProviderEvent, nowMs: Int, pumping: Bool = true) -> [StreamAction] {
        // After `disconnect` the model's words go nowhere: the platform is leaving the stream.
        let disconnecting: Bool
        switch state {
        case .awaitingMetadata, .closed: return []
        case .live, .handingOff: disconnecting = false
        case .disconnecting: disconnecting = true
        }
        return withLine { line in line.providerEvent(event, nowMs: nowMs, disconnecting: disconnecting, pumping: pumping) }
    }

    /// A recorded line said by the bridge itself (the model is gone): it plays after what is
    /// already queued, whatever the model left unfinished.
    public mutating func sayLocally(_ spoken: SpokenLine, nowMs: Int) -> [StreamAction] {
        switch state {
        case .live, .handingOff: return withLine { line in line.sayLocally(spoken, nowMs: nowMs) }
        case .awaitingMetadata, .disconnecting, .closed: return []
        }
    }

    /// The agent's transfer: once what is queued has played, end the stream so the platform
    /// continues with the webhook's `<Dial>`. Only one: a second handoff, or one after the
    /// stream began to close, is refused (traced, nothing else happens).
    public mutating func handoff(target: String, reason: String, nowMs: Int) -> [StreamAction] {
        switch state {
        case .live:
            state = .handingOff(target: target, reason: reason)
            return tick(nowMs: nowMs)
        case .handingOff, .disconnecting:
            return [.trace(.handoffRefused(target: target, reason: "a handoff is already under way"), atMs: nowMs)]
        case .awaitingMetadata, .closed:
            return []
        }
    }

    /// Time passes: call at least every 20 ms while the stream is open.
    public mutating func tick(nowMs: Int) -> [StreamAction] {
        if case .awaitingMetadata = state {} else if !isClosed, nowMs - line!.streamStartMs >= configuration.maximumCallMs {
            return shutDown(code: 1000, reason: "the call reached its maximum length",
                            message: "the call reached its maximum length (\(configuration.maximumCallMs / 1000) s): the stream is closed", nowMs: nowMs)
        }
        switch state {
        case .awaitingMetadata, .closed:
            return []
        case .live, .disconnecting:
            return withLine { line in line.pump(nowMs: nowMs) }
        case .handingOff(let target, let reason):
            var actions = withLine { line in line.pump(nowMs: nowMs) }
            if line?.playout.isAudible(nowMs: nowMs) == false && line?.pause == nil {
                actions.append(.trace(.handoff(target: target, reason: reason), atMs: nowMs))
                actions.append(.send(.disconnect))
                // Wait for the platform to close; no more audio will be queued.
                state = .disconnecting
            }
            return actions
        }
    }

    /// nil if `tick` may do something at the next beat; otherwise the call time before which it
    /// can do nothing unless an input comes first: no audio queued or being played out, no
    /// pause to time, no handoff waiting for the line to go quiet. Then only the call's maximum
    /// length is left for a beat to reach.
    public func beatsIdleUntil() -> Int? {
        switch state {
        case .awaitingMetadata, .closed:
            return .max
        case .handingOff:
            return nil
        case .live, .disconnecting:
            guard line!.pause == nil, line!.playout.isIdle else { return nil }
            return line!.streamStartMs + configuration.maximumCallMs
        }
    }

    /// Runs `body` on the open stream's line, in place.
    private mutating func withLine(_ body: (inout Line) -> [StreamAction]) -> [StreamAction] {
        // Only called once the stream opened (`line` is set then); no `line != nil` test, which
        // would copy the whole line to compare it.
        return body(&line!)
    }
}
