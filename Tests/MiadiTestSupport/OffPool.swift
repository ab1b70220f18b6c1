import Foundation

/// Blocking work (a child's pipe read to its end, a `recv`, `waitUntilExit`) done on a thread
/// of its own while the caller awaits it.
///
/// Why: Swift's cooperative pool has one thread per core, two on the machines CI runs on. A
/// test that blocks one of them for the life of a child process (a `miadi run` takes seconds)
/// and another test that does the same stall every task in the test process: an in-process
/// server's call is then not identified for tens of seconds, and tests that have nothing to
/// do with the blocking one fail on time.
public enum OffPool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
            thread.start()
        }
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.start()
        }
    }
}
