import MiadiAgent
import Foundation
import MiadiBooking
import MiadiLanguage

/// What the mock model knows before the call: the clinic and its "today".
public struct MockBrief: Sendable {
    public let clinic: Clinic
    public let today: CivilDate
    /// Appointment ids the mock has been told (for the `.otherCallersAppointment` fault: what a
    /// model talked into acting on someone else's booking would try).
    public let toldAppointmentIDs: [String]

    public init(clinic: Clinic, today: CivilDate, toldAppointmentIDs: [String] = []) {
        self.clinic = clinic
        self.today = today
        self.toldAppointmentIDs = toldAppointmentIDs
    }
}

/// The mock model's mind: a rule-based receptionist working on transcripts. It understands
/// the intent (book, reschedule, cancel, a person), fills service, day, time, staff and name,
/// asks for what is missing, offers up to three free slots, proposes, reads back, waits for
/// the answer, confirms and says goodbye, calling the same tools a live model calls. It
/// follows the caller's language from the first thing they say.
struct MockPolicy: Sendable {
    enum Step: Sendable, Equatable {
        case say(String)
        /// A tool call, typed: the agent reads it as made, with no JSON in between.
        case tool(ToolInvocation)
    }

    enum Intent: Sendable { case book, reschedule, cancel, human }
    enum Asked: Sendable { case nothing, service, name, day, time, pick, confirm, rebook, which }

    struct Offer: Sendable { let start: String; let staff: String; let time: ClockTime; let date: CivilDate }
    struct Booked: Sendable { let id: String; let service: String; let date: CivilDate; let time: ClockTime }

    let brief: MockBrief
    let faults: Set<MockFault>
    private(set) var language: LanguageCode
    private var intent: Intent?
    private var serviceID: String?
    private var window: (date: CivilDate, from: ClockTime, to: ClockTime)?
    private var time: ClockTime?
    private var staffID: String?
    private var name: String?
    private var oldDate: CivilDate?
    private var asked: Asked = .nothing
    private var waiting = false
    private var offers: [Offer] = []
    private var appointments: [Booked]?
    private var target: Booked?
    private var proposalID: String?
    private var misunderstood = 0
    /// Times in a row the mock asked a silent caller whether they are still there.
    private var reprompts = 0
    private(set) var finished = false

    init(brief: MockBrief, faults: Set<MockFault> = []) {
        self.brief = brief
        self.faults = faults
        self.language = brief.clinic.languages.first ?? .en
    }

    var lines: MockLines { MockLines.of(language) }
    var book: any Phrasebook { language.phrasebook }

    mutating func greet() -> [Step] {
        [.say(lines.greeting.replacingOccurrences(of: "{clinic}", with: brief.clinic.name))]
    }

    /// Whether the mock is waiting on a tool or done: no time to mind a silent caller.
    var isBusy: Bool { finished || waiting }

    /// The caller has said nothing for a while after the mock's last words: ask whether they
    /// are still there, and after asking twice, close the call politely.
    mutating func callerSilent() -> [Step] {
        guard !isBusy else { return [] }
        reprompts += 1
        guard reprompts > 2 else { return [.say(lines.stillThere)] }
        finished = true
        return [.say(lines.silentGoodbye)] + call(.endCall, ["reason": "the caller said nothing"])
    }

    // MARK: Hearing

