import CMiadiDSP
import MiadiAudio
import Testing

/// The C loops that took over the VAD's frame sums and the float-to-16-bit conversion must give
/// exactly what the Swift they replaced gave: the lab's results are compared byte for byte.
@Suite("PCM16 kernels")
struct PCM16KernelTests {
    @Test("frame sums are exact at every length, loudest samples included")
    func sumsAreExact() {
        var generator = SeededGenerator(seed: 16)
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 160, 320, 481, 33_000] {
            for pattern in 0..<3 {
                let samples: [Int16] = (0..<length).map { _ in
                    switch pattern {
                    case 0: return Int16.min // x0² + x1² = 2³¹: past a signed 32-bit lane
                    case 1: return Bool.random(using: &generator) ? Int16.min : Int16.max
                    default: return Int16(truncatingIfNeeded: generator.next())
                    }
                }
                var sum: Int64 = 5, squares: Int64 = 7 // it adds to what is there
                samples.withUnsafeBufferPointer { miadi_pcm16_sums($0.baseAddress, length, &sum, &squares) }
                let expectedSum = samples.reduce(Int64(5)) { $0 + Int64($1) }
                let expectedSquares = samples.reduce(Int64(7)) { $0 + Int64($1) * Int64($1) }
                #expect(sum == expectedSum, "sum of \(length) samples, pattern \(pattern)")
                #expect(squares == expectedSquares, "squares of \(length) samples, pattern \(pattern)")
            }
        }
    }

    @Test("the vectorized conversion rounds and clips as the per-sample one does")
    func quantizeMatchesPerSample() {
        var generator = SeededGenerator(seed: 17)
        var values: [Float] = [0, -0, 1, -1, 2, -2, 0.5 / 32768, -0.5 / 32768, 1.5 / 32768, -1.5 / 32768,
                               32767.5 / 32768, -32768.5 / 32768, .infinity, -.infinity,
                               .ulpOfOne, Float(0.49999997) / 32768, Float(-0.49999997) / 32768]
        values += (0..<10_000).map { _ in Float(Int64(truncatingIfNeeded: generator.next()) % 80_000) / 65_536 }
        values += (0..<1_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()) & 0xBFFF_FFFF) } // finite
        for length in [values.count, 1, 3, 4, 5] {
            let slice = Array(values.prefix(length))
            #expect(PCMBuffer.quantize(slice) == slice.map { PCMBuffer.quantize($0) })
        }
        // NaN, which the per-sample conversion cannot take, becomes silence.
        #expect(PCMBuffer.quantize([.nan, 0.25]) == [0, 8192])
    }
}
