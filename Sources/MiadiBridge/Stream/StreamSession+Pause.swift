import MiadiLanguage

extension StreamSession {
    /// `pause_resume`: the agent went silent at the caller's first syllable and its unplayed
    /// rest is held while the bridge finds out what the sound was.
    ///
    /// ```
    ///  playing ──onset over the agent──▶ paused (killAudio) ──sound ends──▶ waiting
    ///                                     │ sound goes on ≥ falseInterruptionMs   │ backchannel words, or
    ///                                     │ words that are not a backchannel      │ no words by transcriptWaitMs
    ///                                     │ the model interrupts itself           ▼
    ///                                     ▼                                    resumed (rewound to the word)
    ///                                  barge-in (rest dropped, model told)
    /// ```
    /// A new sound while waiting starts the sound over (a second "mm-hmm", or "mm-hmm… actually
    /// no, wait"); a pause never lasts more than `longestPauseMs`, whatever the line does.
    struct Pause: Sendable {
        /// Line time of the sound that began the pause.
        let firstOnsetMs: Int
        /// Call time of the `killAudio`.
        let killedAtMs: Int
        /// The sound being judged now: its onset, its last voiced 10 ms, its end once the VAD
        /// said so (line time, and the call time it was said at).
        var soundOnsetMs: Int
        var lastVoicedMs: Int
        var soundEnd: (lineMs: Int, saidAtMs: Int)?
        /// The model's transcript of the sound, when it was a backchannel.
        var backchannelWords: String?

        init(onsetMs: Int, killedAtMs: Int) {
            firstOnsetMs = onsetMs
            self.killedAtMs = killedAtMs
            soundOnsetMs = onsetMs
            lastVoicedMs = onsetMs
        }

        mutating func soundStarted(onsetMs: Int) {
            soundOnsetMs = onsetMs
            lastVoicedMs = onsetMs
            soundEnd = nil
            backchannelWords = nil
        }
    }
}

extension StreamSession.Line {
    /// However the line behaves, a pause is decided within this long of the `killAudio`, ms.
    var longestPauseMs: Int { 2 * configuration.bargeIn.falseInterruptionMs + configuration.bargeIn.transcriptWaitMs + 500 }

    /// Caller sound began over audible agent speech: silence the agent now, keep the rest.
    mutating func startPause(onsetMs: Int, nowMs: Int) -> [StreamAction] {
        let point = playout.pause(nowMs: nowMs)
        recorder.cutAgent(atMs: nowMs - streamStartMs)
        pause = StreamSession.Pause(onsetMs: onsetMs, killedAtMs: nowMs)
        return [
            .send(.killAudio),
            .trace(.bargeInPause(callerOnsetMs: onsetMs, detectedMs: nowMs, utterance: point.map { "agent-\($0.utteranceID)" }, heardMs: point?.heardMs ?? 0), atMs: nowMs),
        ]
    }

    /// Quiet this long ends a sound while paused, ms: sooner than the VAD's end of speech
    /// (which waits out a breath inside a sentence), so a resume is not held up by it.
    static var pauseQuietMs: Int { 200 }

    /// Every 10 ms of caller audio while paused: a sound that goes on is a turn.
    mutating func pauseHearing(voiced: Bool, nowMs: Int) -> [StreamAction] {
        guard var p = pause else { return [] }
        if voiced {
            if p.soundEnd != nil { p.soundStarted(onsetMs: lineNowMs) } // a new sound after a quiet
            p.lastVoicedMs = lineNowMs
        }
        pause = p
        if p.soundEnd == nil && !voiced && lineNowMs - p.lastVoicedMs >= Self.pauseQuietMs {
            return pauseSoundEnded(endMs: p.lastVoicedMs + 10, nowMs: nowMs)
        }
        let window = configuration.bargeIn.falseInterruptionMs
        if p.soundEnd == nil && p.lastVoicedMs - p.soundOnsetMs >= window {
            return decideBargeIn(nowMs: nowMs, reason: "the caller's sound went on for \(window) ms")
        }
        return []
    }

    /// The VAD says the sound ended (line time `endMs`).
    mutating func pauseSoundEnded(endMs: Int, nowMs: Int) -> [StreamAction] {
        guard pause != nil, pause!.soundEnd == nil else { return [] }
        pause!.soundEnd = (endMs, nowMs)
        return pauseTick(nowMs: nowMs)
    }

    /// The model's transcript of what the caller said, while paused.
    mutating func pauseHeard(_ text: String, nowMs: Int) -> [StreamAction] {
        guard pause != nil else { return [] }
        guard BackchannelLexicon.isBackchannel(text) else {
            return decideBargeIn(nowMs: nowMs, reason: "the model heard \"\(text)\", not a backchannel")
        }
        pause!.backchannelWords = text
        return pauseTick(nowMs: nowMs)
    }

    /// Time passes while paused: resume once the sound has ended and is known to be a
    /// backchannel, or has had no words for `transcriptWaitMs`.
    mutating func pauseTick(nowMs: Int) -> [StreamAction] {
        guard let p = pause else { return [] }
        if nowMs - p.killedAtMs >= longestPauseMs {
            return decideBargeIn(nowMs: nowMs, reason: "the caller kept making sounds for \(nowMs - p.killedAtMs) ms")
        }
        guard let end = p.soundEnd else { return [] }
        if let words = p.backchannelWords {
            return resume(nowMs: nowMs, soundEndMs: end.lineMs, reason: "a backchannel: \"\(words)\"")
        }
        if nowMs - end.saidAtMs >= configuration.bargeIn.transcriptWaitMs {
            return resume(nowMs: nowMs, soundEndMs: end.lineMs, reason: "a sound with no words (a cough, a noise) of \(end.lineMs - p.soundOnsetMs) ms")
        }
        return []
    }

    /// The sound was a backchannel: play on from the start of the word that was cut.
    mutating func resume(nowMs: Int, soundEndMs: Int, reason: String) -> [StreamAction] {
        guard let p = pause else { return [] }
        pause = nil
        let rewound = playout.resume(atMs: max(nowMs, p.killedAtMs + configuration.bargeIn.resumeGapMs), rewindMs: configuration.bargeIn.rewindMs)
        return [.trace(.bargeInResume(callerOnsetMs: p.firstOnsetMs, soundEndMs: soundEndMs, pausedAtMs: p.killedAtMs, rewoundMs: rewound, reason: reason), atMs: nowMs)]
    }

    /// The sound was a turn: what was held is dropped and the model is told what was heard.
    mutating func decideBargeIn(nowMs: Int, reason: String) -> [StreamAction] {
        guard let p = pause else { return [] }
        pause = nil
        return bargeIn(onsetMs: p.firstOnsetMs, nowMs: nowMs, source: "pause", reason: reason, killedAtMs: p.killedAtMs)
    }
}
