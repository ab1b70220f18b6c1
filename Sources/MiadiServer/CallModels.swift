import Foundation
import MiadiBooking
import MiadiLanguage
import MiadiProviders
import MiadiSimulator

/// What every call on this server shares when the model is the mock: the calendar (a SQLite
/// file in WAL mode, on the machine's clock) and the mock's ears (the corpus fingerprints).
/// With the echo provider both are absent.
struct CallModels: Sendable {
    let engine: BookingEngine?
    let hearing: MockHearing?
    let speech = EspeakSpeech()

    init(configuration: ServeConfiguration, clinic: Clinic) throws {
        guard configuration.provider == "mock" else {
            engine = nil
            hearing = nil
            return
        }
        engine = try BookingEngine.open(path: configuration.databasePath, clinic: clinic, clock: SystemClock())
        let corpus = try Corpus.load(directory: configuration.corpusDirectory)
        var lines: [String: (text: String, language: LanguageCode)] = [:]
        for entry in corpus.entries { lines[entry.id] = (entry.text, LanguageCode(rawValue: entry.language) ?? .en) }
        hearing = MockHearing(index: try corpus.fingerprintIndex(), lines: lines)
    }
}
