import ArgumentParser
import Foundation
import MiadiBooking
import MiadiCorpus
import MiadiFakeProviders
import MiadiProviders

/// `miadi fake-provider openai-realtime`: a local stand-in for a live provider, speaking its
/// protocol message for message with the mock as its brain. Point `OPENAI_BASE_URL` at it to
/// try `miadi run --provider openai-realtime` or `miadi serve` with no key and no network.
struct FakeProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-provider",
        abstract: "Serve a local stand-in for a live provider's protocol (the mock as its brain), for trials and tests.",
        discussion: """
        It understands the corpus's caller lines only (it is the mock behind the provider's protocol). \
        Example: miadi fake-provider openai-realtime --port 8765 --key sk-local & \
        OPENAI_API_KEY=sk-local OPENAI_BASE_URL=http://127.0.0.1:8765/v1 miadi run --provider openai-realtime
        """
    )

    @Argument(help: "The protocol: openai-realtime, gemini-live or cascade (OpenAI-compatible transcriptions, chat completions, speech).")
    var provider: String

    @Option(help: "Port on 127.0.0.1 (0: any free port; the line it prints names it).")
    var port: Int = 0

    @Option(help: "The key it accepts (default: OPENAI_API_KEY or GEMINI_API_KEY, else sk-local).")
    var key: String?

    @Option(help: "Folder of clinic files; a session's clinic is the one its instructions name.")
    var clinics: String = "Scenarios/clinics"

    @Option(help: "The corpus its ears know.")
    var corpus: String = "Corpora"

    func validate() throws {
        guard ["openai-realtime", "gemini-live", "cascade"].contains(provider) else { throw ValidationError("fake-provider speaks openai-realtime, gemini-live or cascade, not \(provider)") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func run() async throws {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: clinics)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        var loaded: [Clinic] = []
        for file in files {
            do { loaded.append(try ClinicFile.load(path: clinics + "/" + file)) } catch { throw failOnBadInput(error.description) }
        }
        guard !loaded.isEmpty else { throw failOnBadInput("--clinics: no clinic files in \(clinics)") }
        let hearing: MockHearing
        do { hearing = try Corpus.load(directory: corpus).mockHearing() } catch { throw failOnBadInput("--corpus: \(error)") }
        let brain = MockBrain.reading(clinics: loaded, hearing: hearing, speech: EspeakSpeech())
        let environment = ProcessInfo.processInfo.environment
        if provider == "cascade" {
            let server = FakeCascadeServer(apiKey: key ?? environment["CASCADE_API_KEY"], clinics: loaded, hearing: hearing, speech: EspeakSpeech())
            try await server.run(port: port) { port in
                FileHandle.standardOutput.write(Data("fake cascade listening: CASCADE_BASE_URL=http://127.0.0.1:\(port)/v1\n".utf8))
            }
        } else if provider == "gemini-live" {
            let server = FakeGeminiServer(apiKey: key ?? environment["GEMINI_API_KEY"] ?? "sk-local", brain: brain)
            try await server.run(port: port) { port in
                FileHandle.standardOutput.write(Data("fake gemini-live listening: GEMINI_BASE_URL=http://127.0.0.1:\(port)\n".utf8))
            }
        } else {
            let server = FakeRealtimeServer(apiKey: key ?? environment["OPENAI_API_KEY"] ?? "sk-local", brain: brain)
            try await server.run(port: port) { port in
                FileHandle.standardOutput.write(Data("fake openai-realtime listening: OPENAI_BASE_URL=http://127.0.0.1:\(port)/v1\n".utf8))
            }
        }
    }
}
