import MiadiTestSupport
import Foundation
import MiadiBooking
import MiadiLanguage

/// Clinics, clocks and engines for booking tests.
enum BookingFixtures {
    static let root = Repository.root
    static var clinics: String { root + "/Scenarios/clinics" }

    static func clinic(_ name: String = "whitedent-nairobi") throws -> Clinic {
        try ClinicFile.load(path: "\(clinics)/\(name).yaml")
    }

    static func text(_ name: String = "whitedent-nairobi") throws -> String {
        try String(contentsOfFile: "\(clinics)/\(name).yaml", encoding: .utf8)
    }

    /// An instant written with its offset, e.g. "2026-03-02T09:15:00+03:00".
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { preconditionFailure("bad instant \(text)") }
        return date
    }

    /// Monday 2 March 2026, 09:15 in Nairobi.
    static let monday = instant("2026-03-02T09:15:00+03:00")

    static func engine(clinic name: String = "whitedent-nairobi", now: Date = monday) throws -> (BookingEngine, ManualClock) {
        let clock = ManualClock(now)
        return (try BookingEngine.inMemory(clinic: try clinic(name), clock: clock), clock)
    }

    static let amina = CallContext(callerNumber: "+254711000002", callSID: "CA-amina", callerName: "Amina")
    static let baraka = CallContext(callerNumber: "+254733000020", callSID: "CA-baraka", callerName: "Baraka")

    static let confirmation = Confirmation(readBack: "a cleaning on Thursday the 5th of March at two p.m.", callerAnswer: "yes please")

    /// A scratch folder for database files.
    static func scratch(_ name: String) -> String { Scratch.folder(name) }
}
