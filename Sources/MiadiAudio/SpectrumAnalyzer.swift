import Foundation

/// Short-time power spectra in mel-spaced bands, the feature behind `AudioFingerprint`.
///
/// A radix-2 FFT of our own: the only size needed is 256 points at 8 kHz, no listed Swift
/// package offers an FFT, and pulling in FFTW for this would add a C dependency for ~60 lines.
struct SpectrumAnalyzer: Sendable {
    static let size = 256
    let bandCount: Int
    private let window: [Float]
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let bitReverse: [Int]
    /// `bandWeights[b]` lists (bin, weight) pairs of band `b`'s triangular filter.
    private let bandWeights: [[(Int, Float)]]

    init(sampleRate: Int, bandCount: Int, lowHz: Double, highHz: Double) {
        let n = Self.size
        self.bandCount = bandCount
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        cosTable = (0..<(n / 2)).map { Float(cos(-2 * Double.pi * Double($0) / Double(n))) }
        sinTable = (0..<(n / 2)).map { Float(sin(-2 * Double.pi * Double($0) / Double(n))) }
        let bits = Int(log2(Double(n)))
        bitReverse = (0..<n).map { i in
            var r = 0, v = i
            for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
            return r
        }
        func mel(_ f: Double) -> Double { 2595 * log10(1 + f / 700) }
        func hz(_ m: Double) -> Double { 700 * (pow(10, m / 2595) - 1) }
        let edges = (0...(bandCount + 1)).map { hz(mel(lowHz) + (mel(highHz) - mel(lowHz)) * Double($0) / Double(bandCount + 1)) }
        let binHz = Double(sampleRate) / Double(n)
        bandWeights = (0..<bandCount).map { b in
            let lo = edges[b], mid = edges[b + 1], hi = edges[b + 2]
            var weights: [(Int, Float)] = []
            for bin in 0...(n / 2) {
                let f = Double(bin) * binHz
                let w: Double
                if f > lo && f <= mid { w = (f - lo) / (mid - lo) } else if f > mid && f < hi { w = (hi - f) / (hi - mid) } else { w = 0 }
                if w > 0 { weights.append((bin, Float(w))) }
            }
            return weights
        }
    }

    /// Band energies (linear power) of one frame of `size` samples starting at `offset`.
    func bandEnergies(_ samples: UnsafeBufferPointer<Float>, offset: Int, into out: inout [Float]) {
        let n = Self.size
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * n) { scratch in
            let re = scratch.baseAddress!, im = re + n
            im.initialize(repeating: 0, count: n)
            window.withUnsafeBufferPointer { window in
                bitReverse.withUnsafeBufferPointer { bitReverse in
                    for i in 0..<n {
                        let j = offset + i
                        re[bitReverse[i]] = j < samples.count ? samples[j] * window[i] : 0
                    }
                }
            }
            cosTable.withUnsafeBufferPointer { cosTable in
                sinTable.withUnsafeBufferPointer { sinTable in
                    var half = 1
                    while half < n {
                        let step = n / (2 * half)
                        var start = 0
                        while start < n {
                            for k in 0..<half {
                                let wr = cosTable[k * step], wi = sinTable[k * step]
                                let a = start + k, b = a + half
                                let tr = wr * re[b] - wi * im[b]
                                let ti = wr * im[b] + wi * re[b]
                                re[b] = re[a] - tr; im[b] = im[a] - ti
                                re[a] += tr; im[a] += ti
                            }
                            start += 2 * half
                        }
                        half *= 2
                    }
                }
            }
            for b in 0..<bandCount {
                var e: Float = 0
                for (bin, w) in bandWeights[b] { e += w * (re[bin] * re[bin] + im[bin] * im[bin]) }
                out[b] = e
            }
        }
    }
}