    /// A caller utterance: its text and language, or nil when it could not be understood.
    mutating func heard(_ text: String?, language spoken: LanguageCode?) -> [Step] {
        guard !finished, !waiting else { return [] }
        guard let text else {
            misunderstood += 1
            if misunderstood >= 2 { return transfer() }
            return [.say(lines.repeatPlease)]
        }
        reprompts = 0
        if let spoken { language = spoken }
        let words = Tokens(text)
        // "Mm", "uh-huh" over a question is no answer (and never a name): ask it again.
        if !words.words.isEmpty, words.words.allSatisfy(MockIntentWords.fillers.contains) {
            return lastQuestion.map { [.say($0)] } ?? []
        }
        let answer = book.recogniseAnswer(in: text)
        let before = understood

        switch asked {
        case .confirm:
            if answer == .yes, let id = proposalID { misunderstood = 0; return call(.confirmProposal, ["proposal_id": id]) }
            if answer == nil, let id = proposalID {
                // "Thursday instead": a correction without a no. Anything else is not an answer:
                // ask again rather than guess.
                understand(text, words: words)
                guard understood != before else {
                    // "Mm-hmm" over the read-back: read it again, once, before asking to repeat.
                    if let rb = lastReadBack, !readAgain {
                        readAgain = true
                        return ask(.confirm, rb)
                    }
                    return notUnderstood()
                }
                proposalID = nil
                offers = []
                if understood.time == before.time { time = nil }
                correction = true
                misunderstood = 0
                return call(.releaseProposal, ["proposal_id": id])
            }
            if answer == .no, let id = proposalID {
                if faults.contains(.commitAfterNo) { return call(.confirmProposal, ["proposal_id": id]) }
                // "No, sorry, Thursday": the no carries the correction; take it in before the
                // slot is let go, and search again from it.
                proposalID = nil
                time = nil
                offers = []
                let before = (window?.date, serviceID, staffID)
                understand(text, words: words)
                correction = window?.date != before.0 || time != nil || serviceID != before.1 || staffID != before.2
                return call(.releaseProposal, ["proposal_id": id])
            }
        case .rebook:
            if answer == .no || answer == nil && !words.words.contains(where: MockIntentWords.book.contains) {
                finished = true
                return [.say(lines.goodbye)] + call(.endCall, ["reason": "caller has nothing else"])
            }
            intent = .book
            target = nil
            time = nil
            window = nil
        case .name:
            name = Self.name(from: text)
        case .day:
            // "Yes, that's fine" to the next open day the mock offered.
            if let next = suggestion, answer == .yes, book.recogniseDate(in: text, today: brief.today) == nil {
                window = next
                suggestion = nil
            }
        case .pick:
            if let index = Self.ordinal(words), index < offers.count {
                // "Le premier": an item of the list, not the first of the month.
                time = offers[index].time
                window = (offers[index].date, window?.from ?? ClockTime(hour: 0), window?.to ?? ClockTime(hour: 23, minute: 59))
                misunderstood = 0
                return next()
            }
        default:
            break
        }
        if intent == nil || asked == .nothing { intent = Self.intent(words) ?? intent }
        understand(text, words: words)
        // Wording it cannot read changes nothing: a safe "please repeat", never a guess.
        guard understood != before || asked == .name || answer != nil && asked != .nothing else { return notUnderstood() }
        misunderstood = 0
        return next()
    }

    /// What the mock has understood so far, to tell whether a line added anything.
    struct Understanding: Equatable {
        var intent: String?, service: String?, date: CivilDate?, from: ClockTime?, to: ClockTime?, time: ClockTime?, staff: String?, name: String?, oldDate: CivilDate?
    }

    var understood: Understanding {
        Understanding(intent: intent.map { "\($0)" }, service: serviceID, date: window?.date, from: window?.from, to: window?.to, time: time, staff: staffID, name: name, oldDate: oldDate)
    }

    /// A line it heard but could not read: ask again, and after twice, hand over to a person.
    mutating func notUnderstood() -> [Step] {
        misunderstood += 1
        if misunderstood >= 2 { return transfer() }
        return [.say(lines.repeatPlease)]
    }

    mutating func understand(_ text: String, words: Tokens) {
        let services = TermMatcher(terms: brief.clinic.services.map { s in (s.id, [s.id] + s.names.values.flatMap { $0 }) })
        if let service = services.matches(in: text).first { serviceID = service }
        if let service = Self.colloquialService(words, language: language, clinic: brief.clinic), serviceID == nil || !services.matches(in: text).contains(serviceID!) {
            serviceID = service
        }
        // A member of staff by full name ("Dr Wanjiru"); a bare surname only with "with …"
        // before it; never in the caller's own name ("Amina Wanjiru").
        if asked != .name {
            let full = TermMatcher(terms: brief.clinic.staff.map { s in (s.id, [s.name]) })
            let surnames = brief.clinic.staff.map { s in (s.id, String(s.name.split(separator: " ").last ?? "")) }
            if let member = full.matches(in: text).first {
                staffID = member
            } else if let member = surnames.first(where: { id, surname in
                let last = Tokens.normalise(surname)
                return ["with", "na", "avec"].contains { words.contains(phrase: "\($0) \(last)") }
            }) {
                staffID = member.0
            }
        }
        var newPart = text
        if intent == .reschedule, let split = Self.splitNew(text, book: book, today: brief.today) {
            newPart = split.new
            if let old = book.recogniseDate(in: split.old, today: brief.today) { oldDate = old }
        } else if intent == .cancel || (intent == .reschedule && target == nil && appointments == nil && oldDate == nil) {
            // The day named first describes the appointment to change.
            if let old = book.recogniseDate(in: text, today: brief.today) {
                oldDate = old
                if intent == .cancel { return }
                return
            }
        }
        if let w = book.recogniseWindow(in: newPart, today: brief.today) { window = w }
        if var t = book.recogniseTime(in: newPart) {
            if let w = window, t < w.from, t.hour + 12 < 24, ClockTime(hour: t.hour + 12, minute: t.minute) < w.to { t = ClockTime(hour: t.hour + 12, minute: t.minute) }
            time = t
        }
    }

