import Foundation
import MiadiCorpus
import MiadiAgent
import MiadiAudio
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiProviders
import MiadiReports
import MiadiScoring

/// `miadi run`: loads every scenario (refusing to start on any broken one), plays each through
/// a `LabCall` with the mock model, judges it, and writes its trace, recording and calendars.
public struct SuiteRunner: Sendable {
    public struct Options: Sendable {
        public var paths: [String] = ["Scenarios"]
        public var scenariosRoot = "Scenarios"
        public var corpus = "Corpora"
        public var output = "Reports/latest"
        public var seed: UInt64 = 1
        public var tags: [String] = []
        public var faults: Set<MockFault> = []
        /// Each scenario is played this many times, with seeds seed, seed+1, … (the line's noise,
        /// loss and jitter differ; the mock does not).
        public var repeats = 1
        /// Calls played at once; the output is the same bytes whatever the number.
        public var parallel = 1
        /// The number the lab's calls are handed off to (the webhook's `<Dial>`).
        public var handoffNumber = "+254709000999"
        /// Prices for cost projections in the results and report (nil: no costs).
        public var prices: PriceTable?
        /// How calls reach the bridge (in process on virtual time by default).
        public var transport: any LabTransport = InProcessTransport()
        /// The model the calls run with, as traces and results name it (the transport decides
        /// which model really answers: the mock in process, a live one over sockets).
        public var provider = "mock"
        public var model = "miadi-mock-1"
        /// Each call's model when it is not the mock, by the call's name (in process only).
        public var makeModel: (@Sendable (_ call: String) throws -> any ProviderMachine)?
        /// What the bridge does when the caller speaks over the agent; a scenario's own
        /// `barge_in:` wins for what it sets.
        public var bargeIn = BargeInPolicy()
        public init() {}
    }

    public struct Outcome: Sendable {
        public let verdicts: [ScenarioVerdict]
        public var passed: Int { verdicts.filter(\.passed).count }
    }

    public enum RunError: Error, CustomStringConvertible {
        case badScenarios([String])
        case corpus(String)
        case output(String)
        /// A call's model could not be made (a replay with no recording for it).
        case model(String)

        public var description: String {
            switch self {
            case .badScenarios(let errors): return "the suite has errors; nothing was run:\n" + errors.map { "  " + $0 }.joined(separator: "\n")
            case .corpus(let reason): return reason
            case .output(let reason): return reason
            case .model(let reason): return reason
            }
        }
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    /// Every scenario file, validated; all errors at once.
    public func loadScenarios() throws -> [Scenario] {
        let files: [String]
        do { files = try ScenarioLineCollector.scenarioFiles(under: options.paths) } catch { throw RunError.badScenarios([error.description]) }
        var scenarios: [Scenario] = []
        var errors: [String] = []
        for file in files {
            do { scenarios.append(try ScenarioFile.load(path: file, scenariosRoot: options.scenariosRoot)) } catch { errors.append(error.description) }
        }
        var seen: [String: String] = [:]
        for s in scenarios {
            if let other = seen[s.id] { errors.append("\(s.file):1: id: \"\(s.id)\" is also the id of \(other)") }
            seen[s.id] = s.file
        }
        guard errors.isEmpty else { throw RunError.badScenarios(errors) }
        let selected = scenarios.filter { options.tags.isEmpty || !Set($0.tags).isDisjoint(with: options.tags) }
        // Nothing to play is a mistake in the selection, not a run that passed.
        guard !selected.isEmpty else {
            let tags = options.tags.isEmpty ? "" : " with tag \(options.tags.sorted().joined(separator: " or "))"
            throw RunError.badScenarios(["no scenario files\(tags) under \(options.paths.joined(separator: ", ")) (a scenario is a .yaml file)"])
        }
        return selected
    }

