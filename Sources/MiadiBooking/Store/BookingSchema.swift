import GRDB

/// The calendar's tables, created by frozen, named migrations (a shipped migration is never
/// edited; a change is a new one).
///
/// Instants are whole seconds since 1970 UTC. The invariant that protects callers most, no two
/// booked appointments overlapping on one member of staff (service time plus buffer), lives in
/// triggers, so no code path, present or future, can break it.
enum BookingSchema {
    static let overlapMessage = "miadi: overlapping appointment for this member of staff"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: calendar, holds, audit, idempotency") { db in
            try db.execute(sql: """
                CREATE TABLE customer (
                    phone TEXT PRIMARY KEY NOT NULL,
                    name TEXT
                );
                CREATE TABLE appointment (
                    id TEXT PRIMARY KEY NOT NULL,
                    customer_phone TEXT NOT NULL REFERENCES customer(phone),
                    service_id TEXT NOT NULL,
                    staff_id TEXT NOT NULL,
                    start_utc INTEGER NOT NULL,
                    end_utc INTEGER NOT NULL,
                    busy_until_utc INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
                    created_by_call TEXT NOT NULL,
                    changed_by_call TEXT NOT NULL,
                    CHECK (start_utc < end_utc AND end_utc <= busy_until_utc)
                );
                CREATE INDEX appointment_by_staff ON appointment(staff_id, start_utc);
                CREATE INDEX appointment_by_customer ON appointment(customer_phone, start_utc);
                CREATE TRIGGER appointment_no_overlap_on_insert BEFORE INSERT ON appointment
                WHEN NEW.status = 'booked' AND EXISTS (
                    SELECT 1 FROM appointment a
                    WHERE a.staff_id = NEW.staff_id AND a.status = 'booked'
                      AND a.start_utc < NEW.busy_until_utc AND NEW.start_utc < a.busy_until_utc)
                BEGIN SELECT RAISE(ABORT, '\(overlapMessage)'); END;
                CREATE TRIGGER appointment_no_overlap_on_update BEFORE UPDATE ON appointment
                WHEN NEW.status = 'booked' AND EXISTS (
                    SELECT 1 FROM appointment a
                    WHERE a.id <> NEW.id AND a.staff_id = NEW.staff_id AND a.status = 'booked'
                      AND a.start_utc < NEW.busy_until_utc AND NEW.start_utc < a.busy_until_utc)
                BEGIN SELECT RAISE(ABORT, '\(overlapMessage)'); END;
                CREATE TABLE hold (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('booking', 'reschedule', 'cancellation')),
                    call_sid TEXT NOT NULL,
                    caller TEXT NOT NULL,
                    caller_name TEXT,
                    appointment_id TEXT REFERENCES appointment(id),
                    service_id TEXT NOT NULL,
                    staff_id TEXT NOT NULL,
                    start_utc INTEGER NOT NULL,
                    end_utc INTEGER NOT NULL,
                    busy_until_utc INTEGER NOT NULL,
                    created_utc INTEGER NOT NULL,
                    expires_utc INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('held', 'committed', 'released', 'expired'))
                );
                CREATE INDEX hold_by_staff ON hold(staff_id, start_utc);
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_utc INTEGER NOT NULL,
                    call_sid TEXT NOT NULL,
                    caller TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('seed', 'book', 'reschedule', 'cancel')),
                    appointment_id TEXT NOT NULL,
                    proposal_id TEXT,
                    before_json TEXT,
                    after_json TEXT NOT NULL,
                    evidence_json TEXT
                );
                CREATE TABLE idempotency (
                    key TEXT PRIMARY KEY NOT NULL,
                    call_sid TEXT NOT NULL,
                    proposal_id TEXT NOT NULL,
                    appointment_id TEXT NOT NULL,
                    audit_seq INTEGER NOT NULL REFERENCES audit(seq)
                );
                CREATE TABLE counter (
                    name TEXT PRIMARY KEY NOT NULL,
                    value INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }
}
