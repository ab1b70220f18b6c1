import Foundation
import MiadiCorpus
import MiadiAudio

/// Measures how well the lab's ears work on the corpus: the fingerprint's identification
/// accuracy and false matches under line impairments, and the VAD's onset precision and recall
/// in noise. `miadi corpus evaluate` prints these figures; the tests hold them to bounds.
/// Everything is seeded, so the figures are the same on every run.
public enum CorpusEvaluation {
    /// One way of damaging a clip before asking the index who said it.
    public enum Condition: String, Sendable, CaseIterable {
        case clean
        case resampled8k = "16k→8k→16k"
        case dropped2PercentRemoved = "2% frames dropped (removed)"
        case dropped2PercentSilenced = "2% frames dropped (silenced)"
        case offsetLate40ms = "starts 40 ms late"
        case offsetEarly40ms = "first 40 ms cut"
        case noise20dB = "noise at 20 dB SNR"
        case combined = "all of the above at once"
        case truncated70 = "cut to 70 %"
        case truncated60 = "cut to 60 %"
        case truncated50 = "cut to 50 %"

        /// Whether the right answer is to refuse the clip.
        public var mustRefuse: Bool {
            switch self {
            case .truncated70, .truncated60, .truncated50: return true
            default: return false
            }
        }

        public func apply(_ clip: PCMBuffer, generator: inout SeededGenerator) -> PCMBuffer {
            let twoPercent = max(1, Int((Double(clip.frameCount) / Double(clip.framesPer20ms) * 0.02).rounded(.up)))
            switch self {
            case .clean: return clip
            case .resampled8k: return clip.resampled(to: 8000, quality: .telephone).resampled(to: clip.sampleRate, quality: .telephone)
            case .dropped2PercentRemoved: return Impairment.dropPackets(from: clip, count: twoPercent, concealment: .remove)
            case .dropped2PercentSilenced: return Impairment.dropPackets(from: clip, count: twoPercent, concealment: .silence)
            case .offsetLate40ms: return Impairment.offset(clip, ms: 40)
            case .offsetEarly40ms: return Impairment.offset(clip, ms: -40)
            case .noise20dB: return Impairment.addNoise(to: clip, snrDb: 20, generator: &generator)
            case .combined:
                let narrow = clip.resampled(to: 8000, quality: .telephone).resampled(to: clip.sampleRate, quality: .telephone)
                let lossy = Impairment.dropPackets(from: narrow, count: twoPercent, concealment: .remove)
                return Impairment.addNoise(to: Impairment.offset(lossy, ms: 40), snrDb: 20, generator: &generator)
            case .truncated70: return Impairment.truncate(clip, keeping: 0.70)
            case .truncated60: return Impairment.truncate(clip, keeping: 0.60)
            case .truncated50: return Impairment.truncate(clip, keeping: 0.50)
            }
        }
    }

    /// Outcome counts for one condition.
    public struct FingerprintTally: Sendable, Equatable {
        public var correct = 0
        public var wrong = 0
        public var refused = 0
        public var total: Int { correct + wrong + refused }
        /// Share identified correctly (for conditions that must be identified).
        public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
        /// Share accepted as any entry (for conditions that must be refused).
        public var acceptRate: Double { total == 0 ? 0 : Double(correct + wrong) / Double(total) }
    }

    /// Clips shorter than this are backchannels, not lines the fingerprint must identify, ms.
    public static let shortestLineMs = 500

    public struct FingerprintReport: Sendable {
        public var byCondition: [(Condition, FingerprintTally)] = []
        /// Clips never in the corpus: how many were refused / accepted as something.
        public var unseen = FingerprintTally()
        /// Every wrong identification, for a person to look at.
        public var falseMatches: [(clip: String, condition: String, matched: String, distance: Double)] = []
        /// Largest warped distance of a right answer, and smallest of a wrong best candidate:
        /// the room the acceptance threshold has.
        /// Clips that should have been identified and were not, with the right entry's distance
        /// (`nil`: it was not even a candidate, e.g. its length was off).
        public var wrongRefusals: [(clip: String, condition: String, distance: Double?, worstWindow: Double?, timeRatio: Double?)] = []
        /// Clips shorter than `shortestLineMs`, not identified.
        public var backchannelsLeftOut = 0
        public var worstCorrectDistance = 0.0
        public var bestWrongDistance = Double.infinity
        public var worstCorrectWindow = 0.0
        public var bestWrongWindow = Double.infinity
    }

