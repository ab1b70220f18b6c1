import CMiadiDSP

/// Interleaved 16-bit signed PCM with its sample rate and channel count.
///
/// This is the one audio currency of Miadi: Sautikit streams carry 16-bit little-endian PCM
/// (mono, or two interleaved channels for `both_tracks`), the models speak 16-bit PCM at 16 or
/// 24 kHz, and the recordings of the line are 16-bit stereo files. Samples are stored in host
/// order; `littleEndianBytes` and `init(littleEndianBytes:)` are the wire form.
///
/// Invariant: `samples.count` is a multiple of `channels`.
public struct PCMBuffer: Sendable, Equatable {
    /// Interleaved samples: for stereo, `[L0, R0, L1, R1, …]`.
    public var samples: [Int16]
    /// Samples per second per channel, in Hz.
    public let sampleRate: Int
    /// 1 (mono) or 2 (stereo: left = caller, right = agent, as Sautikit's `both_tracks`).
    public let channels: Int

    public init(samples: [Int16], sampleRate: Int, channels: Int = 1) {
        precondition(channels >= 1, "PCMBuffer needs at least one channel")
        precondition(samples.count % channels == 0, "PCMBuffer: \(samples.count) samples is not a whole number of \(channels)-channel frames")
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// A buffer of digital silence lasting `durationMs` milliseconds.
    public static func silence(durationMs: Int, sampleRate: Int, channels: Int = 1) -> PCMBuffer {
        PCMBuffer(samples: [Int16](repeating: 0, count: sampleRate * durationMs / 1000 * channels), sampleRate: sampleRate, channels: channels)
    }

    /// Number of sample frames (one sample per channel).
    public var frameCount: Int { samples.count / channels }

    /// Duration in milliseconds, rounded down.
    public var durationMs: Int { sampleRate == 0 ? 0 : frameCount * 1000 / sampleRate }

    /// Duration in seconds.
    public var durationSeconds: Double { sampleRate == 0 ? 0 : Double(frameCount) / Double(sampleRate) }

    public var isEmpty: Bool { samples.isEmpty }

    /// Sample frames in one 20 ms packet at this rate (320 at 16 kHz, 160 at 8 kHz).
    public var framesPer20ms: Int { sampleRate / 50 }

    /// Appends another buffer of the same format.
    public mutating func append(_ other: PCMBuffer) {
        precondition(other.sampleRate == sampleRate && other.channels == channels, "PCMBuffer.append: format mismatch (\(other.sampleRate) Hz × \(other.channels) vs \(sampleRate) Hz × \(channels))")
        samples.append(contentsOf: other.samples)
    }

    /// The sample frames in `range` (frame indices, not sample indices).
    public func slice(frames range: Range<Int>) -> PCMBuffer {
        let lower = max(0, min(range.lowerBound, frameCount))
        let upper = max(lower, min(range.upperBound, frameCount))
        return PCMBuffer(samples: Array(samples[(lower * channels)..<(upper * channels)]), sampleRate: sampleRate, channels: channels)
    }

    /// Splits into consecutive 20 ms packets, the unit Sautikit sends; the last one may be short.
    public func packets20ms() -> [PCMBuffer] {
        let step = framesPer20ms
        guard step > 0 else { return [] }
        return stride(from: 0, to: frameCount, by: step).map { slice(frames: $0..<($0 + step)) }
    }
}

// MARK: - Channels

extension PCMBuffer {
    /// Two mono buffers of equal rate into one interleaved stereo buffer; the shorter side is
    /// padded with silence so no sample of the longer is lost.
    public static func interleave(left: PCMBuffer, right: PCMBuffer) -> PCMBuffer {
        precondition(left.channels == 1 && right.channels == 1, "interleave takes two mono buffers")
        precondition(left.sampleRate == right.sampleRate, "interleave: rates differ (\(left.sampleRate) vs \(right.sampleRate) Hz)")
        let count = max(left.frameCount, right.frameCount)
        let out = [Int16](unsafeUninitializedCapacity: count * 2) { o, initialized in
            left.samples.withUnsafeBufferPointer { l in
                right.samples.withUnsafeBufferPointer { r in
                    // Both sides while both have samples, then the longer one's tail.
                    let both = min(l.count, r.count)
                    for i in 0..<both {
                        o[2 * i] = l[i]
                        o[2 * i + 1] = r[i]
                    }
                    for i in both..<count {
                        o[2 * i] = i < l.count ? l[i] : 0
                        o[2 * i + 1] = i < r.count ? r[i] : 0
                    }
                }
            }
            initialized = count * 2
        }
        return PCMBuffer(samples: out, sampleRate: left.sampleRate, channels: 2)
    }

