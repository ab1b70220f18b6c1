import Foundation
import MiadiBooking
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
        hearing = try Corpus.load(directory: configuration.corpusDirectory).mockHearing()
    }
}
