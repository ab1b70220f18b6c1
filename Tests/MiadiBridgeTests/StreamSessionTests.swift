import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBridge
import MiadiProviders
import Testing

@Suite("Stream session: handshake frames and close")
struct StreamSessionLifecycleTests {
    @Test("metadata in Sautikit or jambonz form opens the stream", arguments: [
        #"{"call_sid":"CA1","from":"+2547","to":"+2542"}"#, #"{"callSid":"CA1","from":"+2547","to":"+2542","sampleRate":16000,"mixType":"stereo"}"#,
    ])
    func metadata(text: String) {
        var session = StreamSession(configuration: BridgeFixtures.config())
        let actions = session.textReceived(text, nowMs: 5)
        #expect(session.metadata?.callSID == "CA1")
        #expect(session.metadata?.from == "+2547")
        #expect(session.metadata?.to == "+2542")
        guard case .trace(let event, let atMs) = actions.first else { Issue.record("no trace"); return }
        #expect(event == .streamOpen(subprotocol: "audio.drachtio.org", rate: 16_000, track: "both_tracks", outputRate: 16_000, callSID: "CA1"))
        #expect(atMs == 5)
        #expect(event.line(atMs: atMs)["subprotocol"] == "audio.drachtio.org")
    }

    @Test("a bad first frame is a clean close with 1008", arguments: ["not json", #"{"from":"+2547"}"#, "BINARY"])
    func badFirstFrame(first: String) {
        var session = StreamSession(configuration: BridgeFixtures.config())
        let actions = first == "BINARY" ? session.binaryReceived([0, 0, 0, 0], nowMs: 0) : session.textReceived(first, nowMs: 0)
        #expect(actions.contains { if case .close(1008, _) = $0 { return true }; return false })
        #expect(actions.last.map { if case .ended = $0 { return true }; return false } == true)
        #expect(session.isClosed)
        #expect(session.binaryReceived([1, 2], nowMs: 1).isEmpty)
    }

    @Test("close at every state ends the call once")
    func closeAtEveryState() {
        var waiting = StreamSession(configuration: BridgeFixtures.config())
        #expect(waiting.closed(code: 1000, reason: "bye", nowMs: 3).contains(.ended(reason: "closed before metadata")))

        var live = SessionDriver()
        live.provider(.audio(BridgeFixtures.agentSpeech(ms: 400)))
        live.idle(ms: 100)
        let actions = live.session.closed(code: 1000, reason: "caller hung up", nowMs: live.nowMs)
        #expect(actions.contains(.toProvider(.endOfCall)))
        #expect(actions.contains(.ended(reason: "stream closed")))
        #expect(live.session.closed(code: 1000, reason: "again", nowMs: live.nowMs).isEmpty)
        #expect(live.session.tick(nowMs: live.nowMs + 20).isEmpty)

        var handing = SessionDriver()
        handing.provider(.audio(BridgeFixtures.agentSpeech(ms: 1000)))
        handing.record(handing.session.handoff(target: "+254700000000", reason: "caller asked for a person", nowMs: handing.nowMs))
        #expect(handing.session.closed(code: 1000, reason: "x", nowMs: handing.nowMs).contains(.ended(reason: "handoff")))
    }

    @Test("unknown and DTMF text frames are traced, not fatal")
    func otherMessages() {
        var d = SessionDriver()
        d.text(#"{"event":"dtmf","dtmf":"5","duration":100}"#)
        d.text(#"{"type":"playDone","data":{}}"#)
        #expect(d.traces("dtmf").first?["digit"] == "5")
        #expect(d.traces("platform.message").first?["message_type"] == "playDone")
        #expect(!d.session.isClosed)
    }
}

@Suite("Stream session: caller audio")
struct StreamSessionCallerAudioTests {
    @Test("frames batched, split mid-sample and mid-stereo-frame, and empty flushes give the same audio")
    func byteStream() throws {
        let speech = try BridgeFixtures.bargeLine()
        let stereo = PCMBuffer.interleave(left: speech, right: PCMBuffer(samples: speech.samples.map { $0 / 2 }, sampleRate: 16_000))
        let bytes = stereo.littleEndianBytes
        var whole = SessionDriver()
        whole.record(whole.session.binaryReceived(bytes, nowMs: 20))
        var pieces = SessionDriver()
        var offset = 0
        let sizes = [1, 3, 2, 1279, 1281, 6400, 0, 7, 12_800, 5]
        var i = 0
        while offset < bytes.count {
            let n = min(sizes[i % sizes.count], bytes.count - offset)
            pieces.record(pieces.session.binaryReceived(Array(bytes[offset..<offset + n]), nowMs: 20 + i))
            offset += n
            i += 1
        }
        #expect(pieces.providerAudio == whole.providerAudio)
        #expect(!whole.providerAudio.isEmpty)
        let recording = pieces.session.recording.deinterleave()
        #expect(recording.left.samples == speech.samples, "left is the caller")
        #expect(recording.right.samples == speech.samples.map { $0 / 2 }, "right is what the platform says was played")
    }

    @Test("the provider gets the left channel only, at its own rate", arguments: [8_000, 16_000])
    func resampledLeftChannel(rate: Int) throws {
        let speech = try BridgeFixtures.bargeLine().resampled(to: rate, quality: .telephone)
        var d = SessionDriver(configuration: BridgeFixtures.config(rate: rate))
        d.caller(speech)
        let sent = PCMBuffer(samples: d.providerAudio, sampleRate: 16_000)
        // Same duration within one resampler delay, and the same speech energy (the silent right
        // channel was not mixed in).
        #expect(abs(sent.durationMs - speech.durationMs) <= 25)
        #expect(abs(sent.dbfs - speech.dbfs) < 1.0)
    }
}

@Suite("Stream session: outbound audio")
struct StreamSessionOutboundTests {
    /// A reply of `ms` arriving at once, then beats until a second after it has played.
    static func replyPlayed(ms: Int, configuration: StreamConfiguration = BridgeFixtures.config()) -> SessionDriver {
        var d = SessionDriver(configuration: configuration)
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: ms)))
        d.provider(.turnDone)
        d.idle(ms: ms + 1000)
        return d
    }

    @Test("pacing: a 3 s reply arriving at once is never more than 200 ms ahead of real time")
    func pacing() {
        let d = Self.replyPlayed(ms: 3000)
        let frames = d.binaryFrames
        #expect(frames.count == 150)
        for (k, frame) in frames.enumerated() {
            #expect(frame.bytes.count == 640)
            // Frame k plays from max(now, end of frame k-1): its end is at most 200 ms ahead.
            #expect((k + 1) * 20 - frame.t <= 200, "frame \(k) sent at \(frame.t)")
        }
        #expect(d.texts.last?.text == .mark("agent-1-end"))
    }

    @Test("pacing: once the lead is full, frames go out three to a write as it falls to 140 ms, never fewer ahead")
    func pacingRuns() {
        let frames = Self.replyPlayed(ms: 3000).binaryFrames
        #expect(frames.count == 150)
        // Frames sent at one call time leave in one write.
        var runs: [(t: Int, first: Int, count: Int)] = []
        for (k, frame) in frames.enumerated() {
            if let last = runs.last, last.t == frame.t { runs[runs.count - 1].count += 1 } else { runs.append((frame.t, k, 1)) }
        }
        #expect(runs.first?.count == 10, "the first 200 ms at once")
        #expect(runs.dropFirst().dropLast().allSatisfy { $0.count == 3 }, "\(runs.map(\.count))")
        for run in runs.dropFirst() {
            // Frames play back to back from 0: before this run the platform held up to the end
            // of frame `first - 1`, at (first × 20) ms.
            #expect(run.first * 20 - run.t == 140, "run at \(run.t) ms: \(run.first * 20 - run.t) ms ahead")
        }
    }

    @Test("pacing: a short lead is topped up at half of it, so it never runs dry", arguments: [40, 60, 80])
    func pacingShortLead(leadMs: Int) {
        var config = BridgeFixtures.config()
        config.maximumLeadMs = leadMs
        let frames = Self.replyPlayed(ms: 1000, configuration: config).binaryFrames
        #expect(frames.count == 50)
        for (k, frame) in frames.enumerated() {
            #expect((k + 1) * 20 - frame.t <= leadMs)
            // After the first fill, the platform still held at least half the lead.
            if frame.t > 0 { #expect(k * 20 - frame.t >= leadMs / 2, "frame \(k) sent at \(frame.t) with \(k * 20 - frame.t) ms ahead") }
        }
    }

    @Test("marks: playout completes the utterance; a killAudio leaves it cut, and its mark comes back cleared")
    func markBookkeeping() throws {
        var d = SessionDriver()
        d.provider(.outputTranscript("Thursday the 5th of March at two p.m. — shall I book it?", final: true))
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 600)))
        d.provider(.turnDone)
        d.idle(ms: 800)
        d.text(#"{"type":"mark","data":{"name":"agent-1-end","event":"playout"}}"#)
        let done = try #require(d.traces("agent.utterance").first)
        #expect(done["status"] == "completed")
        #expect(done["heard_ms"] == 600)
        #expect(done["text"] == "Thursday the 5th of March at two p.m. — shall I book it?")

        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 2000)))
        d.provider(.turnDone)
        d.idle(ms: 300)
        d.provider(.interrupted)
        let cut = try #require(d.traces("agent.utterance").last)
        #expect(cut["status"] == "cut")
        #expect((cut["heard_ms"]?.int ?? 0) > 0 && (cut["heard_ms"]?.int ?? 0) <= 300)
        d.text(#"{"type":"mark","data":{"name":"agent-2-end","event":"cleared"}}"#)
        #expect(d.traces("agent.utterance").count == 2, "a cleared mark completes nothing")
    }

    @Test("the provider's own interruption stops the agent in the same step")
    func providerInterruption() {
        var d = SessionDriver()
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 2000)))
        d.idle(ms: 400)
        let sentBefore = d.binaryFrames.count
        d.provider(.interrupted)
        #expect(d.texts.last?.text == .killAudio)
        // Audio still in flight for the abandoned response is dropped until its turn ends…
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 500)))
        d.idle(ms: 600)
        #expect(d.binaryFrames.count == sentBefore)
        // …and the next response plays, after the resume gap.
        d.provider(.turnDone)
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 200)))
        d.provider(.turnDone)
        d.idle(ms: 400)
        #expect(d.binaryFrames.count == sentBefore + 10)
        #expect(d.log.contains { if case .toProvider(.heardUpTo(let ms)) = $0.action { return ms > 0 && ms <= 400 }; return false })
    }

    @Test("handoff waits for the queued audio to play, then disconnects")
    func handoff() {
        var d = SessionDriver()
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 1000)))
        d.provider(.turnDone)
        d.idle(ms: 100)
        d.record(d.session.handoff(target: "+254700000000", reason: "asked for a person", nowMs: d.nowMs))
        #expect(!d.texts.contains { $0.text == .disconnect })
        d.idle(ms: 1200)
        let disconnect = d.texts.first { $0.text == .disconnect }
        #expect(disconnect != nil)
        #expect((disconnect?.t ?? 0) >= 1000, "not before the last frame has played")
        #expect(d.traces("handoff").first?["target"] == "+254700000000")
        #expect(d.binaryFrames.count == 50)
    }
}

