/// What a call did to the calendar, as numbers (`shared/spec/metrics.md`): whether the task
/// succeeded, whether every committed slot was the expected one, how many appointments changed
/// that were not allowed to, and how many pairs overlap on one resource afterwards.
public struct CalendarFacts: Codable, Sendable, Equatable {
    public var taskSuccess: Bool
    /// nil when nothing was booked or moved: there was no slot to get right.
    public var slotCorrect: Bool?
    public var collateralChanges: Int
    public var doubleBookings: Int

    public init(taskSuccess: Bool = true, slotCorrect: Bool? = true, collateralChanges: Int = 0, doubleBookings: Int = 0) {
        self.taskSuccess = taskSuccess
        self.slotCorrect = slotCorrect
        self.collateralChanges = collateralChanges
        self.doubleBookings = doubleBookings
    }
}
