import Foundation
import MiadiReports
import MiadiScoring
import MiadiTestSupport
import Testing

/// `miadi compare` as a user runs it: its exit code is the gate CI reads.
@Suite("miadi compare: exit codes", .tags(.executable), .timeLimit(.minutes(3)))
struct CompareCommandTests {
    static var miadi: String { MiadiExecutable.path }

    static func run(_ arguments: [String]) async throws -> Int32 {
        try await MiadiExecutable.run(arguments).status
    }

    static func write(passed: [Bool], latency: Int, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let run = RunResults.Run(seed: 1, repeats: 1, provider: "mock", model: "miadi-mock-1", transport: "inproc", faults: [], miadiVersion: "test")
        let calls = passed.enumerated().map { i, ok in
            RunResults.Call(scenario: "s\(i)", call: "s\(i)", group: "s\(i)", tags: [], passed: ok, outcome: ok ? "booked" : "nothing", failures: ok ? [] : ["x"],
                            metrics: CallMetrics(durationMs: 30_000, billedSeconds: 30, firstAudioMs: 300, turnLatenciesMs: [latency], bargeInStopsMs: [], talkOverMs: 0,
                                                 deadAirMs: 0, turns: 1, agentWords: 10, toolCalls: 1, confirmations: []))
        }
        try RunResults(run: run, calls: calls).jsonData().write(to: URL(fileURLWithPath: folder + "/results.json"))
    }

    @Test("0 without a regression, 1 with one, 2 on bad input")
    func exitCodes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.miadi), "build the miadi executable first (swift build)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-compare-\(UUID().uuidString.prefix(8))").path
        try Self.write(passed: [true, true], latency: 1000, to: root + "/base")
        try Self.write(passed: [true, true], latency: 1050, to: root + "/same")
        try Self.write(passed: [true, false], latency: 1000, to: root + "/broken")
        try Self.write(passed: [true, true], latency: 1500, to: root + "/slow")
        #expect(try await Self.run(["compare", root + "/base", root + "/same"]) == 0)
        #expect(try await Self.run(["compare", root + "/base", root + "/same", "--max-latency-rise", "10"]) == 0)
        #expect(try await Self.run(["compare", root + "/base", root + "/broken"]) == 1)
        #expect(try await Self.run(["compare", root + "/base", root + "/slow", "--max-latency-rise", "20"]) == 1)
        #expect(try await Self.run(["compare", root + "/base", root + "/missing"]) == 2)
    }
}
