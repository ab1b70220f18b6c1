/// Which audio the platform streams (`<Stream track=…>`).
public enum StreamTrack: String, Sendable, Codable, CaseIterable {
    /// One channel: the caller.
    case inbound = "inbound_track"
    /// One channel: what the caller hears.
    case outbound = "outbound_track"
    /// Two channels interleaved: left the caller, right what the caller hears.
    case both = "both_tracks"

    public var channels: Int { self == .both ? 2 : 1 }
}

/// What the bridge does when the caller makes a sound over the agent. Every decision is traced.
public struct BargeInPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Pause at the first syllable (`killAudio` at once), keep the unplayed rest, and within
        /// `falseInterruptionMs` decide: a backchannel, a cough or a noise resumes the agent
        /// from the start of the word it cut; anything else is a barge-in.
        case pauseResume = "pause_resume"
        /// Keep talking until the caller's speech has lasted `minimumSpeechMs`, then stop for
        /// good: shorter sounds never stop the agent, longer backchannels always do. The
        /// behaviour before pause-and-resume, kept for comparison.
        case stopAfter = "stop_after"
    }

    public var mode = Mode.pauseResume
    /// `stop_after`: speech over the agent must last this long (ms, from its onset) to stop it.
    public var minimumSpeechMs = 400
    /// `pause_resume`: caller sound over the agent that goes on this long (ms, from its onset)
    /// is a barge-in whatever it says; shorter sound may be a backchannel. Long enough for a
    /// slow "mm-hmm" (900 ms), short enough that a real turn is handed to the model within a
    /// second (the caller has heard silence since the onset anyway).
    public var falseInterruptionMs = 1000
    /// `pause_resume`: after a short sound ends, how long (ms) the bridge waits for the model's
    /// transcript of it before taking it as a sound with no words (a cough, a noise) and
    /// resuming. A transcript that comes sooner decides at once.
    public var transcriptWaitMs = 250
    /// After `killAudio`, new agent audio waits this long (ms): the platform's message order is
    /// not strict, and audio sent right after the kill could be flushed with the old.
    public var resumeGapMs = 80
    /// `pause_resume`: a resumed utterance starts again at most this far (ms) before the sample
    /// the caller heard last, at the start of the word it cut when a pause between words is
    /// found there. 0: no rewind, on from the sample heard last.
    public var rewindMs = 200
    /// Whether the provider's own "interrupted" stops playback at once.
    public var honourProviderInterruption = true

    public init() {}

    /// Whether the model should stop itself when it hears the caller over its words: yes when
    /// the bridge stops for good (`stop_after`); no when the bridge pauses and decides, and
    /// tells the model to cancel only once the decision is a barge-in.
    public var modelInterruptsItself: Bool { mode == .stopAfter }
}

/// The facts of one stream that the session machine needs, fixed at its start.
public struct StreamConfiguration: Sendable, Equatable {
    /// Rate of the audio the platform sends (`8000` or `16000`).
    public var inputSampleRate: Int
    public var track: StreamTrack
    /// Rate of the audio the bridge sends back (`outputSamplingRate`).
    public var outputSampleRate: Int
    /// The provider's rates.
    public var providerInputRate: Int
    public var providerOutputRate: Int
    /// How far ahead of real time outbound audio may be (ms): at most this much is flushed by a
    /// barge-in.
    public var maximumLeadMs = 200
    /// How far the caller's audio may run ahead of real time before the stream is closed
    /// (1008): a platform sends 20 ms a frame, in bursts after a network stall, never minutes
    /// in seconds. Without it one client wrote a 100 MB recording in 13 s.
    public var maximumAudioAheadMs = 3000
    /// The longest call, ms from the stream's start: then the stream is closed (1000). A stuck
    /// or hostile call must not hold a line, a model session and a growing WAV for ever.
    public var maximumCallMs = 3_600_000
    public var bargeIn = BargeInPolicy()
    /// The subprotocol the handshake agreed (for the trace).
    public var subprotocol = "audio.drachtio.org"

    public init(inputSampleRate: Int, track: StreamTrack, outputSampleRate: Int, providerInputRate: Int, providerOutputRate: Int) {
        self.inputSampleRate = inputSampleRate
        self.track = track
        self.outputSampleRate = outputSampleRate
        self.providerInputRate = providerInputRate
        self.providerOutputRate = providerOutputRate
    }
}
