import CMiadiLoad
import Foundation

/// Malformed input against a live server (`mfuzz_run` in C): what the hostile-client test
/// throws at `miadi serve`, category by category, from a seed (the same bytes every run).
public enum Fuzz {
    public enum Category: Int32, Sendable, CaseIterable {
        /// Mutated WebSocket upgrade requests, and bytes that are not HTTP at all.
        case handshakes = 0
        /// Frames no platform sends, after a well-formed handshake.
        case frames = 1
        /// Webhook POSTs with bodies of any shape, encoding and length.
        case webhooks = 2
    }

    /// What the server made of the inputs.
    public struct Outcome: Sendable, CustomStringConvertible {
        public var sent = 0
        public var connectFailed = 0
        public var answered = 0
        public var closedSilently = 0
        public var timedOut = 0
        public var upgraded = 0
        public var status2xx = 0, status4xx = 0, status5xx = 0, statusOther = 0
        /// After a 101: the server's close codes and how often each came.
        public var closeCodes: [Int: Int] = [:]
        public var noCloseFrame = 0
        public var firstError: String?

        public var description: String {
            let codes = closeCodes.keys.sorted().map { "\($0)×\(closeCodes[$0]!)" }.joined(separator: " ")
            return "sent \(sent), connect failed \(connectFailed), answered \(answered), closed silently \(closedSilently), timed out \(timedOut); "
                + "101 \(upgraded), 2xx \(status2xx), 4xx \(status4xx), 5xx \(status5xx), other \(statusOther); closes [\(codes)], no close frame \(noCloseFrame)"
        }
    }

    /// Runs `count` inputs of `category` against 127.0.0.1:`port` on a thread of its own (it
    /// blocks in epoll), `concurrency` connections at once.
    public static func run(port: Int, category: Category, count: Int, seed: UInt64, concurrency: Int = 48, timeoutMs: Int = 5000,
                           webhookPath: String = "/voice", streamPath: String = "/stream") async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var result = mfuzz_result()
                let status = "127.0.0.1".withCString { host in
                    webhookPath.withCString { webhook in
                        streamPath.withCString { stream in
                            var config = mfuzz_config(host: host, port: Int32(port), webhook_path: webhook, stream_path: stream, category: category.rawValue,
                                                      count: Int32(count), seed: seed, concurrency: Int32(concurrency), timeout_ms: Int32(timeoutMs))
                            return mfuzz_run(&config, &result)
                        }
                    }
                }
                var outcome = Outcome()
                outcome.sent = Int(result.sent)
                outcome.connectFailed = Int(result.connect_failed)
                outcome.answered = Int(result.answered)
                outcome.closedSilently = Int(result.closed_silently)
                outcome.timedOut = Int(result.timed_out)
                outcome.upgraded = Int(result.upgraded)
                outcome.status2xx = Int(result.status_2xx)
                outcome.status4xx = Int(result.status_4xx)
                outcome.status5xx = Int(result.status_5xx)
                outcome.statusOther = Int(result.status_other)
                outcome.noCloseFrame = Int(result.no_close_frame)
                let codes = withUnsafeBytes(of: result.close_codes) { Array($0.bindMemory(to: Int32.self)) }
                for (slot, n) in codes.enumerated() where n > 0 { outcome.closeCodes[slot == 15 ? -1 : 1000 + slot] = Int(n) }
                if status != 0 || result.first_error.0 != 0 {
                    outcome.firstError = withUnsafeBytes(of: result.first_error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                }
                continuation.resume(returning: outcome)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
