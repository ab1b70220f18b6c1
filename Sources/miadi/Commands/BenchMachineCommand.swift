import ArgumentParser
import Foundation
import MiadiAudio
import MiadiBridge
import MiadiLoad
import MiadiProviders

/// `miadi bench machine`: what one call costs the bridge with no socket, measured on the call
/// machine itself (`CallMachine`, the code every served call runs), so a change to the
/// per-frame path can be judged in seconds and without the noise of a load run.
///
/// Each call is `miadi serve`'s with `provider: echo` and `bench bridge`'s caller: 16 kHz
/// `both_tracks` frames of 20 ms carrying the same looped utterance, the 20 ms beat after
/// each frame firing the pacing timer when it is due (a quiet call parks it), every action the
/// machine returns taken as a shell would (bytes counted). The
/// same frames also go through the machine with a model that never answers: the baseline in
/// the same run, so the echo's share shows as a ratio and the machine's own cost beside it.
struct BenchMachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "CPU per call-second of the call machine with the echo model, no sockets (build with -c release for real figures)."
    )

    @Option(help: "What each caller says, looped with quiet between (a WAV or FLAC file).")
    var caller: String = "Corpora/en/5d3ce16ee18bfb5f.flac"

    @Option(help: "Calls per pass, taken side by side frame by frame (as a server under load takes them).")
    var calls: Int = 500

    @Option(help: "Length of each call, seconds.")
    var seconds: Int = 20

    @Option(help: "Timed passes (after one warm-up pass); the best is reported.")
    var passes: Int = 3

    func validate() throws {
        guard calls > 0, seconds > 0, passes > 0 else { throw ValidationError("--calls, --seconds and --passes must be positive") }
    }

    func run() throws {
        let clip: PCMBuffer
        do { clip = try AudioFile.read(caller) } catch { throw failOnBadInput("--caller \(caller): \(error)") }
        let line = CallerLine(clip: clip, sampleRate: 16_000)
        let frames = Self.frames(line, seconds: seconds)
        var rows: [(name: String, microseconds: Double, sent: Int)] = []
        for (name, model) in [("echo", { CallModel.inProcess(EchoProvider(inputSampleRate: 16_000, outputSampleRate: 24_000)) }),
                              ("silent model (baseline)", { CallModel.inProcess(SilentModel()) })] {
            var best = Double.infinity
            var sent = 0
            for pass in 0...passes {
                let clock = ContinuousClock()
                var bytes = 0
                let elapsed = clock.measure { bytes = Self.play(frames, calls: calls, model: model) }
                // One thread, nothing else waited on: its wall time is its CPU time.
                let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if pass > 0 { best = min(best, wall) }
                sent = bytes
            }
            rows.append((name, best * 1e6 / Double(calls * seconds), sent))
        }
        print("| model | CPU per call-second | calls one core holds | bytes sent per call |")
        print("|---|---:|---:|---:|")
        for row in rows {
            print(String(format: "| %@ | %.1f µs | %.0f | %d |", row.name, row.microseconds, 1e6 / row.microseconds, row.sent / calls))
        }
        if rows.count == 2, rows[1].microseconds > 0 {
            print(String(format: "\nthe echo costs %.2f× the machine with a silent model (%@ resampler kernel)", rows[0].microseconds / rows[1].microseconds, Resampler.kernel))
        }
    }

    /// `seconds` of 20 ms `both_tracks` frames: the caller on the left, silence on the right.
    static func frames(_ line: CallerLine, seconds: Int) -> [[UInt8]] {
        let perFrame = line.sampleRate / 50
        return (0..<(seconds * 50)).map { index in
            var bytes = [UInt8](repeating: 0, count: perFrame * 4)
            for i in 0..<perFrame {
                let sample = UInt16(bitPattern: line.samples[(index * perFrame + i) % line.samples.count])
                bytes[4 * i] = UInt8(sample & 0xFF)
                bytes[4 * i + 1] = UInt8(sample >> 8)
            }
            return bytes
        }
    }

    /// `calls` calls through their machines side by side, frame by frame as a server takes
    /// them (each call's state cold in the cache when its turn comes, as it is under load), on
    /// call time; returns the bytes they sent the platform.
    static func play(_ frames: [[UInt8]], calls: Int, model: () -> CallModel) -> Int {
        var sent = 0
        // When each call's pacing timer is set for, as `miadi serve` keeps it: a quiet call
        // parks it (`CallMachine.parksPacing`), and its beats cost nothing.
        var pacingAt = [Int](repeating: .max, count: calls)
        func take(_ actions: [CallAction], call: Int) {
            for action in actions {
                switch action {
                case .sendBinary(let bytes): sent += bytes.count
                case .schedule(.pacing, let atMs): pacingAt[call] = atMs
                case .cancel(.pacing): pacingAt[call] = .max
                default: break
                }
            }
        }
        var stream = StreamConfiguration(inputSampleRate: 16_000, track: .both, outputSampleRate: 16_000, providerInputRate: 16_000, providerOutputRate: 24_000)
        stream.maximumCallMs = Int.max / 2
        var machines: [CallMachine] = (0..<calls).map { call in
            let sid = "CAbench\(call)"
            var machine = CallMachine(expectedCallSID: sid)
            take(machine.opened(nowMs: 0), call: call)
            take(machine.textReceived(#"{"callSid":"\#(sid)","from":"+254700000000","to":"+254711000000","sampleRate":16000}"#, nowMs: 0), call: call)
            take(machine.attach(CallMachine.Setup(model: model(), agent: nil, stream: stream), nowMs: 0), call: call)
            return machine
        }
        for (index, frame) in frames.enumerated() {
            let t = (index + 1) * 20
            for call in machines.indices {
                take(machines[call].binaryReceived(frame, nowMs: t), call: call)
                // The beat fires a timer due within half a beat, as `miadi serve`'s does.
                if pacingAt[call] <= t + 10 {
                    pacingAt[call] = .max
                    take(machines[call].timerFired(.pacing, nowMs: t), call: call)
                }
                if index % 50 == 49 { _ = machines[call].takeRecording(nowMs: t) } // once a second, as `miadi serve`
            }
        }
        let end = frames.count * 20 + 20
        for call in machines.indices {
            take(machines[call].closed(code: 1000, reason: "", nowMs: end), call: call)
            _ = machines[call].takeRecording(nowMs: end, final: true)
        }
        return sent
    }
}

/// A model that hears everything and says nothing: the baseline of `bench machine`.
struct SilentModel: ProviderMachine {
    let providerID = "silent"
    let model = "silent-1"
    let inputSampleRate = 16_000
    let outputSampleRate = 24_000
    mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent] { [] }
    mutating func tick(nowMs: Int) -> [ProviderEvent] { [] }
    var quietUntil: Int? { .max }
}
