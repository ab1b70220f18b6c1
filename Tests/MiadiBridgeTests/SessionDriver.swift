import MiadiTestSupport
import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBridge
import MiadiProviders

/// Real audio from the bundled corpus.
enum BridgeFixtures {
    static let root = Repository.root

    /// A corpus utterance (16 kHz mono FLAC) by id.
    static func utterance(_ id: String) throws -> PCMBuffer {
        try AudioFile.read("\(root)/Corpora/en/\(id).flac")
    }

    /// "Hi, I'd like to book a cleaning next Thursday afternoon." (3.7 s)
    static func longLine() throws -> PCMBuffer { try utterance("d6f36bfe891982d7") }
    /// "The first one is fine." (1.6 s)
    static func bargeLine() throws -> PCMBuffer { try utterance("7ba6be4c9b0e351e") }

    static func config(rate: Int = 16_000, track: StreamTrack = .both, output: Int = 16_000, bargeIn: BargeInPolicy.Mode = .pauseResume) -> StreamConfiguration {
        var c = StreamConfiguration(inputSampleRate: rate, track: track, outputSampleRate: output, providerInputRate: 16_000, providerOutputRate: 24_000)
        c.bargeIn.mode = bargeIn
        return c
    }

    static let metadata = #"{"call_sid":"CA-test-1","from":"+254711000002","to":"+254709000100"}"#

    /// A tone standing in for model speech (loud enough to be obvious in a recording).
    static func agentSpeech(ms: Int, rate: Int = 24_000) -> PCMBuffer {
        let n = rate * ms / 1000
        return PCMBuffer(samples: (0..<n).map { Int16(8000 * sin(Double($0) * 2 * .pi * 440 / Double(rate))) }, sampleRate: rate)
    }
}

/// Drives a session the way a shell does, on a virtual clock: 20 ms per step, caller audio as
/// platform frames, every action recorded with its time.
struct SessionDriver {
    var session: StreamSession
    var nowMs = 0
    var log: [(t: Int, action: StreamAction)] = []
    var provider: EchoProvider?

    init(configuration: StreamConfiguration = BridgeFixtures.config(), provider: EchoProvider? = nil, open: Bool = true) {
        session = StreamSession(configuration: configuration)
        self.provider = provider
        if open { record(session.textReceived(BridgeFixtures.metadata, nowMs: nowMs)) }
    }

    mutating func record(_ actions: [StreamAction]) {
        for action in actions {
            log.append((nowMs, action))
            if case .toProvider(let input) = action, var p = provider {
                let events = p.receive(input, nowMs: nowMs)
                provider = p
                for event in events { record(session.providerEvent(event, nowMs: nowMs)) }
            }
        }
    }

    mutating func provider(_ event: ProviderEvent) { record(session.providerEvent(event, nowMs: nowMs)) }
    mutating func text(_ text: String) { record(session.textReceived(text, nowMs: nowMs)) }

    /// Advances time by `ms` while the caller is silent: the platform keeps streaming frames
    /// of silence, as a phone line does.
    mutating func idle(ms: Int) {
        caller(PCMBuffer.silence(durationMs: ms, sampleRate: session.configuration.inputSampleRate))
    }

    /// Sends caller audio (mono at the stream rate) as 20 ms frames in real time; with
    /// `both_tracks`, the right channel is silence.
    mutating func caller(_ audio: PCMBuffer) {
        let rate = session.configuration.inputSampleRate
        for packet in audio.packets20ms() {
            nowMs += 20
            var frame = packet
            if session.configuration.track == .both {
                frame = PCMBuffer.interleave(left: packet, right: PCMBuffer(samples: [Int16](repeating: 0, count: packet.frameCount), sampleRate: rate))
            }
            record(session.binaryReceived(frame.littleEndianBytes, nowMs: nowMs))
            record(session.tick(nowMs: nowMs))
        }
    }

    var binaryFrames: [(t: Int, bytes: [UInt8])] {
        log.compactMap { if case .sendBinary(let b) = $0.action { return ($0.t, b) }; return nil }
    }
    var texts: [(t: Int, text: BridgeCommand)] {
        log.compactMap { if case .send(let command) = $0.action { return ($0.t, command) }; return nil }
    }
    func traces(_ type: String) -> [TraceEvent] {
        log.compactMap { if case .trace(let e, let t) = $0.action, e.line(atMs: t).type == type { return e.line(atMs: t) }; return nil }
    }
    var providerAudio: [Int16] {
        log.flatMap { entry -> [Int16] in if case .toProvider(.audio(let b)) = entry.action { return b.samples }; return [] }
    }
}
