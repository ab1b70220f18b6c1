import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBridge
import MiadiProviders
import Testing

/// `pause_resume`, driven without sockets or sleeping: the agent goes silent at the caller's
/// first syllable and, once the sound is known, plays on or stops for good.
@Suite("Stream session: pause and resume")
struct StreamSessionPauseTests {
    /// 250 ms of voiced speech from the middle of a sentence: a nod, a cough.
    static func shortSound() throws -> PCMBuffer {
        try BridgeFixtures.longLine().slice(frames: 16_000..<(16_000 + 4000))
    }

    /// An agent saying a 3 s line, 500 ms into it.
    static func speaking(_ text: String = "So that is a check-up on Friday at ten. Shall I book it?") -> SessionDriver {
        var d = SessionDriver()
        d.provider(.outputTranscript(text, final: true))
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 3000)))
        d.provider(.turnDone)
        d.idle(ms: 500)
        return d
    }

    /// The agent's audio sent to the platform, as samples in order.
    static func sentSamples(_ d: SessionDriver) -> [Int16] {
        d.binaryFrames.flatMap { PCMBuffer(littleEndianBytes: $0.bytes, sampleRate: 16_000).samples }
    }

    @Test("a short sound pauses the agent at once; with no words it resumes, rewound, and the utterance completes")
    func resumeAfterWordlessSound() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        let kill = try #require(d.texts.first { $0.text == .killAudio })
        let pause = try #require(d.traces("barge_in.pause").first)
        let onset = try #require(pause["caller_onset_ms"]?.int)
        #expect(kill.t - onset <= 60, "silent within the VAD's onset and one frame: onset \(onset), kill \(kill.t)")
        #expect(pause["utterance"] == "agent-1")
        let heard = try #require(pause["heard_ms"]?.int)
        #expect(heard >= 480 && heard <= 560, "the caller heard what played before the pause, not what was sent ahead")
        #expect(d.binaryFrames.filter { $0.t > kill.t }.isEmpty, "nothing is sent while paused")

        d.idle(ms: 1000)
        let resume = try #require(d.traces("barge_in.resume").first)
        #expect(resume["reason"]?.string?.contains("no words") == true)
        #expect(resume["rewound_ms"] == 200, "a tone has no pause between words: the fallback rewind")
        #expect(d.traces("barge_in").isEmpty, "not a barge-in")
        #expect(!d.log.contains { if case .toProvider(.heardUpTo) = $0.action { return true }; return false }, "the model is not told to cancel")
        // The resumed audio starts 200 ms before the sample heard last.
        let firstAfter = try #require(d.binaryFrames.first { $0.t > kill.t })
        let resumedAt = PCMBuffer(littleEndianBytes: firstAfter.bytes, sampleRate: 16_000).samples
        let original = BridgeFixtures.agentSpeech(ms: 3000).resampled(to: 16_000, quality: .telephone).samples
        let from = (heard - 200) * 16
        #expect(zip(resumedAt, original[from..<(from + resumedAt.count)]).allSatisfy { abs(Int($0) - Int($1)) <= 2 })

        d.idle(ms: 3200)
        let mark = try #require(d.texts.last { if case .mark = $0.text { return true }; return false })
        guard case .mark(let name) = mark.text else { return }
        d.text(#"{"type":"mark","data":{"name":"\#(name)","event":"playout"}}"#)
        let utterance = try #require(d.traces("agent.utterance").first)
        #expect(utterance["status"] == "completed")
        #expect(d.log.contains { if case .evidence(.agentUtterance(_, _, _, true)) = $0.action { return true }; return false },
                "the guard hears of a read-back heard whole")
        // The recording: silence on the agent's side while paused.
        let right = d.session.recording.deinterleave().right
        let paused = right.slice(frames: (kill.t + 20) * 16..<((resume.tMs - 20) * 16))
        #expect(paused.samples.allSatisfy { $0 == 0 })
    }

    @Test("a backchannel transcript resumes as soon as the sound ends; other words are a barge-in at once")
    func transcriptDecides() throws {
        var nod = Self.speaking()
        nod.caller(try Self.shortSound())
        nod.provider(.inputTranscript("Mm-hmm."))
        nod.caller(PCMBuffer.silence(durationMs: 220, sampleRate: 16_000))
        let resume = try #require(nod.traces("barge_in.resume").first)
        #expect(resume["reason"]?.string?.contains("backchannel") == true)
        let soundEnd = try #require(resume["sound_end_ms"]?.int)
        #expect(resume.tMs - soundEnd <= 240, "no transcript wait once the words are known")

        var no = Self.speaking()
        no.caller(try Self.shortSound())
        no.provider(.inputTranscript("No."))
        let bargeIn = try #require(no.traces("barge_in").first)
        #expect(bargeIn["source"] == "pause")
        #expect(bargeIn["reason"]?.string?.contains("\"No.\"") == true)
        #expect(no.traces("barge_in.resume").isEmpty)
        #expect(no.log.contains { if case .toProvider(.heardUpTo(let ms)) = $0.action { return ms >= 480 && ms <= 560 }; return false })
        #expect(no.traces("agent.utterance").first?["status"] == "cut")
        let framesAtDecision = no.binaryFrames.count
        no.idle(ms: 3000)
        #expect(no.binaryFrames.count == framesAtDecision, "the rest is dropped, never played")
        #expect(no.texts.filter { $0.text == .killAudio }.count == 1, "one killAudio: the pause's")
    }

    @Test("speech that goes on past the window is a barge-in, timed from the pause")
    func longSpeechIsABargeIn() throws {
        var d = Self.speaking()
        d.caller(try BridgeFixtures.bargeLine())
        let pause = try #require(d.traces("barge_in.pause").first)
        let event = try #require(d.traces("barge_in").first)
        #expect(event["kill_audio_ms"] == pause["detected_ms"], "the agent went silent at the pause, not at the decision")
        let onset = try #require(pause["caller_onset_ms"]?.int)
        #expect(event.tMs - onset >= 1000 && event.tMs - onset <= 1100, "decided once the sound outlasted false_interruption_ms")
        #expect(d.traces("barge_in.resume").isEmpty)
        #expect(d.session.bargeIns == 1)
    }

    @Test("a second sound during the resumed audio pauses it again; both resume and the utterance completes")
    func secondOnsetDuringResume() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        d.idle(ms: 700)
        #expect(d.traces("barge_in.resume").count == 1)
        d.idle(ms: 300)
        d.caller(try Self.shortSound())
        d.idle(ms: 700)
        #expect(d.traces("barge_in.pause").count == 2)
        #expect(d.traces("barge_in.resume").count == 2)
        d.idle(ms: 3000)
        let marks = d.texts.compactMap { if case .mark(let name) = $0.text { return name }; return nil }
        #expect(marks == ["agent-1-end"], "one end mark: the end was never sent before a pause")
        d.text(#"{"type":"mark","data":{"name":"agent-1-end","event":"playout"}}"#)
        #expect(d.traces("agent.utterance").first?["status"] == "completed")
    }

    @Test("a sound during the pause starts the judgement over: a nod then words is a barge-in")
    func secondOnsetDuringPause() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        d.caller(PCMBuffer.silence(durationMs: 200, sampleRate: 16_000))
        #expect(d.traces("barge_in.resume").isEmpty, "still waiting for the sound's words")
        d.caller(try BridgeFixtures.bargeLine())
        #expect(d.traces("barge_in.pause").count == 1, "one pause")
        #expect(d.traces("barge_in.resume").isEmpty)
        #expect(d.traces("barge_in").count == 1)
    }

    @Test("the end mark sent before a pause is taken back: the resumed end has a mark of its own")
    func pauseAfterTheLastFrameWasSent() throws {
        var d = SessionDriver()
        d.provider(.outputTranscript("Shall I book it?", final: true))
        d.provider(.audio(BridgeFixtures.agentSpeech(ms: 600)))
        d.provider(.turnDone)
        d.idle(ms: 440) // all 600 ms sent (200 ms ahead), the end mark too; 160 ms not yet played
        #expect(d.texts.contains { $0.text == .mark("agent-1-end") })
        d.caller(try Self.shortSound())
        d.text(#"{"type":"mark","data":{"name":"agent-1-end","event":"cleared"}}"#)
        d.idle(ms: 1500)
        #expect(d.traces("barge_in.resume").count == 1)
        #expect(d.texts.contains { $0.text == .mark("agent-1-end-r1") })
        d.text(#"{"type":"mark","data":{"name":"agent-1-end-r1","event":"playout"}}"#)
        #expect(d.traces("agent.utterance").first?["status"] == "completed")
    }

    @Test("the call ends mid-pause: the held utterance is cut for good and the guard hears so")
    func callEndsMidPause() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        #expect(d.traces("barge_in.pause").count == 1)
        d.record(d.session.closed(code: 1000, reason: "caller hung up", nowMs: d.nowMs + 20))
        let u = try #require(d.traces("agent.utterance").first)
        #expect(u["status"] == "cut")
        #expect(d.log.contains { if case .evidence(.agentUtterance(_, _, _, false)) = $0.action { return true }; return false })
        #expect(d.traces("barge_in.resume").isEmpty && d.traces("barge_in").isEmpty)
    }

    @Test("the model interrupting itself during a pause makes it a barge-in")
    func modelInterruptsDuringPause() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        d.provider(.interrupted)
        #expect(d.traces("barge_in").first?["reason"]?.string?.contains("model") == true)
        #expect(d.traces("barge_in.resume").isEmpty)
    }

    @Test("a handoff asked for during a pause waits for the decision and the rest of the words")
    func handoffDuringPause() throws {
        var d = Self.speaking()
        d.caller(try Self.shortSound())
        d.record(d.session.handoff(target: "+254700000000", reason: "asked for a person", nowMs: d.nowMs))
        #expect(!d.texts.contains { $0.text == .disconnect })
        d.idle(ms: 4000)
        let disconnect = try #require(d.texts.first { $0.text == .disconnect })
        let resume = try #require(d.traces("barge_in.resume").first)
        #expect(disconnect.t > resume.tMs + 2000, "after the resumed rest played")
    }
}