    // MARK: Deciding

    mutating func next() -> [Step] {
        guard let intent else {
            if serviceID != nil || window != nil { self.intent = .book; return next() }
            asked = .nothing
            return [.say(lines.anythingElse)]
        }
        switch intent {
        case .human:
            return transfer()
        case .book:
            guard let serviceID else { return ask(.service, lines.askService.replacingOccurrences(of: "{list}", with: lines.list(brief.clinic.services.map { $0.name(in: language) }))) }
            guard name != nil else { return ask(.name, lines.askName) }
            guard let window else { return ask(.day, lines.askDay) }
            guard let time else {
                if offers.isEmpty {
                    var args = ["service": serviceID, "date": window.date.description, "language": language.rawValue]
                    if let part = Self.part(window.from, window.to) {
                        args["part_of_day"] = part
                    } else if let part = DayPart.allCases.first(where: { $0.window.from <= window.from && window.to <= $0.window.to }) {
                        // A narrow window: search its part of the day, keep what lies inside.
                        args["part_of_day"] = part.rawValue
                        args["limit"] = "10"
                    }
                    if let staffID { args["staff"] = staffID }
                    return call(.findSlots, args)
                }
                let offer = lines.offer.replacingOccurrences(of: "{times}", with: lines.list(offers.map { book.speak(time: $0.time) }))
                return ask(.pick, offer.replacingOccurrences(of: "..", with: "."))
            }
            var args = ["service": serviceID, "start": "\(window.date)T\(time)", "language": language.rawValue]
            if let name { args["caller_name"] = name }
            if let staff = staffID ?? offers.first(where: { $0.time == time && $0.date == window.date })?.staff { args["staff"] = staff }
            return call(.proposeBooking, args)
        case .reschedule, .cancel:
            guard let appointments else { return call(.listMyAppointments, ["language": language.rawValue]) }
            if target == nil {
                var candidates = appointments
                if let serviceID { candidates = candidates.filter { $0.service == serviceID }.isEmpty ? candidates : candidates.filter { $0.service == serviceID } }
                if let oldDate { candidates = candidates.filter { $0.date == oldDate }.isEmpty ? candidates : candidates.filter { $0.date == oldDate } }
                if candidates.isEmpty, faults.contains(.otherCallersAppointment), let told = brief.toldAppointmentIDs.first {
                    target = Booked(id: told, service: serviceID ?? "", date: oldDate ?? brief.today, time: ClockTime(hour: 0))
                    return intent == .cancel ? call(.proposeCancellation, ["appointment_id": told, "language": language.rawValue])
                        : call(.proposeReschedule, ["appointment_id": told, "new_start": "\(window?.date ?? brief.today.adding(days: 1))T\(time ?? ClockTime(hour: 10))", "language": language.rawValue])
                }
                if candidates.isEmpty {
                    finished = true
                    return [.say(lines.notFound + " " + lines.goodbye)] + call(.endCall, ["reason": "no appointment under the caller's number"])
                }
                guard candidates.count == 1 else { return ask(.which, lines.whichOne) }
                target = candidates[0]
            }
            guard let target else { return [] }
            if intent == .cancel { return call(.proposeCancellation, ["appointment_id": target.id, "language": language.rawValue]) }
            guard let window, window.date != target.date || time != nil else { return ask(.day, lines.askDay) }
            guard let time else { return ask(.time, lines.askTime) }
            var args = ["appointment_id": target.id, "new_start": "\(window.date)T\(time)", "language": language.rawValue]
            if let staffID { args["staff"] = staffID }
            return call(.proposeReschedule, args)
        }
    }

    // MARK: Tool results

