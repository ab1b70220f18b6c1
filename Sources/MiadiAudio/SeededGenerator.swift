/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The lab must give the same bytes for the same seed on every machine, so noise, loss and
/// jitter draw from this and never from the system generator. Not for secrets.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for a named sub-stream, so that adding draws in one part of the lab does not
    /// shift the numbers another part sees.
    public init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a over the stream name
        for byte in stream.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        self.init(seed: seed ^ h)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// `count` standard normal draws times `scale`, as floats: Box–Muller using both of each
    /// pair's outputs (the cosine and the sine), so one logarithm and one `sincos` make two
    /// samples. Line noise draws hundreds of thousands of these per simulated minute.
    public mutating func gaussians(count: Int, scale: Double) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            var i = 0
            while i < count {
                let u1 = max(unit(), 1e-300), u2 = unit()
                let radius = (-2 * _log(u1)).squareRoot() * scale
                let angle = 2 * Double.pi * u2
                out[i] = Float(radius * _cos(angle))
                if i + 1 < count { out[i + 1] = Float(radius * _sin(angle)) }
                i += 2
            }
            initialized = count
        }
    }
}

// Local wrappers keep Foundation out of this file's public surface.
import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Foundation.sin(x) }
