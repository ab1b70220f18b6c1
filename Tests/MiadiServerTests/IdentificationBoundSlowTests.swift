import Foundation
import MiadiAudio
import MiadiTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The events a stream holds while its call is identified are bounded. Identification runs on
/// Swift's task pool (the registry, the calendar's snapshot); while it cannot finish, a
/// platform's frames wait in order on the connection's loop, and past 500 of them (10 s of
/// 20 ms frames) the stream is closed 1013 rather than queue without end.
///
/// Slow and alone (`Scripts/run-slow-tests`): it holds every thread of the test process's task
/// pool for a moment, which is what makes identification stall, deterministically.
@Suite("miadi serve: a stream whose call cannot be identified holds a bounded queue", .serialized, .tags(.slow, .sockets), .timeLimit(.minutes(2)))
struct IdentificationBoundSlowTests {
    @Test("past 500 frames waiting for identification the stream is closed 1013; once identified, the call ends with its trace written")
    func waitingEventsAreBounded() async throws {
        let traces = ServerHarness.scratch("identify-bound")
        defer { try? FileManager.default.removeItem(atPath: traces) }
        try await ServerHarness.with(ServerHarness.configuration(traces: traces)) { port in
            let authorization = try await ServerHarness.answer(port: port, body: "CallSid=CA-stuck&From=%2B254711000002&To=%2B254709000100")
            let request = Array(ServerHarness.upgradeRequest(port: port, protocols: "audio.drachtio.org", authorization: authorization).utf8)
            let metadata = Array(#"{"call_sid":"CA-stuck","from":"+254711000002","to":"+254709000100"}"#.utf8)
            let silence = [UInt8](repeating: 0, count: 1280) // 20 ms of 16 kHz stereo
            // The metadata, then 12 s of frames at the platform's pace (sent faster, the frames
            // would be audio ahead of real time once taken, a close of its own).
            let payload = [StreamProtocolErrorTests.frame(0x1, metadata)] + Array(repeating: StreamProtocolErrorTests.frame(0x2, silence), count: 600)

            // Every thread of the pool waits on `gate` until the client has its answer.
            let width = ProcessInfo.processInfo.activeProcessorCount
            let gate = DispatchSemaphore(value: 0)
            let holding = DispatchSemaphore(value: 0)
            let holders = (0..<width).map { _ in Task.detached { Self.hold(signalling: holding, until: gate) } }
            let received: [UInt8] = await OffPool.run {
                for _ in 0..<width { holding.wait() }
                defer { for _ in 0..<width { gate.signal() } }
                return Self.exchange(port: port, request, then: payload)
            }
            for holder in holders { await holder.value }
            #expect(StreamProtocolErrorTests.closeCode(in: received) == 1013, "the server's close: \(StreamProtocolErrorTests.closeCode(in: received).map(String.init) ?? "none")")

            // Identified at last, the call takes what waited (the close among it) and ends.
            var written = false
            for _ in 0..<200 where !written {
                written = FileManager.default.fileExists(atPath: traces + "/CA-stuck.trace.jsonl")
                if !written { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(written, "the call's trace was written once it was identified")
        }
        let trace = try String(contentsOfFile: traces + "/CA-stuck.trace.jsonl", encoding: .utf8)
        #expect(trace.contains(#""code":1013"#), "the trace says the stream was closed 1013")
        // The frames that waited are the call's: on its recording, in order.
        let recording = try AudioFile.read(traces + "/CA-stuck.wav")
        #expect(recording.durationMs >= 9_900, "\(recording.durationMs) ms recorded of the 10 s that waited")
    }

    static func hold(signalling holding: DispatchSemaphore, until gate: DispatchSemaphore) {
        holding.signal()
        gate.wait()
    }

    /// Sends `request`, then once the 101 is in the frames, one every 20 ms, reading what the
    /// server sends as it goes, and stops sending at its close frame; then reads until the
    /// server closes (or 30 s pass). Blocking, on the caller's thread: no task may run meanwhile.
    static func exchange(port: Int, _ request: [UInt8], then frames: [[UInt8]]) -> [UInt8] {
        guard let socket = try? LoopbackSocket(port: port, readTimeoutSeconds: 30) else { return [] }
        socket.send(request)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        func read(waiting: Bool) -> Bool {
            let n = socket.receive(into: &chunk, waiting: waiting)
            if n > 0 { received += chunk[0..<n] }
            return n > 0
        }
        while !received.indices.contains(where: { received[$0...].starts(with: [13, 10, 13, 10]) }) {
            guard read(waiting: true) else { return received }
        }
        for frame in frames {
            while read(waiting: false) {}
            if StreamProtocolErrorTests.closeCode(in: received) != nil { break }
            guard socket.send(frame) == frame.count else { break }
            usleep(20_000)
        }
        while read(waiting: true) {}
        return received
    }
}
