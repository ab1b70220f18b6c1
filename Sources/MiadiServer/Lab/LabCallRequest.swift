import Foundation
import MiadiBridge

/// What `miadi run --target URL` sends a running `miadi serve --lab` before it places a call
/// (`POST /lab/calls`): everything the server's side of the call needs that a real call would
/// find in production — the clinic and its calendar as the scenario sets them, the clock, the
/// mock model's faults and the line. Calls that name the same `calendar` share one calendar
/// (a scenario whose callers race for a slot). The scripted caller stays with the lab.
public struct LabCallRequest: Codable, Sendable, Equatable {
    /// An appointment that exists before the call (a scenario's `calendar:`).
    public struct Appointment: Codable, Sendable, Equatable {
        public var id: String
        public var customer: String
        public var customerName: String?
        public var service: String
        public var staff: String
        /// `2026-03-05T14:00:00+03:00`
        public var start: String

        public init(id: String, customer: String, customerName: String?, service: String, staff: String, start: String) {
            self.id = id
            self.customer = customer
            self.customerName = customerName
            self.service = service
            self.staff = staff
            self.start = start
        }

        enum CodingKeys: String, CodingKey {
            case id, customer, service, staff, start
            case customerName = "customer_name"
        }
    }

    public var callSID: String
    /// Calls naming the same calendar share it; the first one creates and seeds it.
    public var calendar: String
    /// The clinic file's name (for messages) and its YAML text.
    public var clinicFile: String
    public var clinicYAML: String
    /// The scenario's "now", with its offset: the calendar's clock starts there.
    public var now: String
    public var appointments: [Appointment]
    /// The mock model's deliberate faults (`MockFault` names).
    public var faults: [String]
    /// Appointments of other customers the mock is told of (a fault uses them).
    public var toldAppointmentIDs: [String]
    public var handoffNumber: String?
    /// `inbound_track` or `both_tracks` (`StreamTrack`).
    public var track: String
    public var rate: Int
    public var bookingLatencyMs: Int
    /// What the bridge does when the caller speaks over the agent on this call (nil: the
    /// server's own `barge_in:`).
    public var bargeIn: BargeInPolicy?

    public init(callSID: String, calendar: String, clinicFile: String, clinicYAML: String, now: String, appointments: [Appointment], faults: [String],
                toldAppointmentIDs: [String], handoffNumber: String?, track: String, rate: Int, bookingLatencyMs: Int) {
        self.callSID = callSID
        self.calendar = calendar
        self.clinicFile = clinicFile
        self.clinicYAML = clinicYAML
        self.now = now
        self.appointments = appointments
        self.faults = faults
        self.toldAppointmentIDs = toldAppointmentIDs
        self.handoffNumber = handoffNumber
        self.track = track
        self.rate = rate
        self.bookingLatencyMs = bookingLatencyMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(callSID: try c.decode(String.self, forKey: .callSID), calendar: try c.decode(String.self, forKey: .calendar),
                  clinicFile: try c.decode(String.self, forKey: .clinicFile), clinicYAML: try c.decode(String.self, forKey: .clinicYAML),
                  now: try c.decode(String.self, forKey: .now), appointments: try c.decode([Appointment].self, forKey: .appointments),
                  faults: try c.decode([String].self, forKey: .faults), toldAppointmentIDs: try c.decode([String].self, forKey: .toldAppointmentIDs),
                  handoffNumber: try c.decodeIfPresent(String.self, forKey: .handoffNumber), track: try c.decode(String.self, forKey: .track),
                  rate: try c.decode(Int.self, forKey: .rate), bookingLatencyMs: try c.decode(Int.self, forKey: .bookingLatencyMs))
        bargeIn = try c.decodeIfPresent(BargeInPolicy.self, forKey: .bargeIn)
    }

    enum CodingKeys: String, CodingKey {
        case calendar, now, appointments, faults, track, rate
        case callSID = "call_sid"
        case clinicFile = "clinic_file"
        case clinicYAML = "clinic_yaml"
        case toldAppointmentIDs = "told_appointment_ids"
        case handoffNumber = "handoff_number"
        case bookingLatencyMs = "booking_latency_ms"
        case bargeIn = "barge_in"
    }
}
