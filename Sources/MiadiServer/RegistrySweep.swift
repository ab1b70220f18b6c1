import CMiadiHeap
import ServiceLifecycle

/// Forgets answered calls whose stream never came, on a timer: expiry also runs on each
/// webhook, but after a flood of webhooks with no streams the traffic stops and nothing else
/// would run it, so the flood's calls stayed in memory until the next call.
///
/// After a sweep that forgot calls, or that followed calls ending, the C heap is trimmed
/// (`malloc_trim`): glibc keeps freed memory in its per-thread arenas, so a server that had
/// just forgotten 10,000 webhooks (about 40 MB) otherwise kept its resident size for good, and
/// one that had just ended a burst of 10,000 short calls kept about 80 MiB more than its heap
/// in use; an operator reading RSS could not tell a leak from a flood that had passed. A trim
/// costs a few milliseconds and runs at most once a sweep (every 30 s by default).
struct RegistrySweep: Service {
    let registry: CallRegistry
    let every: Duration

    func run() async throws {
        // Ends with the server: cancelled, or its graceful shutdown begun.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: every)
                if await registry.sweep() > 0 { Self.trimHeap() }
            }
        }
    }

    static func trimHeap() { _ = miadi_heap_trim() }
}
