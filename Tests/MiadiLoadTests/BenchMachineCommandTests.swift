import Foundation
import MiadiTestSupport
import Testing

/// `miadi bench machine` as an operator runs it: a row for the echo and one for the silent
/// baseline, the echo's replies counted, the silent model's none. (Its figures are timings: no
/// threshold is checked here.)
@Suite("miadi bench machine", .tags(.executable))
struct BenchMachineCommandTests {
    @Test("a short run: the two rows, the echo's bytes, none from the silent model", .timeLimit(.minutes(2)))
    func shortRun() async throws {
        let (status, output) = try await BenchFuzzCommandTests.run(["bench", "machine", "--calls", "3", "--seconds", "8", "--passes", "1"])
        #expect(status == 0, "\(output)")
        let rows = output.split(separator: "\n").filter { $0.hasPrefix("| echo") || $0.hasPrefix("| silent") }
        #expect(rows.count == 2, "\(output)")
        let bytes: [Int] = rows.map { row in
            let last = row.split(separator: "|").last.map(String.init) ?? ""
            return Int(last.trimmingCharacters(in: .whitespaces)) ?? -1
        }
        // Eight seconds of the looped caller: one utterance said back, 20 ms frames at 16 kHz.
        let echoed = bytes.first ?? -1
        #expect(echoed > 16_000, "\(output)")
        #expect(echoed % 640 == 0, "\(output)")
        #expect(bytes.last == 0, "\(output)")
        #expect(output.contains("the echo costs"), "\(output)")
    }

    @Test("a call count of zero is refused")
    func refused() async throws {
        let (status, _) = try await BenchFuzzCommandTests.run(["bench", "machine", "--calls", "0"])
        #expect(status != 0)
    }
}
