import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MiadiReports
import MiadiScoring
import MiadiTestSupport
import MiadiJSON
import Testing

@Suite("Run results, calls.csv and junit.xml")
struct RunResultsTests {
    static func metrics(latencies: [Int], durationMs: Int = 30_000) -> CallMetrics {
        CallMetrics(durationMs: durationMs, billedSeconds: (durationMs + 999) / 1000, firstAudioMs: 300, turnLatenciesMs: latencies, bargeInStopsMs: [],
                    talkOverMs: 0, deadAirMs: 0, turns: latencies.count, agentWords: 40, toolCalls: 3, confirmations: [])
    }

    static func call(_ name: String, group: String, passed: Bool, tags: [String] = ["book"], failures: [String] = [], latencies: [Int] = [1000]) -> RunResults.Call {
        RunResults.Call(scenario: group, call: name, group: group, tags: tags, passed: passed, outcome: passed ? "booked" : "nothing",
                        failures: failures, metrics: metrics(latencies: latencies))
    }

    static let run = RunResults.Run(seed: 1, repeats: 2, provider: "mock", model: "miadi-mock-1", transport: "inproc", faults: [], miadiVersion: "test")

    @Test("pass^k counts a call only when every repeat passed; tags and latency over all turns")
    func aggregates() {
        let results = RunResults(run: Self.run, calls: [
            Self.call("a.r1", group: "a", passed: true, latencies: [1000, 1200]), Self.call("a.r2", group: "a", passed: true, latencies: [1400]),
            Self.call("b.r1", group: "b", passed: true, tags: ["cancel"], latencies: [900]), Self.call("b.r2", group: "b", passed: false, tags: ["cancel"], failures: ["x"], latencies: [3000]),
        ])
        #expect(results.summary.calls == 4)
        #expect(results.summary.passed == 3)
        #expect(results.summary.successRate == 0.75)
        #expect(results.summary.passK == 0.5)
        #expect(results.summary.turnLatencyMs == Percentiles([1000, 1200, 1400, 900, 3000]))
        #expect(results.summary.billedSeconds == 120)
        #expect(results.tags == [.init(tag: "book", calls: 2, passed: 2), .init(tag: "cancel", calls: 2, passed: 1)])
    }