    /// The answer to the mock's last tool call, typed as the agent made it (a result with no
    /// typed output, which no agent of ours sends, is taken as a refusal to repeat).
    mutating func toolResult(tool: AgentTool?, output: ToolOutput?) -> [Step] {
        waiting = false
        switch output {
        case .refused(let english, let code)?:
            let sentence = MockLines.refusal(code: code, language: language) ?? english
            switch tool {
            case .confirmProposal?:
                // The guard wants the read-back heard in full: say it again.
                if ["read back", "read-back", "read it back"].contains(where: english.contains), let rb = lastReadBack { return ask(.confirm, rb) }
                return [.say(sentence)]
            case .proposeBooking?, .proposeReschedule?:
                time = nil
                offers = []
                return [.say(sentence)] + next()
            default:
                return [.say(sentence)]
            }
        case nil:
            return [.say(lines.repeatPlease)]
        case .slots(let slots)?:
            offers = Array(slots.compactMap { s -> Offer? in
                let parts = s.start.split(separator: "T").map(String.init)
                guard parts.count == 2, let d = CivilDate(iso: parts[0]), let t = ClockTime(iso: parts[1]) else { return nil }
                // A narrow window ("late morning") keeps only what lies inside it.
                if let w = window, !(t >= w.from && t < w.to) { return nil }
                return Offer(start: s.start, staff: s.staff, time: t, date: d)
            }.prefix(3))
            if offers.isEmpty {
                // A closed day is said as closed, with the next open day offered.
                if let w = window, let closed = closedLine(on: w.date, from: w.from, to: w.to) {
                    window = nil
                    return ask(.day, closed)
                }
                window = nil
                return ask(.day, lines.nothingFree)
            }
            return next()
        case .appointments(let list)?:
            appointments = list.compactMap { a in
                let parts = a.start.split(separator: "T").map(String.init)
                guard parts.count == 2, let d = CivilDate(iso: parts[0]), let t = ClockTime(iso: parts[1]) else { return nil }
                return Booked(id: a.id, service: a.service, date: d, time: t)
            }
            return next()
        case .proposal(let made)?:
            proposalID = made.proposalID
            var rb = made.readBack
            if faults.contains(.wrongDayReadBack) { rb = Self.shiftDay(rb, book: book, today: brief.today) }
            if faults.contains(.wrongWeekdayReadBack) { rb = Self.wrongWeekday(rb, book: book, today: brief.today) }
            let template = tool == .proposeBooking ? lines.readBackBook : tool == .proposeReschedule ? lines.readBackMove : lines.readBackCancel
            let line = template.replacingOccurrences(of: "{rb}", with: rb)
            lastReadBack = line
            readAgain = false
            if faults.contains(.commitWithoutConfirmation), !triedEarlyCommit, let id = proposalID {
                triedEarlyCommit = true
                asked = .confirm
                return call(.confirmProposal, ["proposal_id": id])
            }
            return ask(.confirm, line)
        case .committed?:
            proposalID = nil
            switch intent {
            case .cancel?:
                return ask(.rebook, lines.cancelled)
            case .reschedule?:
                finished = true
                return [.say(lines.moved)] + call(.endCall, ["reason": "rescheduled"])
            default:
                finished = true
                return [.say(lines.booked)] + call(.endCall, ["reason": "booked"])
            }
        case .released?:
            if correction {
                correction = false
                return next()
            }
            return ask(.time, lines.askTime)
        case .transferring?, .ending?:
            return []
        }
    }

    /// The next open day the mock offered for a closed one, with the window asked for.
    private var suggestion: (date: CivilDate, from: ClockTime, to: ClockTime)?

    /// "We're closed on Friday the 20th of March for staff training. We're open again on …",
    /// nil when the clinic is open that day.
    mutating func closedLine(on date: CivilDate, from: ClockTime, to: ClockTime) -> String? {
        let clinic = brief.clinic
        func closed(_ d: CivilDate) -> Bool { clinic.closure(on: d) != nil || (clinic.openingHours[d.weekday] ?? []).isEmpty }
        guard closed(date), let next = (1...14).lazy.map({ date.adding(days: $0) }).first(where: { !closed($0) }) else { return nil }
        suggestion = (next, from, to)
        let why = clinic.closure(on: date).map { lines.closedFor.replacingOccurrences(of: "{reason}", with: $0.reason) } ?? ""
        return lines.closed.replacingOccurrences(of: "{day}", with: book.speak(date: date)).replacingOccurrences(of: "{why}", with: why)
            .replacingOccurrences(of: "{next}", with: book.speak(date: next))
    }

    private var lastReadBack: String?
    /// The last question the mock asked, said again when the caller only hums over it.
    private var lastQuestion: String?
    /// The read-back was said again after an answer that was neither yes nor no.
    private var readAgain = false
    private var triedEarlyCommit = false
    /// The caller's no to a read-back named something new: search from it once released.
    private var correction = false

    // MARK: Pieces

