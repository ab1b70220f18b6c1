import Foundation
import MiadiBooking
import Logging
import MiadiBridge
import MiadiLanguage
import MiadiLive
import MiadiProviders

/// What `miadi serve` answers ordinary calls with: each call's model, and the calendar its
/// tools book into (nil: a line with no tools). Injected into the server, so the server knows
/// no model's insides; `init(configuration:clinic:)` builds it from `serve.yaml`.
public struct ServeModels: Sendable {
    /// One call's model and calendar.
    public struct Made: Sendable {
        public var model: CallModel
        public var engine: BookingEngine?
        /// A network model's session opener (the model is then `.network`).
        public var live: LiveModel?

        public init(model: CallModel, engine: BookingEngine?) {
            self.model = model
            self.engine = engine
        }

        /// A live model booking into `engine`.
        public init(live: LiveModel, engine: BookingEngine?) {
            self.model = .network(.init(providerID: live.providerID, model: live.model, inputSampleRate: live.inputSampleRate, outputSampleRate: live.outputSampleRate))
            self.engine = engine
            self.live = live
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
    /// `bargeIn`: the bridge's policy, which says whether the mock stops itself on the caller's
    /// speech or waits to be told.
    public static func mock(engine: BookingEngine, hearing: MockHearing, speech: any SpeechRenderer, bargeIn: BargeInPolicy = .init()) -> ServeModels {
        var configuration = MockConfiguration()
        configuration.interruptsItself = bargeIn.modelInterruptsItself
        return ServeModels { [configuration] clinic in
            let today = CivilDate(engine.clock.now(), in: clinic.timeZone)
            return .init(model: .inProcess(MockProvider(brief: MockBrief(clinic: clinic, today: today), hearing: hearing, speech: speech, configuration: configuration)), engine: engine)
        }
    }

    /// A live model on a shared calendar.
    public static func live(_ live: LiveModel, engine: BookingEngine) -> ServeModels {
        ServeModels { _ in .init(live: live, engine: engine) }
    }

    /// The models `serve.yaml` names: the echo, the mock on the configured database (a SQLite
    /// file in WAL mode, on the machine's clock) with the configured corpus as its ears, or a
    /// live provider booking into that database.
    public init(configuration: ServeConfiguration, clinic: Clinic, logger: Logger = Logger(label: "miadi.live")) throws {
        switch configuration.provider {
        case let name where LiveModel.keyVariable(for: name) != nil:
            let engine = try Self.openCalendar(configuration, clinic: clinic, logger: logger)
            let file = configuration.liveModel.promptFile
            let template: String
            do { template = try String(contentsOfFile: file, encoding: .utf8) } catch { throw ServeModelsError.unreadablePrompt(file) }
            let live = try LiveModel.named(name, environment: configuration.liveEnvironment, model: configuration.liveModel.name, voice: configuration.liveModel.voice,
                                           template: template, templateFile: file, clinic: clinic, logger: logger)
            self = .live(live, engine: engine)
        case "mock":
            let engine = try Self.openCalendar(configuration, clinic: clinic, logger: logger)
            let hearing = try MockHearing.load(corpusDirectory: configuration.corpusDirectory)
            self = .mock(engine: engine, hearing: hearing, speech: EspeakSpeech(), bargeIn: configuration.bargeIn)
        default:
            self = .echo
        }
    }
}

extension ServeModels {
    /// The served calendar, with the holds a stopped server left behind released: no call of
    /// its can commit them, and they would block their slots until they expired.
    static func openCalendar(_ configuration: ServeConfiguration, clinic: Clinic, logger: Logger) throws -> BookingEngine {
        let engine = try BookingEngine.open(path: configuration.databasePath, clinic: clinic, clock: SystemClock())
        let released = try engine.releaseLeftoverHolds()
        if released > 0 { logger.notice("released holds left by a server that stopped", metadata: ["holds": "\(released)", "database": "\(configuration.databasePath)"]) }
        return engine
    }
}

/// Why `serve.yaml`'s model could not be made.
public enum ServeModelsError: Error, Equatable, CustomStringConvertible {
    case unreadablePrompt(String)

    public var description: String {
        switch self {
        case .unreadablePrompt(let file): return "the prompt file \(file) cannot be read"
        }
    }
}