    /// One channel of an interleaved buffer, as mono (`0` = left = caller on `both_tracks`).
    public func channel(_ index: Int) -> PCMBuffer {
        precondition(index >= 0 && index < channels, "channel \(index) of a \(channels)-channel buffer")
        if channels == 1 { return self }
        let frames = frameCount, stride = channels
        let out = [Int16](unsafeUninitializedCapacity: frames) { o, initialized in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<frames { o[i] = s[i &* stride &+ index] }
            }
            initialized = frames
        }
        return PCMBuffer(samples: out, sampleRate: sampleRate, channels: 1)
    }

    /// Left and right of a stereo buffer.
    public func deinterleave() -> (left: PCMBuffer, right: PCMBuffer) {
        precondition(channels == 2, "deinterleave needs a stereo buffer, not \(channels) channels")
        return (channel(0), channel(1))
    }
}

// MARK: - Float and wire conversion

extension PCMBuffer {
    /// Samples scaled to [-1, 1) (divided by 32768), interleaved.
    public func floatSamples() -> [Float] {
        let count = samples.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<count { out[i] = Float(s[i]) * (1 / 32768) }
            }
            initialized = count
        }
    }

    /// Float samples to 16-bit, rounding to nearest and clipping to the Int16 range.
    public init(floatSamples: [Float], sampleRate: Int, channels: Int = 1) {
        self.init(samples: PCMBuffer.quantize(floatSamples), sampleRate: sampleRate, channels: channels)
    }

    /// `quantize(_:)` over a whole array.
    public static func quantize(_ values: [Float]) -> [Int16] {
        let count = values.count
        // `miadi_quantize` is this loop vectorized (the same bits as `quantize(_:)` below).
        return [Int16](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { v in
                if let from = v.baseAddress, let to = out.baseAddress { miadi_quantize(from, count, to) }
            }
            initialized = count
        }
    }

    /// One float sample (full scale ±1) to Int16 with rounding and clipping.
    @inline(__always)
    public static func quantize(_ value: Float) -> Int16 {
        // Clip, then round half away from zero by adding ±0.5 and truncating: the conversion
        // instruction truncates, where `rounded()` is a libm call per sample on baseline x86-64.
        // In double precision `scaled ± 0.5` is exact, so truncating it rounds correctly.
        let scaled = Double(min(max(value * 32768, -32768), 32767))
        return Int16(Int32(scaled + (scaled < 0 ? -0.5 : 0.5)))
    }

    /// The wire form: 16-bit little-endian signed, interleaved, no header.
    public var littleEndianBytes: [UInt8] {
        let count = samples.count
        return [UInt8](unsafeUninitializedCapacity: count * 2) { bytes, initialized in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<count {
                    let u = UInt16(bitPattern: s[i])
                    bytes[2 * i] = UInt8(truncatingIfNeeded: u)
                    bytes[2 * i + 1] = UInt8(truncatingIfNeeded: u >> 8)
                }
            }
            initialized = count * 2
        }
    }

    /// Reads wire bytes; `bytes.count` must be a whole number of sample frames (see
    /// `PCMByteAssembler` for a byte stream that splits samples across frames).
    public init(littleEndianBytes bytes: some Collection<UInt8>, sampleRate: Int, channels: Int = 1) {
        precondition(bytes.count % (2 * channels) == 0, "PCMBuffer: \(bytes.count) bytes is not a whole number of \(channels)-channel 16-bit frames")
        let count = bytes.count / 2
        // Contiguous bytes (arrays, slices, Data): one pass over raw memory.
        if let fast = bytes.withContiguousStorageIfAvailable({ raw in
            [Int16](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count { out[i] = Int16(bitPattern: UInt16(raw[2 * i]) | (UInt16(raw[2 * i + 1]) << 8)) }
                initialized = count
            }
        }) {
            self.init(samples: fast, sampleRate: sampleRate, channels: channels)
            return
        }
        var out = [Int16]()
        out.reserveCapacity(count)
        var iterator = bytes.makeIterator()
        while let lo = iterator.next(), let hi = iterator.next() {
            out.append(Int16(bitPattern: UInt16(lo) | (UInt16(hi) << 8)))
        }
        self.init(samples: out, sampleRate: sampleRate, channels: channels)
    }
}