    public func run(progress: (Int, Int, ScenarioVerdict) -> Void = { _, _, _ in }) async throws -> Outcome {
        let scenarios = try loadScenarios()
        let (corpus, hearing) = try loadCorpus()
        // Every line the callers say must be in the corpus before anything is written.
        let missing = Self.missingCorpusLines(scenarios, corpus: corpus)
        guard missing.isEmpty else { throw RunError.badScenarios(missing) }
        do { try FileManager.default.createDirectory(atPath: options.output + "/calls", withIntermediateDirectories: true) } catch {
            throw RunError.output("cannot create \(options.output): \(error.localizedDescription)")
        }
        let speech = EspeakSpeech()
        let jobs = scenarios.flatMap { scenario in (0..<max(1, options.repeats)).map { (scenario, $0) } }
        var results = [[ScenarioVerdict]?](repeating: nil, count: jobs.count)
        var done = 0
        let width = max(1, options.parallel)
        try await withThrowingTaskGroup(of: (Int, [ScenarioVerdict]).self) { group in
            var next = 0
            func start() {
                guard next < jobs.count else { return }
                let index = next, (scenario, repeatIndex) = jobs[index]
                next += 1
                group.addTask { (index, try await self.play(scenario, corpus: corpus, hearing: hearing, speech: speech, repeatIndex: repeatIndex)) }
            }
            for _ in 0..<width { start() }
            while let (index, verdicts) = try await group.next() {
                results[index] = verdicts
                done += 1
                for verdict in verdicts { progress(done, jobs.count, verdict) }
                start()
            }
        }
        // In scenario order, whatever order the calls finished in.
        let verdicts = results.compactMap { $0 }.flatMap { $0 }
        try writeSummary(verdicts)
        return Outcome(verdicts: verdicts)
    }

    /// The corpus and the mock's ears built from it.
    func loadCorpus() throws -> (Corpus, MockHearing) {
        do {
            let corpus = try Corpus.load(directory: options.corpus)
            return (corpus, try corpus.mockHearing())
        } catch { throw RunError.corpus("\(error); run `miadi corpus build` first") }
    }

