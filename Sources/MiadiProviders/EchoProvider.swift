import MiadiAudio

/// A provider that says back each caller utterance when it ends: enough to test the bridge end
/// to end (audio in, audio out, pacing, marks, barge-in) before a real model is attached.
///
/// It hears with the VAD: the samples of an utterance, from its onset to its end, are sent back
/// at the output rate, then `turnDone`. An `interrupted` is reported when the caller starts
/// speaking while a reply is still being produced (it never is: replies come out whole).
public struct EchoProvider: ProviderMachine {
    public let providerID = "echo"
    public let model = "echo-1"
    public let inputSampleRate: Int
    public let outputSampleRate: Int
    private var vad: VoiceActivityDetector
    /// What was heard lately: since the current utterance's onset, or the last second or two
    /// between utterances (never the whole call: its cost must not grow with its age).
    private var heard = PCMBuffer(samples: [], sampleRate: 16_000)
    /// The call's frame index of `heard`'s first sample.
    private var heardOffset = 0
    private var heardStartMs = 0
    private var speaking = false
    private var replies = 0

    public init(inputSampleRate: Int = 16_000, outputSampleRate: Int = 24_000) {
        self.inputSampleRate = inputSampleRate
        self.outputSampleRate = outputSampleRate
        self.vad = VoiceActivityDetector(sampleRate: inputSampleRate)
        self.heard = PCMBuffer(samples: [], sampleRate: inputSampleRate)
    }

    public mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent] {
        guard case .audio(let buffer) = input else { return [] }
        heard.append(buffer)
        var out: [ProviderEvent] = []
        for event in vad.process(buffer) {
            switch event {
            case .speechStarted(let atMs):
                heardStartMs = atMs
                speaking = true
            case .speechEnded(let atMs):
                speaking = false
                let from = max(0, min(heard.frameCount, heardStartMs * inputSampleRate / 1000 - heardOffset))
                let to = max(0, min(heard.frameCount, atMs * inputSampleRate / 1000 - heardOffset))
                let utterance = Self.interpolated(heard.slice(frames: from..<max(from, to)), to: outputSampleRate)
                replies += 1
                out.append(.inputTranscript("(utterance \(replies), \(atMs - heardStartMs) ms)"))
                out.append(.outputTranscript("(echo \(replies))", final: true))
                for packet in utterance.packets20ms() { out.append(.audio(packet)) }
                out.append(.turnDone)
                var usage = ProviderUsage()
                usage.inputAudioSeconds = Double(atMs - heardStartMs) / 1000
                usage.outputAudioSeconds = utterance.durationSeconds
                out.append(.usage(usage))
            }
        }
        // Between utterances only the last half second is kept (the VAD dates an onset a
        // little before it reports it); trimmed in steps so the copy is rare.
        if !speaking, heard.frameCount > inputSampleRate {
            let drop = heard.frameCount - inputSampleRate / 2
            heard = heard.slice(frames: drop..<heard.frameCount)
            heardOffset += drop
        }
        return out
    }

    public mutating func tick(nowMs: Int) -> [ProviderEvent] { [] }

    /// The echo answers only what it hears: time passing alone never makes it speak.
    public var quietUntil: Int? { .max }

    /// `buffer` (mono) at `rate` by linear interpolation. The echo stands in for a model whose
    /// work runs on its provider's machines, not the bridge's: its reply is made cheaply (a
    /// filtered conversion was a seventh of `miadi serve`'s time under load, all of it spent
    /// on the stand-in), and the bridge's own filtered conversion to the line's rate, the
    /// code under test, removes what interpolation leaves above the line's band.
    static func interpolated(_ buffer: PCMBuffer, to rate: Int) -> PCMBuffer {
        let from = buffer.sampleRate
        guard rate != from, buffer.frameCount > 0 else { return PCMBuffer(samples: buffer.samples, sampleRate: rate) }
        let count = (buffer.frameCount * rate + from / 2) / from
        let last = buffer.frameCount - 1
        // Output n sits at input position n·from/rate: sample i and a fraction f/rate on. The
        // pattern repeats every rate/g outputs, from/g inputs on (16 → 24 kHz: three outputs
        // per two inputs), so each phase's offset and weight are worked out once.
        var (a, b) = (from, rate)
        while b != 0 { (a, b) = (b, a % b) }
        let outputsPerPeriod = rate / a, inputsPerPeriod = from / a
        let perStep = 1 / Float(rate)
        var offsets = [Int](repeating: 0, count: outputsPerPeriod)
        var weights = [Float](repeating: 0, count: outputsPerPeriod)
        var i = 0, f = 0
        for k in 0..<outputsPerPeriod {
            offsets[k] = i
            weights[k] = Float(f) * perStep
            f += from
            while f >= rate { f -= rate; i += 1 }
        }
        let out = [Int16](unsafeUninitializedCapacity: count) { o, initialized in
            buffer.samples.withUnsafeBufferPointer { x in
                offsets.withUnsafeBufferPointer { offsets in
                    weights.withUnsafeBufferPointer { weights in
                        var n = 0, base = 0
                        while n < count {
                            // Inside the input a period needs no clamping; at its end, the last
                            // sample is held.
                            let whole = base + inputsPerPeriod < last && n + outputsPerPeriod <= count
                            for k in 0..<outputsPerPeriod where n + k < count {
                                let at = whole ? base + offsets[k] : min(base + offsets[k], last)
                                let a = Float(x[at]), b = Float(x[whole ? at + 1 : min(at + 1, last)])
                                let v = a + (b - a) * weights[k] // between two samples: in range
                                o[n + k] = Int16(v + (v < 0 ? -0.5 : 0.5))
                            }
                            n += outputsPerPeriod
                            base += inputsPerPeriod
                        }
                    }
                }
            }
            initialized = count
        }
        return PCMBuffer(samples: out, sampleRate: rate)
    }
}
