import Foundation
import MiadiBooking
import MiadiBridge
import MiadiLanguage
import MiadiProviders

/// What `miadi serve` answers ordinary calls with: each call's model, and the calendar its
/// tools book into (nil: a line with no tools). Injected into the server, so the server knows
/// no model's insides; `init(configuration:clinic:)` builds it from `serve.yaml`.
public struct ServeModels: Sendable {
    /// One call's model and calendar.
    public struct Made: Sendable {
        public var model: CallModel
        public var engine: BookingEngine?

        public init(model: CallModel, engine: BookingEngine?) {
            self.model = model
            self.engine = engine
        }
    }

    /// Makes what one call needs, for the clinic the server answers for.
    public let make: @Sendable (Clinic) -> Made

    public init(make: @escaping @Sendable (Clinic) -> Made) {
        self.make = make
    }

    /// The echo provider: says back what it hears; no calendar.
    public static let echo = ServeModels { _ in .init(model: .inProcess(EchoProvider(inputSampleRate: 16_000, outputSampleRate: 24_000)), engine: nil) }

    /// The mock model on a shared calendar: each call's mock knows the clinic's "today" when
    /// the call begins.
    public static func mock(engine: BookingEngine, hearing: MockHearing, speech: any SpeechRenderer) -> ServeModels {
        ServeModels { clinic in
            let today = CivilDate(engine.clock.now(), in: clinic.timeZone)
            return .init(model: .inProcess(MockProvider(brief: MockBrief(clinic: clinic, today: today), hearing: hearing, speech: speech)), engine: engine)
        }
    }

    /// The models `serve.yaml` names: the echo, or the mock on the configured database (a
    /// SQLite file in WAL mode, on the machine's clock) with the configured corpus as its ears.
    public init(configuration: ServeConfiguration, clinic: Clinic) throws {
        switch configuration.provider {
        case "mock":
            let engine = try BookingEngine.open(path: configuration.databasePath, clinic: clinic, clock: SystemClock())
            let hearing = try MockHearing.load(corpusDirectory: configuration.corpusDirectory)
            self = .mock(engine: engine, hearing: hearing, speech: EspeakSpeech())
        default:
            self = .echo
        }
    }
}
