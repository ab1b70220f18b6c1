import CMiadiDSP
import MiadiAudio
import Testing

/// The resampler's C kernel runs with AVX where the CPU has it and with portable code
/// otherwise; both must give the same bits, or a lab run would differ from machine to machine.
@Suite("Polyphase kernel")
struct PolyphaseKernelTests {
    @Test("the AVX path and the portable path agree bit for bit", arguments: [5, 8, 40, 56, 101, 112])
    func pathsAgree(taps: Int) {
        var generator = SeededGenerator(seed: UInt64(taps))
        let up = 2, down = 3
        let rows = generator.gaussians(count: taps * up, scale: 0.3)
        let x = generator.gaussians(count: 3000, scale: 0.5)
        let count = 2200   // the last windows lie wholly past the input
        // Start before the buffer so the first outputs take the edge path too.
        let newest = -taps / 2
        var fast = [Float](repeating: .nan, count: count), portable = fast
        rows.withUnsafeBufferPointer { r in
            x.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { o in
                    miadi_polyphase(r.baseAddress, taps, x.baseAddress, x.count, newest, 1, down / up, down % up, up, count, o.baseAddress)
                }
                portable.withUnsafeMutableBufferPointer { o in
                    miadi_polyphase_portable(r.baseAddress, taps, x.baseAddress, x.count, newest, 1, down / up, down % up, up, count, o.baseAddress)
                }
            }
        }
        print("polyphase kernel, \(taps) taps: AVX \(miadi_polyphase_uses_avx() == 1 ? "used" : "not available")")
        #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
        // Outputs whose window lies past the end of the input read zeros, not memory.
        #expect(fast.last == 0)
    }
}
