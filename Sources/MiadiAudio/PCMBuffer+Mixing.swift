import Foundation

extension PCMBuffer {
    /// Linear gain for a level change in decibels (`-6` halves the amplitude, roughly).
    public static func gain(decibels: Double) -> Float { Float(pow(10, decibels / 20)) }

    /// A copy scaled by `gain`, clipped to the 16-bit range.
    public func scaled(by gain: Float) -> PCMBuffer {
        PCMBuffer(samples: samples.map { PCMBuffer.quantize(Float($0) / 32768 * gain) }, sampleRate: sampleRate, channels: channels)
    }

    /// Mixes `other` into this buffer starting at sample frame `offsetFrames`, each side with
    /// its own gain, clipping the sum; the result is as long as the longer of the two.
    /// Used to lay noise under caller speech and to build the line as both parties hear it.
    public func mixed(with other: PCMBuffer, gain: Float = 1, selfGain: Float = 1, offsetFrames: Int = 0) -> PCMBuffer {
        precondition(other.sampleRate == sampleRate && other.channels == channels, "mix: format mismatch (\(other.sampleRate) Hz × \(other.channels) vs \(sampleRate) Hz × \(channels))")
        precondition(offsetFrames >= 0, "mix: negative offset \(offsetFrames)")
        let totalFrames = max(frameCount, offsetFrames + other.frameCount)
        var acc = [Float](repeating: 0, count: totalFrames * channels)
        for (i, s) in samples.enumerated() { acc[i] = Float(s) * selfGain }
        let base = offsetFrames * channels
        for (i, s) in other.samples.enumerated() { acc[base + i] += Float(s) * gain }
        return PCMBuffer(samples: acc.map { PCMBuffer.quantize($0 / 32768) }, sampleRate: sampleRate, channels: channels)
    }

    /// Root-mean-square level over all samples, full scale = 1.
    public var rms: Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        for s in samples { let v = Double(s) / 32768; sum += v * v }
        return (sum / Double(samples.count)).squareRoot()
    }

    /// Level in dB relative to full scale; `-infinity` for digital silence.
    public var dbfs: Double { let r = rms; return r > 0 ? 20 * log10(r) : -.infinity }
}

extension PCMBuffer {
    /// This buffer without its leading and trailing quiet (5 ms blocks under `thresholdDbfs`),
    /// keeping `paddingMs` on each side. Synthesised speech comes with long silent tails that
    /// would otherwise count as the caller's speaking time.
    public func trimmingSilence(thresholdDbfs: Double = -55, paddingMs: Int = 30) -> PCMBuffer {
        let block = max(1, sampleRate / 200)
        var loud: [Int] = []
        var start = 0
        while start < frameCount {
            if slice(frames: start..<min(frameCount, start + block)).dbfs > thresholdDbfs { loud.append(start) }
            start += block
        }
        guard let first = loud.first, let last = loud.last else { return slice(frames: 0..<0) }
        let pad = sampleRate * paddingMs / 1000
        return slice(frames: max(0, first - pad)..<min(frameCount, last + block + pad))
    }
}
