import Foundation
import MiadiAgent
import MiadiAudio

/// Hand-made calls: a stereo line with voiced stretches where the test says, and traces
/// written event by event.
enum ScoringFixtures {
    /// 16 kHz stereo, `durationMs` long, with a voice-like signal (two harmonics, amplitude
    /// modulated as syllables are, an 80 ms pause between words every 400 ms counted back from
    /// the end) on the caller (left) and the agent (right) where given, and faint hiss
    /// everywhere, as on a phone line. Speech without any pause would soon read as the noise
    /// floor to a minimum-statistics VAD, as it would to a listener's ear.
    static func line(durationMs: Int, caller: [Range<Int>], agent: [Range<Int>]) -> PCMBuffer {
        let rate = 16_000
        let frames = durationMs * rate / 1000
        var generator = SeededGenerator(seed: 7, stream: "scoring-line")
        func channel(_ voiced: [Range<Int>], pitch: Double) -> [Int16] {
            (0..<frames).map { i in
                let ms = i * 1000 / rate
                let hiss = (generator.unit() - 0.5) * 60
                guard let range = voiced.first(where: { $0.contains(ms) }), (range.upperBound - ms) % 400 < 320 else { return Int16(hiss) }
                let t = Double(i) / Double(rate)
                let syllables = 0.75 + 0.25 * sin(2 * .pi * 4 * t)
                let voice = (sin(2 * .pi * pitch * t) + 0.5 * sin(2 * .pi * 2 * pitch * t)) * 6000 * syllables
                return Int16(max(-32767, min(32767, voice + hiss)))
            }
        }
        return PCMBuffer.interleave(left: PCMBuffer(samples: channel(caller, pitch: 210), sampleRate: rate),
                                    right: PCMBuffer(samples: channel(agent, pitch: 140), sampleRate: rate))
    }

    static func trace(language: String = "en", now: String = "2026-03-02T09:15:00+03:00", _ events: [TraceEvent]) -> CallTrace {
        var trace = CallTrace(header: TraceHeader(callSID: "CA-test", source: "lab", clinic: "whitedent-nairobi", language: language, now: now,
                                                  provider: "mock", model: "miadi-mock-1", line: .object(["rate": 16000]), miadiVersion: "test"))
        trace.append(contentsOf: events)
        return trace
    }

    static func agentSaid(_ text: String, from start: Int, to end: Int, status: String = "completed") -> TraceEvent {
        TraceEvent(tMs: end, type: "agent.utterance", fields: ["text": .string(text), "start_ms": .int(start), "end_ms": .int(end), "status": .string(status)])
    }

    static func callerSaid(_ text: String, at t: Int) -> TraceEvent {
        TraceEvent(tMs: t, type: "caller.utterance", fields: ["text": .string(text), "start_ms": .int(t)])
    }

    static func commit(_ start: String, at t: Int) -> TraceEvent {
        TraceEvent(tMs: t, type: "commit", fields: ["proposal_id": "prop-1", "kind": "booking", "service": "check-up", "staff": "dr-kamau", "start": .string(start)])
    }

    static func ended(at t: Int) -> TraceEvent {
        TraceEvent(tMs: t, type: "call.ended", fields: ["reason": "caller hung up after goodbye", "duration_ms": .int(t), "billed_seconds": .int((t + 999) / 1000)])
    }
}
