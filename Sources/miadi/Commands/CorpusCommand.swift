import ArgumentParser
import Foundation
import MiadiCorpus
import MiadiAudio
import MiadiSimulator

/// `miadi corpus …`: the caller audio scenarios play.
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Build and check the caller speech corpus (Corpora/).",
        subcommands: [CorpusBuildCommand.self, CorpusVerifyCommand.self, CorpusEvaluateCommand.self]
    )
}

/// Options every corpus command shares.
struct CorpusLocation: ParsableArguments {
    @Option(name: .long, help: "The corpus folder (manifest.json and audio).")
    var corpus: String = "Corpora"
}

/// `miadi corpus build [PATHS…]`: synthesises the lines scenarios need and the corpus lacks.
struct CorpusBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Synthesise every caller line the scenarios need and Corpora/ lacks (espeak-ng).",
        discussion: """
        Lines are keyed by (text, language, voice). A line with `audio: FILE` in its scenario is a \
        recording of your own, stored under Corpora/FILE; it is registered, never synthesised.
        """
    )

    @Argument(help: "Scenario files or folders (default: Scenarios/).")
    var paths: [String] = []

    @OptionGroup var location: CorpusLocation

    @Flag(help: "Re-render synthesised lines that exist already.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    func run() async throws {
        let roots = paths.isEmpty ? ["Scenarios"] : paths
        do {
            let requests = try ScenarioLineCollector.requests(under: roots)
            var corpus = try Corpus.load(directory: location.corpus)
            let progress = ProgressLine(quiet: quiet)
            let summary = try CorpusBuilder().build(requests, into: &corpus, force: force) { done, total, request in
                progress.update(done: done, total: total, label: "[\(request.language)] \(request.text)")
            }
            if !quiet {
                print("corpus: \(requests.count) line(s) needed, \(summary.alreadyPresent) present, \(summary.rendered.count) synthesised, \(summary.registered.count) recording(s) registered → \(corpus.manifestPath)")
            }
        } catch {
            throw failOnBadInput(error.description)
        }
    }
}

/// `miadi corpus verify`: every entry's audio exists and matches its checksum.
struct CorpusVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every corpus entry's audio exists and matches the manifest's SHA-256, and that no scenario line is missing."
    )

    @Argument(help: "Scenario files or folders whose lines must be present (default: Scenarios/).")
    var paths: [String] = []

    @OptionGroup var location: CorpusLocation

    func run() async throws {
        do {
            let corpus = try Corpus.load(directory: location.corpus)
            for entry in corpus.entries { _ = try corpus.audio(of: entry, verify: true) }
            let missing = corpus.missing(try ScenarioLineCollector.requests(under: paths.isEmpty ? ["Scenarios"] : paths))
            if !missing.isEmpty { throw CorpusError.missingLines(missing) }
            print("corpus: \(corpus.entries.count) entries verified")
        } catch let error as CorpusError {
            throw failOnBadInput(error.description)
        }
    }
}
