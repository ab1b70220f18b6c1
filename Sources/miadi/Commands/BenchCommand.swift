import ArgumentParser
import Foundation
import MiadiBooking
import MiadiLanguage
import MiadiAudio
import MiadiSimulator

/// `miadi bench …`: performance figures as ratios against a baseline measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Miadi's performance against same-run baselines.",
        subcommands: [BenchBookingCommand.self, BenchSimCommand.self, BenchMachineCommand.self, BenchBridgeCommand.self, BenchFuzzCommand.self]
    )
}

/// `miadi bench booking`: commits and slot searches per second on one clinic-month.
struct BenchBookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking",
        abstract: "Commits and slot searches per second on one clinic-month (build with -c release for real figures)."
    )

    @Option(help: "The clinic file.")
    var clinic: String = "Scenarios/clinics/whitedent-nairobi.yaml"

    @Option(help: "The month to fill, YYYY-MM.")
    var month: String = "2026-03"

    @Option(help: "How many slot searches to time.")
    var searches: Int = 2000

    func validate() throws {
        guard CivilDate(iso: month + "-01") != nil else { throw ValidationError("--month must be YYYY-MM, got \(month)") }
        guard searches > 0 else { throw ValidationError("--searches must be positive") }
    }

    func run() async throws {
        let loaded: Clinic
        do { loaded = try ClinicFile.load(path: clinic) } catch { throw failOnBadInput(error.description) }
        let first = CivilDate(iso: month + "-01")!
        let folder = FileManager.default.temporaryDirectory.path
        let report = try await BookingBenchmark.run(clinic: loaded, firstDay: first, searches: searches, folder: folder) { step in
            FileHandle.standardError.write(Data("bench: \(step)…\n".utf8))
        }
        print(report.markdown, terminator: "")
    }
}

/// `miadi bench sim`: how many seconds of calls the lab simulates per second of wall time.
struct BenchSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulated call-seconds per wall-second over the bundled suite (build with -c release for real figures)."
    )

    @Argument(help: "Scenario files or folders (default: Scenarios/).")
    var paths: [String] = []

    @Option(help: "Timed passes over the suite after one warm-up pass.")
    var passes: Int = 3

    func run() async throws {
        var options = SuiteRunner.Options()
        options.paths = paths.isEmpty ? ["Scenarios"] : paths
        let result: (calls: Int, simulatedMs: Int, wallSeconds: Double)
        do { result = try await SuiteRunner(options: options).benchmark(passes: passes) } catch let error as SuiteRunner.RunError {
            throw failOnBadInput(error.description)
        }
        let ratio = result.wallSeconds > 0 ? Double(result.simulatedMs) / 1000 / result.wallSeconds : 0
        print(String(format: "%d calls, %.1f simulated call-seconds in %.2f wall-seconds: %.0f× real time (one core, %@ resampler kernel)", result.calls, Double(result.simulatedMs) / 1000, result.wallSeconds, ratio, Resampler.kernel))
    }
}
