/// A wall-clock time of day at the clinic, to the minute (00:00 … 23:59).
public struct ClockTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init(hour: Int, minute: Int = 0) {
        precondition((0...23).contains(hour) && (0...59).contains(minute), "ClockTime \(hour):\(minute) is not a time of day")
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM`.
    public init?(iso: String) {
        let parts = iso.split(separator: ":").compactMap { Int($0) }
        guard parts.count >= 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { return nil }
        self.init(hour: parts[0], minute: parts[1])
    }

    public init(minutesSinceMidnight m: Int) {
        let wrapped = ((m % 1440) + 1440) % 1440
        self.init(hour: wrapped / 60, minute: wrapped % 60)
    }

    public var minutesSinceMidnight: Int { hour * 60 + minute }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutesSinceMidnight < b.minutesSinceMidnight }
}

/// A part of the day people name instead of a time ("tomorrow morning", "kesho asubuhi").
public enum DayPart: String, Sendable, CaseIterable, Codable {
    case morning, afternoon, evening, night

    /// The clock window the lab and the booking engine search: [from, to).
    public var window: (from: ClockTime, to: ClockTime) {
        switch self {
        case .morning: return (ClockTime(hour: 6), ClockTime(hour: 12))
        case .afternoon: return (ClockTime(hour: 12), ClockTime(hour: 18))
        case .evening: return (ClockTime(hour: 16), ClockTime(hour: 21))
        case .night: return (ClockTime(hour: 19), ClockTime(hour: 23, minute: 59))
        }
    }
}

/// Whether a caller said yes or no.
public enum Answer: String, Sendable, Codable {
    case yes, no
}
