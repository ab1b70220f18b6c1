import Foundation
import MiadiJSON
import MiadiScoring

/// `results.json`: what one run found, for `miadi compare` and CI to gate on (schema
/// `miadi.results/1`, documented in Docs/results.md). Keys are snake_case and sorted, lists in
/// scenario order, so equal runs give equal bytes.
public struct RunResults: Codable, Sendable, Equatable {
    public static let schemaName = "miadi.results/1"

    public struct Run: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var repeats: Int
        public var provider: String
        public var model: String
        public var transport: String
        public var faults: [String]
        public var miadiVersion: String
        /// The run's barge-in mode (`pause_resume`, `stop_after`); a scenario may set its own.
        /// Nil in results written before it was recorded.
        public var bargeIn: String?

        public init(seed: UInt64, repeats: Int, provider: String, model: String, transport: String, faults: [String], miadiVersion: String, bargeIn: String? = nil) {
            self.bargeIn = bargeIn
            self.seed = seed
            self.repeats = repeats
            self.provider = provider
            self.model = model
            self.transport = transport
            self.faults = faults
            self.miadiVersion = miadiVersion
        }
    }

    /// One call of one scenario (one repeat).
    public struct Call: Codable, Sendable, Equatable {
        public var scenario: String
        /// The call's name: the scenario id, `.callN` for a call of several, `.rK` for repeat K.
        public var call: String
        /// The call's name without its repeat: the calls `pass^k` groups.
        public var group: String
        public var tags: [String]
        /// The scenario's `title:` (absent in results written before titles were kept).
        public var title: String?
        public var passed: Bool
        public var outcome: String
        public var failures: [String]
        public var durationMs: Int
        public var billedSeconds: Int
        public var firstAudioMs: Int?
        public var turnLatencyMs: Percentiles?
        public var turnLatenciesMs: [Int]
        public var bargeInStopMs: [Int]
        /// Pauses, resumes, backchannels survived and interruptions resumed (absent in results
        /// written before pause-and-resume).
        public var interruptions: InterruptionFacts?
        public var talkOverMs: Int
        public var deadAirMs: Int
        public var turns: Int
        public var agentWords: Int
        public var toolCalls: Int
        public var unconfirmedCommits: Int
        public var refusedCommits: Int
        public var authorizationRefusals: Int
        /// Audio seconds and text tokens the model used (what any provider would be billed for).
        public var usage: ModelUsage
        public var taskSuccess: Bool
        /// `null` when nothing was booked or moved (written as null, never left out).
        public var slotCorrect: Nullable<Bool>
        public var collateralChanges: Int
        public var doubleBookings: Int
        /// Telephony at the price table's rate, KES (absent without a price table).
        public var telephonyKes: Double?

        public init(scenario: String, call: String, group: String, tags: [String], passed: Bool, outcome: String, failures: [String], metrics m: CallMetrics,
                    calendar: CalendarFacts = .init()) {
            self.scenario = scenario
            self.call = call
            self.group = group
            self.tags = tags
            self.passed = passed
            self.outcome = outcome
            self.failures = failures
            durationMs = m.durationMs
            billedSeconds = m.billedSeconds
            firstAudioMs = m.firstAudioMs
            turnLatencyMs = m.latency
            turnLatenciesMs = m.turnLatenciesMs
            bargeInStopMs = m.bargeInStopsMs
            interruptions = m.interruptions
            talkOverMs = m.talkOverMs
            deadAirMs = m.deadAirMs
            turns = m.turns
            agentWords = m.agentWords
            toolCalls = m.toolCalls
            unconfirmedCommits = m.unconfirmedCommits
            refusedCommits = m.refusedCommits
            authorizationRefusals = m.authorizationRefusals
            usage = m.usage
            taskSuccess = calendar.taskSuccess
            slotCorrect = Nullable(calendar.slotCorrect)
            collateralChanges = calendar.collateralChanges
            doubleBookings = calendar.doubleBookings
        }
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var calls: Int
        public var passed: Int
        public var successRate: Double
        /// The share of calls (scenario × call, over its repeats) that passed in all `repeats`.
        public var passK: Double
        public var turnLatencyMs: Percentiles?
        public var billedSeconds: Int
        public var unconfirmedCommits: Int
        public var taskSuccessRate: Double
        public var collateralChanges: Int
        public var doubleBookings: Int
    }

    /// What the run's calls would cost on each provider of the price table: a projection from
    /// the audio and text the calls used, plus telephony at the table's rate.
    public struct Costs: Codable, Sendable, Equatable {
        public struct Projection: Codable, Sendable, Equatable {
            public var provider: String
            public var model: String
            public var modelUsd: Double
            public var modelKes: Double
            /// Model plus telephony, KES and USD.
            public var totalKes: Double
            public var totalUsd: Double
            public var perCallKes: Double
            public var perCallUsd: Double
            /// Total over the calls that booked successfully (absent when none did).
            public var perBookingKes: Double?
            public var perBookingUsd: Double?
            public var source: String
            public var read: String
        }
        public var priceTable: String
        public var usdToKes: Double
        public var usdToKesIsExample: Bool
        public var telephonyKesPerMinute: Double
        public var telephonyIsExample: Bool
        public var telephonyKes: Double
        public var projections: [Projection]
        /// The run's own live provider priced from the tokens it reported (absent for the mock,
        /// or when the table has no prices for the provider).
        public var reported: Reported?

        /// What the provider said the calls used, at the table's prices for it.
        public struct Reported: Codable, Sendable, Equatable {
            public var provider: String
            /// The model that ran, and the model whose prices were used (the table's row).
            public var model: String
            public var pricedAs: String
            public var inputAudioTokens: Int
            public var inputTextTokens: Int
            /// Part of the input tokens, priced here as input (the table has no cached price).
            public var cachedInputTokens: Int
            public var outputAudioTokens: Int
            public var outputTextTokens: Int
            public var modelUsd: Double
            public var modelKes: Double
            /// Model as reported plus telephony, per call.
            public var perCallKes: Double
            public var perCallUsd: Double
        }
    }

    public struct Tag: Codable, Sendable, Equatable {
        public var tag: String
        public var calls: Int
        public var passed: Int
    }

    public var schema = RunResults.schemaName
    public var run: Run
    public var summary: Summary
    public var tags: [Tag]
    public var calls: [Call]
    /// Present when the run was given a price table.
    public var costs: Costs?

    public init(run: Run, calls: [Call], prices: PriceTable? = nil) {
        self.run = run
        var calls = calls
        if let prices { for i in calls.indices { calls[i].telephonyKes = Self.rounded(prices.telephonyKES(billedSeconds: calls[i].billedSeconds)) } }
        self.calls = calls
        let passed = calls.filter(\.passed).count
        var groups: [String: Bool] = [:]
        for call in calls { groups[call.group] = (groups[call.group] ?? true) && call.passed }
        summary = Summary(
            calls: calls.count, passed: passed, successRate: calls.isEmpty ? 0 : Self.rounded(Double(passed) / Double(calls.count)),
            passK: groups.isEmpty ? 0 : Self.rounded(Double(groups.values.filter { $0 }.count) / Double(groups.count)),
            turnLatencyMs: Percentiles(calls.flatMap(\.turnLatenciesMs)), billedSeconds: calls.reduce(0) { $0 + $1.billedSeconds },
            unconfirmedCommits: calls.reduce(0) { $0 + $1.unconfirmedCommits },
            taskSuccessRate: calls.isEmpty ? 0 : Self.rounded(Double(calls.filter(\.taskSuccess).count) / Double(calls.count)),
            collateralChanges: calls.reduce(0) { $0 + $1.collateralChanges }, doubleBookings: calls.reduce(0) { $0 + $1.doubleBookings })
        tags = Set(calls.flatMap(\.tags)).sorted().map { tag in
            let tagged = calls.filter { $0.tags.contains(tag) }
            return Tag(tag: tag, calls: tagged.count, passed: tagged.filter(\.passed).count)
        }
        costs = prices.map { Self.costs(calls, prices: $0, run: run) }
    }

    static func costs(_ calls: [Call], prices: PriceTable, run: Run) -> Costs {
        let telephony = calls.reduce(0) { $0 + prices.telephonyKES(billedSeconds: $1.billedSeconds) }
        let usage = calls.reduce(ModelUsage()) { $0 + $1.usage }
        let bookings = calls.filter { $0.passed && $0.outcome == "booked" }.count
        let projections = prices.providers.map { p -> Costs.Projection in
            let usd = p.usd(usage)
            let total = usd * prices.usdToKES + telephony
            let totalUSD = total / prices.usdToKES
            let n = Double(max(1, calls.count))
            return Costs.Projection(provider: p.id, model: p.model, modelUsd: rounded(usd), modelKes: rounded(usd * prices.usdToKES), totalKes: rounded(total),
                                    totalUsd: rounded(totalUSD), perCallKes: rounded(total / n), perCallUsd: rounded(totalUSD / n),
                                    perBookingKes: bookings > 0 ? rounded(total / Double(bookings)) : nil, perBookingUsd: bookings > 0 ? rounded(totalUSD / Double(bookings)) : nil,
                                    source: p.source, read: p.read)
        }
        var reported: Costs.Reported?
        if run.provider != "mock", let row = prices.providers.first(where: { $0.id == run.provider && $0.model == run.model }) ?? prices.providers.first(where: { $0.id == run.provider }) {
            let usd = (Double(usage.inputAudioTokens) * row.audioIn + Double(usage.inputTextTokens) * row.textIn
                + Double(usage.outputAudioTokens) * row.audioOut + Double(usage.outputTextTokens) * row.textOut) / 1_000_000
            let n = Double(max(1, calls.count))
            let total = usd * prices.usdToKES + telephony
            reported = Costs.Reported(provider: run.provider, model: run.model, pricedAs: row.model,
                                      inputAudioTokens: usage.inputAudioTokens, inputTextTokens: usage.inputTextTokens, cachedInputTokens: usage.cachedInputTokens,
                                      outputAudioTokens: usage.outputAudioTokens, outputTextTokens: usage.outputTextTokens,
                                      modelUsd: rounded(usd), modelKes: rounded(usd * prices.usdToKES), perCallKes: rounded(total / n), perCallUsd: rounded(total / prices.usdToKES / n))
        }
        return Costs(priceTable: prices.file, usdToKes: prices.usdToKES, usdToKesIsExample: prices.usdToKESIsExample, telephonyKesPerMinute: prices.kesPerMinute,
                     telephonyIsExample: prices.telephonyIsExample, telephonyKes: rounded(telephony), projections: projections, reported: reported)
    }

    /// Four decimals: enough for a rate, and the same text on every machine.
    static func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    public func jsonData() throws -> Data {
        let encoder = JSONCoding.encoder(.snakeCaseDocument)
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case wrongSchema(path: String, found: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): return "\(path): \(reason)"
            case .wrongSchema(let path, let found): return "\(path): schema \"\(found)\", expected \"\(RunResults.schemaName)\" (re-run it with this miadi)"
            }
        }
    }

    /// Reads a run's `results.json` (or the folder holding it).
    public static func load(_ path: String) throws(ReadError) -> RunResults {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue ? (path as NSString).appendingPathComponent("results.json") : path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw .unreadable(path: file, reason: "cannot read: \(error.localizedDescription)") }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let schema = object["schema"] as? String, schema != schemaName {
            throw .wrongSchema(path: file, found: schema)
        }
        let decoder = JSONCoding.decoder(.snakeCaseDocument)
        do { return try decoder.decode(RunResults.self, from: data) } catch { throw .unreadable(path: file, reason: "not a results file: \(error)") }
    }
}
