import Foundation

/// Ways a phone line damages audio, applied deterministically from a seed.
///
/// Used by the corpus tests (the fingerprint must survive them) and by the simulator's line
/// model. Every function is pure: same input and generator state, same output.
public enum Impairment {
    /// Adds white Gaussian noise so that the speech-to-noise ratio is `snrDb`, measured against
    /// the RMS of the buffer's voiced part (samples above -50 dBFS), as an SNR is usually quoted.
    public static func addNoise(to buffer: PCMBuffer, snrDb: Double, generator: inout SeededGenerator) -> PCMBuffer {
        let speechRms = voicedRms(buffer)
        guard speechRms > 0 else { return buffer }
        let noiseRms = speechRms / pow(10, snrDb / 20)
        var noisy = generator.gaussians(count: buffer.samples.count, scale: noiseRms)
        buffer.samples.withUnsafeBufferPointer { speech in
            noisy.withUnsafeMutableBufferPointer { n in
                for i in 0..<n.count { n[i] += Float(speech[i]) * (1 / 32768) }
            }
        }
        return PCMBuffer(floatSamples: noisy, sampleRate: buffer.sampleRate, channels: buffer.channels)
    }

    /// A stretch of comfort noise (white, Gaussian) at `levelDbfs` RMS.
    public static func comfortNoise(durationMs: Int, sampleRate: Int, levelDbfs: Double, generator: inout SeededGenerator) -> PCMBuffer {
        let rms = pow(10, levelDbfs / 20)
        let count = sampleRate * durationMs / 1000
        return PCMBuffer(floatSamples: generator.gaussians(count: count, scale: rms), sampleRate: sampleRate)
    }

    /// What a lost 20 ms packet becomes downstream.
    public enum LossConcealment: Sendable {
        /// The packet is gone; later audio moves earlier (a jitter buffer that skips).
        case remove
        /// The packet is replaced by silence; timing is kept.
        case silence
    }

    /// Drops each 20 ms packet with probability `rate`.
    public static func dropPackets(from buffer: PCMBuffer, rate: Double, concealment: LossConcealment, generator: inout SeededGenerator) -> PCMBuffer {
        var lost = Set<Int>()
        for i in 0..<buffer.packets20ms().count where generator.unit() < rate { lost.insert(i) }
        return dropPackets(from: buffer, indices: lost, concealment: concealment)
    }

    /// Drops exactly `count` 20 ms packets at evenly spread positions (a worst case that a
    /// random draw may miss), never the first or last.
    public static func dropPackets(from buffer: PCMBuffer, count: Int, concealment: LossConcealment) -> PCMBuffer {
        let packets = buffer.packets20ms().count
        guard count > 0, packets > 2 else { return buffer }
        let step = Double(packets) / Double(count + 1)
        return dropPackets(from: buffer, indices: Set((1...count).map { Int(Double($0) * step) }), concealment: concealment)
    }

    /// Drops the 20 ms packets at `indices`, concealing each as asked.
    public static func dropPackets(from buffer: PCMBuffer, indices: Set<Int>, concealment: LossConcealment) -> PCMBuffer {
        var out = PCMBuffer(samples: [], sampleRate: buffer.sampleRate, channels: buffer.channels)
        for (i, packet) in buffer.packets20ms().enumerated() {
            if !indices.contains(i) {
                out.append(packet)
            } else if concealment == .silence {
                out.append(PCMBuffer(samples: [Int16](repeating: 0, count: packet.samples.count), sampleRate: buffer.sampleRate, channels: buffer.channels))
            }
        }
        return out
    }

    /// Shifts the start: positive `ms` prepends silence, negative cuts the first `-ms`.
    public static func offset(_ buffer: PCMBuffer, ms: Int) -> PCMBuffer {
        let frames = buffer.sampleRate * abs(ms) / 1000
        if ms >= 0 {
            var out = PCMBuffer(samples: [Int16](repeating: 0, count: frames * buffer.channels), sampleRate: buffer.sampleRate, channels: buffer.channels)
            out.append(buffer)
            return out
        }
        return buffer.slice(frames: frames..<buffer.frameCount)
    }

    /// Keeps the first `fraction` of the buffer (a caller cut off mid-sentence).
    public static func truncate(_ buffer: PCMBuffer, keeping fraction: Double) -> PCMBuffer {
        buffer.slice(frames: 0..<Int(Double(buffer.frameCount) * fraction))
    }

    /// RMS over the 20 ms packets louder than -50 dBFS: the level of the speech, not of the pauses.
    public static func voicedRms(_ buffer: PCMBuffer) -> Double {
        var sum = 0.0, n = 0
        for packet in buffer.packets20ms() {
            let r = packet.rms
            if r > 0.00316 { sum += r * r * Double(packet.samples.count); n += packet.samples.count }   // -50 dBFS
        }
        return n == 0 ? 0 : (sum / Double(n)).squareRoot()
    }
}
