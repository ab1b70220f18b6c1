import Foundation
@testable import MiadiSimulator
import MiadiAgent
import MiadiAudio
import MiadiBooking
import Testing

@Suite("The emulated line")
struct LineNetworkTests {
    @Test("loss rate and jitter follow their settings; packets stay in order; delay is bounded")
    func statistics() {
        var network = LineNetwork(latencyMs: 60, jitterMs: 40, loss: 0.05, seed: 7)
        var delays: [Int] = []
        var previous = 0
        for i in 0..<20_000 {
            let arrival = network.send([1, 1], nowMs: i * 20)
            #expect(arrival >= previous)
            previous = arrival
            delays.append(arrival - i * 20)
        }
        let lossRate = Double(network.lost) / Double(network.sent)
        #expect(abs(lossRate - 0.05) < 0.006, "loss \(lossRate)")
        #expect(delays.min()! >= 60 && delays.max()! <= 100)
        // Uniform 0…40 ms jitter (never less than the packet before): mean a little above 80 ms.
        let mean = Double(delays.reduce(0, +)) / Double(delays.count)
        #expect(mean > 80 && mean < 90, "mean delay \(mean)")
        // Everything arrives, in order, at the end.
        #expect(network.arrivals(nowMs: 20_000 * 20 + 200).count == 40_000)
    }

    @Test("the same seed gives the same line")
    func seeded() {
        var a = LineNetwork(latencyMs: 40, jitterMs: 10, loss: 0.1, seed: 3), b = LineNetwork(latencyMs: 40, jitterMs: 10, loss: 0.1, seed: 3)
        for i in 0..<500 { #expect(a.send([Int16(i)], nowMs: i * 20) == b.send([Int16(i)], nowMs: i * 20)) }
        #expect(a.arrivals(nowMs: 20_000) == b.arrivals(nowMs: 20_000))
    }

    @Test("a booking still goes through on a noisy, lossy, jittery 8 kHz line")
    func impairedCall() async throws {
        var setup = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: MockFaultTests.booking)
        setup.line.rate = 8_000
        setup.line.noiseSNR = 20
        setup.line.loss = 0.01
        setup.line.latencyMs = 80
        setup.line.jitterMs = 30
        let result = await LabCall.run(setup)
        #expect(try await setup.engine.allAppointments().count == 1, "\(LabCallTests.text(result))")
        #expect(result.recording.sampleRate == 8_000)
    }

    @Test("both_tracks: the platform's right channel is what it played, and a slow calendar is dead air the caller hears")
    func bothTracksAndSlowCalendar() async throws {
        var setup = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: MockFaultTests.booking)
        setup.line.bothTracks = true
        let fast = await LabCall.run(setup)
        let right = fast.recording.deinterleave().right
        #expect(right.dbfs > -40, "the agent is on the right channel")
        var slow = try await LabCallTests.setup(now: "2026-03-02T09:15:00+03:00", caller: "+254711000002", lines: MockFaultTests.booking)
        slow.line.bothTracks = true
        slow.bookingLatencyMs = 2_000
        let slowResult = await LabCall.run(slow)
        #expect(try await slow.engine.allAppointments().count == 1)
        // Four booking operations (find, propose, confirm, end) at 2 s each: the call is longer.
        #expect(slowResult.durationMs - fast.durationMs >= 6_000, "fast \(fast.durationMs) ms, slow \(slowResult.durationMs) ms")
    }

    @Test("the calendar's clock follows call time: a proposal held longer than the hold lapses")
    func holdsLapseInCallTime() async throws {
        let clinic = try ClinicFile.load(path: Fixtures.scenarios + "/clinics/whitedent-nairobi.yaml")
        let clock = ManualClock(ISO8601DateFormatter().date(from: "2026-03-02T09:15:00+03:00")!)
        let engine = try BookingEngine.inMemory(clinic: clinic, clock: clock)
        var setup = LabCall.Setup(engine: engine, caller: CallContext(callerNumber: "+254711000002", callSID: "CA-hold"),
                                  lines: try MockFaultTests.booking.map { LabCall.Line(try LabCallTests.line($0)) },
                                  hearing: LabCallTests.hearing, speech: LabCallTests.speech)
        setup.clock = clock
        let result = await LabCall.run(setup)
        #expect(try await engine.allAppointments().count == 1)
        // The engine's "now" moved on with the call.
        #expect(Int(clock.now().timeIntervalSince(ISO8601DateFormatter().date(from: "2026-03-02T09:15:00+03:00")!) * 1000) == result.durationMs)
        // A proposal made in the call is now out of time for any other call's commit.
        let later = CallContext(callerNumber: "+254700000001", callSID: "CA-later")
        clock.advance(seconds: 121)
        let p = try await engine.proposeBooking(serviceID: "check-up", start: ISO8601DateFormatter().date(from: "2026-03-06T10:00:00+03:00")!, for: later)
        clock.advance(seconds: 121)
        await #expect(throws: BookingError.proposalExpired(p.id)) {
            try await engine.commit(proposalID: p.id, idempotencyKey: "k", confirmation: Confirmation(readBack: "r", callerAnswer: "yes"), for: later)
        }
    }
}
