@testable import MiadiBridge
import MiadiAudio
import Testing

/// The recorder keeps the line interleaved; these pin it to the plain two-sided model it
/// replaced (each side its own array, interleaved only when taken), operation by operation.
@Suite("line recorder")
struct LineRecorderTests {
    /// The two-array recorder, as it was: the reference.
    struct TwoSided {
        let sampleRate: Int
        let rightFromPlatform: Bool
        var left: [Int16] = []
        var right: [Int16] = []
        var origin = 0

        func index(ofMs ms: Int) -> Int { max(0, ms) * sampleRate / 1000 - origin }
        mutating func caller(_ s: [Int16]) { left += s }
        mutating func platformRight(_ s: [Int16]) { if rightFromPlatform { right += s } }
        mutating func agent(_ samples: [Int16], atMs: Int) {
            guard !rightFromPlatform else { return }
            let start = index(ofMs: atMs)
            if right.count < start { right += [Int16](repeating: 0, count: start - right.count) }
            for (i, s) in samples.enumerated() where start + i >= 0 {
                if start + i < right.count { right[start + i] = s } else { right.append(s) }
            }
        }
        mutating func cutAgent(atMs ms: Int) {
            guard !rightFromPlatform else { return }
            let end = max(0, index(ofMs: ms))
            if right.count > end { right.removeLast(right.count - end) }
        }
        mutating func take(settledAtMs ms: Int) -> [Int16] { take(frames: min(left.count, max(0, index(ofMs: ms)))) }
        mutating func takeAll() -> [Int16] { take(frames: max(left.count, right.count)) }
        mutating func take(frames n: Int) -> [Int16] {
            guard n > 0 else { return [] }
            var out = [Int16](repeating: 0, count: 2 * n)
            for i in 0..<min(n, left.count) { out[2 * i] = left[i] }
            for i in 0..<min(n, right.count) { out[2 * i + 1] = right[i] }
            left.removeFirst(min(n, left.count))
            right.removeFirst(min(n, right.count))
            origin += n
            return out
        }
    }

    /// A seeded run of caller frames, agent frames ahead of and behind the caller, barge-in
    /// cuts and takes, on a line the bridge plays itself.
    @Test("the bridge's own line: agent frames placed, cut and taken as the two-sided model does", arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func bridgeLine(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var recorder = LineRecorder(sampleRate: 8000, rightFromPlatform: false)
        var model = TwoSided(sampleRate: 8000, rightFromPlatform: false)
        var takenNew: [Int16] = [], takenModel: [Int16] = []
        var nowMs = 0
        for step in 0..<400 {
            let frame = (0..<160).map { _ in Int16.random(in: -3000...3000, using: &rng) }
            recorder.caller(frame)
            model.caller(frame)
            nowMs += 20
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let agent = (0..<160).map { _ in Int16.random(in: 1...3000, using: &rng) }
                let atMs = nowMs + Int.random(in: -60...200, using: &rng)
                recorder.agent(agent, atMs: atMs)
                model.agent(agent, atMs: atMs)
            }
            if Int.random(in: 0..<25, using: &rng) == 0 {
                recorder.cutAgent(atMs: nowMs)
                model.cutAgent(atMs: nowMs)
            }
            if step % 13 == 12 {
                let settled = nowMs - Int.random(in: 0...40, using: &rng)
                takenNew += recorder.take(settledAtMs: settled)
                takenModel += model.take(settledAtMs: settled)
            }
            #expect(recorder.heldSamples == model.left.count + model.right.count, "step \(step)")
        }
        let (caller, agent) = recorder.channels()
        #expect(caller.samples == model.left)
        #expect(agent.samples == model.right)
        #expect(recorder.stereo().samples == model.takeAllCopy())
        takenNew += recorder.takeAll()
        takenModel += model.takeAll()
        #expect(takenNew.count > 0)
        #expect(takenNew == takenModel)
    }

    @Test("both_tracks: the platform's frames recorded as they came, taken as the two-sided model does")
    func platformLine() {
        var rng = SeededGenerator(seed: 42)
        var recorder = LineRecorder(sampleRate: 16000, rightFromPlatform: true)
        var model = TwoSided(sampleRate: 16000, rightFromPlatform: true)
        var takenNew: [Int16] = [], takenModel: [Int16] = []
        for step in 1...300 {
            let stereo = (0..<640).map { _ in Int16.random(in: -3000...3000, using: &rng) }
            recorder.platformStereo(stereo)
            model.caller(Swift.stride(from: 0, to: 640, by: 2).map { stereo[$0] })
            model.platformRight(Swift.stride(from: 1, to: 640, by: 2).map { stereo[$0] })
            // The bridge's own frames are not the platform's: ignored on this line.
            recorder.agent([1, 2, 3], atMs: step * 20)
            recorder.cutAgent(atMs: step * 20 - 10)
            if step % 50 == 0 {
                takenNew += recorder.take(settledAtMs: step * 20 - 7)
                takenModel += model.take(settledAtMs: step * 20 - 7)
            }
        }
        takenNew += recorder.takeAll()
        takenModel += model.takeAll()
        #expect(takenNew.count == 300 * 640)
        #expect(takenNew == takenModel)
    }
}

extension LineRecorderTests.TwoSided {
    /// Both sides interleaved, the shorter padded (what `stereo()` must equal), without taking.
    func takeAllCopy() -> [Int16] {
        var copy = self
        return copy.takeAll()
    }
}
