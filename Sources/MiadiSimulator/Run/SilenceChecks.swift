import MiadiAgent

/// What a call shows of a caller who went quiet: the agent's re-prompts (it spoke again into
/// the caller's silence) and whether the caller left the conversation unfinished.
enum SilenceChecks {
    /// A gap this long between two agent utterances, with no caller line in it, makes the
    /// second a re-prompt: the agent was waiting for an answer that did not come, ms.
    static let repromptGapMs = 3000

    /// Call times (ms) at which the agent began a re-prompt, in order.
    static func reprompts(_ events: [TraceEvent]) -> [Int] {
        let agent = events.filter { $0.is(.agentUtterance) }.compactMap { u -> Range<Int>? in
            guard let start = u["start_ms"]?.int else { return nil }
            return start..<max(start, u["end_ms"]?.int ?? start)
        }.sorted { $0.lowerBound < $1.lowerBound }
        let callerStarts = events.filter { $0.is(.callerUtterance) }.compactMap { $0["start_ms"]?.int ?? $0.tMs }
        var out: [Int] = []
        for (previous, next) in zip(agent, agent.dropFirst()) where next.lowerBound - previous.upperBound >= repromptGapMs {
            if !callerStarts.contains(where: { $0 >= previous.lowerBound && $0 < next.lowerBound }) { out.append(next.lowerBound) }
        }
        return out
    }

    /// The caller left the conversation unfinished: it gave up on the agent, or went silent and
    /// the agent spoke into the silence until the call ended.
    static func callerGaveUp(_ events: [TraceEvent], endReason: String?) -> Bool {
        if endReason?.hasPrefix("caller gave up") == true { return true }
        guard let last = reprompts(events).last else { return false }
        let lastCallerLine = events.filter { $0.is(.callerUtterance) }.compactMap { $0["start_ms"]?.int ?? $0.tMs }.max() ?? -1
        return lastCallerLine < last
    }
}
