/// Finds which known utterance a clip is, or refuses: the mock model's ears.
///
/// Identification is two-stage: candidates whose speech length is within `lengthTolerance` of
/// the clip's are ranked by a cheap straight-stretch distance, then the best few are compared
/// by dynamic time warping (ends aligned, ±15 % band). The best warped distance must be under
/// `acceptDistance`. A clip cut short (the caller was interrupted, or the line dropped the end)
/// has too little length to be a candidate; a sentence never seen is too far from all.
public struct FingerprintIndex: Sendable {
    /// One known utterance.
    public struct Entry: Sendable {
        public let id: String
        public let fingerprint: AudioFingerprint
        public init(id: String, fingerprint: AudioFingerprint) {
            self.id = id
            self.fingerprint = fingerprint
        }
    }

    /// What `identify` found.
    public struct Match: Sendable, Equatable {
        public let id: String
        /// Mean warped distance in dB per band and frame: 0 is identical.
        public let distance: Double
        /// The runner-up's distance (`infinity` when there was none): the margin of the decision.
        public let runnerUpDistance: Double
    }

    /// Thresholds; the defaults were set from the corpus evaluation in the tests.
    public struct Configuration: Sendable, Equatable {
        /// Clip speech length over reference length must lie in this range.
        public var lengthTolerance: ClosedRange<Double> = 0.7...1.45
        public var acceptDistance = 3.2
        /// Clip time over reference time along the warping path must lie in this range: the
        /// same sentence keeps its pace, a sentence cut short is stretched to fit.
        public var pathTimeRatio: ClosedRange<Double> = 0.78...1.25
        /// No 200 ms stretch of the path may fit worse than this (dB per band and frame).
        public var worstWindowDistance = 6.0
        public var warpCandidates = 6
        public var bandFraction = 0.15
        /// Frames either end of a path may skip, as a share of the reference (at least 3).
        public var slackFraction = 0.1
        public init() {}
    }

    public private(set) var entries: [Entry] = []
    public var configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public mutating func add(id: String, audio: PCMBuffer) {
        entries.append(Entry(id: id, fingerprint: AudioFingerprint(audio)))
    }

    public mutating func add(_ entry: Entry) { entries.append(entry) }

    /// The best-matching entry, if it is close enough; ties break by id, so the answer never
    /// depends on insertion order.
    public func identify(_ clip: PCMBuffer) -> Match? {
        identify(AudioFingerprint(clip))
    }

    /// Same, for a fingerprint computed already.
    public func identify(_ query: AudioFingerprint) -> Match? {
        let ranked = rank(query).filter { $0.worstWindow <= configuration.worstWindowDistance && configuration.pathTimeRatio.contains($0.timeRatio) }
        guard let best = ranked.first, best.distance <= configuration.acceptDistance else { return nil }
        return Match(id: best.id, distance: best.distance, runnerUpDistance: ranked.dropFirst().first?.distance ?? .infinity)
    }

    /// Every candidate that survived the length filter and the warping, best first (for tuning
    /// and for reports that show why a clip was refused).
    public func rank(_ query: AudioFingerprint) -> [(id: String, distance: Double, worstWindow: Double, timeRatio: Double)] {
        guard query.frameCount >= 3 else { return [] }
        let n = Double(query.frameCount)
        var shortlist: [(Entry, Double)] = []
        for entry in entries {
            let ratio = n / Double(max(1, entry.fingerprint.frameCount))
            guard configuration.lengthTolerance.contains(ratio) else { continue }
            shortlist.append((entry, query.stretchedDistance(to: entry.fingerprint)))
        }
        shortlist.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.id < $1.0.id }
        var results: [(id: String, distance: Double, worstWindow: Double, timeRatio: Double)] = []
        for (entry, _) in shortlist.prefix(configuration.warpCandidates) {
            let radius = max(4, Int(Double(max(query.frameCount, entry.fingerprint.frameCount)) * configuration.bandFraction))
            let slack = max(3, Int(Double(entry.fingerprint.frameCount) * configuration.slackFraction))
            if let warp = query.warp(onto: entry.fingerprint, radius: radius, slack: slack) {
                results.append((entry.id, warp.meanDistance, warp.worstWindowDistance, warp.timeRatio))
            }
        }
        results.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        return results
    }
}
