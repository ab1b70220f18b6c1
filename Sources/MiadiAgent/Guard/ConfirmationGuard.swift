import Foundation
import MiadiLanguage

/// Confirm-before-commit, in code: a proposal may be committed only when (a) an agent
/// utterance that was played to the caller to the end (not cut by a barge-in) read back that
/// proposal's date and time, and (b) the caller's next answer after it was yes.
///
/// The evidence is what the bridge observed (`Evidence`): each agent utterance with its status
/// and the time its last sample played, and what the caller said. Dates
/// and times are recognised with `MiadiLanguage` in any supported language, relative to the
/// clinic's "today".
public struct ConfirmationGuard: Sendable {
    public struct ProposalFacts: Sendable, Equatable {
        public let id: String
        public let date: CivilDate
        public let time: ClockTime
        /// Call time (ms) the proposal was made.
        public let madeAtMs: Int

        public init(id: String, date: CivilDate, time: ClockTime, madeAtMs: Int) {
            self.id = id
            self.date = date
            self.time = time
            self.madeAtMs = madeAtMs
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed(readBackID: String, readBack: String, answer: String)
        case refused(reason: String)
    }

    struct Utterance: Sendable { let id: String; let text: String; let endMs: Int; let completed: Bool }
    struct CallerText: Sendable { let text: String; let atMs: Int }

    public let today: CivilDate
    private var proposals: [String: ProposalFacts] = [:]
    private var utterances: [Utterance] = []
    private var callerTexts: [CallerText] = []

    public init(today: CivilDate) { self.today = today }

    public mutating func proposed(_ facts: ProposalFacts) { proposals[facts.id] = facts }

    /// What the bridge saw happen on the line that bears on a confirmation: typed, from the
    /// session machine itself (never read back out of the trace).
    public enum Evidence: Sendable, Equatable {
        /// An agent utterance as the caller heard it: played to its end (`completed`) or cut,
        /// its last heard sample at call time `endMs`.
        case agentUtterance(id: String, text: String, endMs: Int, completed: Bool)
        /// What the caller said, as the model heard it, at call time `atMs`.
        case callerSaid(text: String, atMs: Int)
    }

    /// Takes one piece of evidence from the bridge.
    public mutating func observe(_ evidence: Evidence) {
        switch evidence {
        case .agentUtterance(let id, let text, let endMs, let completed):
            utterances.append(Utterance(id: id, text: text, endMs: endMs, completed: completed))
        case .callerSaid(let text, let atMs):
            callerTexts.append(CallerText(text: text, atMs: atMs))
        }
    }

    public func decide(proposalID: String) -> Decision {
        guard let facts = proposals[proposalID] else { return .refused(reason: "no proposal \(proposalID) was made on this call") }
        let books = LanguageCode.allCases.map(\.phrasebook)
        let readBacks = utterances.filter { u in u.endMs >= facts.madeAtMs && books.contains { $0.readsBack(date: facts.date, time: facts.time, in: u.text, today: today) } }
        guard !readBacks.isEmpty else {
            // A read-back that names the slot but contradicts itself is no read-back: say why.
            for u in utterances.reversed() where u.endMs >= facts.madeAtMs {
                for book in books where book.recogniseDate(in: u.text, today: today) == facts.date && book.recogniseTime(in: u.text) == facts.time {
                    if let why = book.contradiction(in: u.text, today: today) {
                        return .refused(reason: "the read-back \"\(u.text)\" contradicts itself (\(why)); read the date and time back again")
                    }
                }
            }
            return .refused(reason: "the date and time (\(facts.date) \(facts.time)) have not been read back to the caller yet")
        }
        guard let heard = readBacks.last(where: \.completed) else {
            return .refused(reason: "the read-back was cut off before the caller heard it all; read it back again")
        }
        // The caller's first yes-or-no after the read-back finished playing.
        for said in callerTexts where said.atMs >= heard.endMs {
            for book in books {
                switch book.recogniseAnswer(in: said.text) {
                case .yes: return .allowed(readBackID: heard.id, readBack: heard.text, answer: said.text)
                case .no: return .refused(reason: "the caller said no (\"\(said.text)\")")
                case nil: continue
                }
            }
        }
        return .refused(reason: "the caller has not said yes since the read-back")
    }
}
