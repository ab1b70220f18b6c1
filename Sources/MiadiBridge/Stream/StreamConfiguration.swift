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

/// When the bridge treats caller speech over the agent as a barge-in. Every decision is traced.
public struct BargeInPolicy: Sendable, Equatable {
    /// Speech over the agent must last this long (ms, from its onset) to stop the agent: shorter
    /// is a backchannel ("mm-hmm", "sawa"), a cough or a click, and the agent keeps talking.
    public var minimumSpeechMs = 400
    /// After `killAudio`, new agent audio waits this long (ms): the platform's message order is
    /// not strict, and audio sent right after the kill could be flushed with the old.
    public var resumeGapMs = 80
    /// Whether the provider's own "interrupted" stops playback at once.
    public var honourProviderInterruption = true

    public init() {}
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
