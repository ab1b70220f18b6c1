import MiadiAudio

/// The network between the emulated platform and the bridge, for caller audio: each 20 ms
/// packet is lost with probability `loss` (the platform conceals it with silence) and delayed by
/// `latencyMs` plus a uniform 0…`jitterMs`, never overtaking the one before, so a late packet
/// arrives in one batch with the next, as the platform sends after a stall. Seeded.
struct LineNetwork: Sendable {
    let latencyMs: Int
    let jitterMs: Int
    let loss: Double
    /// Spans of call time in which every packet is lost (a scripted outage), ms.
    let dropouts: [Range<Int>]
    private var generator: SeededGenerator
    private var inFlight: [(arrivalMs: Int, samples: [Int16])] = []
    private var lastArrivalMs = 0
    private(set) var sent = 0
    private(set) var lost = 0

    init(latencyMs: Int, jitterMs: Int, loss: Double, seed: UInt64, dropouts: [Range<Int>] = []) {
        self.dropouts = dropouts
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.loss = loss
        self.generator = SeededGenerator(seed: seed, stream: "line-network")
    }

    /// A packet leaves the platform at `nowMs`; returns its arrival time.
    @discardableResult
    mutating func send(_ samples: [Int16], nowMs: Int) -> Int {
        sent += 1
        var packet = samples
        if loss > 0, generator.unit() < loss {
            lost += 1
            packet = [Int16](repeating: 0, count: samples.count)
        } else if dropouts.contains(where: { $0.contains(nowMs) }) {
            lost += 1
            packet = [Int16](repeating: 0, count: samples.count)
        }
        let jitter = jitterMs > 0 ? Int(generator.unit() * Double(jitterMs + 1)) : 0
        lastArrivalMs = max(lastArrivalMs, nowMs + latencyMs + jitter)
        inFlight.append((lastArrivalMs, packet))
        return lastArrivalMs
    }

    /// Everything that has arrived by `nowMs`, as one batch (empty when nothing has).
    mutating func arrivals(nowMs: Int) -> [Int16] {
        var out: [Int16] = []
        while let first = inFlight.first, first.arrivalMs <= nowMs {
            out += first.samples
            inFlight.removeFirst()
        }
        return out
    }
}