    /// Simulated call time per wall-clock second over the suite: one warm-up pass (espeak-ng
    /// renders the agent's lines once, then they are cached), then `passes` timed passes with
    /// nothing written to disk.
    public func benchmark(passes: Int) async throws -> (calls: Int, simulatedMs: Int, wallSeconds: Double) {
        let scenarios = try loadScenarios()
        let (corpus, hearing) = try loadCorpus()
        let speech = EspeakSpeech()
        for scenario in scenarios { _ = try await play(scenario, corpus: corpus, hearing: hearing, speech: speech, write: false) }
        let clock = ContinuousClock()
        let started = clock.now
        var simulated = 0
        for _ in 0..<passes {
            for scenario in scenarios { simulated += try await play(scenario, corpus: corpus, hearing: hearing, speech: speech, write: false).map(\.durationMs).reduce(0, +) }
        }
        let elapsed = clock.now - started
        return (scenarios.count * passes, simulated, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Plays one scenario file: its call, or all its calls at once on one calendar. One
    /// verdict per call.
    func play(_ scenario: Scenario, corpus: Corpus, hearing: MockHearing, speech: EspeakSpeech, repeatIndex: Int = 0, write: Bool = true) async throws -> [ScenarioVerdict] {
        let seed = options.seed + UInt64(repeatIndex)
        let base = options.repeats > 1 ? "\(scenario.id).r\(repeatIndex + 1)" : scenario.id
        let calls = scenario.calls
        let names = calls.count == 1 ? [base] : calls.indices.map { "\(base).call\($0 + 1)" }
        let clock = ManualClock(scenario.now)
        let engine = try BookingEngine.inMemory(clinic: scenario.clinic, clock: clock)
        try await engine.seed(scenario.calendar, callSID: "scenario")
        var setups: [LabCall.Setup] = []
        for (index, call) in calls.enumerated() {
            // Each caller's line has its own randomness; the first keeps the run's seed.
            let lineSeed = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            var callSetup = try setup(for: call, engine: engine, clock: clock, corpus: corpus, hearing: hearing, speech: speech, callSID: "CA-\(names[index])", seed: lineSeed)
            if let makeModel = options.makeModel {
                do { callSetup.model = try makeModel(names[index]) } catch { throw RunError.model("\(names[index]): \(error)") }
            }
            callSetup.calendar = LabCall.CalendarSpec(key: "cal-\(base)", clinicFile: call.clinicFile, now: scenario.now, appointments: scenario.calendar)
            setups.append(callSetup)
        }
        let before = try await engine.snapshot()
        let results: [LabCall.Result]
        if calls.count == 1 {
            results = [try await options.transport.play(setups[0])]
        } else if options.transport is InProcessTransport {
            results = await LabCall.runTogether(setups, startsMs: calls.map(\.startMs), clock: clock)
        } else {
            results = try await playConcurrently(setups, startsMs: calls.map(\.startMs))
        }
        // Where the calendar lived elsewhere (a server the lab did not start), its state there.
        let after: CalendarSnapshot
        if let spec = setups.first?.calendar, let remote = try await options.transport.calendarAfter(spec) {
            after = remote
        } else {
            after = try await engine.snapshot()
        }
        var verdicts: [ScenarioVerdict] = []
        for (index, call) in calls.enumerated() {
            let result = results[index], name = names[index]
            let trace = self.trace(of: call, name: name, callSID: "CA-\(name)", seed: setups[index].line.seed, result: result)
            // Scored from what the call left behind, exactly as `miadi score` scores any trace.
            let metrics: CallMetrics
            do { metrics = try CallScorer.score(trace: trace, caller: result.caller, agent: result.agent) } catch {
                throw RunError.output("\(name): cannot score the call: \(error.description)")
            }
            let cost = options.prices?.callCost(usage: metrics.usage, billedSeconds: metrics.billedSeconds, provider: options.provider, model: options.model)
            var verdict = ScenarioVerdict.judge(call, events: result.events, before: before, after: after, metrics: metrics, run: name, cost: cost)
            verdict.page = CallPage(caller: metrics.timeline.caller, agent: metrics.timeline.agent, marks: ReportMark.marks(of: trace.orderedEvents), recording: "calls/\(name).wav")
            verdicts.append(verdict)
            guard write else { continue }
            try self.write(trace, name: name, recording: result.recording, before: before, after: after)
        }
        return verdicts
    }

    /// Calls of one file over a transport that runs on the real clock: each starts at its
    /// offset, all at once.
    func playConcurrently(_ setups: [LabCall.Setup], startsMs: [Int]) async throws -> [LabCall.Result] {
        let transport = options.transport
        return try await withThrowingTaskGroup(of: (Int, LabCall.Result).self) { group in
            for (index, setup) in setups.enumerated() {
                // Every call moves the shared calendar clock, forward only (`moveForward`).
                let start = startsMs[index]
                group.addTask {
                    if start > 0 { try await Task.sleep(for: .milliseconds(start)) }
                    return (index, try await transport.play(setup))
                }
            }
            var results = [LabCall.Result?](repeating: nil, count: setups.count)
            for try await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// Every line a scripted caller says that the corpus cannot give (and no recording of the
    /// caller's own stands in for), as `file:line:` errors: found before anything is written,
    /// rather than one call in, with `calls/` already made and no line named.
    static func missingCorpusLines(_ scenarios: [Scenario], corpus: Corpus) -> [String] {
        var problems: [String] = []
        for scenario in scenarios {
            let lines = (try? String(contentsOfFile: scenario.file, encoding: .utf8))?.components(separatedBy: "\n") ?? []
            for call in scenario.calls {
                var seen: Set<String> = []
                for text in call.script.flatMap(\.spokenTexts) where call.audioFiles[text] == nil && seen.insert(text).inserted {
                    guard corpus.entry(for: CorpusRequest(text: text, language: call.language.rawValue, voice: call.voice)) == nil else { continue }
                    let line = (lines.firstIndex { $0.contains(text) } ?? 0) + 1
                    problems.append("\(scenario.file):\(line): script: the corpus has no audio for \"\(text)\" (voice \(call.voice)); add the line and run `miadi corpus build`")
                }
            }
        }
        return problems
    }

    /// What one call needs to be played: the caller's audio from the corpus, the line, the
    /// mock's settings.
    func setup(for scenario: Scenario, engine: BookingEngine, clock: ManualClock, corpus: Corpus, hearing: MockHearing, speech: EspeakSpeech, callSID: String, seed: UInt64) throws -> LabCall.Setup {
        var audio: [String: PCMBuffer] = [:]
        for step in scenario.script {
            for text in step.spokenTexts {
                if var file = scenario.audioFiles[text] {
                    // The caller's own recording: beside the scenario, or in the corpus folder.
                    if file.hasPrefix("corpus:") { file = options.corpus + "/" + file.dropFirst("corpus:".count) }
                    do { audio[text] = try AudioFile.read(file).resampled(to: 16_000, quality: .studio) } catch {
                        throw RunError.corpus("\(scenario.file): the audio of \"\(text)\" (\(file)) cannot be read: \(error)")
                    }
                    continue
                }
                let request = CorpusRequest(text: text, language: scenario.language.rawValue, voice: scenario.voice)
                guard let entry = corpus.entry(for: request) else { throw RunError.corpus("\(scenario.file): the corpus has no audio for \"\(text)\" (\(scenario.voice)); run `miadi corpus build`") }
                audio[text] = try corpus.audio(of: entry).resampled(to: 16_000, quality: .studio)
            }
        }
        var setup = LabCall.Setup(engine: engine, caller: CallContext(callerNumber: scenario.callerNumber, callSID: callSID, callerName: nil),
                                  script: scenario.script, audio: audio, hearing: hearing, speech: speech, handoffNumber: options.handoffNumber)
        setup.timeLimitMs = scenario.callSeconds * 1000
        setup.bookingLatencyMs = scenario.bookingLatencyMs
        setup.clock = clock
        setup.mock.faults = options.faults
        setup.bargeIn = scenario.bargeIn.applied(to: options.bargeIn)
        // The mock is told of appointments that are not this caller's (a fault uses them).
        setup.toldAppointmentIDs = scenario.calendar.filter { $0.customer != scenario.callerNumber }.map(\.id)
        setup.line.rate = scenario.lineRate
        setup.line.bothTracks = scenario.track == "both_tracks"
        setup.line.noiseSNR = scenario.noiseSNR
        setup.line.latencyMs = scenario.latencyMs
        setup.line.jitterMs = scenario.jitterMs
        setup.line.loss = scenario.loss
        setup.line.dropouts = scenario.dropouts
        setup.line.seed = seed
        return setup
    }

    /// The call's trace: the lab's header (scenario, line, seed, transport) and every event.
    func trace(of scenario: Scenario, name: String, callSID: String, seed: UInt64, result: LabCall.Result) -> CallTrace {
        let time = ClinicTime(zone: scenario.clinic.timeZone)
        var line: [String: TraceValue] = [
            "rate": .int(scenario.lineRate), "track": .string(scenario.track), "codec": "L16", "noise_snr_db": scenario.noiseSNR.map(TraceValue.double) ?? .null,
            "latency_ms": .int(scenario.latencyMs), "jitter_ms": .int(scenario.jitterMs), "loss": .double(scenario.loss),
            "faults": .array(options.faults.map(\.rawValue).sorted().map(TraceValue.string)), "transport": .string(options.transport.name),
            "barge_in": .string(scenario.bargeIn.applied(to: options.bargeIn).mode.rawValue),
        ]
        if !scenario.dropouts.isEmpty { line["dropouts"] = .array(scenario.dropouts.map { .object(["at_ms": .int($0.lowerBound), "ms": .int($0.count)]) }) }
        var trace = CallTrace(header: TraceHeader(
            callSID: callSID, source: "lab", scenarioID: scenario.id, scenarioFile: scenario.file, clinic: scenario.clinic.id,
            language: scenario.language.rawValue, now: time.isoWithOffset(scenario.now), seed: seed, provider: options.provider, model: options.model,
            line: .object(line),
            recording: "\(name).wav", calendarBefore: "\(name).calendar-before.json", calendarAfter: "\(name).calendar-after.json",
            miadiVersion: MiadiRelease.version))
        trace.append(contentsOf: result.events)
        return trace
    }

    /// The call's trace, recording and the calendar before and after, under `calls/`.
    func write(_ trace: CallTrace, name: String, recording: PCMBuffer, before: CalendarSnapshot, after: CalendarSnapshot) throws {
        let base = options.output + "/calls/" + name
        do {
            try trace.jsonLines().write(to: URL(fileURLWithPath: base + ".trace.jsonl"), options: .atomic)
            try before.jsonData().write(to: URL(fileURLWithPath: base + ".calendar-before.json"), options: .atomic)
            try after.jsonData().write(to: URL(fileURLWithPath: base + ".calendar-after.json"), options: .atomic)
            try AudioFile.write(recording, to: base + ".wav")
        } catch { throw RunError.output("cannot write \(base).*: \(error)") }
    }

    /// The run's results as `results.json` reads them.
    public func results(_ verdicts: [ScenarioVerdict]) -> RunResults {
        let run = RunResults.Run(seed: options.seed, repeats: options.repeats, provider: options.provider, model: options.model, transport: options.transport.name,
                                 faults: options.faults.map(\.rawValue).sorted(), miadiVersion: MiadiRelease.version, bargeIn: options.bargeIn.mode.rawValue)
        return RunResults(run: run, calls: verdicts.map { v in
            // Repeats of one call share its name up to ".rK".
            let group = options.repeats > 1 ? v.run.replacingOccurrences(of: #"\.r\d+(?=\.|$)"#, with: "", options: .regularExpression) : v.run
            var call = RunResults.Call(scenario: v.scenarioID, call: v.run, group: group, tags: v.tags, passed: v.passed, outcome: v.outcome, failures: v.failures, metrics: v.metrics,
                                       calendar: v.calendar)
            call.title = v.title
            return call
        }, prices: options.prices)
    }

    /// `results.json`, `calls.csv`, `junit.xml`, `report.md`, `index.html` and `charts/` in the
    /// report folder.
    func writeSummary(_ verdicts: [ScenarioVerdict]) throws {
        let results = results(verdicts)
        let folder = URL(fileURLWithPath: options.output)
        var pages: [String: CallPage] = [:]
        for v in verdicts { pages[v.run] = v.page }
        let report = RunReport.make(results, pages: pages)
        do {
            try results.jsonData().write(to: folder.appendingPathComponent("results.json"), options: .atomic)
            try Data(CallsCSV.text(results).utf8).write(to: folder.appendingPathComponent("calls.csv"), options: .atomic)
            try Data(JUnitXML.text(results).utf8).write(to: folder.appendingPathComponent("junit.xml"), options: .atomic)
            try Data(report.markdown.utf8).write(to: folder.appendingPathComponent("report.md"), options: .atomic)
            try Data(report.html.utf8).write(to: folder.appendingPathComponent("index.html"), options: .atomic)
            let charts = folder.appendingPathComponent("charts")
            try FileManager.default.createDirectory(at: charts, withIntermediateDirectories: true)
            for chart in report.charts { try Data(chart.svg.utf8).write(to: charts.appendingPathComponent(chart.name + ".svg"), options: .atomic) }
        } catch { throw RunError.output("cannot write the run's summary files in \(options.output): \(error)") }
    }
}

extension Scenario.Step {
    /// The words this step has the caller say (every answer a step may give).
    var spokenTexts: [String] {
        switch self {
        case .say(let text), .bargeIn(_, let text), .backchannel(_, let text): return [text]
        case .answers(let answers): return answers.keys.sorted().flatMap { answers[$0] ?? [] }
        default: return []
        }
    }
}
