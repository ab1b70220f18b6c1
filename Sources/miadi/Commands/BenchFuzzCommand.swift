import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiadiLoad

/// `miadi bench fuzz`: the hostile-client test's malformed inputs against a server you run
/// yourself, round after round, with the server's open files, resident size and heap in use
/// after each category. A leak shows as growth that repeats round after round; caches that
/// fill once show as growth in the first round only.
struct BenchFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Malformed handshakes, frames and webhook bodies against a running miadi serve, with its memory after each.",
        discussion: """
        The inputs come from a seed: the same bytes every run. Frames need a server that lets \
        any client open a stream (no stream_token); webhooks are best sent with a high \
        webhook_rate_limit, or most of them are answered 429. With --pid, the server's open files \
        and resident size are read from /proc; its heap in use comes from /metrics.
        """
    )

    @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080.")
    var url: String

    @Option(help: "The server's process id, for its open files and resident size.")
    var pid: Int32?

    @Option(help: "Categories, comma-separated: handshakes, frames, webhooks.")
    var categories: String = "handshakes,frames,webhooks"

    @Option(help: "Inputs per category and round.")
    var count: Int = 10_000

    @Option(help: "Rounds: each sends every category again, with the same seed.")
    var rounds: Int = 1

    @Option(help: "The seed the inputs are made from.")
    var seed: UInt64 = 18_000

    @Option(help: "Seconds to wait after each category before the memory is read (the server's sweeps run meanwhile).")
    var settle: Double = 2

    @Option(help: "The webhook's path on the server.")
    var webhookPath: String = "/voice"

    static let names: [String: Fuzz.Category] = ["handshakes": .handshakes, "frames": .frames, "webhooks": .webhooks]

    var selected: [Fuzz.Category] { categories.split(separator: ",").compactMap { Self.names[$0.trimmingCharacters(in: .whitespaces)] } }

    func validate() throws {
        guard BenchBridgeCommand.hostPort(url) != nil else { throw ValidationError("--url must look like http://127.0.0.1:8080, got \(url)") }
        let unknown = categories.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { Self.names[$0] == nil }
        guard unknown.isEmpty else { throw ValidationError("--categories: unknown \(unknown.joined(separator: ", ")) (known: handshakes, frames, webhooks)") }
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
        guard settle >= 0 else { throw ValidationError("--settle must not be negative") }
    }

    func run() async throws {
        let (host, port) = BenchBridgeCommand.hostPort(url)!
        guard host == "127.0.0.1" else { throw failOnBadInput("--url: the fuzzer sends to 127.0.0.1 only (a server of your own), got \(host)") }
        print("round | category | outcome | open files | resident | heap in use")
        print("---|---|---|---:|---:|---:")
        print("0 | (before) | – | \(memory(port: port))")
        for round in 1...rounds {
            for category in selected {
                let outcome = await Fuzz.run(port: port, category: category, count: count, seed: seed + UInt64(category.rawValue), webhookPath: webhookPath)
                if settle > 0 { try await Task.sleep(for: .seconds(settle)) }
                print("\(round) | \(category) | \(outcome) | \(memory(port: port))")
            }
        }
    }

    /// Open files, resident size and heap in use, as table cells ("–" for what is unknown).
    private func memory(port: Int) -> String {
        let files = pid.flatMap { try? FileManager.default.contentsOfDirectory(atPath: "/proc/\($0)/fd").count }
        let resident = pid.flatMap { pid -> Int? in
            guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/statm") else { return nil }
            defer { try? handle.close() }
            let fields = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
            return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : nil
        }
        let heap = Self.heapInUse(port: port)
        return "\(files.map(String.init) ?? "–") | \(resident.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "–") | \(heap.map { String(format: "%.1f MiB", $0 / 1_048_576) } ?? "–")"
    }

    /// `miadi_heap_in_use_bytes` from the server's `/metrics` (a blocking read: the command
    /// does nothing else meanwhile).
    static func heapInUse(port: Int) -> Double? {
        guard let data = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/metrics")!) else { return nil }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("miadi_heap_in_use_bytes ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }
    }
}
