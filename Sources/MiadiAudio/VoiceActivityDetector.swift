import DequeModule
import Foundation

/// A streaming voice-activity detector for telephone speech, as a sans-I/O state machine.
///
/// Feed it audio in any chunk size (`process(_:)`); it works on 10 ms analysis frames and
/// reports speech onsets and ends in stream milliseconds. It is an energy detector against an
/// adaptive noise floor, which is what telephone audio needs: comfort noise and line hiss at
/// 20–30 dB below the voice are tracked as the floor, and the decision uses only level, so 8 kHz
/// and 16 kHz audio behave alike.
///
/// ```
///            candidate frame              onsetMs of candidates
///  silent ───────────────────▶ rising ─────────────────────────▶ speaking
///    ▲                           │ non-candidate                    │ non-candidate
///    │                           ▼                                  ▼
///    └────────────────────── silent            hangoverMs ◀──── trailing
///    └──────────────────────────────────────────── elapsed ─────────┘
/// ```
/// - frame energy: the frame's mean-square level with its mean removed (`FrameEnergy`), in dBFS;
/// - floor: the minimum frame energy over the last `noiseWindowMs` (minimum statistics; speech
///   always has pauses between syllables that reach it);
/// - candidate frame: energy ≥ floor + `thresholdDb` and ≥ `absoluteFloorDbfs`;
/// - onset: `onsetMs` of consecutive candidates; reported onset is back-dated over the preceding
///   frames that were at least `softThresholdDb` over the floor (a soft "h" or "s" before the vowel),
///   up to `lookbackMs`;
/// - end: `hangoverMs` without a candidate; reported at the end of the last candidate frame.
public struct VoiceActivityDetector: Sendable {
    /// Tunable thresholds; the defaults suit 8–16 kHz telephone speech.
    public struct Configuration: Sendable, Equatable {
        public var frameMs = 10
        public var thresholdDb = 9.0
        public var softThresholdDb = 4.0
        public var absoluteFloorDbfs = -55.0
        public var onsetMs = 30
        public var hangoverMs = 350
        public var lookbackMs = 120
        public var noiseWindowMs = 1500
        public init() {}
    }

    /// A change of state, in stream milliseconds (0 = first sample fed).
    public enum Event: Sendable, Equatable {
        case speechStarted(atMs: Int)
        case speechEnded(atMs: Int)
    }

    private enum State: Sendable {
        case silent
        case rising(candidates: Int)
        case speaking
        case trailing(quietFrames: Int, lastCandidateEndMs: Int)
    }

    public let sampleRate: Int
    public let configuration: Configuration
    private var state: State = .silent
    /// Each frame's energy with its mean (the line's DC offset) removed.
    private var energy: FrameEnergy
    private var frameIndex = 0
    /// Sliding minimum of the last `noiseWindowMs` of frame energies: a deque of (frame, energy)
    /// whose energies rise from front to back, so the front is the window's minimum.
    private var floorCandidates: Deque<(frame: Int, energy: Double)> = Deque()
    private let noiseWindowFrames: Int
    private var recentEnergies: [Double] = []   // last lookback frames (energy, not floor-relative)
    private var recentFloors: [Double] = []
    private let samplesPerFrame: Int

    public init(sampleRate: Int, configuration: Configuration = .init()) {
        self.sampleRate = sampleRate
        self.configuration = configuration
        self.samplesPerFrame = sampleRate * configuration.frameMs / 1000
        self.energy = FrameEnergy(samplesPerFrame: samplesPerFrame)
        self.noiseWindowFrames = max(1, configuration.noiseWindowMs / configuration.frameMs)
    }

    /// True between a `speechStarted` and the matching `speechEnded`.
    public var isSpeaking: Bool {
        switch state {
        case .speaking, .trailing: return true
        case .silent, .rising: return false
        }
    }

    /// True while the last frame was voiced inside a speech segment (not in its hang-over): what
    /// a barge-in guard needs to know that the caller is still talking right now.
    public var isVoicedNow: Bool {
        if case .speaking = state { return true }
        return false
    }

    /// The current noise-floor estimate in dBFS (for traces and tuning).
    public var noiseFloorDbfs: Double { currentFloor() }

    /// Feeds mono audio at `sampleRate`; returns the state changes it caused, in order.
    public mutating func process(_ buffer: PCMBuffer) -> [Event] {
        precondition(buffer.channels == 1 && buffer.sampleRate == sampleRate, "VAD takes mono audio at \(sampleRate) Hz, got \(buffer.channels) ch at \(buffer.sampleRate) Hz")
        return buffer.samples.withUnsafeBufferPointer { process(samples: $0) }
    }