    @Test("results.json reads back as written; another schema is refused by name")
    func roundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-results-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let results = RunResults(run: Self.run, calls: [Self.call("a", group: "a", passed: true)])
        try results.jsonData().write(to: URL(fileURLWithPath: folder + "/results.json"))
        #expect(try RunResults.load(folder) == results)
        #expect(String(decoding: try results.jsonData(), as: UTF8.self).contains(#""pass_k" : 1"#))
        try Data(#"{"schema":"miadi.results/0-draft","scenarios":[]}"#.utf8).write(to: URL(fileURLWithPath: folder + "/old.json"))
        #expect(throws: RunResults.ReadError.self) { try RunResults.load(folder + "/old.json") }
        do { _ = try RunResults.load(folder + "/old.json") } catch { #expect(error.description.contains("miadi.results/0-draft")) }
    }

    @Test("calls.csv quotes what needs quoting")
    func csv() {
        let results = RunResults(run: Self.run, calls: [Self.call("a", group: "a", passed: false, failures: [#"outcome nothing, expected "booked""#, "late"])])
        let lines = CallsCSV.text(results).components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("scenario,call,passed,outcome,"))
        #expect(lines[1].hasSuffix(#","outcome nothing, expected ""booked""; late""#))
        #expect(lines[1].split(separator: ",").count >= CallsCSV.columns.count)
    }

    @Test("junit.xml: one case per call, failures escaped")
    func junit() throws {
        let results = RunResults(run: Self.run, calls: [Self.call("a", group: "a", passed: true), Self.call("b", group: "b", passed: false, failures: ["latency <2 s & \"fast\""])])
        let xml = JUnitXML.text(results)
        #expect(xml.contains(#"tests="2" failures="1""#))
        #expect(xml.contains("&lt;2 s &amp;"))
        #expect(xml.contains(#"time="30.000""#))
        #expect(JUnitXML.seconds3(1005) == "1.005")
        #expect(JUnitXML.seconds3(999) == "0.999")
        // A real XML parser reads it.
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse())
    }
}

@Suite("Comparing runs")
struct RunComparisonTests {
    typealias T = RunResultsTests

    static func results(_ calls: [RunResults.Call]) -> RunResults { RunResults(run: T.run, calls: calls) }

    @Test("a call that flips to failing is a regression; one that flips to passing is not")
    func flips() {
        let base = Self.results([T.call("a", group: "a", passed: true), T.call("b", group: "b", passed: false)])
        let candidate = Self.results([T.call("a", group: "a", passed: false), T.call("b", group: "b", passed: true)])
        let c = RunComparison(base: base, candidate: candidate)
        #expect(c.newlyFailing == ["a"])
        #expect(c.newlyPassing == ["b"])
        #expect(c.regressions == ["a passed in the base and fails now"])
        #expect(RunComparison(base: candidate, candidate: base).regressions == ["b passed in the base and fails now"])
    }

    @Test("latency and cost gates fire only beyond their percentage")
    func gates() {
        let base = Self.results([T.call("a", group: "a", passed: true, latencies: [1000, 1000])])
        let slower = Self.results([T.call("a", group: "a", passed: true, latencies: [1000, 1150])])
        #expect(RunComparison(base: base, candidate: slower, maxLatencyRisePercent: 20).regressions.isEmpty)
        #expect(RunComparison(base: base, candidate: slower, maxLatencyRisePercent: 10).regressions.count == 1)
        #expect(RunComparison(base: base, candidate: slower).regressions.isEmpty, "no gate given, no latency regression")
        var longer = T.call("a", group: "a", passed: true)
        longer.billedSeconds = 45
        let costly = Self.results([longer])
        #expect(RunComparison(base: base, candidate: costly, maxCostRisePercent: 40).regressions.count == 1)
        #expect(RunComparison(base: base, candidate: costly, maxCostRisePercent: 60).regressions.isEmpty)
        #expect(RunComparison.percent(12.34) == "+12.3 %")
    }

    @Test("calls only one run has are listed, not counted as regressions")
    func missing() {
        let c = RunComparison(base: Self.results([T.call("a", group: "a", passed: true)]), candidate: Self.results([T.call("b", group: "b", passed: true)]))
        #expect(c.onlyInBase == ["a"])
        #expect(c.onlyInCandidate == ["b"])
        #expect(c.regressions.isEmpty)
    }
}

@Suite("Price table and cost projection")
struct PriceTableTests {
    static let root = Repository.root

    @Test("the bundled table loads, each price with its source; its examples say so")
    func bundled() throws {
        let table = try PriceTable.load(path: Self.root + "/Pricing/prices.yaml")
        #expect(table.providers.map(\.id) == ["gemini-live", "openai-realtime", "openai-realtime-mini"])
        #expect(table.providers.allSatisfy { $0.source.hasPrefix("https://") && !$0.read.isEmpty })
        #expect(table.telephonyIsExample && table.usdToKESIsExample)
    }

    @Test("a misspelt key or a missing price names the line")
    func broken() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-prices-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = try String(contentsOfFile: Self.root + "/Pricing/prices.yaml", encoding: .utf8)
        for (from, to, message) in [("audio_out: 12.00", "audio_outt: 12.00", "audio_outt"), ("billing: per_second", "billing: per_minute", "only per_second"),
                                    ("  - id: openai-realtime-mini", "  - id: openai-realtime", "listed twice")] {
            let path = folder + "/prices.yaml"
            try good.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try PriceTable.load(path: path)
                Issue.record("accepted \(to)")
            } catch {
                #expect(error.description.contains("prices.yaml:"), "\(error.description)")
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test("model cost = audio seconds × tokens per second × price + text tokens × price; telephony per second")
    func arithmetic() throws {
        let table = try PriceTable.load(path: Self.root + "/Pricing/prices.yaml")
        var usage = ModelUsage()
        usage.inputAudioSeconds = 60
        usage.outputAudioSeconds = 60
        usage.outputTextTokens = 1000
        let gemini = try #require(table.providers.first { $0.id == "gemini-live" })
        // 60 s × 32 tok/s × $3/M + 60 s × 32 tok/s × $12/M + 1000 × $2/M
        #expect(abs(gemini.usd(usage) - (1920 * 3 + 1920 * 12 + 1000 * 2) / 1_000_000) < 1e-12)
        #expect(table.telephonyKES(billedSeconds: 30) == 3.0)
        var call = RunResultsTests.call("a", group: "a", passed: true)
        call.usage = usage
        let results = RunResults(run: RunResultsTests.run, calls: [call], prices: table)
        let projection = try #require(results.costs?.projections.first { $0.provider == "gemini-live" })
        #expect(projection.totalKes == RunResults.rounded(gemini.usd(usage) * table.usdToKES + 3.0))
        #expect(projection.perBookingKes == projection.totalKes)
        #expect(RunReport.make(results, pages: [:]).markdown.contains("| gemini-live | gemini-2.5-flash-native-audio-preview-12-2025 |"))
    }

    @Test("a live run is also priced from the tokens its provider reported, beside the projection")
    func reportedCost() throws {
        let table = try PriceTable.load(path: Self.root + "/Pricing/prices.yaml")
        var usage = ModelUsage()
        usage.inputAudioSeconds = 30
        usage.outputAudioSeconds = 20
        usage.inputAudioTokens = 1_000
        usage.inputTextTokens = 2_000
        usage.cachedInputTokens = 500
        usage.outputAudioTokens = 400
        usage.outputTextTokens = 100
        var call = RunResultsTests.call("a", group: "a", passed: true)
        call.usage = usage
        let live = RunResults.Run(seed: 1, repeats: 1, provider: "openai-realtime", model: "gpt-realtime-1.5", transport: "websocket", faults: [], miadiVersion: "test")
        let results = RunResults(run: live, calls: [call], prices: table)
        let reported = try #require(results.costs?.reported)
        // 1000 × $32/M + 2000 × $4/M + 400 × $64/M + 100 × $16/M
        #expect(reported.modelUsd == RunResults.rounded((1_000 * 32 + 2_000 * 4 + 400 * 64 + 100 * 16) / 1_000_000))
        #expect(reported.pricedAs == "gpt-realtime-1.5")
        #expect(RunReport.make(results, pages: [:]).markdown.contains("| openai-realtime as reported | gpt-realtime-1.5 |"))
        // The mock reports no bill of its own; results written before tokens were kept still read.
        #expect(RunResults(run: RunResultsTests.run, calls: [call], prices: table).costs?.reported == nil)
        let old = #"{"input_audio_seconds":1,"output_audio_seconds":2,"input_text_tokens":3,"output_text_tokens":4}"#
        let decoded = try JSONCoding.decoder(.snakeCaseDocument).decode(ModelUsage.self, from: Data(old.utf8))
        #expect(decoded.outputTextTokens == 4 && decoded.inputAudioTokens == 0)
    }

    @Test("providers side by side: a column each, the calls they disagree on")
    func providerComparison() {
        let a = RunResults(run: RunResultsTests.run, calls: [RunResultsTests.call("x", group: "x", passed: true), RunResultsTests.call("y", group: "y", passed: true)])
        let liveRun = RunResults.Run(seed: 1, repeats: 1, provider: "gemini-live", model: "gemini-3.8-live", transport: "websocket", faults: [], miadiVersion: "test")
        let b = RunResults(run: liveRun, calls: [RunResultsTests.call("x", group: "x", passed: true), RunResultsTests.call("y", group: "y", passed: false, latencies: [3000])])
        let comparison = ProviderComparison([a, b])
        #expect(comparison.columns.map(\.label) == ["mock (miadi-mock-1)", "gemini-live (gemini-3.8-live)"])
        #expect(comparison.rows.first { $0.metric == "passed" }?.cells == ["2", "1"])
        #expect(comparison.rows.first { $0.metric == "turn latency p95" }?.cells == ["1000 ms", "3000 ms"])
        #expect(comparison.disagreements.map(\.call) == ["y"])
        #expect(comparison.markdown.contains("| metric | mock (miadi-mock-1) | gemini-live (gemini-3.8-live) |"))
        #expect(comparison.markdown.contains("- y: passed on mock (miadi-mock-1); failed on gemini-live (gemini-3.8-live)"))
        #expect(comparison == ProviderComparison([a, b]))
    }
}
