import Foundation
import MiadiLoad
import MiadiTestSupport
import Testing

/// `miadi bench fuzz` as an operator runs it: against a server of theirs, round after round,
/// a table row per category with what the server made of the inputs and its memory after.
@Suite("miadi bench fuzz against a running server", .tags(.sockets, .executable))
struct BenchFuzzCommandTests {
    /// Runs `miadi ARGS`; its exit status and standard output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let child = MiadiExecutable.process(arguments)
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        let reader = output.fileHandleForReading
        let collected = Task { await OffPool.run { reader.readDataToEndOfFile() } }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try child.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, String(decoding: await collected.value, as: UTF8.self))
    }

    @Test("two rounds of every category: a row each, every input answered or closed, no 5xx, the server's files and memory read", .timeLimit(.minutes(2)))
    func rounds() async throws {
        let server = try await OffPool.run {
            try BenchServer(kind: .miadi, root: Repository.root, executable: MiadiExecutable.path, streamToken: false, settings: ["head_timeout_ms: 300"])
        }
        defer { server.stop() }
        let (status, output) = try await Self.run(["bench", "fuzz", "--url", "http://127.0.0.1:\(server.port)", "--pid", "\(server.pid)", "--count", "300", "--rounds", "2", "--settle", "0"])
        #expect(status == 0, "\(output)")
        let rows = output.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(rows.count == 7, "the baseline and 3 categories × 2 rounds: \(output)")
        for row in rows.dropFirst() {
            #expect(row.contains("sent 300,") && row.contains("timed out 0") && row.contains("5xx 0"), "\(row)")
            // Open files, resident size and heap in use all read.
            #expect(row.hasSuffix(" MiB") && !row.contains("| –"), "\(row)")
        }
        #expect(rows.filter { $0.hasPrefix("2 | frames") }.count == 1)
    }

    @Test("an unknown category is refused by name before anything is sent", .timeLimit(.minutes(1)))
    func unknownCategory() async throws {
        let finished = try await MiadiExecutable.run(["bench", "fuzz", "--url", "http://127.0.0.1:9", "--categories", "frames,headers"])
        #expect(finished.status == 64)
        #expect(finished.standardError.contains("unknown headers"), "\(finished.standardError)")
    }
}
