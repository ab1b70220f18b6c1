import CMiadiDSP

/// The voice-activity detector's front end: each analysis frame's energy with its mean
/// removed, `Σ(x − x̄)² = Σx² − (Σx)²/N`, from two exact sums.
///
/// Why the mean and not a high-pass filter: telephone audio often carries a DC offset that
/// would read as energy, and removing each 10 ms frame's mean takes it out exactly (a 50 Hz
/// hum is mostly taken out too; speech, which lives above 200 Hz, is untouched). A recursive
/// DC blocker does the same job but is a recurrence: every sample waits on the one before, and
/// the VADs that hear every sample of every call were a tenth of the lab's time with one.
///
/// Exactness: 16-bit samples and their squares are integers, and a frame's sums stay far below
/// 2⁵³, so they are summed as integers (`miadi_pcm16_sums`, eight samples a step) and the
/// energy is the same however the stream is chunked.
struct FrameEnergy: Sendable {
    let samplesPerFrame: Int
    private var sum: Int64 = 0
    private var sumOfSquares: Int64 = 0
    private var fill = 0

    init(samplesPerFrame: Int) {
        precondition(samplesPerFrame > 0 && samplesPerFrame < 1 << 20, "FrameEnergy: \(samplesPerFrame) samples per frame")
        self.samplesPerFrame = samplesPerFrame
    }

    /// Adds `samples` (16-bit PCM) and calls `frameDone` with each completed frame's mean-removed
    /// energy per sample (full scale ±1, so a full-scale square wave is 1), in order.
    mutating func feed(_ samples: UnsafeBufferPointer<Int16>, frameDone: (Double) -> Void) {
        guard let base = samples.baseAddress else { return }
        var i = 0
        let count = samples.count
        while i < count {
            let take = min(samplesPerFrame - fill, count - i)
            miadi_pcm16_sums(base + i, take, &sum, &sumOfSquares)
            i += take
            fill += take
            if fill == samplesPerFrame {
                let n = Double(samplesPerFrame)
                let total = Double(sum), squares = Double(sumOfSquares)
                frameDone(max(0, squares - total * total / n) / n / (32768 * 32768))
                sum = 0
                sumOfSquares = 0
                fill = 0
            }
        }
    }
}