    /// Identifies every entry of `clips` under every condition against `index`, plus `unseen`
    /// clips that must all be refused.
    public static func fingerprint(clips all: [(id: String, audio: PCMBuffer)], unseen: [(label: String, audio: PCMBuffer)], index: FingerprintIndex, seed: UInt64 = 1) -> FingerprintReport {
        var report = FingerprintReport()
        // A sound shorter than this ("Uh.", "Euh.") is a backchannel, not a line to identify:
        // the mock lets it pass rather than read it, so it is left out of the tally.
        let clips = all.filter { $0.audio.durationMs >= shortestLineMs }
        report.backchannelsLeftOut = all.count - clips.count
        for condition in Condition.allCases {
            var tally = FingerprintTally()
            var generator = SeededGenerator(seed: seed, stream: "fingerprint/\(condition.rawValue)")
            for clip in clips {
                let damaged = condition.apply(clip.audio, generator: &generator)
                let query = AudioFingerprint(damaged)
                for candidate in index.rank(query) where index.configuration.pathTimeRatio.contains(candidate.timeRatio) {
                    if candidate.id == clip.id && !condition.mustRefuse {
                        report.worstCorrectDistance = max(report.worstCorrectDistance, candidate.distance)
                        report.worstCorrectWindow = max(report.worstCorrectWindow, candidate.worstWindow)
                    } else if candidate.id != clip.id || condition.mustRefuse {
                        report.bestWrongDistance = min(report.bestWrongDistance, candidate.distance)
                        report.bestWrongWindow = min(report.bestWrongWindow, candidate.worstWindow)
                    }
                }
                if let match = index.identify(query) {
                    if match.id == clip.id && !condition.mustRefuse { tally.correct += 1 } else {
                        tally.wrong += 1
                        if match.id != clip.id { report.falseMatches.append((clip.id, condition.rawValue, match.id, match.distance)) }
                    }
                } else {
                    tally.refused += 1
                    if !condition.mustRefuse {
                        let right = index.rank(query).first { $0.id == clip.id }
                        report.wrongRefusals.append((clip.id, condition.rawValue, right?.distance, right?.worstWindow, right?.timeRatio))
                    }
                }
            }
            report.byCondition.append((condition, tally))
        }
        for clip in unseen {
            let query = AudioFingerprint(clip.audio)
            for candidate in index.rank(query) {
                report.bestWrongDistance = min(report.bestWrongDistance, candidate.distance)
                report.bestWrongWindow = min(report.bestWrongWindow, candidate.worstWindow)
            }
            if let match = index.identify(query) {
                report.unseen.wrong += 1
                report.falseMatches.append((clip.label, "unseen", match.id, match.distance))
            } else {
                report.unseen.refused += 1
            }
        }
        return report
    }

    /// Onset detection quality for one noise level and rate.
    public struct OnsetScore: Sendable, Equatable {
        public var truth = 0
        public var detected = 0
        public var matched = 0
        /// Mean |detected − true| over matched onsets, in ms.
        public var meanErrorMs = 0.0
        public var precision: Double { detected == 0 ? 0 : Double(matched) / Double(detected) }
        public var recall: Double { truth == 0 ? 0 : Double(matched) / Double(truth) }
    }

