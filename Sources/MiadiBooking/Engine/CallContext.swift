/// Who is asking: every engine operation runs on behalf of one caller on one call, and the
/// engine authorizes by `callerNumber` alone, whatever the conversation claims.
public struct CallContext: Sendable, Equatable {
    /// The caller's number as the platform reported it (E.164).
    public let callerNumber: String
    /// The platform's call id; proposals belong to the call that made them.
    public let callSID: String
    /// The name the caller gave, if any; stored on their customer record at commit.
    public var callerName: String?

    public init(callerNumber: String, callSID: String, callerName: String? = nil) {
        self.callerNumber = callerNumber
        self.callSID = callSID
        self.callerName = callerName
    }
}

/// What the agent layer proves before a commit: the read-back the caller heard to the end and
/// the answer they gave. The engine stores it in the audit row; the agent's guard decides it.
public struct Confirmation: Sendable, Equatable, Codable {
    public let readBack: String
    public let callerAnswer: String

    public init(readBack: String, callerAnswer: String) {
        self.readBack = readBack
        self.callerAnswer = callerAnswer
    }

    enum CodingKeys: String, CodingKey {
        case readBack = "read_back"
        case callerAnswer = "caller_answer"
    }
}
