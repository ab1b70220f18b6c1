import ArgumentParser
import MiadiAgent

/// The `miadi` command line: thin, every decision lives in the library modules.
@main
struct Miadi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "miadi",
        abstract: "Appointment-booking voicebot for Sautikit calls, and the lab that tests it.",
        discussion: """
        Exit codes: 0 success, 1 the run found failures or regressions, 2 bad usage or bad input.
        """,
        version: MiadiVersion.current,
        subcommands: [RunCommand.self, CorpusCommand.self, ServeCommand.self, NumbersCommand.self, CallsCommand.self, ScoreCommand.self, CompareCommand.self, BenchCommand.self, BookingLoadCommand.self, FakeProviderCommand.self, ScenarioCommand.self]
    )
}

/// The version written into traces and reports.
enum MiadiVersion {
    static let current = MiadiRelease.version
}