@Suite("Stream session: the recording taken as the call goes")
struct RecordingTakenTests {
    /// A call with a pause, a resume and a barge-in, the recording taken every `everyMs` (0:
    /// never), then the rest: the whole line, interleaved.
    static func line(takingEvery everyMs: Int) throws -> [Int16] {
        var d = StreamSessionPauseTests.speaking()
        var taken: [Int16] = []
        func take(_ d: inout SessionDriver) { if everyMs > 0 { taken += d.session.takeRecording(nowMs: d.nowMs).samples } }
        d.caller(try StreamSessionPauseTests.shortSound())
        take(&d)
        for _ in 0..<10 { d.idle(ms: everyMs > 0 ? everyMs : 300); take(&d) }
        d.caller(try BridgeFixtures.bargeLine())
        take(&d)
        d.idle(ms: 600)
        d.record(d.session.closed(code: 1000, reason: "done", nowMs: d.nowMs + 20))
        return taken + d.session.takeRecording(nowMs: d.nowMs, final: true).samples
    }

    @Test("taken every 300 ms or never, the line is the same samples: nothing before the present is written again")
    func sameLine() throws {
        let whole = try Self.line(takingEvery: 0)
        let piecewise = try Self.line(takingEvery: 300)
        #expect(whole.count == piecewise.count)
        #expect(whole == piecewise)
        #expect(whole.count > 16_000 * 2 * 4)
    }
}