    mutating func ask(_ what: Asked, _ line: String) -> [Step] {
        asked = what
        lastQuestion = line.replacingOccurrences(of: "..", with: ".")
        // "…at eight a.m.. Shall I" reads badly and speaks as a pause.
        return [.say(line.replacingOccurrences(of: "..", with: "."))]
    }

    mutating func call(_ tool: AgentTool, _ arguments: [String: String]) -> [Step] {
        waiting = true
        guard let invocation = try? ToolInvocation(tool: tool, fields: arguments) else {
            preconditionFailure("the mock called \(tool.rawValue) without its required arguments: \(arguments.keys.sorted())")
        }
        return [.tool(invocation)]
    }

    mutating func transfer() -> [Step] {
        finished = true
        return [.say(lines.transfer)] + call(.transferToHuman, ["reason": misunderstood >= 2 ? "could not understand the caller" : "the caller asked for a person"])
    }

    static func intent(_ words: Tokens) -> Intent? {
        func any(_ list: [String]) -> Bool { list.contains { words.contains(phrase: $0) } }
        if any(MockIntentWords.cancel) { return .cancel }
        if any(MockIntentWords.reschedule) { return .reschedule }
        if any(MockIntentWords.human) { return .human }
        if any(MockIntentWords.book) { return .book }
        return nil
    }

    /// A service said the way people say it ("get my teeth cleaned", "kung'oa jino langu",
    /// "me faire nettoyer les dents"), read as the clinic's service whose names carry the
    /// plain word for it.
    static func colloquialService(_ words: Tokens, language: LanguageCode, clinic: Clinic) -> String? {
        for (phrase, plain) in MockIntentWords.colloquialServices where words.contains(phrase: phrase) {
            let wanted = Tokens.normalise(plain)
            if let service = clinic.services.first(where: { s in Tokens.normalise(s.id) == wanted || s.names.values.contains { $0.contains { Tokens.normalise($0) == wanted } } }) { return service.id }
        }
        return nil
    }

    static func ordinal(_ words: Tokens) -> Int? {
        if MockIntentWords.first.contains { words.contains($0) } { return 0 }
        if MockIntentWords.second.contains { words.contains($0) } { return 1 }
        if MockIntentWords.third.contains { words.contains($0) } { return 2 }
        return nil
    }

    /// The read-back with its date moved one day later (the `.wrongDayReadBack` fault).
    static func shiftDay(_ readBack: String, book: any Phrasebook, today: CivilDate) -> String {
        guard let date = book.recogniseDate(in: readBack, today: today) else { return readBack }
        let spoken = book.speak(date: date)
        return readBack.replacingOccurrences(of: spoken, with: book.speak(date: date.adding(days: 1)))
    }

    /// The read-back with its date said under the next day's weekday (the
    /// `.wrongWeekdayReadBack` fault): "Saturday the 6th of March" for Friday the 6th.
    static func wrongWeekday(_ readBack: String, book: any Phrasebook, today: CivilDate) -> String {
        guard let date = book.recogniseDate(in: readBack, today: today) else { return readBack }
        let spoken = book.speak(date: date)
        let right = spoken.prefix { $0 != " " }, wrong = book.speak(date: date.adding(days: 1)).prefix { $0 != " " }
        return readBack.replacingOccurrences(of: spoken, with: wrong + spoken.dropFirst(right.count))
    }

    /// "It's Amina." → "Amina"; "Naitwa Baraka." → "Baraka".
    static func name(from text: String) -> String {
        var words = Tokens(text).words
        for intro in MockIntentWords.nameIntro.sorted(by: { $0.count > $1.count }) {
            let parts = intro.split(separator: " ").map(String.init)
            if words.starts(with: parts) { words.removeFirst(parts.count); break }
        }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// The part of the day a window covers, if it is one.
    static func part(_ from: ClockTime, _ to: ClockTime) -> String? {
        DayPart.allCases.first { $0.window.from == from && $0.window.to == to }.map(\.rawValue)
    }

    /// "move my cleaning on Wednesday to Friday at four" → (old: "…Wednesday", new: "Friday at four").
    static func splitNew(_ text: String, book: any Phrasebook, today: CivilDate) -> (old: String, new: String)? {
        let words = Tokens(text).words
        for index in words.indices.reversed() where MockIntentWords.rescheduleJoiners.contains(words[index]) {
            let new = words[(index + 1)...].joined(separator: " ")
            if book.recogniseDate(in: new, today: today) != nil || book.recogniseTime(in: new) != nil {
                return (words[..<index].joined(separator: " "), new)
            }
        }
        return nil
    }
}