    /// Lays every clip end to end with seeded pauses (0.4–1.5 s), adds white noise at `snrDb`
    /// (speech-relative), optionally moves it to `rate`, runs the VAD, and matches detected
    /// onsets to true ones within `toleranceMs`. True onsets come from the clean signal: starts
    /// of 10 ms frames above -50 dBFS, after at least `configuration.hangoverMs` of quiet.
    public static func vadOnsets(clips: [PCMBuffer], snrDb: Double?, rate: Int, toleranceMs: Int = 40, seed: UInt64 = 1, configuration: VoiceActivityDetector.Configuration = .init()) -> OnsetScore {
        guard let first = clips.first else { return OnsetScore() }
        let workRate = first.sampleRate
        var generator = SeededGenerator(seed: seed, stream: "vad/\(snrDb ?? -1)/\(rate)")
        var line = PCMBuffer.silence(durationMs: 800, sampleRate: workRate)
        for clip in clips {
            line.append(clip.resampled(to: workRate, quality: .telephone))
            line.append(.silence(durationMs: 400 + Int(generator.unit() * 1100), sampleRate: workRate))
        }
        let truth = trueOnsets(line, minimumGapMs: configuration.hangoverMs)
        var heard = line
        if let snrDb { heard = Impairment.addNoise(to: heard, snrDb: snrDb, generator: &generator) }
        heard = heard.resampled(to: rate, quality: .telephone)
        var vad = VoiceActivityDetector(sampleRate: rate, configuration: configuration)
        var detected: [Int] = []
        for packet in heard.packets20ms() {
            for case .speechStarted(let t) in vad.process(packet) { detected.append(t) }
        }
        var score = OnsetScore(truth: truth.count, detected: detected.count)
        var used = Set<Int>()
        var errorSum = 0.0
        for t in truth {
            if let best = detected.indices.filter({ !used.contains($0) && abs(detected[$0] - t) <= toleranceMs }).min(by: { abs(detected[$0] - t) < abs(detected[$1] - t) }) {
                used.insert(best)
                score.matched += 1
                errorSum += Double(abs(detected[best] - t))
            }
        }
        score.meanErrorMs = score.matched == 0 ? 0 : errorSum / Double(score.matched)
        return score
    }

    /// Onsets (ms) of speech in a clean signal: 10 ms frames above -50 dBFS, merged across gaps
    /// shorter than `minimumGapMs`.
    public static func trueOnsets(_ clean: PCMBuffer, minimumGapMs: Int) -> [Int] {
        let frame = clean.sampleRate / 100
        var onsets: [Int] = []
        var lastVoicedMs = Int.min / 2
        var i = 0
        while i + frame <= clean.frameCount {
            let loud = clean.slice(frames: i..<(i + frame)).dbfs > -50
            let ms = i * 1000 / clean.sampleRate
            if loud {
                if ms - lastVoicedMs > minimumGapMs { onsets.append(ms) }
                lastVoicedMs = ms + 10
            }
            i += frame
        }
        return onsets
    }

    /// Sentences no scenario uses, per language, for the refusal test.
    public static let unseenSentences: [(language: String, voice: String, text: String)] = [
        ("en", "en-us+f3", "Could you tell me how much a filling costs?"),
        ("en", "en-us+f3", "I'm running late, is that a problem?"),
        ("en", "en+m3", "What time do you close on Saturdays?"),
        ("en", "en+m3", "Yes, that's fine."),
        ("en", "en-us+f2", "My daughter also needs a check-up."),
        ("en", "en-gb", "Sorry, could you say that again?"),
        ("en", "en-us+m2", "Do you take insurance?"),
        ("en", "en-us+f4", "Thursday at eleven would suit me."),
        ("sw", "sw", "Bei ya kung'oa jino ni kiasi gani?"),
        ("sw", "sw+f3", "Samahani, sikusikia vizuri."),
        ("sw", "sw+m3", "Ninaweza kuja Ijumaa jioni?"),
        ("sw", "sw", "Hapana, siyo hiyo."),
        ("fr", "fr-fr+f3", "Quels sont vos horaires le samedi ?"),
        ("fr", "fr-fr+m3", "Pouvez-vous répéter, s'il vous plaît ?"),
        ("fr", "fr-fr+f2", "Je préfère le matin."),
        ("fr", "fr-fr+f3", "Non, ce n'est pas ça."),
    ]
}