    /// Feeds mono samples at `sampleRate` in place (no buffer made: the bridge feeds each
    /// 20 ms frame in 10 ms steps, 100 calls a second per stream).
    public mutating func process(samples: UnsafeBufferPointer<Int16>) -> [Event] {
        var events: [Event] = []
        var energy = self.energy
        energy.feed(samples) { perSample in
            if let event = frameCompleted(energy: perSample) { events.append(event) }
        }
        self.energy = energy
        return events
    }

    /// Ends the stream: an open speech segment ends at its last voiced frame.
    public mutating func finish() -> [Event] {
        switch state {
        case .speaking:
            state = .silent
            return [.speechEnded(atMs: frameIndex * configuration.frameMs)]
        case .trailing(_, let end):
            state = .silent
            return [.speechEnded(atMs: end)]
        case .silent, .rising:
            state = .silent
            return []
        }
    }

    private func currentFloor() -> Double {
        floorCandidates.first?.energy ?? configuration.absoluteFloorDbfs
    }

    private mutating func frameCompleted(energy perSample: Double) -> Event? {
        let energy = 10 * log10(perSample + 1e-12)
        // The window's minimum, kept exactly: a newer, lower energy makes older, higher ones
        // irrelevant for as long as they would stay in the window.
        while let last = floorCandidates.last, last.energy >= energy { floorCandidates.removeLast() }
        floorCandidates.append((frameIndex, energy))
        while let first = floorCandidates.first, first.frame <= frameIndex - noiseWindowFrames { floorCandidates.removeFirst() }
        let floor = currentFloor()
        let lookbackFrames = max(1, configuration.lookbackMs / configuration.frameMs)
        recentEnergies.append(energy); recentFloors.append(floor)
        // At least `lookbackFrames + 64` are kept (a backdated onset reads far fewer), trimmed
        // back to that once twice as many have gathered: trimmed to it on every frame, it was
        // a copy of the whole history per 10 ms.
        if recentEnergies.count >= 2 * (lookbackFrames + 64) {
            recentEnergies.removeFirst(recentEnergies.count - lookbackFrames - 64)
            recentFloors.removeFirst(recentFloors.count - lookbackFrames - 64)
        }
        let candidate = energy >= floor + configuration.thresholdDb && energy >= configuration.absoluteFloorDbfs
        let frameMs = configuration.frameMs
        let onsetFrames = max(1, configuration.onsetMs / frameMs)
        let hangoverFrames = max(1, configuration.hangoverMs / frameMs)
        defer { frameIndex += 1 }

        switch state {
        case .silent:
            guard candidate else { return nil }
            if onsetFrames <= 1 { state = .speaking; return .speechStarted(atMs: backdatedOnset(runFrames: 1)) }
            state = .rising(candidates: 1)
            return nil
        case .rising(let n):
            guard candidate else { state = .silent; return nil }
            if n + 1 >= onsetFrames {
                state = .speaking
                return .speechStarted(atMs: backdatedOnset(runFrames: n + 1))
            }
            state = .rising(candidates: n + 1)
            return nil
        case .speaking:
            if !candidate { state = .trailing(quietFrames: 1, lastCandidateEndMs: frameIndex * frameMs) }
            return nil
        case .trailing(let quiet, let end):
            if candidate { state = .speaking; return nil }
            if quiet + 1 >= hangoverFrames {
                state = .silent
                return .speechEnded(atMs: end)
            }
            state = .trailing(quietFrames: quiet + 1, lastCandidateEndMs: end)
            return nil
        }
    }

    /// The onset of a run of `runFrames` candidate frames ending at the current frame, moved back
    /// over the quieter lead-in that still stands above the floor.
    private func backdatedOnset(runFrames: Int) -> Int {
        let frameMs = configuration.frameMs
        var first = frameIndex - runFrames + 1
        let maxBack = max(0, configuration.lookbackMs / frameMs)
        let floorAtOnset = recentFloors[recentFloors.count - runFrames]
        var steps = 0
        while steps < maxBack, first > 0 {
            let idx = recentEnergies.count - (frameIndex - first + 1) - 1
            guard idx >= 0 else { break }
            if recentEnergies[idx] < floorAtOnset + configuration.softThresholdDb { break }
            first -= 1; steps += 1
        }
        return first * frameMs
    }
}

extension VoiceActivityDetector {
    /// Speech segments of a whole buffer, as `[startMs, endMs)` pairs.
    public static func segments(of buffer: PCMBuffer, configuration: Configuration = .init()) -> [Range<Int>] {
        var vad = VoiceActivityDetector(sampleRate: buffer.sampleRate, configuration: configuration)
        var events = vad.process(buffer.channels == 1 ? buffer : buffer.channel(0))
        events += vad.finish()
        var result: [Range<Int>] = []
        var start: Int?
        for event in events {
            switch event {
            case .speechStarted(let t): start = t
            case .speechEnded(let t):
                if let s = start { result.append(s..<max(s, t)) }
                start = nil
            }
        }
        return result
    }
}