@Suite("Stream session: barge-in (stop_after)")
struct StreamSessionBargeInTests {
    @Test("speech over the agent stops it within one frame of the decision, and nothing old plays after")
    func bargeIn() throws {
        var d = SessionDriver(configuration: BridgeFixtures.config(bargeIn: .stopAfter))
        d.provider(.outputTranscript("We have Thursday at two, three or four p.m.", final: true))
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 5000)))
        d.provider(.turnDone)
        d.idle(ms: 600)
        d.caller(try BridgeFixtures.bargeLine())
        d.idle(ms: 1000)
        let kill = try #require(d.texts.first { $0.text == .killAudio })
        let event = try #require(d.traces("barge_in").first)
        let onset = try #require(event["caller_onset_ms"]?.int)
        let detected = try #require(event["detected_ms"]?.int)
        // Decided once the speech has lasted the policy's 400 ms (the VAD back-dates onsets).
        #expect(detected - onset >= 400 && detected - onset <= 440, "onset \(onset), detected \(detected)")
        #expect(kill.t == detected)
        // Within two frames of the decision nothing more is sent; the rest of the reply is dropped.
        #expect(d.binaryFrames.filter { $0.t > kill.t }.isEmpty)
        #expect(d.traces("agent.utterance").first?["status"] == "cut")
        #expect(d.session.bargeIns == 1)
        // The recording's agent channel goes silent where the caller stopped hearing it.
        let right = d.session.recording.deinterleave().right
        let afterKill = right.slice(frames: (kill.t + 20) * 16..<min(right.frameCount, (kill.t + 400) * 16))
        #expect(afterKill.samples.allSatisfy { $0 == 0 })
    }

    @Test("a short sound over the agent (backchannel, cough) is not a barge-in")
    func backchannel() throws {
        let speech = try BridgeFixtures.longLine()
        // 250 ms of voiced speech from the middle of a sentence.
        let short = speech.slice(frames: 16_000..<(16_000 + 4000))
        var d = SessionDriver(configuration: BridgeFixtures.config(bargeIn: .stopAfter))
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 3000)))
        d.provider(.turnDone)
        d.idle(ms: 500)
        d.caller(short)
        d.caller(PCMBuffer.silence(durationMs: 800, sampleRate: 16_000))
        d.idle(ms: 2000)
        #expect(!d.texts.contains { $0.text == .killAudio })
        #expect(d.traces("guard.barge_in").first?["decision"] == "ignored")
        #expect(d.binaryFrames.count == 150, "the whole reply played")
    }

    @Test("an echo provider round-trips a caller utterance through the session")
    func echoRoundTrip() throws {
        var d = SessionDriver(provider: EchoProvider())
        let line = try BridgeFixtures.bargeLine()
        d.caller(line)
        d.caller(PCMBuffer.silence(durationMs: 600, sampleRate: 16_000))
        d.idle(ms: 2500)
        let played = d.binaryFrames.count * 20
        let segments = VoiceActivityDetector.segments(of: line)
        let voiced = segments.reduce(0) { $0 + $1.count } // ms
        #expect(abs(played - voiced) <= 60, "played \(played) ms for \(voiced) ms of speech")
        #expect(d.traces("transcript.in").count == 1)
        #expect(d.traces("usage").count == 1)
    }
}
