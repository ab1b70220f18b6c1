/// The voice-activity detector's front end: a one-pole DC blocker (~50 Hz) and the sum of
/// squares of its output over each analysis frame, computed four samples at a time.
///
/// Why blocks: the filter `y[n] = x[n] − x[n−1] + p·y[n−1]` is a recurrence, and run sample by
/// sample every output waits on the one before (a multiply and an add per sample). Unrolled
/// over four samples, each output is `p^(j+1)·y[b−1]` plus a fixed weighted sum of the block's
/// inputs, so the four outputs are one short SIMD matrix product and only the carry
/// `y[b−1] → y[b+3]` is serial: about twice as fast as the sample loop (and the carry is
/// flushed to zero before it turns subnormal, see `flushed`). Four lanes, not eight:
/// on baseline x86-64 the weight vectors of an eight-sample block do not fit the sixteen SSE
/// registers, and a two-block carry measured slower, not faster.
///
/// Determinism: blocks are counted from the start of each frame, and a block is filtered only
/// when all its samples have arrived, so the arithmetic (and every rounding) is the same however
/// the stream is chunked. A frame whose length is not a multiple of four ends in a shorter
/// block filtered sample by sample.
struct HighPassEnergy: Sendable {
    let samplesPerFrame: Int
    private let pole: Float
    /// `w0…w3`: the contribution of block input `m` to each of the four outputs.
    private let w0: SIMD4<Float>, w1: SIMD4<Float>, w2: SIMD4<Float>, w3: SIMD4<Float>
    /// The contribution of the input before the block (`x[b−1]`) and of the output before it.
    private let previousInputWeights: SIMD4<Float>
    private let previousOutputWeights: SIMD4<Float>
    private var previousInput: Float = 0
    private var previousOutput: Float = 0
    /// Samples of an incomplete block, waiting for the rest.
    private var pending = SIMD4<Float>(repeating: 0)
    private var pendingCount = 0
    /// The frame in progress: its sum of squares so far (per lane, then the short tail) and fill.
    private var laneSums = SIMD4<Float>(repeating: 0)
    private var tailSum: Float = 0
    private var fill = 0

    init(pole: Float, samplesPerFrame: Int) {
        precondition(samplesPerFrame > 0, "HighPassEnergy: a frame needs samples")
        self.pole = pole
        self.samplesPerFrame = samplesPerFrame
        let p = Double(pole)
        func power(_ k: Int) -> Double { k <= 0 ? 1 : (1...k).reduce(1.0) { r, _ in r * p } }
        // y[b+j] = p^(j+1)·y[b−1] − p^j·x[b−1] + x[b+j] + Σ_{m<j} (p^(j−m) − p^(j−m−1))·x[b+m]
        func column(_ m: Int) -> SIMD4<Float> {
            var c = SIMD4<Float>(repeating: 0)
            for j in m..<4 { c[j] = j == m ? 1 : Float(power(j - m) - power(j - m - 1)) }
            return c
        }
        (w0, w1, w2, w3) = (column(0), column(1), column(2), column(3))
        var input = SIMD4<Float>(repeating: 0), output = SIMD4<Float>(repeating: 0)
        for j in 0..<4 {
            input[j] = Float(-power(j))
            output[j] = Float(power(j + 1))
        }
        previousInputWeights = input
        previousOutputWeights = output
    }

    /// Filters `samples` (16-bit PCM) and calls `frameDone` with each completed frame's sum of
    /// squares (full scale ±1), in order.
    mutating func feed(_ samples: UnsafeBufferPointer<Int16>, frameDone: (Float) -> Void) {
        var i = 0
        let count = samples.count
        while i < count {
            let blockLength = min(4, samplesPerFrame - fill)
            if blockLength == 4 && pendingCount == 0 && count - i >= 4 {
                // The common case: whole blocks straight from the input, with the carried state
                // in registers until the frame ends or the input runs out.
                let blocks = min((samplesPerFrame - fill) / 4, (count - i) / 4)
                filterBlocks(samples.baseAddress! + i, count: blocks)
                i += blocks * 4
            } else {
                let take = min(blockLength - pendingCount, count - i)
                for k in 0..<take { pending[pendingCount + k] = Float(samples[i + k]) * (1 / 32768) }
                pendingCount += take
                i += take
                guard pendingCount == blockLength else { break }
                if blockLength == 4 { filterFloatBlock(pending) } else { filterShort(pending, count: blockLength) }
                pendingCount = 0
            }
            if fill == samplesPerFrame {
                frameDone(laneSums.sum() + tailSum)
                laneSums = SIMD4<Float>(repeating: 0)
                tailSum = 0
                fill = 0
            }
        }
    }

    /// `count` blocks of four samples from `input`.
    private mutating func filterBlocks(_ input: UnsafePointer<Int16>, count: Int) {
        var prevIn = previousInput, prevOut = previousOutput, sums = laneSums
        var p = input
        for _ in 0..<count {
            let raw = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int16>.self)
            let x = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: raw)) * (1 / 32768)
            let y = block(x, previousInput: prevIn, previousOutput: prevOut)
            sums += y * y
            prevIn = x[3]
            prevOut = Self.flushed(y[3])
            p += 4
        }
        previousInput = prevIn
        previousOutput = prevOut
        laneSums = sums
        fill += count * 4
    }

    /// One block of four samples already converted to full scale.
    private mutating func filterFloatBlock(_ x: SIMD4<Float>) {
        let y = block(x, previousInput: previousInput, previousOutput: previousOutput)
        laneSums += y * y
        previousInput = x[3]
        previousOutput = Self.flushed(y[3])
        fill += 4
    }

    /// A block's four outputs (both block paths call this, so their arithmetic is identical).
    /// The carried output is added last: the serial chain from block to block is one multiply
    /// and one add.
    @inline(__always)
    private func block(_ x: SIMD4<Float>, previousInput: Float, previousOutput: Float) -> SIMD4<Float> {
        let a: SIMD4<Float> = w0 * x[0] + w1 * x[1]
        let b: SIMD4<Float> = w2 * x[2] + w3 * x[3]
        let known: SIMD4<Float> = (a + b) + previousInputWeights * previousInput
        return known + previousOutputWeights * previousOutput
    }

    /// The carried output, with a tail too small to matter set to zero. In digital silence the
    /// filter's output decays geometrically through the subnormal floats, where every multiply
    /// and add takes a microcode assist of ~100 cycles: measured, that decay was most of the
    /// detector's time in the lab. 1e-18 is 14 orders of magnitude under one 16-bit step, and
    /// its square is still a normal float.
    @inline(__always)
    private static func flushed(_ y: Float) -> Float { abs(y) < 1e-18 ? 0 : y }

    /// A frame's last few samples, one at a time.
    private mutating func filterShort(_ x: SIMD4<Float>, count: Int) {
        var prevIn = previousInput, prevOut = previousOutput, sum = tailSum
        for k in 0..<count {
            let y = x[k] - prevIn + pole * prevOut
            prevIn = x[k]
            prevOut = Self.flushed(y)
            sum += y * y
        }
        previousInput = prevIn
        previousOutput = prevOut
        tailSum = sum
        fill += count
    }
}
